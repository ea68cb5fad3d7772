// The test suite's side of the fuzz targets: the table of all of them, and a violated() that
// throws, so tests/fuzz_regression_test.cpp reports the file that broke a property.
#include <array>

#include "fuzz/check.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {

void violated(const std::string& property) { throw PropertyViolated("property violated: " + property); }

std::span<const Target> all_targets() {
  static constexpr std::array kTargets = {
#define GLISK_FUZZ_TARGET(name) Target{#name, &name},
#include "fuzz_targets.inc"
#undef GLISK_FUZZ_TARGET
  };
  return kTargets;
}

}  // namespace glisk::fuzz
