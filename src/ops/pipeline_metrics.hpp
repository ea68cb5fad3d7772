#pragma once
// The gauges of `GET /metrics` that come from the database, computed at scrape time (a collector
// of metrics::Registry): glisk_tokens{status}, glisk_queue_depth|due|in_flight{stage},
// glisk_queue_oldest_due_age_seconds{stage} (0 when nothing is due), glisk_database_up, and
// glisk_build_info{version} 1. When the database cannot answer, glisk_database_up is 0, the
// other gauges keep their last values and the registry counts the failed collection.
// Thread-safe (the registry and the TokenStore are).

#include <string>

#include "clock/clock.hpp"
#include "metrics/registry.hpp"
#include "store/reveal_journal.hpp"
#include "store/stage_controls.hpp"
#include "store/token_store.hpp"

namespace glisk::ops {

// `tokens` must outlive the registry's last render.
void install_pipeline_metrics(metrics::Registry& registry, store::TokenStore& tokens, const std::string& version);

// From the reveal journal at scrape time: glisk_reveal_transactions_open (reveals signed and on
// their way, one per nonce whatever its replacements) and glisk_reveal_oldest_open_age_seconds
// (0: none), for "a reveal pending too long" alerts. `journal` and `clock` must outlive the registry's
// last render.
void install_reveal_metrics(metrics::Registry& registry, store::RevealJournal& journal, const clock::Clock& clock);

// Operators' controls at scrape time: glisk_stage_paused_by_operator{stage} (1/0), and
// glisk_operator_retries_total / glisk_operator_cancels_total{stage}, counted in the database by
// whoever acted (the CLI included), every stage at 0 from the start. `controls` must outlive the
// registry's last render.
void install_control_metrics(metrics::Registry& registry, store::StageControls& controls);

}  // namespace glisk::ops
