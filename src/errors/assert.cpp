#include "errors/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace glisk::errors {

void assertion_failed(const char* condition, const char* why, const char* file, int line) noexcept {
  // Plain stderr, not the event log: the process is in a state nobody planned for.
  std::fprintf(stderr, "glisk: invariant broken at %s:%d: %s (%s); stopping\n", file, line, condition, why);
  std::fflush(stderr);
  std::abort();
}

}  // namespace glisk::errors
