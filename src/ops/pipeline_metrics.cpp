#include "ops/pipeline_metrics.hpp"

#include <array>

namespace glisk::ops {

void install_pipeline_metrics(metrics::Registry& registry, store::TokenStore& tokens, const std::string& version) {
  registry.gauge("glisk_build_info", "the running build; always 1", {"version"}).set({version}, 1);
  auto& up = registry.gauge("glisk_database_up", "1 when the last scrape could read the database, else 0");
  auto& by_status = registry.gauge("glisk_tokens", "tokens per status", {"status"});
  auto& depth = registry.gauge("glisk_queue_depth", "tokens waiting for or held by the stage", {"stage"});
  auto& due = registry.gauge("glisk_queue_due", "tokens the stage may claim now", {"stage"});
  auto& in_flight = registry.gauge("glisk_queue_in_flight", "tokens held by the stage under a live lease", {"stage"});
  auto& oldest =
      registry.gauge("glisk_queue_oldest_due_age_seconds",
                     "how long the longest-waiting due token of the stage has waited (0: none due)", {"stage"});
  registry.add_collector([&tokens, &up, &by_status, &depth, &due, &in_flight, &oldest] {
    try {
      const auto counts = tokens.count_by_status();
      const auto stats = tokens.queue_stats();
      for (const auto& [status, n] : counts)
        by_status.set({std::string(token::to_string(status))}, static_cast<double>(n));
      for (const auto& q : stats) {
        const std::string stage(token::to_string(q.stage));
        depth.set({stage}, static_cast<double>(q.depth));
        due.set({stage}, static_cast<double>(q.due));
        in_flight.set({stage}, static_cast<double>(q.in_flight));
        oldest.set({stage}, q.oldest_due_age_seconds.value_or(0.0));
      }
      up.set(1);
    } catch (...) {
      up.set(0);
      throw;  // counted by the registry
    }
  });
}

void install_reveal_metrics(metrics::Registry& registry, store::RevealJournal& journal, const clock::Clock& clock) {
  auto& open = registry.gauge("glisk_reveal_transactions_open",
                              "reveal transactions signed and not yet settled (one per nonce, replacements included)");
  auto& oldest = registry.gauge("glisk_reveal_oldest_open_age_seconds",
                                "how long the oldest open reveal transaction has been on its way (0: none)");
  open.set(0);
  oldest.set(0);
  registry.add_collector([&journal, &clock, &open, &oldest] {
    const auto summary = journal.open_transactions();
    open.set(static_cast<double>(summary.open_transactions));
    oldest.set(summary.oldest_open ? std::chrono::duration<double>(clock.now() - *summary.oldest_open).count() : 0.0);
  });
}

void install_control_metrics(metrics::Registry& registry, store::StageControls& controls) {
  auto& paused =
      registry.gauge("glisk_stage_paused_by_operator",
                     "1 while an operator has paused the stage (glisk pause; on every instance), else 0", {"stage"});
  auto& retries = registry.counter(
      "glisk_operator_retries_total",
      "tokens operators put back (failed ones, and with --now ones in a backoff), from the CLI and the admin API of "
      "every instance: read from the database, so take max() across instances, not sum()",
      {"stage"});
  auto& cancels = registry.counter("glisk_operator_cancels_total",
                                   "tokens operators cancelled, from every instance and the CLI (read from the "
                                   "database: take max() across instances)",
                                   {"stage"});
  for (token::Stage stage : token::kAllStages) {
    const std::string name(token::to_string(stage));
    paused.set({name}, 0);
    retries.inc({name}, 0);
    cancels.inc({name}, 0);
  }
  registry.add_collector([&controls, &paused, &retries, &cancels] {
    std::array<bool, 3> now{};
    for (const auto& p : controls.paused()) now[static_cast<size_t>(p.stage)] = true;
    for (token::Stage stage : token::kAllStages) {
      paused.set({std::string(token::to_string(stage))}, now[static_cast<size_t>(stage)] ? 1 : 0);
    }
    const auto totals = controls.totals();
    for (const auto& [stage, n] : totals.retries) retries.raise_to({stage}, static_cast<double>(n));
    for (const auto& [stage, n] : totals.cancels) cancels.raise_to({stage}, static_cast<double>(n));
  });
}

}  // namespace glisk::ops
