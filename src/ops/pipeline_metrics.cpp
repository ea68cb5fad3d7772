#include "ops/pipeline_metrics.hpp"

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

}  // namespace glisk::ops
