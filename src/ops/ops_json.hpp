#pragma once
// The JSON shapes of the operator views, shared by `glisk … --json` and the HTTP API (and so the
// dashboard), so scripts see the same fields everywhere. Pure functions; thread-safe.

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "ops/pipeline_view.hpp"
#include "store/stage_controls.hpp"
#include "store/stage_reports.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

namespace glisk::ops {

// Who reads the token: the operator at the CLI sees everything; the HTTP API (public, no login)
// never shows a server path: a local image (file://…) is shown by its file name only.
enum class Audience { kOperator, kPublic };
nlohmann::json token_json(const token::Token& t, Audience audience = Audience::kOperator);
nlohmann::json status_counts_json(const std::map<token::TokenStatus, int64_t>& counts);  // {"detected":N,…}
nlohmann::json queue_stats_json(const std::vector<store::StageQueueStats>& stats);       // {"image":{depth,…},…}
nlohmann::json failure_json(const Failure& f);
nlohmann::json event_json(const store::TokenEvent& e);
nlohmann::json reveal_json(const RevealTransaction& r);
// [{"minute","moved_to":{status:moves},"tokens":{status:distinct tokens}}]
nlohmann::json throughput_json(const std::vector<ThroughputMinute>& minutes);
// {"tokens":[token_json…],"next_before":id|null}
nlohmann::json token_page_json(const store::TokenPage& page, Audience audience);
// {"token","author_wallet","mint":{"tx_hash","block_number"}|null,"reveal":reveal_json|null,
//  "prediction":{"id","created","prompt_refused_at","delivery":{"status","error","created_at",
//  "completed_at","predict_time_seconds"}|null}}
nlohmann::json token_detail_json(const TokenDetail& d, Audience audience);
// {"instance","provider","cause","reason","since","next_probe","reported_at"}
nlohmann::json stage_pause_json(const store::StagePauseReport& r);
// {"dry_run":…, "count":N, "tokens":[{"token_id","stage","to"}],
//  "made_due":[{"token_id","stage","status"}], "skipped":[ids]}
nlohmann::json retry_json(const store::RetryReport& report, bool dry_run);
// {"dry_run":…, "count":N, "tokens":[{"token_id","from","stage"}], "skipped":[{"token_id","reason"}]}
nlohmann::json cancel_json(const store::CancelReport& report, bool dry_run);
// {"stage","by","reason","at"}
nlohmann::json operator_pause_json(const store::OperatorPause& p);

}  // namespace glisk::ops
