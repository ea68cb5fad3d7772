#include "ops/pipeline_view.hpp"

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

std::vector<Failure> PipelineView::failures(int limit) {
  check_limit(limit);
  return tokens_.failures(limit);
}

std::optional<std::vector<store::TokenEvent>> PipelineView::history(int64_t token_id) {
  return store::token_history(db_, token_id);
}

std::vector<RevealTransaction> PipelineView::reveals(int limit) {
  check_limit(limit);
  return journal_.recent(limit);
}

std::optional<RevealTransaction> PipelineView::reveal(const std::string& tx_hash) {
  return journal_.find_by_hash(tx_hash);
}

std::vector<ThroughputMinute> PipelineView::throughput() {
  using std::chrono::minutes;
  const auto now = clock_.now();
  const auto end = std::chrono::floor<minutes>(now) + minutes(1);
  const auto start = end - minutes(60);
  const auto transitions = store::transitions_since(db_, start);
  std::vector<ThroughputMinute> out(60);
  for (size_t i = 0; i < out.size(); ++i) out[i].minute = clock::format_time(start + minutes(i));
  for (const auto& [to_status, at] : transitions) {
    if (at < start || at >= end) continue;
    const auto index = static_cast<size_t>(std::chrono::floor<minutes>(at - start).count());
    if (index < out.size()) ++out[index].moved_to[to_status];
  }
  return out;
}

}  // namespace glisk::ops
