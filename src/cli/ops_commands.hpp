#pragma once
// The operator commands that replace the seed's psql recipes, on either store:
//   glisk status                     tokens per status
//   glisk queues                     per stage: depth, due now, in flight, age of the oldest due
//   glisk tokens --recent N          the N most recently changed tokens
//   glisk failures [--limit N]       failed tokens: stage, attempts, error
//   glisk retry TOKEN_ID… | --failed [--stage image|ipfs|reveal]  [--now [--waiting]] [--dry-run]
//                                    failed tokens back to the start of the stage that failed them;
//                                    with --now, tokens waiting out a backoff made due at once
//                                    (store::TokenLifecycle::retry_failed, the same as POST /api/admin/retry)
//   glisk cancel TOKEN_ID… | --status S [--stage …]  --reason TEXT [--dry-run]
//                                    tokens failed for good (never sent anything again)
//   glisk pause STAGE --reason TEXT / glisk resume STAGE
//                                    a stage stops claiming on every instance within a second
//   glisk show TOKEN_ID              the token and its whole history (token_events)
// Every change is recorded with its caller (`cli:<user>@<host>`): in token_events, in the pause.
// Tables by default, `--json` for scripts (the HTTP API's shapes, ops/ops_json.hpp). A long
// retry shows progress when stdout is a terminal. Exit codes as cli.hpp: 0 ok, 1 runtime
// failure (e.g. the database), 2 bad input (nothing changed), 3 `show` of an unknown token.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "log/event_log.hpp"

namespace glisk::cli {

struct OpsCommands {
  CLI::App* status = nullptr;
  CLI::App* queues = nullptr;
  CLI::App* tokens = nullptr;
  CLI::App* failures = nullptr;
  CLI::App* retry = nullptr;
  CLI::App* show = nullptr;
  CLI::App* cancel = nullptr;
  CLI::App* pause = nullptr;
  CLI::App* resume = nullptr;
  bool json = false;
  std::string recent = "20";
  std::string limit = "20";
  std::vector<std::string> token_ids;
  bool failed = false;
  std::string stage;
  bool dry_run = false;
  bool now = false;           // retry --now
  bool waiting = false;       // retry --now --waiting
  std::string status_filter;  // cancel --status
  std::string reason;         // cancel, pause
  std::string token_id;
};

void add_ops_commands(CLI::App& app, OpsCommands& commands);

// The exit code when one of these commands was given, else nullopt.
std::optional<int> run_ops_commands(const OpsCommands& commands, const config::Config& config,
                                    const log::EventLog& log);

}  // namespace glisk::cli
