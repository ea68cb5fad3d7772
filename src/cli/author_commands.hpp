#pragma once
// The operator commands for what comes in: `glisk authors set-prompt WALLET TEXT`,
// `glisk authors list [--json]` and `glisk recover` (gap recovery against the contract, printing
// what it created). Registered on the CLI11 app before parsing, run after the configuration is
// loaded. Exit codes as cli.hpp: 0 ok, 1 runtime failure, 2 bad input or configuration.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "log/event_log.hpp"

namespace glisk::cli {

struct AuthorCommands {
  CLI::App* authors = nullptr;
  CLI::App* set_prompt = nullptr;
  CLI::App* list = nullptr;
  CLI::App* recover = nullptr;
  std::string wallet;
  std::string text;
  bool json = false;
};

void add_author_commands(CLI::App& app, AuthorCommands& commands);

// The exit code when one of these commands was given, else nullopt.
std::optional<int> run_author_commands(const AuthorCommands& commands, const config::Config& config,
                                       const log::EventLog& log);

}  // namespace glisk::cli
