#include "cli/ops_commands.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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
#include "store/stage_controls.hpp"
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

// Who a change made here is recorded as: `cli:<user>@<host>` (the user behind sudo, if any).
std::string cli_actor() {
  std::string user;
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0') user = sudo;
  if (user.empty()) {
    const passwd* pw = getpwuid(geteuid());
    user = pw != nullptr ? pw->pw_name : "uid" + std::to_string(geteuid());
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return "cli:" + user.substr(0, 64) + "@" + std::string(host).substr(0, 128);
}

// The stages an operator paused, first under a table: nothing moves there until someone resumes.
void print_operator_pauses(const std::vector<store::OperatorPause>& pauses, clock::TimePoint now) {
  for (const auto& p : pauses) {
    const std::string stage(token::to_string(p.stage));
    std::printf("%-7s  PAUSED by %s at %s (%s): %s\n         `glisk resume %s` lets it claim again\n", stage.c_str(),
                ops::terminal_cell(p.by, 80).c_str(), clock::format_time(p.at).c_str(),
                clock::format_relative(p.at, now).c_str(), ops::terminal_cell(p.reason, 300).c_str(), stage.c_str());
  }
}

json operator_pauses_json(const std::vector<store::OperatorPause>& pauses) {
  json out = json::array();
  for (const auto& p : pauses) out.push_back(ops::operator_pause_json(p));
  return out;
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

int status(store::TokenStore& tokens, store::StageReports& reports, store::StageControls& controls,
           clock::TimePoint now, bool as_json) {
  const auto counts = tokens.count_by_status();
  const auto paused = reports.current();
  const auto operator_pauses = controls.paused();
  int64_t total = 0;
  for (const auto& [s, n] : counts) total += n;
  if (as_json) {
    print_json({{"tokens", ops::status_counts_json(counts)},
                {"total", total},
                {"paused", paused_json(paused)},
                {"operator_pauses", operator_pauses_json(operator_pauses)}});
    return 0;
  }
  std::printf("%-10s  %8s\n", "STATUS", "COUNT");
  for (const auto& [s, n] : counts)
    std::printf("%-10s  %8lld\n", std::string(token::to_string(s)).c_str(), static_cast<long long>(n));
  std::printf("%-10s  %8lld\n", "total", static_cast<long long>(total));
  if (!paused.empty() || !operator_pauses.empty()) std::printf("\n");
  print_operator_pauses(operator_pauses, now);
  print_paused(paused, now);
  return 0;
}

int queues(store::TokenStore& tokens, store::StageReports& reports, store::StageControls& controls,
           clock::TimePoint now, bool as_json) {
  const auto stats = tokens.queue_stats();
  const auto paused = reports.current();
  const auto operator_pauses = controls.paused();
  if (as_json) {
    auto out = ops::queue_stats_json(stats);
    for (auto& [stage, q] : out.items()) {
      q["paused"] = json::array();
      q["operator_pause"] = nullptr;
    }
    for (const auto& r : paused) out[r.stage]["paused"].push_back(ops::stage_pause_json(r));
    for (const auto& p : operator_pauses)
      out[std::string(token::to_string(p.stage))]["operator_pause"] = ops::operator_pause_json(p);
    print_json(out);
    return 0;
  }
  std::printf("%-7s  %8s  %8s  %9s  %10s\n", "STAGE", "DEPTH", "DUE NOW", "IN FLIGHT", "OLDEST DUE");
  for (const auto& q : stats) {
    std::printf("%-7s  %8lld  %8lld  %9lld  %10s\n", std::string(token::to_string(q.stage)).c_str(),
                static_cast<long long>(q.depth), static_cast<long long>(q.due), static_cast<long long>(q.in_flight),
                age_text(q.oldest_due_age_seconds).c_str());
  }
  if (!paused.empty() || !operator_pauses.empty()) std::printf("\n");
  print_operator_pauses(operator_pauses, now);
  print_paused(paused, now);
  return 0;
}

// A time as an operator reads it: the UTC stamp and how long ago ("2026-12-07T08:01:02.000Z (3 min ago)").
std::string time_and_age(clock::TimePoint t, clock::TimePoint now) {
  return clock::format_time(t) + " (" + clock::format_relative(t, now) + ")";
}
std::string time_and_age(const std::string& stamp, clock::TimePoint now) {
  const auto t = clock::parse_time(stamp);
  return t ? time_and_age(*t, now) : stamp;
}

int recent_tokens(ops::PipelineView& view, const std::string& recent, clock::TimePoint now, bool as_json) {
  const auto tokens = view.recent_tokens(ops::parse_limit(recent, "--recent"));
  if (as_json) {
    json out = json::array();
    for (const auto& t : tokens) out.push_back(ops::token_json(t));
    print_json(out);
    return 0;
  }
  std::printf("%-8s  %-10s  %-14s  %-40s  %-59s  %s\n", "TOKEN", "STATUS", "ATTEMPTS I/P/R", "UPDATED_AT", "IMAGE_CID",
              "ERROR");
  for (const auto& t : tokens) {
    const std::string attempts = std::to_string(t.generation_attempts) + "/" + std::to_string(t.upload_attempts) + "/" +
                                 std::to_string(t.reveal_attempts);
    std::printf("%-8lld  %-10s  %-14s  %-40s  %-59s  %s\n", static_cast<long long>(t.token_id),
                std::string(token::to_string(t.status)).c_str(), attempts.c_str(),
                time_and_age(t.updated_at, now).c_str(), cell(t.image_cid).c_str(), cell(t.generation_error).c_str());
  }
  return 0;
}

int failures(ops::PipelineView& view, const std::string& limit, clock::TimePoint now, bool as_json) {
  const auto failed = view.failures(ops::parse_limit(limit, "--limit"));
  if (as_json) {
    json out = json::array();
    for (const auto& f : failed) out.push_back(ops::failure_json(f));
    print_json(out);
    return 0;
  }
  std::printf("%-8s  %-6s  %8s  %-40s  %s\n", "TOKEN", "STAGE", "ATTEMPTS", "FAILED_AT", "ERROR");
  for (const auto& f : failed) {
    std::printf("%-8lld  %-6s  %8d  %-40s  %s\n", static_cast<long long>(f.token_id), f.stage.c_str(), f.attempts,
                time_and_age(f.failed_at, now).c_str(), cell(f.error, 200).c_str());
  }
  return 0;
}

int retry(const OpsCommands& c, store::TokenLifecycle& queue, const log::EventLog& log, const std::string& actor) {
  store::RetrySelection selection;
  const bool filtered = c.failed || c.waiting;
  if (filtered == !c.token_ids.empty()) {
    throw ops::InvalidRequest(
        "give token ids, or --failed (every failed token) and/or --now --waiting (every token in a backoff), not both "
        "and not neither");
  }
  if (c.waiting && !c.now) throw ops::InvalidRequest("--waiting takes the tokens waiting out a backoff: add --now");
  if (!c.stage.empty()) {
    if (!filtered) throw ops::InvalidRequest("--stage narrows --failed / --waiting; with token ids leave it out");
    selection.stage = ops::parse_stage_name(c.stage);
  }
  selection.all_failed = c.failed;
  selection.now = c.now;
  selection.all_waiting = c.waiting;
  for (const auto& id : c.token_ids) selection.token_ids.push_back(ops::parse_token_id(id));

  ops::TerminalProgress progress(std::cout, ops::TerminalProgress::stdout_is_terminal() && !c.json,
                                 c.dry_run ? "retry (dry run)" : "retry");
  const auto report = queue.retry_failed(selection, c.dry_run, actor,
                                         [&progress](size_t done, size_t total) { progress.update(done, total); });
  progress.finish();
  if (!c.dry_run) {
    log.info("admin.retry", {{"by", actor},
                             {"failed", selection.all_failed},
                             {"now", selection.now},
                             {"waiting", selection.all_waiting},
                             {"stage", selection.stage ? log::Fields(std::string(token::to_string(*selection.stage)))
                                                       : log::Fields(nullptr)},
                             {"requested", selection.token_ids.size()},
                             {"count", report.tokens.size()},
                             {"made_due", report.made_due.size()},
                             {"skipped", report.skipped.size()}});
  }
  if (c.json) {
    print_json(ops::retry_json(report, c.dry_run));
    return 0;
  }
  for (int64_t id : report.skipped) {
    std::cerr << "glisk: token " << id
              << (c.now
                      ? " is neither failed nor waiting out a backoff (unknown, cancelled, held by a stage, or done): "
                        "left alone\n"
                      : " is not failed (unknown, cancelled, or in another state; one waiting out a backoff takes "
                        "--now): left alone\n");
  }
  for (const auto& t : report.tokens) {
    std::printf("token %lld: failed (%s) -> %s\n", static_cast<long long>(t.token_id),
                std::string(token::to_string(t.stage)).c_str(), std::string(token::to_string(t.to)).c_str());
  }
  for (const auto& t : report.made_due) {
    std::printf("token %lld: %s, backoff cut short: due now (%s)\n", static_cast<long long>(t.token_id),
                std::string(token::to_string(t.to)).c_str(), std::string(token::to_string(t.stage)).c_str());
  }
  std::printf(c.dry_run ? "would retry %zu token(s)" : "retried %zu token(s)", report.tokens.size());
  if (c.now)
    std::printf(c.dry_run ? ", would make %zu waiting token(s) due now" : ", made %zu waiting token(s) due now",
                report.made_due.size());
  std::printf(c.dry_run ? "; nothing changed (--dry-run)\n" : "\n");
  return 0;
}

int cancel(const OpsCommands& c, store::TokenLifecycle& queue, const log::EventLog& log, const std::string& actor) {
  store::CancelSelection selection;
  if (c.status_filter.empty() == c.token_ids.empty()) {
    throw ops::InvalidRequest("give token ids or --status (every token in it), not both and not neither");
  }
  if (!c.stage.empty()) {
    if (c.status_filter.empty()) throw ops::InvalidRequest("--stage narrows --status; with token ids leave it out");
    selection.stage = ops::parse_stage_name(c.stage);
  }
  if (!c.status_filter.empty()) selection.status = ops::parse_status_name(c.status_filter);
  for (const auto& id : c.token_ids) selection.token_ids.push_back(ops::parse_token_id(id));
  const std::string reason = ops::parse_reason(c.reason);

  ops::TerminalProgress progress(std::cout, ops::TerminalProgress::stdout_is_terminal() && !c.json,
                                 c.dry_run ? "cancel (dry run)" : "cancel");
  const auto report = queue.cancel(selection, reason, c.dry_run, actor,
                                   [&progress](size_t done, size_t total) { progress.update(done, total); });
  progress.finish();
  if (!c.dry_run) {
    log.warn("admin.cancel", {{"by", actor},
                              {"reason", reason},
                              {"requested", selection.token_ids.size()},
                              {"count", report.tokens.size()},
                              {"skipped", report.skipped.size()}});
  }
  if (c.json) {
    print_json(ops::cancel_json(report, c.dry_run));
    return 0;
  }
  for (const auto& s : report.skipped) {
    std::cerr << "glisk: token " << s.token_id << " left alone: " << s.reason << "\n";
  }
  for (const auto& t : report.tokens) {
    std::printf("token %lld: %s (%s) -> failed, cancelled\n", static_cast<long long>(t.token_id),
                std::string(token::to_string(t.from)).c_str(), std::string(token::to_string(t.stage)).c_str());
  }
  if (c.dry_run) {
    std::printf("would cancel %zu token(s); nothing changed (--dry-run)\n", report.tokens.size());
  } else {
    std::printf("cancelled %zu token(s)\n", report.tokens.size());
  }
  return 0;
}

int pause_or_resume(const OpsCommands& c, bool pausing, store::StageControls& controls, store::TokenLifecycle& queue,
                    const log::EventLog& log, const std::string& actor) {
  const auto stage = ops::parse_stage_name(c.stage);
  const std::string name(token::to_string(stage));
  if (pausing) {
    const auto [pause, made] = controls.pause(stage, actor, ops::parse_reason(c.reason));
    log.warn("admin.pause", {{"stage", name}, {"by", pause.by}, {"reason", pause.reason}, {"new", made}});
    if (c.json) {
      print_json({{"stage", name}, {"paused", true}, {"new", made}, {"pause", ops::operator_pause_json(pause)}});
    } else if (made) {
      std::printf(
          "%s paused: every instance stops claiming within a second (work in flight finishes); `glisk "
          "resume %s` ends it\n",
          name.c_str(), name.c_str());
    } else {
      std::printf("%s was already paused by %s at %s: %s\n", name.c_str(), ops::terminal_cell(pause.by, 80).c_str(),
                  clock::format_time(pause.at).c_str(), ops::terminal_cell(pause.reason, 300).c_str());
    }
    return 0;
  }
  if (!c.reason.empty()) throw ops::InvalidRequest("--reason belongs to pause; resume takes only the stage");
  const auto ended = controls.resume(stage);
  if (ended) queue.announce(stage);  // every instance looks at once
  log.info("admin.resume", {{"stage", name}, {"by", actor}, {"was_paused", ended.has_value()}});
  if (c.json) {
    print_json(
        {{"stage", name}, {"paused", false}, {"ended", ended ? ops::operator_pause_json(*ended) : json(nullptr)}});
  } else if (ended) {
    std::printf("%s resumed (paused by %s since %s)\n", name.c_str(), ops::terminal_cell(ended->by, 80).c_str(),
                clock::format_time(ended->at).c_str());
  } else {
    std::printf("%s was not paused\n", name.c_str());
  }
  return 0;
}

int show(ops::PipelineView& view, store::TokenStore& tokens, const std::string& id_text, clock::TimePoint now,
         bool as_json) {
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
  std::printf("token %lld: %s%s\n", static_cast<long long>(t.token_id), std::string(token::to_string(t.status)).c_str(),
              t.cancelled_at ? " (cancelled)" : "");
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
                time_and_age(*t.prompt_refused_at, now).c_str());
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
  if (t.cancelled_at) {
    std::printf("  cancelled       %s: no stage or retry takes it again\n", time_and_age(*t.cancelled_at, now).c_str());
  }
  if (t.next_attempt_at && *t.next_attempt_at > now && t.status != token::TokenStatus::kFailed) {
    std::printf("  next attempt    %s (`glisk retry --now %lld` to go at once)\n",
                time_and_age(*t.next_attempt_at, now).c_str(), static_cast<long long>(t.token_id));
  }
  std::printf("  created         %s\n", time_and_age(t.created_at, now).c_str());
  std::printf("  updated         %s\n", time_and_age(t.updated_at, now).c_str());
  std::printf("history:\n");
  std::printf("  %-24s  %-12s  %-10s    %-10s  %-6s  %7s  %-28s  %s\n", "AT", "AGE", "FROM", "TO", "STAGE", "ATTEMPT",
              "BY", "DETAIL");
  for (const auto& e : *events) {
    std::string detail = e.error ? cell(e.error, 200) : "";
    if (e.tx_hash) detail += (detail.empty() ? "tx " : " tx ") + *e.tx_hash;
    const auto at = clock::parse_time(e.at);
    std::printf("  %-24s  %-12s  %-10s -> %-10s  %-6s  %7s  %-28s  %s\n", e.at.c_str(),
                at ? clock::format_relative(*at, now).c_str() : "", e.from_status.value_or("(new)").c_str(),
                e.to_status.c_str(), e.stage.value_or("-").c_str(),
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
  c.retry->add_flag("--now", c.now,
                    "also tokens waiting out a backoff (listed, or all with --waiting): due at once, attempts kept");
  c.retry->add_flag("--waiting", c.waiting, "with --now: every token waiting out a backoff (narrowed by --stage)");
  c.cancel = app.add_subcommand(
      "cancel", "fail tokens for good: no stage or retry sends them anything again (revealed ones are left alone)");
  c.cancel->add_option("TOKEN_ID", c.token_ids, "tokens to cancel");
  c.cancel->add_option("--status", c.status_filter,
                       "every token in this status (detected | generating | uploading | ready | failed)");
  c.cancel->add_option("--stage", c.stage, "with --status: only the tokens of this stage (image | ipfs | reveal)");
  c.cancel->add_option("--reason", c.reason, "why (kept in each token's history)")->required();
  c.cancel->add_flag("--dry-run", c.dry_run, "show what would change, change nothing");
  json_flag(c.cancel);
  c.pause = app.add_subcommand(
      "pause", "stop a stage claiming work on every instance (within a second); work in flight finishes");
  c.pause->add_option("STAGE", c.stage, "image | ipfs | reveal")->required();
  c.pause->add_option("--reason", c.reason, "why (shown wherever the pause is)")->required();
  json_flag(c.pause);
  c.resume = app.add_subcommand("resume", "let a paused stage claim work again");
  c.resume->add_option("STAGE", c.stage, "image | ipfs | reveal")->required();
  json_flag(c.resume);
  c.show =
      app.add_subcommand("show", "a token's whole story: every state change with its time, attempts, errors, CIDs");
  c.show->add_option("TOKEN_ID", c.token_id, "the token id")->required();
  json_flag(c.show);
}

std::optional<int> run_ops_commands(const OpsCommands& c, const config::Config& config, const log::EventLog& log) {
  const CLI::App* given = nullptr;
  for (const CLI::App* sub : {c.status, c.queues, c.tokens, c.failures, c.retry, c.show, c.cancel, c.pause, c.resume}) {
    if (sub != nullptr && sub->parsed()) given = sub;
  }
  if (given == nullptr) return std::nullopt;
  try {
    // Only the queue controls write. The others open the database read-only and never migrate:
    // they take no write lock (a busy service cannot make them wait) and create nothing where none is.
    const bool writes = given == c.retry || given == c.cancel || given == c.pause || given == c.resume;
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
    store::StageControls controls(*db, clock);
    if (given == c.status) return status(tokens, reports, controls, clock.now(), c.json);
    if (given == c.queues) return queues(tokens, reports, controls, clock.now(), c.json);
    if (given == c.tokens) return recent_tokens(view, c.recent, clock.now(), c.json);
    if (given == c.failures) return failures(view, c.limit, clock.now(), c.json);
    if (given == c.show) return show(view, tokens, c.token_id, clock.now(), c.json);
    queue::WakeBoard wake;
    store::TokenLifecycle queue(*db, clock, wake, "cli", std::chrono::seconds(60));
    const std::string actor = cli_actor();
    if (given == c.cancel) return cancel(c, queue, log, actor);
    if (given == c.pause || given == c.resume) return pause_or_resume(c, given == c.pause, controls, queue, log, actor);
    return retry(c, queue, log, actor);
  } catch (const ops::InvalidRequest& e) {
    std::cerr << "glisk: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "glisk: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace glisk::cli
