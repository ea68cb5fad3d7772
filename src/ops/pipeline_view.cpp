#include "ops/pipeline_view.hpp"

#include <set>
#include <tuple>

#include "clock/time_format.hpp"

namespace glisk::ops {
namespace {

void check_limit(int limit) {
  if (limit < 1 || limit > kMaxLimit) {
    throw InvalidRequest("the limit must be 1.." + std::to_string(kMaxLimit) + ", got " + std::to_string(limit));
  }
}

}  // namespace

std::vector<token::Token> PipelineView::recent_tokens(int limit) {
  check_limit(limit);
  return tokens_.recent(limit);
}

store::TokenPage PipelineView::tokens(const store::TokenSearch& search) {
  check_limit(search.limit);
  return store::search_tokens(db_, search);
}

std::optional<TokenDetail> PipelineView::token_detail(int64_t token_id) {
  auto token = tokens_.find_token(token_id);
  if (!token) return std::nullopt;
  TokenDetail detail{*token, store::token_origin(db_, token_id), std::nullopt, std::nullopt};
  if (token->reveal_tx_hash) detail.reveal = journal_.find_by_hash(*token->reveal_tx_hash);
  if (token->prediction_id) detail.prediction_delivery = predictions_.find(*token->prediction_id);
  return detail;
}

std::vector<Failure> PipelineView::failures(int limit) {
  check_limit(limit);
  return tokens_.failures(limit);
}

std::optional<std::vector<store::TokenEvent>> PipelineView::history(int64_t token_id) {
  return store::token_history(db_, token_id);
}

std::vector<RevealTransaction> PipelineView::reveals(int limit, std::optional<int64_t> before) {
  check_limit(limit);
  return before ? journal_.recent_before(*before, limit) : journal_.recent(limit);
}

std::optional<RevealTransaction> PipelineView::reveal(const std::string& tx_hash) {
  return journal_.find_by_hash(tx_hash);
}

std::vector<ThroughputMinute> PipelineView::throughput() {
  using std::chrono::minutes;
  const auto now = clock_.now();
  const auto end = std::chrono::floor<minutes>(now) + minutes(1);
  const auto start = end - minutes(60);
  const auto arrivals = store::status_arrivals_since(db_, start);
  std::vector<ThroughputMinute> out(60);
  for (size_t i = 0; i < out.size(); ++i) out[i].minute = clock::format_time(start + minutes(i));
  std::set<std::tuple<size_t, std::string, int64_t>> counted;  // (minute, status, token) once each
  for (const auto& a : arrivals) {
    if (a.at < start || a.at >= end) continue;
    const auto index = static_cast<size_t>(std::chrono::floor<minutes>(a.at - start).count());
    if (index >= out.size()) continue;
    ++out[index].moved_to[a.to_status];
    if (counted.emplace(index, a.to_status, a.token_id).second) ++out[index].tokens[a.to_status];
  }
  return out;
}

}  // namespace glisk::ops
