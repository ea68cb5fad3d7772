#include "config/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>
#include <system_error>

#include "eth/address.hpp"
#include "eth/signer.hpp"
#include "log/redaction.hpp"

namespace glisk::config {
namespace {

using Problems = std::vector<std::string>;
// Applies a (present, non-empty) value to the config, or appends a problem.
using Apply = std::function<void(Config&, const std::string& value, Problems&)>;

struct Variable {
  VariableInfo info;
  Apply apply;
  bool required_in_production = false;
};

template <typename Int>
Apply integer(Int Config::*field, int64_t min, int64_t max) {
  return [=](Config& c, const std::string& value, Problems& problems) {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (ec != std::errc{} || end != value.data() + value.size()) {
      problems.push_back("'" + value + "' is not a whole number");
    } else if (parsed < min || parsed > max) {
      problems.push_back(std::to_string(parsed) + " is out of range: use " + std::to_string(min) + ".." +
                         std::to_string(max));
    } else {
      c.*field = static_cast<Int>(parsed);
    }
  };
}

// The number `value` says, within min..max; nullopt (with the problem said) otherwise.
std::optional<double> number_in_range(const std::string& value, double min, double max, Problems& problems) {
  double parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(parsed)) {
    problems.push_back("'" + value + "' is not a number");
    return std::nullopt;
  }
  if (parsed < min || parsed > max) {
    std::ostringstream range;
    range << min << ".." << max;
    problems.push_back(value + " is out of range: use " + range.str());
    return std::nullopt;
  }
  return parsed;
}

Apply number(double Config::*field, double min, double max) {
  return [=](Config& c, const std::string& value, Problems& problems) {
    if (auto parsed = number_in_range(value, min, max, problems)) c.*field = *parsed;
  };
}

// A duration the operator gives in seconds (fractions allowed), kept as milliseconds.
Apply duration(std::chrono::milliseconds Config::*field, double min_seconds, double max_seconds) {
  return [=](Config& c, const std::string& value, Problems& problems) {
    if (auto seconds = number_in_range(value, min_seconds, max_seconds, problems)) {
      c.*field = std::chrono::milliseconds(std::llround(*seconds * 1000.0));
    }
  };
}

Apply text(std::string Config::*field) {
  return [=](Config& c, const std::string& value, Problems&) { c.*field = value; };
}

template <typename T>
Apply choice(T Config::*field, std::vector<std::pair<std::string, T>> options) {
  return [=](Config& c, const std::string& value, Problems& problems) {
    std::string names;
    for (const auto& [name, option] : options) {
      if (value == name) {
        c.*field = option;
        return;
      }
      names += (names.empty() ? "" : " | ") + name;
    }
    problems.push_back("'" + value + "' is not one of " + names);
  };
}

Apply database_url() {
  return [](Config& c, const std::string& value, Problems& problems) {
    static constexpr std::string_view kSchemes[] = {"sqlite://", "postgresql://", "postgres://",
                                                    "postgresql+asyncpg://", "postgresql+psycopg://"};
    for (auto scheme : kSchemes) {
      if (value.starts_with(scheme) && value.size() > scheme.size()) {
        c.database_url = value;
        return;
      }
    }
    problems.push_back("'" + log::redact_url(value) +
                       "' is not a database URL: use sqlite:///abs/path.db, sqlite://./relative.db or "
                       "postgresql://user:pass@host:port/db");
  };
}

Apply http_url(std::string Config::*field) {
  return [=](Config& c, const std::string& value, Problems& problems) {
    if (!value.starts_with("http://") && !value.starts_with("https://")) {
      problems.push_back("'" + value + "' is not an http:// or https:// URL");
      return;
    }
    std::string url = value;
    while (url.ends_with("/")) url.pop_back();
    c.*field = url;
  };
}

Apply model_name() {
  return [](Config& c, const std::string& value, Problems& problems) {
    static const std::regex kModel(R"(^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(:[0-9a-f]{64})?$)");
    if (!std::regex_match(value, kModel)) {
      problems.push_back("'" + value + "' is not owner/name or owner/name:<64-hex version>");
      return;
    }
    c.replicate_model_version = value;
  };
}

Apply address(std::string Config::*field) {
  return [=](Config& c, const std::string& value, Problems& problems) {
    try {
      c.*field = eth::Address::parse(value).to_checksum();
    } catch (const eth::InvalidAddress& e) {
      problems.push_back(std::string(e.what()));
    }
  };
}

// The key is checked here so a typo stops startup, not the first reveal; the message never
// carries the value (eth::InvalidKey promises that, and load_config masks it again).
Apply private_key() {
  return [](Config& c, const std::string& value, Problems& problems) {
    try {
      (void)eth::PrivateKey::from_hex(value);
      c.keeper_private_key = value;
    } catch (const eth::InvalidKey& e) {
      problems.push_back(e.what());
    }
  };
}

Apply reveal_function() {
  return [](Config& c, const std::string& value, Problems& problems) {
    static const std::regex kShape(R"(^[A-Za-z_][A-Za-z0-9_]*\(uint256\[\],(bytes32|string)\[\]\)$)");
    if (!std::regex_match(value, kShape)) {
      problems.push_back("'" + value +
                         "' is not a function taking (uint256[],bytes32[]) or (uint256[],string[]): "
                         "revealDigests(uint256[],bytes32[]) for a contract from `glisk chain deploy`, "
                         "revealTokens(uint256[],string[]) or batchRevealMultiple(uint256[],string[]) for one "
                         "deployed before it");
      return;
    }
    c.reveal_function = value;
  };
}

Apply host() {
  return [](Config& c, const std::string& value, Problems& problems) {
    if (value.find_first_of(" /:") != std::string::npos && value.find(':') == std::string::npos) {
      problems.push_back("'" + value + "' is not a host name or IP address");
      return;
    }
    c.host = value;
  };
}

const std::vector<Variable>& table() {
  static const std::vector<Variable> kTable = {
      {{"APP_ENV", "development", "development | production; production makes LOG_FORMAT json and requires the secrets",
        false},
       choice(&Config::app_env, std::vector<std::pair<std::string, AppEnv>>{{"development", AppEnv::kDevelopment},
                                                                            {"production", AppEnv::kProduction},
                                                                            {"test", AppEnv::kTest}})},
      {{"DATABASE_URL", "sqlite://./glisk.db",
        "sqlite:///abs/path.db, sqlite://./rel.db or postgresql://user:pass@host:port/db (postgresql+asyncpg:// "
        "accepted)",
        true},
       database_url()},
      {{"DATABASE_POOL_SIZE", "8", "database connections per process", false},
       integer(&Config::database_pool_size, 1, 200)},
      {{"HOST", "127.0.0.1", "address the HTTP API listens on", false}, host()},
      {{"PORT", "8000", "port of the HTTP API (0 picks a free one)", false}, integer(&Config::port, 0, 65535)},
      {{"HTTP_MAX_CONNECTIONS", "512",
        "most HTTP connections open at once; past it the longest idle one is closed, else new ones are refused", false},
       integer(&Config::http_max_connections, 1, 100'000)},
      {{"HTTP_MAX_CONNECTIONS_PER_CLIENT", "64",
        "most HTTP connections from one address (raise it behind a reverse proxy, which is one address)", false},
       integer(&Config::http_max_connections_per_client, 1, 100'000)},
      {{"HTTP_REQUEST_TIMEOUT_SECONDS", "10",
        "time a client has to send a whole request (not per byte); also how long SIGTERM lets requests finish", false},
       duration(&Config::http_request_timeout, 0.1, 300)},
      {{"HTTP_IDLE_TIMEOUT_SECONDS", "5", "how long a kept-alive HTTP connection may wait for its next request", false},
       duration(&Config::http_idle_timeout, 0.1, 3600)},
      {{"LOG_LEVEL", "info", "debug | info | warning | error", false},
       choice(&Config::log_level, std::vector<std::pair<std::string, log::Level>>{{"debug", log::Level::kDebug},
                                                                                  {"info", log::Level::kInfo},
                                                                                  {"warning", log::Level::kWarning},
                                                                                  {"error", log::Level::kError}})},
      {{"LOG_FORMAT", "console (json in production)", "json (one JSON object per line) | console", false},
       choice(&Config::log_format, std::vector<std::pair<std::string, LogFormat>>{{"json", LogFormat::kJson},
                                                                                  {"console", LogFormat::kConsole}})},
      {{"POLL_INTERVAL_SECONDS", "1", "fallback poll interval; workers are woken at once when work arrives", false},
       duration(&Config::poll_interval, 0.01, 3600)},
      {{"WORKER_BATCH_SIZE", "10", "tokens in flight per worker (a finished token frees its slot at once)", false},
       integer(&Config::worker_batch_size, 1, 1000)},
      {{"IMAGE_CONCURRENCY", "WORKER_BATCH_SIZE",
        "predictions this instance has running at once (the image stage's slots); each holds one Replicate "
        "prediction, so this and REPLICATE_CREATES_PER_MINUTE are what the account sees",
        false},
       integer(&Config::image_concurrency, 1, 1000)},
      {{"UPLOAD_CONCURRENCY", "WORKER_BATCH_SIZE",
        "tokens this instance uploads at once (the upload stage's slots; each pins its image and metadata together)",
        false},
       integer(&Config::upload_concurrency, 1, 1000)},
      {{"SHUTDOWN_TIMEOUT_SECONDS", "25",
        "on SIGTERM, how long in-flight work may finish before its leases are released", false},
       duration(&Config::shutdown_timeout, 0, 3600)},
      {{"LEASE_SECONDS", "60",
        "how long a claim holds a token without renewal; a dead process's tokens return after it", false},
       duration(&Config::lease, 1, 86400)},
      {{"MAX_ATTEMPTS", "3", "attempts per stage before a token is failed", false},
       integer(&Config::max_attempts, 1, 100)},
      {{"RETRY_BASE_SECONDS", "2", "first retry delay; doubles per attempt, with jitter", false},
       duration(&Config::retry_base, 0, 86400)},
      {{"RETRY_MAX_SECONDS", "300", "cap of the retry delay", false}, duration(&Config::retry_max, 0, 86400)},
      {{"IMAGE_PROVIDER", "replicate if REPLICATE_API_TOKEN is set or in production, else local",
        "replicate (paid API) | local (embedded deterministic generator)", false},
       choice(&Config::image_provider,
              std::vector<std::pair<std::string, ImageProvider>>{{"replicate", ImageProvider::kReplicate},
                                                                 {"local", ImageProvider::kLocal}})},
      {{"REPLICATE_API_TOKEN", "", "Replicate API token (r8_…); required when IMAGE_PROVIDER=replicate", true},
       text(&Config::replicate_api_token)},
      {{"REPLICATE_MODEL_VERSION", "black-forest-labs/flux-schnell", "model (owner/name or owner/name:64-hex-version)",
        false},
       model_name()},
      {{"REPLICATE_API_URL", "https://api.replicate.com", "base URL of the Replicate API", false},
       http_url(&Config::replicate_api_url)},
      {{"REPLICATE_PREFER_WAIT_SECONDS", "0",
        "0: create predictions asynchronously and save their id at once; 1-60: ask Replicate to hold the create call "
        "(faster, but a crash in that window loses the id)",
        false},
       integer(&Config::replicate_prefer_wait_seconds, 0, 60)},
      {{"REPLICATE_CREATES_PER_MINUTE", "600",
        "prediction creates a minute this instance sends at most (Replicate's documented limit is 600 a minute per "
        "account: divide it between instances); 0: no budget",
        false},
       integer(&Config::replicate_creates_per_minute, 0, 1'000'000)},
      {{"REPLICATE_READS_PER_MINUTE", "3000",
        "other Replicate requests a minute (status lookups, cancels; Replicate's limit is 3000 a minute); 0: no budget",
        false},
       integer(&Config::replicate_reads_per_minute, 0, 1'000'000)},
      {{"REPLICATE_WEBHOOK_URL", "",
        "public base URL glisk is reached at (as for the Alchemy webhook): predictions are created with the webhook "
        "REPLICATE_WEBHOOK_URL/webhooks/replicate and their end is told, not polled for; unset: polling only",
        false},
       http_url(&Config::replicate_webhook_url)},
      {{"REPLICATE_WEBHOOK_SECRET", "",
        "the account's webhook signing secret (whsec_…); unset: read once from Replicate "
        "(GET /v1/webhooks/default/secret)",
        true},
       text(&Config::replicate_webhook_secret)},
      {{"IMAGE_TIMEOUT_SECONDS", "120", "longest wait for one prediction; then it is canceled and retried", false},
       duration(&Config::image_timeout, 1, 3600)},
      {{"DEFAULT_PROMPT", "An abstract painting of light and colour", "prompt for authors who have none", false},
       text(&Config::default_prompt)},
      {{"DATA_DIR", "./data", "where the local image generator keeps its images", false}, text(&Config::data_dir)},
      {{"FALLBACK_CENSORED_PROMPT", "Cute kittens playing in a sunny meadow, soft watercolor",
        "prompt used when the model refuses the author's prompt (recorded on the token: the refused prompt is never "
        "sent again)",
        false},
       text(&Config::fallback_censored_prompt)},
      {{"IPFS_PROVIDER", "pinata if PINATA_JWT is set or in production, else local",
        "pinata | local (content-addressed store on disk, served at GET /ipfs/{cid})", false},
       choice(&Config::ipfs_provider,
              std::vector<std::pair<std::string, IpfsProvider>>{{"pinata", IpfsProvider::kPinata},
                                                                {"local", IpfsProvider::kLocal}})},
      {{"PINATA_JWT", "", "Pinata API JWT (needs the pinFileToIPFS scope); required when IPFS_PROVIDER=pinata", true},
       text(&Config::pinata_jwt)},
      {{"PINATA_API_URL", "https://api.pinata.cloud", "base URL of the Pinata API", false},
       http_url(&Config::pinata_api_url)},
      {{"PINATA_REQUESTS_PER_MINUTE", "180",
        "pins a minute this instance sends at most (Pinata documents 180 API requests a minute, "
        "docs.pinata.cloud/web3/account-management/limits; divide it between instances); 0: no budget",
        false},
       integer(&Config::pinata_requests_per_minute, 0, 1'000'000)},
      {{"PINATA_GATEWAY", "gateway.pinata.cloud", "IPFS gateway host for image links", false},
       text(&Config::pinata_gateway)},
      {{"IPFS_LOCAL_DIR", "DATA_DIR/ipfs", "where IPFS_PROVIDER=local keeps pinned content", false},
       text(&Config::ipfs_local_dir)},
      {{"MAX_IMAGE_BYTES", "20000000", "largest image the upload stage downloads", false},
       integer(&Config::max_image_bytes, 1000, 1'000'000'000)},
      {{"METADATA_NAME_TEMPLATE", "GLISK S0 #{token_id}", "the metadata name; {token_id} is replaced", false},
       text(&Config::metadata_name_template)},
      {{"METADATA_DESCRIPTION", "An AI-generated image from its author's prompt, revealed by glisk.",
        "the metadata description", false},
       text(&Config::metadata_description)},
      {{"KEEPER_PRIVATE_KEY", "",
        "0x-prefixed key of the wallet that sends reveals (or KEEPER_PRIVATE_KEY_FILE); one of them is required in "
        "production",
        true},
       private_key()},
      {{"RPC_URL", "http://127.0.0.1:8545", "Ethereum JSON-RPC endpoint (may carry an API key: never logged whole)",
        true},
       http_url(&Config::rpc_url)},
      {{"RPC_REQUESTS_PER_MINUTE", "0",
        "JSON-RPC calls a minute this instance sends the node at most (the watcher, reveals, receipts); set it to "
        "the plan's limit with a hosted node, divided between instances; 0: no budget",
        false},
       integer(&Config::rpc_requests_per_minute, 0, 10'000'000)},
      {{"GLISK_NFT_CONTRACT_ADDRESS", "", "the GliskNFT contract; unset: no chain watcher and no reveals", false},
       address(&Config::contract_address)},
      {{"REVEAL_FUNCTION", "revealDigests(uint256[],bytes32[])",
        "contract function the keeper calls: revealDigests(uint256[],bytes32[]) stores each metadata CID's "
        "sha2-256 digest (contracts from `glisk chain deploy`); a (uint256[],string[]) function such as "
        "revealTokens(uint256[],string[]) sends ipfs:// URIs (contracts deployed before it)",
        false},
       reveal_function()},
      {{"REVEAL_CONFIRMATIONS", "1", "blocks a reveal needs (its own included) before tokens are marked revealed",
        false},
       integer(&Config::reveal_confirmations, 1, 100)},
      {{"REVEAL_MAX_GAS_PRICE_GWEI", "", "cap on what a reveal pays per gas (base fee + tip); above it batches wait",
        false},
       number(&Config::reveal_max_gas_price_gwei, 0.000000001, 1'000'000)},
      {{"KEEPER_GAS_STRATEGY", "medium", "fast | medium | slow priority fee", false},
       choice(&Config::keeper_gas_strategy,
              std::vector<std::pair<std::string, GasStrategy>>{
                  {"fast", GasStrategy::kFast}, {"medium", GasStrategy::kMedium}, {"slow", GasStrategy::kSlow}})},
      {{"REVEAL_GAS_BUFFER", "1.2", "gas limit = estimate × buffer", false},
       number(&Config::reveal_gas_buffer, 1.0, 10.0)},
      {{"TRANSACTION_TIMEOUT_SECONDS", "180", "how long to wait for a reveal receipt before bumping gas", false},
       duration(&Config::transaction_timeout, 1, 86400)},
      {{"BATCH_REVEAL_WAIT_SECONDS", "5", "longest wait for a fuller reveal batch", false},
       duration(&Config::batch_reveal_wait, 0, 3600)},
      {{"BATCH_REVEAL_MAX_TOKENS", "50",
        "most tokens per reveal transaction (fewer when their gas would pass REVEAL_BLOCK_GAS_SHARE or the "
        "16,777,216 per-transaction cap)",
        false},
       integer(&Config::batch_reveal_max_tokens, 1, 2000)},
      {{"REVEAL_BLOCK_GAS_SHARE", "0.5",
        "largest share of the block gas limit (as the node reports it) one reveal's gas limit may take", false},
       number(&Config::reveal_block_gas_share, 0.01, 1.0)},
      {{"ALCHEMY_WEBHOOK_SECRET", "",
        "signing key of the Alchemy webhook; POST /webhooks/alchemy answers 503 without it", true},
       text(&Config::alchemy_webhook_secret)},
      {{"MINT_WATCHER", "on",
        "on | off: poll the chain for BatchMinted (on whenever GLISK_NFT_CONTRACT_ADDRESS is set)", false},
       choice(&Config::mint_watcher, std::vector<std::pair<std::string, bool>>{{"on", true}, {"off", false}})},
      {{"START_BLOCK", "the contract's deployment block, else 0",
        "first block the watcher scans when it has no cursor yet", false},
       integer(&Config::start_block, 0, INT64_MAX)},
      {{"LOG_RANGE_BLOCKS", "1000", "most blocks per eth_getLogs request", false},
       integer(&Config::log_range_blocks, 1, 100'000)},
      {{"MINT_CONFIRMATIONS", "2", "blocks a mint needs (its own included) before its tokens are created", false},
       integer(&Config::mint_confirmations, 1, 1000)},
      {{"WATCHER_POLL_SECONDS", "2", "how often the watcher asks the node for new blocks", false},
       duration(&Config::watcher_poll, 0.05, 3600)},
      {{"ADMIN_TOKEN", "",
        "bearer token of the admin API (POST /api/admin/retry, cancel, pause, resume; the dashboard's buttons); admin "
        "endpoints answer "
        "503 without it",
        true},
       text(&Config::admin_token)},
      {{"EXPLORER_URL", "",
        "block explorer for reveal transaction links on the dashboard, e.g. https://etherscan.io "
        "({EXPLORER_URL}/tx/{hash}); unset: no links",
        false},
       http_url(&Config::explorer_url)},
  };
  return kTable;
}

}  // namespace

const std::vector<VariableInfo>& variables() {
  static const std::vector<VariableInfo> kInfos = [] {
    std::vector<VariableInfo> infos;
    for (const auto& v : table()) infos.push_back(v.info);
    return infos;
  }();
  return kInfos;
}

std::string file_form(std::string_view name) { return std::string(name) + "_FILE"; }

namespace {

// A secret file larger than this is not a secret but the wrong file (a log, a binary): refused
// before it is read whole.
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// The value a secret's file holds, or why it cannot be taken (its path named, its content never).
struct SecretFile {
  std::string value;
  std::string problem;  // empty: `value` is good
};

SecretFile read_secret_file(const std::string& path) {
  const auto cannot_read = [&](int error) {
    return SecretFile{"", "cannot read " + path + " (" + std::generic_category().message(error) +
                              "): check the path, and that the service's user may read the file"};
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cannot_read(errno);
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return cannot_read(error);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > kMaxSecretFileBytes) {
      ::close(fd);
      return {"", path + " is larger than " + std::to_string(kMaxSecretFileBytes) +
                      " bytes: is it the file holding the secret?"};
    }
  }
  ::close(fd);
  // One newline, as `echo` and editors end a file; anything more is the secret's own.
  if (content.ends_with('\n')) content.pop_back();
  if (content.ends_with('\r')) content.pop_back();
  if (content.empty()) return {"", path + " is empty: write the secret into it, or unset the variable"};
  return {content, ""};
}

std::string join_lines(const std::vector<std::string>& problems) {
  std::string out = "invalid configuration (" + std::to_string(problems.size()) + " problem" +
                    (problems.size() == 1 ? "" : "s") + "):";
  for (const auto& p : problems) out += "\n  - " + p;
  return out;
}
}  // namespace

std::string_view to_string(AppEnv env) {
  switch (env) {
    case AppEnv::kDevelopment:
      return "development";
    case AppEnv::kProduction:
      return "production";
    case AppEnv::kTest:
      return "test";
  }
  return "development";
}

std::string_view to_string(ImageProvider provider) {
  switch (provider) {
    case ImageProvider::kAuto:
      return "auto";
    case ImageProvider::kLocal:
      return "local";
    case ImageProvider::kReplicate:
      return "replicate";
  }
  return "auto";
}

std::string_view to_string(IpfsProvider provider) {
  switch (provider) {
    case IpfsProvider::kAuto:
      return "auto";
    case IpfsProvider::kLocal:
      return "local";
    case IpfsProvider::kPinata:
      return "pinata";
  }
  return "auto";
}

double tip_percentile(GasStrategy strategy) {
  switch (strategy) {
    case GasStrategy::kSlow:
      return 30;
    case GasStrategy::kMedium:
      return 50;
    case GasStrategy::kFast:
      return 85;
  }
  return 50;
}

ConfigError::ConfigError(std::vector<std::string> problems)
    : errors::BadInput(join_lines(problems)), problems_(std::move(problems)) {}

Environment environment_from(char** envp) {
  Environment env;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Environment merge(const Environment& overrides, const Environment& fallback) {
  Environment out = fallback;
  for (const auto& [k, v] : overrides) out.insert_or_assign(k, v);
  return out;
}

namespace {

// What `glisk config` may show of a value: never a secret's text; a URL without its password
// (DATABASE_URL) or the path a hosted node's API key sits in (RPC_URL).
std::string shown_value(const VariableInfo& v, const std::string& value) {
  if (value.empty()) return value;
  if (v.name == "RPC_URL") {
    const auto scheme = value.find("://");
    const auto path = value.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    std::string base = log::redact_url(value.substr(0, path));
    return path == std::string::npos || path + 1 >= value.size() ? base : base + "/***";
  }
  if (v.name.ends_with("_URL")) return log::redact_url(value);
  if (v.secret) return "****";
  return value;
}

}  // namespace

std::vector<EffectiveValue> effective_values(const Environment& process, const Environment& dotenv) {
  std::vector<EffectiveValue> out;
  // A secret's file form, from the environment or else `.env`: its path (the file is not read here).
  const auto file_of = [&](const VariableInfo& v) -> std::string {
    if (!v.secret) return "";
    const std::string name = file_form(v.name);
    if (auto it = process.find(name); it != process.end()) return it->second;
    if (auto it = dotenv.find(name); it != dotenv.end()) return it->second;
    return "";
  };
  for (const auto& v : variables()) {
    EffectiveValue e{std::string(v.name), "", "default", v.secret, std::string(v.meaning)};
    if (const std::string file = file_of(v); !file.empty()) {
      out.push_back({e.name, "****", "file " + file, v.secret, e.meaning});
      continue;
    }
    if (auto it = process.find(v.name); it != process.end()) {
      e.value = it->second;
      e.source = "environment";
    } else if (auto in_file = dotenv.find(v.name); in_file != dotenv.end()) {
      e.value = in_file->second;
      e.source = ".env";
    } else {
      e.value = std::string(v.default_value);
    }
    e.value = shown_value(v, e.value);
    out.push_back(std::move(e));
  }
  return out;
}

Config load_config(const Environment& env) {
  Config config;
  Problems problems;
  // The variables with every secret's file form read in; `from_file` keeps which file each came from.
  Environment resolved = env;
  std::map<std::string, std::string, std::less<>> from_file;
  for (const auto& var : table()) {
    if (!var.info.secret) continue;
    const std::string name(var.info.name);
    const std::string file_name = file_form(name);
    const auto file = env.find(file_name);
    if (file == env.end() || file->second.empty()) continue;
    if (const auto direct = env.find(name); direct != env.end() && !direct->second.empty()) {
      problems.push_back(file_name + ": set together with " + name + "; keep one of them");
      continue;
    }
    SecretFile read = read_secret_file(file->second);
    if (!read.problem.empty()) {
      problems.push_back(file_name + ": " + read.problem);
      resolved.erase(name);
      continue;
    }
    resolved.insert_or_assign(name, std::move(read.value));
    from_file.emplace(name, file->second);
  }
  auto value_of = [&](std::string_view name) -> const std::string* {
    auto it = resolved.find(name);
    return it == resolved.end() ? nullptr : &it->second;
  };
  if (const auto* app_env = value_of("APP_ENV"); app_env != nullptr && *app_env == "production") {
    config.log_format = LogFormat::kJson;
  }
  for (const auto& var : table()) {
    const std::string* value = value_of(var.info.name);
    if (value == nullptr || value->empty()) continue;
    Problems mine;
    var.apply(config, *value, mine);
    // A value from a file is fixed in that file: the problem names it.
    const auto file = from_file.find(var.info.name);
    const std::string where =
        file == from_file.end() ? std::string(var.info.name) : file_form(var.info.name) + ": " + file->second;
    for (auto& p : mine) {
      // A secret's value never reaches a message, whatever the parser above wrote.
      if (var.info.secret) {
        // Searching on after the mask, not from where it starts: a value inside "***" (say "*")
        // would otherwise be found in its own mask for ever.
        constexpr std::string_view kMask = "***";
        for (size_t at = p.find(*value); at != std::string::npos; at = p.find(*value, at + kMask.size())) {
          p.replace(at, value->size(), kMask);
        }
      }
      problems.push_back(where + ": " + p);
    }
  }
  if (config.image_provider == ImageProvider::kAuto) {
    config.image_provider = (!config.replicate_api_token.empty() || config.is_production()) ? ImageProvider::kReplicate
                                                                                            : ImageProvider::kLocal;
  }
  if (config.image_provider == ImageProvider::kReplicate && config.replicate_api_token.empty()) {
    problems.push_back(
        "REPLICATE_API_TOKEN: missing; required when IMAGE_PROVIDER=replicate (the default in production); "
        "set it (or REPLICATE_API_TOKEN_FILE), or IMAGE_PROVIDER=local for the embedded generator");
  }
  if (config.ipfs_provider == IpfsProvider::kAuto) {
    config.ipfs_provider =
        (!config.pinata_jwt.empty() || config.is_production()) ? IpfsProvider::kPinata : IpfsProvider::kLocal;
  }
  if (config.ipfs_provider == IpfsProvider::kPinata && config.pinata_jwt.empty()) {
    problems.push_back(
        "PINATA_JWT: missing; required when IPFS_PROVIDER=pinata (the default in production); "
        "set it (or PINATA_JWT_FILE), or IPFS_PROVIDER=local for the embedded store");
  }
  if (config.ipfs_local_dir.empty()) config.ipfs_local_dir = config.data_dir + "/ipfs";
  if (!config.replicate_webhook_secret.empty() && !config.replicate_webhook_secret.starts_with("whsec_")) {
    problems.push_back(
        "REPLICATE_WEBHOOK_SECRET: not a Replicate signing secret (whsec_…, from GET /v1/webhooks/default/secret); "
        "or leave it unset and glisk asks Replicate for it");
  }
  if (config.image_concurrency == 0) config.image_concurrency = config.worker_batch_size;
  if (config.upload_concurrency == 0) config.upload_concurrency = config.worker_batch_size;
  if (config.retry_max < config.retry_base) {
    problems.push_back("RETRY_MAX_SECONDS: must be at least RETRY_BASE_SECONDS");
  }
  if (config.is_production() && config.keeper_private_key.empty()) {
    problems.push_back("KEEPER_PRIVATE_KEY: missing; required when APP_ENV=production (or KEEPER_PRIVATE_KEY_FILE)");
  }
  if (config.is_production()) {
    for (const auto& var : table()) {
      const std::string* value = value_of(var.info.name);
      if (var.required_in_production && (value == nullptr || value->empty())) {
        problems.push_back(std::string(var.info.name) + ": missing; required when APP_ENV=production (" +
                           std::string(var.info.meaning) + ")");
      }
    }
  }
  if (config.is_production()) {
    // A guessable secret on a public port is no secret. Alchemy issues signing keys as `whsec_`
    // and 24 random characters (30 in all), which are accepted as they are.
    if (!config.admin_token.empty() && config.admin_token.size() < kMinSecretLength) {
      problems.push_back("ADMIN_TOKEN: " + std::to_string(config.admin_token.size()) +
                         " characters; production needs at least " + std::to_string(kMinSecretLength) +
                         " (e.g. `openssl rand -hex 32`), or leave it unset to turn the admin API off");
    }
    const auto& key = config.alchemy_webhook_secret;
    const bool alchemy_form = key.starts_with("whsec_") && key.size() >= 6 + 24;
    if (!key.empty() && !alchemy_form && key.size() < kMinSecretLength) {
      problems.push_back(
          "ALCHEMY_WEBHOOK_SECRET: " + std::to_string(key.size()) +
          " characters; production needs the "
          "webhook's signing key from the Alchemy dashboard (whsec_ and 24 characters) or another secret "
          "of at least " +
          std::to_string(kMinSecretLength));
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return config;
}

}  // namespace glisk::config
