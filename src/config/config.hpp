#pragma once
// Service configuration: read from the process environment, with a `.env` file in the working
// directory as fallback (the environment wins). Every variable is declared once in a table
// (name, default, meaning, whether it is a secret); `load_config` checks them all and throws one
// ConfigError listing every bad or missing variable, so an operator fixes them in one go.
// Secret values never appear in an error message. Every secret may instead be given as a file
// (file_form below), so a Docker secret or a systemd credential never passes through the environment.

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"
#include "log/event_log.hpp"

namespace glisk::config {

using LogFormat = log::Format;  // LOG_FORMAT
enum class GasStrategy { kSlow, kMedium, kFast };
enum class AppEnv { kDevelopment, kProduction, kTest };  // APP_ENV
// IMAGE_PROVIDER and IPFS_PROVIDER; kAuto (unset) is resolved by load_config, never seen after it.
enum class ImageProvider { kAuto, kLocal, kReplicate };
enum class IpfsProvider { kAuto, kLocal, kPinata };
std::string_view to_string(AppEnv env);
std::string_view to_string(ImageProvider provider);
std::string_view to_string(IpfsProvider provider);
// The percentile of recent blocks' priority fees a strategy offers: slow 30, medium 50, fast 85.
double tip_percentile(GasStrategy strategy);

struct Config {
  // service
  AppEnv app_env = AppEnv::kDevelopment;
  std::string database_url = "sqlite://./glisk.db";
  int database_pool_size = 8;
  std::string host = "127.0.0.1";
  int port = 8000;
  // the HTTP server's limits against hostile clients (http/http_server.hpp)
  int http_max_connections = 512;
  int http_max_connections_per_client = 64;
  std::chrono::milliseconds http_request_timeout{10000};
  std::chrono::milliseconds http_idle_timeout{5000};
  log::Level log_level = log::Level::kInfo;
  LogFormat log_format = LogFormat::kConsole;
  // workers (names and defaults from the seed)
  std::chrono::milliseconds poll_interval{1000};
  int worker_batch_size = 10;
  // Slots of the image and upload stages; load_config sets them to worker_batch_size when unset.
  int image_concurrency = 0;
  int upload_concurrency = 0;
  std::chrono::milliseconds shutdown_timeout{25000};
  std::chrono::milliseconds lease{60000};
  int max_attempts = 3;
  std::chrono::milliseconds retry_base{2000};
  std::chrono::milliseconds retry_max{300000};
  // image generation (seed, plus the provider choice and its limits)
  ImageProvider image_provider = ImageProvider::kAuto;
  std::string replicate_api_url = "https://api.replicate.com";
  int replicate_prefer_wait_seconds = 0;
  int replicate_creates_per_minute = 600;
  int replicate_reads_per_minute = 3000;
  std::string replicate_webhook_url;     // the public base URL; empty: no webhook, polling only
  std::string replicate_webhook_secret;  // whsec_…; empty: asked of Replicate at the first delivery
  int pinata_requests_per_minute = 180;
  std::chrono::milliseconds image_timeout{120000};
  std::string default_prompt = "An abstract painting of light and colour";
  std::string data_dir = "./data";
  std::string replicate_api_token;
  std::string replicate_model_version = "black-forest-labs/flux-schnell";
  std::string fallback_censored_prompt = "Cute kittens playing in a sunny meadow, soft watercolor";
  // IPFS (seed, plus the pinner choice, limits and metadata)
  IpfsProvider ipfs_provider = IpfsProvider::kAuto;
  std::string pinata_jwt;
  std::string pinata_api_url = "https://api.pinata.cloud";
  std::string pinata_gateway = "gateway.pinata.cloud";
  std::string ipfs_local_dir;  // default: DATA_DIR/ipfs
  int max_image_bytes = 20'000'000;
  std::string metadata_name_template = "GLISK S0 #{token_id}";
  std::string metadata_description = "An AI-generated image from its author's prompt, revealed by glisk.";
  // reveal (seed)
  std::string keeper_private_key;
  GasStrategy keeper_gas_strategy = GasStrategy::kMedium;
  double reveal_gas_buffer = 1.2;
  std::chrono::milliseconds transaction_timeout{180000};
  std::chrono::milliseconds batch_reveal_wait{5000};
  int batch_reveal_max_tokens = 50;
  double reveal_block_gas_share = 0.5;  // of the block gas limit, for one reveal's gas limit
  // reveal (beyond the seed): where and how
  std::string rpc_url = "http://127.0.0.1:8545";
  int rpc_requests_per_minute = 0;  // 0: no budget
  std::string contract_address;     // GLISK_NFT_CONTRACT_ADDRESS, EIP-55; empty = no chain
  std::string reveal_function = "revealDigests(uint256[],bytes32[])";
  int reveal_confirmations = 1;
  double reveal_max_gas_price_gwei = 0;  // 0 = no cap
  // tokens in: the chain watcher and the Alchemy webhook
  std::string alchemy_webhook_secret;
  bool mint_watcher = true;
  int64_t start_block = -1;  // -1: the contract's deployment block when found, else 0
  int log_range_blocks = 1000;
  int mint_confirmations = 2;
  std::chrono::milliseconds watcher_poll{2000};
  // operations: the admin API and the dashboard
  std::string admin_token;   // ADMIN_TOKEN; empty = every admin endpoint answers 503
  std::string explorer_url;  // EXPLORER_URL, e.g. https://etherscan.io; empty = no transaction links

  bool is_production() const { return app_env == AppEnv::kProduction; }
};

// The shortest secret production accepts for ADMIN_TOKEN (and for a webhook signing key that is
// not Alchemy's own `whsec_` form): 32 characters of a random token are beyond guessing.
inline constexpr size_t kMinSecretLength = 32;

using Environment = std::map<std::string, std::string, std::less<>>;

// One declared variable; the README's configuration table lists the same rows.
struct VariableInfo {
  std::string_view name;
  std::string_view default_value;  // as the operator would write it; empty = unset
  std::string_view meaning;
  bool secret;
};
const std::vector<VariableInfo>& variables();

// The name of a secret's file form: NAME_FILE names a file whose content, less one trailing
// newline ("\n" or "\r\n"), is NAME's value. Every secret variable has one; setting both forms,
// or naming a file that cannot be read or is empty, is a problem load_config reports (with the
// file's path, never its content).
std::string file_form(std::string_view name);

// Thrown by load_config with every problem found, one per line in what().
class ConfigError : public errors::BadInput {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// The process environment (envp of main) as a map.
Environment environment_from(char** envp);

// `overrides` wins over `fallback` (the process environment over `.env`).
Environment merge(const Environment& overrides, const Environment& fallback);

// A declared variable as the service takes it: from its file form (NAME_FILE), else the process
// environment, else the `.env` file, else its default. Secrets are "****" when set (never their
// text; a file is not even read); URLs lose their password, and RPC_URL its path (where hosted
// nodes put the API key).
struct EffectiveValue {
  std::string name;
  std::string value;   // as shown; "" = unset
  std::string source;  // "file <path>" | "environment" | ".env" | "default"
  bool secret = false;
  std::string meaning;
};
std::vector<EffectiveValue> effective_values(const Environment& process, const Environment& dotenv);

// Builds the configuration from variables; unknown variables are ignored (the environment holds
// many unrelated ones). Throws ConfigError.
Config load_config(const Environment& env);

}  // namespace glisk::config
