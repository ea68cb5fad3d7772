#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "chain/one_shot_sender.hpp"
#include "chain/rpc_client.hpp"
#include "cli/author_commands.hpp"
#include "cli/ops_commands.hpp"
#include "clock/clock.hpp"
#include "config/config.hpp"
#include "config/dotenv.hpp"
#include "eth/abi.hpp"
#include "eth/signer.hpp"
#include "log/event_log.hpp"
#include "net/http_client.hpp"
#include "notify/service_manager.hpp"
#include "service/service.hpp"
#include "store/migrations.hpp"

namespace glisk::cli {
namespace {

int deploy_contract(const config::Config& config, const log::EventLog& log, const std::string& artifact_path,
                    const std::string& mint_price, const std::vector<std::string>& extra_keepers) {
  try {
    if (config.keeper_private_key.empty()) {
      throw std::runtime_error(
          "set KEEPER_PRIVATE_KEY (or KEEPER_PRIVATE_KEY_FILE): its wallet deploys and owns the contract");
    }
    std::ifstream in(artifact_path);
    if (!in) throw std::runtime_error("cannot read " + artifact_path + "; run scripts/compile-contracts first");
    auto artifact = nlohmann::json::parse(in, nullptr, false);
    if (!artifact.is_object() || !artifact.contains("bytecode") || !artifact["bytecode"].is_string()) {
      throw std::runtime_error(artifact_path + " has no \"bytecode\" string; run scripts/compile-contracts again");
    }
    const auto key = eth::PrivateKey::from_hex(config.keeper_private_key);
    std::vector<eth::Address> keepers;
    for (const auto& k : extra_keepers) keepers.push_back(eth::Address::parse(k));
    eth::Bytes code = eth::from_hex(artifact["bytecode"].get<std::string>(), "contract bytecode");
    const auto price = eth::U256::parse(mint_price).to_be_bytes();  // constructor(uint256 mintPrice)
    code.insert(code.end(), price.begin(), price.end());

    net::HttpClient http;
    chain::RpcClient rpc(http, config.rpc_url);
    auto receipt = chain::send_and_wait(rpc, key, {std::nullopt, code, {}});
    const std::string address = eth::Address::parse(receipt.at("contractAddress").get<std::string>()).to_checksum();
    // Contracts from this command reveal by digest: the default REVEAL_FUNCTION, said here so an
    // operator who configured the legacy one for an older contract changes it back.
    const std::string reveal_function = config::Config{}.reveal_function;
    log.info("chain.contract_deployed",
             {{"contract", address},
              {"owner", key.address().to_checksum()},
              {"block", receipt.value("blockNumber", "")},
              {"rpc", rpc.describe()},
              {"reveal_function", reveal_function},
              {"detail", "set GLISK_NFT_CONTRACT_ADDRESS=" + address + " and REVEAL_FUNCTION=" + reveal_function +
                             " (the default; it stores each metadata digest, a fifth of the gas of URIs)"}});
    for (const auto& keeper : keepers) {
      auto data = eth::encode_call("setKeeper(address,bool)", {keeper, eth::U256(1)});
      chain::send_and_wait(rpc, key, {eth::Address::parse(address), data, {}});
      log.info("chain.keeper_set", {{"contract", address}, {"keeper", keeper.to_checksum()}});
    }
    std::cout << address << std::endl;  // the one line on stdout, for scripts
    return 0;
  } catch (const std::exception& e) {
    log.error("chain.deploy_failed", {{"error", e.what()}});
    return 1;
  }
}

// A configuration that cannot start: exit 2 with every problem. As one JSON line when
// LOG_FORMAT=json is asked for (collectors parse stderr), else as text for a person.
int report_config_error(const config::ConfigError& e, const std::string& env_file, const config::Environment& env) {
  const std::string hint =
      "set these in the environment or in " + env_file + "; `glisk config` shows every variable in effect";
  auto format = env.find("LOG_FORMAT");
  if (format != env.end() && format->second == "json") {
    log::EventLog log(log::Format::kJson, log::Level::kInfo);
    log.error("application.config_invalid", {{"problems", e.problems()}, {"detail", hint}});
  } else {
    std::cerr << "glisk: " << e.what() << "\n" << hint << ".\n";
  }
  return 2;
}

// `glisk healthcheck`: for Docker's HEALTHCHECK and systemd. GET /health of the service on this
// host (HOST and PORT as `glisk serve` reads them; 0.0.0.0 and :: are asked on loopback). Exits 0
// when it answers 200 "healthy", 1 otherwise (Docker reserves 2); never 2, even for a bad PORT.
int healthcheck(const config::Environment& env, const std::string& url_option, double timeout_seconds) {
  std::string url = url_option;
  if (url.empty()) {
    auto value = [&](const char* name, const char* fallback) {
      auto it = env.find(name);
      return it == env.end() || it->second.empty() ? std::string(fallback) : it->second;
    };
    std::string host = value("HOST", "127.0.0.1");
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::" || host == "[::]") host = "::1";
    if (host.find(':') != std::string::npos && !host.starts_with("[")) host = "[" + host + "]";
    url = "http://" + host + ":" + value("PORT", "8000") + "/health";
  }
  try {
    net::HttpClient http;
    net::HttpRequest request;
    request.url = url;
    request.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
    request.max_response_bytes = 64 * 1024;
    const auto response = http.send(request);
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    const bool healthy = response.status == 200 && body.is_object() && body.value("status", "") == "healthy";
    if (healthy) {
      std::cout << "healthy (" << body.value("database", "?") << ")\n";
      return 0;
    }
    std::cerr << "glisk: unhealthy: " << url << " answered " << response.status << ": "
              << (body.is_object() ? body.value("error", body.dump()) : std::string("not JSON")) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "glisk: unhealthy: " << url << ": " << e.what() << "\n";
  }
  return 1;
}

int print_config(const config::Environment& process, const config::Environment& dotenv, const std::string& env_file,
                 bool as_json) {
  const auto values = config::effective_values(process, dotenv);
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : values) {
      out.push_back({{"name", v.name},
                     {"value", v.value.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.value)},
                     {"source", v.source == ".env" ? env_file : v.source},
                     {"secret", v.secret},
                     {"meaning", v.meaning}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& v : values) {
      std::cout << v.name << "=" << v.value << "\t# " << (v.source == ".env" ? env_file : v.source) << ": " << v.meaning
                << (v.secret ? " (secret)" : "") << "\n";
    }
  }
  // What the service would refuse to start with is said too (exit 2), so the listing doubles as a check.
  try {
    (void)config::load_config(config::merge(process, dotenv));
  } catch (const config::ConfigError& e) {
    std::cerr << "glisk: this configuration would not start:\n" << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int run(int argc, char** argv, char** envp) {
  CLI::App app{"glisk: carries NFT tokens from mint to reveal (image generation, IPFS pinning, batched reveals)"};
  app.require_subcommand(1);
  std::string env_file = ".env";
  app.add_option("--env-file", env_file, "fallback file of KEY=VALUE lines; the environment wins")
      ->capture_default_str();
  app.set_version_flag("--version", std::string("glisk ") + GLISK_VERSION);
  auto* serve = app.add_subcommand("serve", "run the HTTP API and all workers until SIGINT/SIGTERM");
  auto* migrate = app.add_subcommand("migrate", "apply the database schema migrations and exit");
  auto* config_cmd = app.add_subcommand(
      "config", "every configuration variable's value in effect and where it comes from (environment, .env, default)");
  bool config_json = false;
  config_cmd->add_flag("--json", config_json, "one JSON array of {name, value, source, secret, meaning}");
  auto* health_cmd = app.add_subcommand(
      "healthcheck",
      "exit 0 when the service on this host answers /health as healthy, else 1 (for Docker and systemd)");
  std::string health_url;
  double health_timeout = 3;
  health_cmd->add_option("--url", health_url, "ask this URL instead of http://HOST:PORT/health");
  health_cmd->add_option("--timeout", health_timeout, "seconds to wait for the answer")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 60.0));
  auto* chain_cmd = app.add_subcommand("chain", "the contract on chain");
  chain_cmd->require_subcommand(1);
  auto* deploy = chain_cmd->add_subcommand(
      "deploy", "deploy GliskNFT from KEEPER_PRIVATE_KEY's wallet (its owner, so it may reveal) and print its address");
  std::string artifact = "build/contracts/GliskNFT.json";
  std::string mint_price = "1000000000000000";
  std::vector<std::string> extra_keepers;
  deploy->add_option("--artifact", artifact, "compiled contract (scripts/compile-contracts writes it)")
      ->capture_default_str();
  deploy->add_option("--mint-price", mint_price, "price per token in wei")->capture_default_str();
  deploy->add_option("--keeper", extra_keepers, "another address allowed to reveal (setKeeper), repeatable");
  AuthorCommands intake;
  add_author_commands(app, intake);
  OpsCommands operations;
  add_ops_commands(app, operations);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; any other usage error 2, as documented (CLI11's own codes
    // would reach past the documented 0/1/2/3).
    return app.exit(e) == 0 ? 0 : 2;
  }

  config::Environment process;
  config::Environment dotenv;
  try {
    process = config::environment_from(envp);
    dotenv = config::read_dotenv_file(env_file);
  } catch (const config::ConfigError& e) {
    if (health_cmd->parsed()) return 1;  // Docker reserves exit 2
    return report_config_error(e, env_file, process);
  }
  if (config_cmd->parsed()) return print_config(process, dotenv, env_file, config_json);
  if (health_cmd->parsed()) return healthcheck(config::merge(process, dotenv), health_url, health_timeout);

  config::Config config;
  try {
    config = config::load_config(config::merge(process, dotenv));
  } catch (const config::ConfigError& e) {
    return report_config_error(e, env_file, config::merge(process, dotenv));
  }
  log::EventLog log(config.log_format, config.log_level);

  if (migrate->parsed()) {
    try {
      auto db = store::open_database(config.database_url, 1);
      clock::SystemClock clock;
      auto applied = store::migrate(*db, clock.now());
      log.info("database.migrated",
               {{"database", db->describe()}, {"applied", applied}, {"schema_version", store::schema_version(*db)}});
      return 0;
    } catch (const std::exception& e) {
      log.error("database.migration_failed", {{"error", e.what()}});
      return 1;
    }
  }
  if (auto code = run_author_commands(intake, config, log)) return *code;
  if (auto code = run_ops_commands(operations, config, log)) return *code;
  if (serve->parsed()) {
    const auto manager = notify::make_systemd_manager();
    return service::serve(config, log, *manager);
  }
  if (deploy->parsed()) return deploy_contract(config, log, artifact, mint_price, extra_keepers);
  return 2;
}

}  // namespace glisk::cli
