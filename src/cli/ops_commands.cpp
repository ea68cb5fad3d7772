#include "cli/ops_commands.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "clock/clock.hpp"
#include "clock/time_format.hpp"
#include "ops/ops_json.hpp"
#include "ops/pipeline_view.hpp"
#include "ops/progress.hpp"
#include "ops/terminal_text.hpp"
#include "store/migrations.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

namespace glisk::cli {
namespace {

using nlohmann::json;

void print_json(const json& j) { std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n"; }

// One line of a table cell: errors can be long, hold newlines, and come from outside (a
// provider's text may carry terminal escape sequences: ops/terminal_text.hpp).
std::string cell(const std::optional<std::string>& text, size_t width = 100) {
  return text ? ops::terminal_cell(*text, width) : "-";
}

std::string age_text(const std::optional<double>& seconds) {
  if (!seconds) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fs", *seconds);
  return buffer;
}

// The stages paused on any instance, under the table: what an operator must act on.
void print_paused(const std::vector<store::StagePauseReport>& paused, clock::TimePoint now) {
  for (const auto& r : paused) {
    std::printf("%-7s  paused on %s: %s\n         since %s (%s), next probe %s (%s)\n", r.stage.c_str(),
                ops::terminal_cell(r.instance, 80).c_str(), ops::terminal_cell(r.reason, 300).c_str(),
                clock::format_time(r.since).c_str(), clock::format_relative(r.since, now).c_str(),
                clock::format_time(r.next_probe).c_str(), clock::format_relative(r.next_probe, now).c_str());
  }
}

nlohmann::json paused_json(const std::vector<store::StagePauseReport>& paused) {
  json out = json::array();
  for (const auto& r : paused) out.push_back(ops::stage_pause_json(r));
  return out;
}

int status(store::TokenStore& tokens, store::StageReports& reports, clock::TimePoint now, bool as_json) {
  const auto counts = tokens.count_by_status();
  const auto paused = reports.current();
  int64_t total = 0;
  for (const auto& [s, n] : counts) total += n;
  if (as_json) {
    print_json({{"tokens", ops::status_counts_json(counts)}, {"total", total}, {"paused", paused_json(paused)}});
    return 0;
  }
  std::printf("%-10s  %8s\n", "STATUS", "COUNT");
  for (const auto& [s, n] : counts)
    std::printf("%-10s  %8lld\n", std::string(token::to_string(s)).c_str(), static_cast<long long>(n));
  std::printf("%-10s  %8lld\n", "total", static_cast<long long>(total));
  if (!paused.empty()) std::printf("\n");
  print_paused(paused, now);
  return 0;
}

int queues(store::TokenStore& tokens, store::StageReports& reports, clock::TimePoint now, bool as_json) {
  const auto stats = tokens.queue_stats();
  const auto paused = reports.current();
  if (as_json) {
    auto out = ops::queue_stats_json(stats);
    for (auto& [stage, q] : out.items()) q["paused"] = json::array();
    for (const auto& r : paused) out[r.stage]["paused"].push_back(ops::stage_pause_json(r));
    print_json(out);
    return 0;
  }
  std::printf("%-7s  %8s  %8s  %9s  %10s\n", "STAGE", "DEPTH", "DUE NOW", "IN FLIGHT", "OLDEST DUE");
  for (const auto& q : stats) {
    std::printf("%-7s  %8lld  %8lld  %9lld  %10s\n", std::string(token::to_string(q.stage)).c_str(),
                static_cast<long long>(q.depth), static_cast<long long>(q.due), static_cast<long long>(q.in_flight),
                age_text(q.oldest_due_age_seconds).c_str());
  }
  if (!paused.empty()) std::printf("\n");
  print_paused(paused, now);
  return 0;
}

int recent_tokens(ops::PipelineView& view, const std::string& recent, bool as_json) {
  const auto tokens = view.recent_tokens(ops::parse_limit(recent, "--recent"));
  if (as_json) {
    json out = json::array();
    for (const auto& t : tokens) out.push_back(ops::token_json(t));
    print_json(out);
    return 0;
  }
  std::printf("%-8s  %-10s  %-14s  %-24s  %-59s  %s\n", "TOKEN", "STATUS", "ATTEMPTS I/P/R", "UPDATED_AT", "IMAGE_CID",
              "ERROR");
  for (const auto& t : tokens) {
    const std::string attempts = std::to_string(t.generation_attempts) + "/" + std::to_string(t.upload_attempts) + "/" +
                                 std::to_string(t.reveal_attempts);
    std::printf("%-8lld  %-10s  %-14s  %-24s  %-59s  %s\n", static_cast<long long>(t.token_id),
                std::string(token::to_string(t.status)).c_str(), attempts.c_str(),
                clock::format_time(t.updated_at).c_str(), cell(t.image_cid).c_str(), cell(t.generation_error).c_str());
  }
  return 0;
}

int failures(ops::PipelineView& view, const std::string& limit, bool as_json) {
  const auto failed = view.failures(ops::parse_limit(limit, "--limit"));
  if (as_json) {
    json out = json::array();
    for (const auto& f : failed) out.push_back(ops::failure_json(f));
    print_json(out);
    return 0;
  }
  std::printf("%-8s  %-6s  %8s  %-24s  %s\n", "TOKEN", "STAGE", "ATTEMPTS", "FAILED_AT", "ERROR");
  for (const auto& f : failed) {
    std::printf("%-8lld  %-6s  %8d  %-24s  %s\n", static_cast<long long>(f.token_id), f.stage.c_str(), f.attempts,
                f.failed_at.c_str(), cell(f.error, 200).c_str());
  }
  return 0;
}

int retry(const OpsCommands& c, store::TokenLifecycle& queue, const log::EventLog& log) {
  store::RetrySelection selection;
  if (c.failed == !c.token_ids.empty()) {
    throw ops::InvalidRequest("give token ids or --failed (every failed token), not both and not neither");
  }
  if (!c.stage.empty()) {
    if (!c.failed) throw ops::InvalidRequest("--stage narrows --failed; with token ids leave it out");
    selection.stage = ops::parse_stage_name(c.stage);
  }
  selection.all_failed = c.failed;
  for (const auto& id : c.token_ids) selection.token_ids.push_back(ops::parse_token_id(id));

  ops::TerminalProgress progress(std::cout, ops::TerminalProgress::stdout_is_terminal() && !c.json,
                                 c.dry_run ? "retry (dry run)" : "retry");
  const auto report = queue.retry_failed(selection, c.dry_run, "cli",
                                         [&progress](size_t done, size_t total) { progress.update(done, total); });
  progress.finish();
  if (!c.dry_run) {
    log.info("admin.retry", {{"via", "cli"},
                             {"failed", selection.all_failed},
                             {"stage", selection.stage ? log::Fields(std::string(token::to_string(*selection.stage)))
                                                       : log::Fields(nullptr)},
                             {"requested", selection.token_ids.size()},
                             {"count", report.tokens.size()},
                             {"skipped", report.skipped.size()}});
  }
  if (c.json) {
    print_json(ops::retry_json(report, c.dry_run));
    return 0;
  }
  for (int64_t id : report.skipped) {
    std::cerr << "glisk: token " << id << " is not failed (unknown, or in another state): left alone\n";
  }
  if (c.dry_run) {
    for (const auto& t : report.tokens) {
      std::printf("token %lld: failed (%s) -> %s\n", static_cast<long long>(t.token_id),
                  std::string(token::to_string(t.stage)).c_str(), std::string(token::to_string(t.to)).c_str());
    }
    std::printf("would retry %zu token(s); nothing changed (--dry-run)\n", report.tokens.size());
  } else {
    std::printf("retried %zu token(s)\n", report.tokens.size());
  }
  return 0;
}

int show(ops::PipelineView& view, store::TokenStore& tokens, const std::string& id_text, bool as_json) {
  const int64_t id = ops::parse_token_id(id_text);
  const auto token = tokens.find_token(id);
  const auto events = view.history(id);
  if (!token || !events) {
    std::cerr << "glisk: token " << id
              << " is not known (not minted yet, or not detected; `glisk recover` finds missed mints)\n";
    return 3;
  }
  std::optional<ops::RevealTransaction> reveal;
  if (token->reveal_tx_hash) reveal = view.reveal(*token->reveal_tx_hash);
  if (as_json) {
    json history = json::array();
    for (const auto& e : *events) history.push_back(ops::event_json(e));
    print_json({{"token", ops::token_json(*token)},
                {"reveal", reveal ? ops::reveal_json(*reveal) : json(nullptr)},
                {"events", history}});
    return 0;
  }
  const auto& t = *token;
  std::printf("token %lld: %s\n", static_cast<long long>(t.token_id), std::string(token::to_string(t.status)).c_str());
  std::printf("  author id       %lld\n", static_cast<long long>(t.author_id));
  std::printf("  minter          %s\n", cell(t.minter_address).c_str());
  std::printf("  attempts        image %d, ipfs %d, reveal %d\n", t.generation_attempts, t.upload_attempts,
              t.reveal_attempts);
  std::printf("  error           %s\n", cell(t.generation_error, 400).c_str());
  std::printf("  failed stage    %s\n", t.failed_stage ? std::string(token::to_string(*t.failed_stage)).c_str() : "-");
  std::printf("  prediction id   %s\n", cell(t.prediction_id).c_str());
  std::printf("  predictions     %d paid\n", t.predictions_created);
  if (t.prompt_refused_at) {
    std::printf("  prompt refused  %s (later images use FALLBACK_CENSORED_PROMPT)\n",
                clock::format_time(*t.prompt_refused_at).c_str());
  }
  std::printf("  image url       %s\n", cell(t.image_url, 400).c_str());
  std::printf("  image cid       %s\n", cell(t.image_cid).c_str());
  std::printf("  metadata cid    %s\n", cell(t.metadata_cid).c_str());
  std::printf("  reveal tx       %s\n", cell(t.reveal_tx_hash).c_str());
  if (reveal && reveal->gas_per_token) {
    std::printf("  reveal gas      %lld per token (%lld gas, %zu tokens, block %s)\n",
                static_cast<long long>(*reveal->gas_per_token), static_cast<long long>(reveal->gas_used.value_or(0)),
                reveal->token_count, reveal->block_number ? std::to_string(*reveal->block_number).c_str() : "?");
  }
  std::printf("  created         %s\n", clock::format_time(t.created_at).c_str());
  std::printf("history:\n");
  std::printf("  %-24s  %-10s    %-10s  %-6s  %7s  %-28s  %s\n", "AT", "FROM", "TO", "STAGE", "ATTEMPT", "BY",
              "DETAIL");
  for (const auto& e : *events) {
    std::string detail = e.error ? cell(e.error, 200) : "";
    if (e.tx_hash) detail += (detail.empty() ? "tx " : " tx ") + *e.tx_hash;
    std::printf("  %-24s  %-10s -> %-10s  %-6s  %7s  %-28s  %s\n", e.at.c_str(),
                e.from_status.value_or("(new)").c_str(), e.to_status.c_str(), e.stage.value_or("-").c_str(),
                e.attempt ? std::to_string(*e.attempt).c_str() : "-", cell(e.instance, 28).c_str(), detail.c_str());
  }
  return 0;
}

}  // namespace

void add_ops_commands(CLI::App& app, OpsCommands& c) {
  auto json_flag = [&c](CLI::App* sub) {
    sub->add_flag("--json", c.json, "JSON instead of a table (the HTTP API's shape)");
  };
  c.status = app.add_subcommand("status", "tokens per status");
  json_flag(c.status);
  c.queues = app.add_subcommand("queues", "per stage: depth, due now, in flight, age of the oldest due token");
  json_flag(c.queues);
  c.tokens = app.add_subcommand("tokens", "the most recently changed tokens");
  c.tokens->add_option("--recent", c.recent, "how many (1-1000)")->capture_default_str();
  json_flag(c.tokens);
  c.failures = app.add_subcommand("failures", "failed tokens: stage, attempts, error (most recent first)");
  c.failures->add_option("--limit", c.limit, "how many (1-1000)")->capture_default_str();
  json_flag(c.failures);
  c.retry = app.add_subcommand(
      "retry", "put failed tokens back at the start of the stage that failed them (its attempts and the error reset)");
  c.retry->add_option("TOKEN_ID", c.token_ids, "failed tokens to retry");
  c.retry->add_flag("--failed", c.failed, "every failed token");
  c.retry->add_option("--stage", c.stage, "with --failed: only tokens this stage failed (image | ipfs | reveal)");
  c.retry->add_flag("--dry-run", c.dry_run, "show what would change, change nothing");
  json_flag(c.retry);
  c.show =
      app.add_subcommand("show", "a token's whole story: every state change with its time, attempts, errors, CIDs");
  c.show->add_option("TOKEN_ID", c.token_id, "the token id")->required();
  json_flag(c.show);
}

std::optional<int> run_ops_commands(const OpsCommands& c, const config::Config& config, const log::EventLog& log) {
  const CLI::App* given = nullptr;
  for (const CLI::App* sub : {c.status, c.queues, c.tokens, c.failures, c.retry, c.show}) {
    if (sub != nullptr && sub->parsed()) given = sub;
  }
  if (given == nullptr) return std::nullopt;
  try {
    // Only retry writes. The others open the database read-only and never migrate: they take no
    // write lock (a busy service cannot make them wait) and create nothing where none is.
    const bool writes = given == c.retry;
    auto db =
        store::open_database(config.database_url, 1, writes ? store::Access::kReadWrite : store::Access::kReadOnly);
    clock::SystemClock clock;
    if (writes) {
      store::migrate(*db, clock.now());
    } else {
      store::require_current_schema(*db);
    }
    store::TokenStore tokens(*db, clock);
    ops::PipelineView view(*db, clock);
    store::StageReports reports(*db, clock);
    if (given == c.status) return status(tokens, reports, clock.now(), c.json);
    if (given == c.queues) return queues(tokens, reports, clock.now(), c.json);
    if (given == c.tokens) return recent_tokens(view, c.recent, c.json);
    if (given == c.failures) return failures(view, c.limit, c.json);
    if (given == c.show) return show(view, tokens, c.token_id, c.json);
    queue::WakeBoard wake;
    store::TokenLifecycle queue(*db, clock, wake, "cli", std::chrono::seconds(60));
    return retry(c, queue, log);
  } catch (const ops::InvalidRequest& e) {
    std::cerr << "glisk: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "glisk: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace glisk::cli
