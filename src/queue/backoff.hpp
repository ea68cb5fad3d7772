#pragma once
// Retry delays: exponential (base × 2^(attempt-1), capped) with "equal jitter" (half fixed, half
// random) so that tokens failing together do not retry together, and never sooner than a
// provider's Retry-After. The random part is injected (a uniform number in [0,1)) for tests.

#include <chrono>
#include <functional>
#include <optional>

namespace glisk::queue {

struct BackoffPolicy {
  std::chrono::milliseconds base{2000};
  std::chrono::milliseconds max{300'000};
};

// Uniform numbers in [0,1) from a generator seeded once; thread-safe. The workers take this
// unless a test passes its own.
std::function<double()> seeded_jitter();

// `attempt` counts from 1 (the attempt that just failed).
std::chrono::milliseconds retry_delay(const BackoffPolicy& policy, int attempt, double jitter01,
                                      std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

}  // namespace glisk::queue
