#include "queue/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "sync/mutex.hpp"

namespace glisk::queue {

std::function<double()> seeded_jitter() {
  struct Generator {
    sync::Mutex mutex;
    std::mt19937_64 engine{std::random_device{}()};
  };
  auto generator = std::make_shared<Generator>();
  return [generator] {
    sync::MutexLock lock(generator->mutex);
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator->engine);
  };
}

std::chrono::milliseconds retry_delay(const BackoffPolicy& policy, int attempt, double jitter01,
                                      std::optional<std::chrono::milliseconds> retry_after) {
  const double base = static_cast<double>(policy.base.count());
  const double cap = static_cast<double>(policy.max.count());
  const double exp = std::min(cap, base * std::pow(2.0, std::max(0, attempt - 1)));
  const double jitter = std::clamp(jitter01, 0.0, 1.0);
  auto delay = std::chrono::milliseconds(static_cast<int64_t>(exp / 2 + exp / 2 * jitter));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

}  // namespace glisk::queue
