#pragma once
// The fuzz targets, one per kind of untrusted input (docs/FUZZING.md). The list is written once,
// in fuzz/CMakeLists.txt, which generates fuzz_targets.inc: one GLISK_FUZZ_TARGET(name) line per
// target. Each target is `int glisk::fuzz::<name>(const uint8_t*, size_t)`, returns 0, and calls
// violated() (check.hpp) when a property fails. With GLISK_FUZZ=ON (clang) each becomes its own
// libFuzzer binary; in the normal build all_targets() lets the test suite replay the corpus.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace glisk::fuzz {

using TargetFunction = int (*)(const uint8_t* data, size_t size);

#define GLISK_FUZZ_TARGET(name) int name(const uint8_t* data, size_t size);
#include "fuzz_targets.inc"
#undef GLISK_FUZZ_TARGET

struct Target {
  std::string_view name;  // also its folder in fuzz/corpus/ and fuzz/regressions/
  TargetFunction run;
};

std::span<const Target> all_targets();

}  // namespace glisk::fuzz
