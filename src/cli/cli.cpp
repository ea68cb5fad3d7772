#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/author_commands.hpp"
#include "clock/clock.hpp"
#include "config/config.hpp"
#include "config/dotenv.hpp"
#include "log/event_log.hpp"
#include "service/service.hpp"
#include "store/migrations.hpp"

namespace glisk::cli {

int run(int argc, char** argv, char** envp) {
  CLI::App app{"glisk: carries NFT tokens from mint to reveal (image generation, IPFS pinning, batched reveals)"};
  app.require_subcommand(1);
  std::string env_file = ".env";
  app.add_option("--env-file", env_file, "fallback file of KEY=VALUE lines; the environment wins")->capture_default_str();
  app.set_version_flag("--version", std::string("glisk ") + GLISK_VERSION);
  auto* serve = app.add_subcommand("serve", "run the HTTP API and all workers until SIGINT/SIGTERM");
  auto* migrate = app.add_subcommand("migrate", "apply the database schema migrations and exit");
  auto* config_cmd = app.add_subcommand("config", "list every configuration variable with its default and meaning");
  AuthorCommands intake;
  add_author_commands(app, intake);
  CLI11_PARSE(app, argc, argv);

  if (config_cmd->parsed()) {
    for (const auto& v : config::variables()) {
      std::cout << v.name << "=" << v.default_value << "\t# " << v.meaning << (v.secret ? " (secret)" : "") << "\n";
    }
    return 0;
  }

  config::Config config;
  try {
    auto env = config::merge(config::environment_from(envp), config::read_dotenv_file(env_file));
    config = config::load_config(env);
  } catch (const config::ConfigError& e) {
    std::cerr << "glisk: " << e.what() << "\nSet these in the environment or in " << env_file
              << "; `glisk config` lists every variable.\n";
    return 2;
  }
  log::EventLog log(config.log_format, log::parse_level(config.log_level));

  if (migrate->parsed()) {
    try {
      auto db = store::open_database(config.database_url, 1);
      clock::SystemClock clock;
      auto applied = store::migrate(*db, clock.now());
      log.info("database.migrated", {{"database", db->describe()}, {"applied", applied},
                                     {"schema_version", store::schema_version(*db)}});
      return 0;
    } catch (const std::exception& e) {
      log.error("database.migration_failed", {{"error", e.what()}});
      return 1;
    }
  }
  if (auto code = run_author_commands(intake, config, log)) return *code;
  if (serve->parsed()) return service::serve(config, log);
  return 2;
}

}  // namespace glisk::cli
