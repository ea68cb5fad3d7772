#include "ops/admin_throttle.hpp"

#include <algorithm>

namespace glisk::ops {

AdminThrottle::AdminThrottle(const clock::Clock& clock, AdminThrottleOptions options)
    : clock_(clock), options_(options) {}

std::optional<std::chrono::seconds> AdminThrottle::locked_out(const std::string& client) {
  sync::MutexLock lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end() || it->second.failures < options_.max_failures) return std::nullopt;
  const auto ends = it->second.start + options_.window;
  const auto now = clock_.now();
  if (now >= ends) {
    clients_.erase(it);
    return std::nullopt;
  }
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(ends - now));
}

int AdminThrottle::failed(const std::string& client) {
  sync::MutexLock lock(mutex_);
  const auto now = clock_.now();
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    if (clients_.size() >= options_.max_clients) {
      // Forget the window that started first: expired ones go before any live one.
      auto oldest = std::min_element(clients_.begin(), clients_.end(),
                                     [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
      clients_.erase(oldest);
    }
    it = clients_.emplace(client, Window{now, 0}).first;
  } else if (now >= it->second.start + options_.window) {
    it->second = Window{now, 0};
  }
  return ++it->second.failures;
}

}  // namespace glisk::ops
