// libFuzzer's entry point for one target, chosen at compile time by GLISK_FUZZ_ENTRY (see
// fuzz/CMakeLists.txt). A broken property prints what broke and traps: libFuzzer then reports a
// crash and writes the input to its artifact prefix (scripts/fuzz copies it to fuzz/regressions/).
#include <cstdio>

#include "fuzz/check.hpp"
#include "fuzz/targets.hpp"

#ifndef GLISK_FUZZ_ENTRY
#error "GLISK_FUZZ_ENTRY must name the target this binary runs"
#endif

namespace glisk::fuzz {

void violated(const std::string& property) {
  std::fprintf(stderr, "\n==glisk-fuzz== property violated: %s\n", property.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace glisk::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return glisk::fuzz::GLISK_FUZZ_ENTRY(data, size);
}
