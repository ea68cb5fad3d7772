#include "ops/ops_json.hpp"

#include "clock/time_format.hpp"

namespace glisk::ops {
namespace {

using nlohmann::json;

json optional_text(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json optional_time(const std::optional<clock::TimePoint>& t) {
  return t ? json(clock::format_time(*t)) : json(nullptr);
}
template <typename T>
json optional_value(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json token_json(const token::Token& t, Audience audience) {
  json image_url = optional_text(t.image_url);
  if (audience == Audience::kPublic && t.image_url && t.image_url->starts_with("file://")) {
    image_url = "local:" + t.image_url->substr(t.image_url->find_last_of('/') + 1);
  }
  return {
      {"token_id", t.token_id},
      {"status", token::to_string(t.status)},
      {"author_id", t.author_id},
      {"minter_address", optional_text(t.minter_address)},
      {"image_url", image_url},
      {"image_cid", optional_text(t.image_cid)},
      {"metadata_cid", optional_text(t.metadata_cid)},
      {"metadata_uri", t.metadata_cid ? json("ipfs://" + *t.metadata_cid) : json(nullptr)},
      {"reveal_tx_hash", optional_text(t.reveal_tx_hash)},
      {"prediction_id", optional_text(t.prediction_id)},
      {"generation_attempts", t.generation_attempts},
      {"upload_attempts", t.upload_attempts},
      {"reveal_attempts", t.reveal_attempts},
      {"error", optional_text(t.generation_error)},
      {"failed_stage", t.failed_stage ? json(token::to_string(*t.failed_stage)) : json(nullptr)},
      {"next_attempt_at", optional_time(t.next_attempt_at)},
      {"leased_until", optional_time(t.locked_until)},
      {"prompt_refused_at", optional_time(t.prompt_refused_at)},
      {"predictions_created", t.predictions_created},
      {"cancelled_at", optional_time(t.cancelled_at)},
      {"created_at", clock::format_time(t.created_at)},
      {"updated_at", clock::format_time(t.updated_at)},
  };
}

json status_counts_json(const std::map<token::TokenStatus, int64_t>& counts) {
  json out = json::object();
  for (const auto& [status, count] : counts) out[std::string(token::to_string(status))] = count;
  return out;
}

json queue_stats_json(const std::vector<store::StageQueueStats>& stats) {
  json out = json::object();
  for (const auto& q : stats) {
    out[std::string(token::to_string(q.stage))] = {
        {"depth", q.depth},
        {"due", q.due},
        {"in_flight", q.in_flight},
        {"oldest_due_age_seconds", optional_value(q.oldest_due_age_seconds)}};
  }
  return out;
}

json failure_json(const Failure& f) {
  return {{"token_id", f.token_id},
          {"stage", f.stage},
          {"attempts", f.attempts},
          {"error", f.error},
          {"failed_at", f.failed_at}};
}

json event_json(const store::TokenEvent& e) {
  return {{"from", optional_text(e.from_status)},
          {"to", e.to_status},
          {"at", e.at},
          {"instance", optional_text(e.instance)},
          {"stage", optional_text(e.stage)},
          {"attempt", optional_value(e.attempt)},
          {"error", optional_text(e.error)},
          {"tx_hash", optional_text(e.tx_hash)}};
}

json reveal_json(const RevealTransaction& r) {
  return {{"id", r.id},
          {"tx_hash", optional_text(r.tx_hash)},
          {"status", r.status},
          {"tokens", r.token_count},
          {"nonce", optional_value(r.nonce)},
          {"block_number", optional_value(r.block_number)},
          {"gas_used", optional_value(r.gas_used)},
          {"gas_per_token", optional_value(r.gas_per_token)},
          {"effective_gas_price_wei", optional_text(r.effective_gas_price)},
          {"error", optional_text(r.error)},
          {"created_at", r.created_at},
          {"confirmed_at", optional_text(r.confirmed_at)}};
}

json throughput_json(const std::vector<ThroughputMinute>& minutes) {
  json out = json::array();
  for (const auto& m : minutes) {
    json counts = json::object();
    for (const auto& [status, n] : m.moved_to) counts[status] = n;
    json tokens = json::object();
    for (const auto& [status, n] : m.tokens) tokens[status] = n;
    out.push_back({{"minute", m.minute}, {"moved_to", counts}, {"tokens", tokens}});
  }
  return out;
}

json token_page_json(const store::TokenPage& page, Audience audience) {
  json tokens = json::array();
  for (const auto& t : page.tokens) tokens.push_back(token_json(t, audience));
  return {{"tokens", tokens}, {"next_before", optional_value(page.next_before)}};
}

namespace {

// The parts of Replicate's prediction (as its webhook delivered it) an operator reads; the rest
// (its input, output URLs, logs) stays out. Kept as delivered, so read defensively.
json prediction_delivery_json(const std::string& text) {
  const json p = json::parse(text, nullptr, false);
  if (!p.is_object()) return nullptr;
  auto field = [&p](const char* name) -> json {
    const auto it = p.find(name);
    if (it == p.end() || !it->is_string()) return nullptr;
    return it->get<std::string>().substr(0, 500);
  };
  json predict_time = nullptr;
  if (const auto m = p.find("metrics"); m != p.end() && m->is_object()) {
    if (const auto t = m->find("predict_time"); t != m->end() && t->is_number()) predict_time = *t;
  }
  return {{"status", field("status")},
          {"error", field("error")},
          {"created_at", field("created_at")},
          {"completed_at", field("completed_at")},
          {"predict_time_seconds", predict_time}};
}

}  // namespace

json token_detail_json(const TokenDetail& d, Audience audience) {
  json mint = nullptr;
  if (d.origin.mint_tx_hash) {
    mint = {{"tx_hash", *d.origin.mint_tx_hash}, {"block_number", optional_value(d.origin.mint_block)}};
  }
  return {{"token", token_json(d.token, audience)},
          {"author_wallet", optional_text(d.origin.author_wallet)},
          {"mint", mint},
          {"reveal", d.reveal ? reveal_json(*d.reveal) : json(nullptr)},
          {"prediction",
           {{"id", optional_text(d.token.prediction_id)},
            {"created", d.token.predictions_created},
            {"prompt_refused_at", optional_time(d.token.prompt_refused_at)},
            {"delivery", d.prediction_delivery ? prediction_delivery_json(*d.prediction_delivery) : json(nullptr)}}}};
}

json retry_json(const store::RetryReport& report, bool dry_run) {
  json tokens = json::array();
  for (const auto& t : report.tokens) {
    tokens.push_back({{"token_id", t.token_id}, {"stage", token::to_string(t.stage)}, {"to", token::to_string(t.to)}});
  }
  json made_due = json::array();
  for (const auto& t : report.made_due) {
    made_due.push_back(
        {{"token_id", t.token_id}, {"stage", token::to_string(t.stage)}, {"status", token::to_string(t.to)}});
  }
  return {{"dry_run", dry_run},
          {"count", report.tokens.size()},
          {"tokens", tokens},
          {"made_due", made_due},
          {"skipped", report.skipped}};
}

json cancel_json(const store::CancelReport& report, bool dry_run) {
  json tokens = json::array();
  for (const auto& t : report.tokens) {
    tokens.push_back(
        {{"token_id", t.token_id}, {"from", token::to_string(t.from)}, {"stage", token::to_string(t.stage)}});
  }
  json skipped = json::array();
  for (const auto& s : report.skipped) skipped.push_back({{"token_id", s.token_id}, {"reason", s.reason}});
  return {{"dry_run", dry_run}, {"count", report.tokens.size()}, {"tokens", tokens}, {"skipped", skipped}};
}

json operator_pause_json(const store::OperatorPause& p) {
  return {{"stage", token::to_string(p.stage)}, {"by", p.by}, {"reason", p.reason}, {"at", clock::format_time(p.at)}};
}

nlohmann::json stage_pause_json(const store::StagePauseReport& r) {
  return {{"stage", r.stage},
          {"instance", r.instance},
          {"provider", r.provider},
          {"cause", r.cause},
          {"reason", r.reason},
          {"since", clock::format_time(r.since)},
          {"next_probe", clock::format_time(r.next_probe)},
          {"reported_at", clock::format_time(r.reported_at)}};
}

}  // namespace glisk::ops
