#pragma once
// How a fuzz target says that a property of the code under test failed. Under libFuzzer
// (libfuzzer_main.cpp) violated() prints the property and traps, so libFuzzer saves the input as
// a crash; in the test suite (registry.cpp) it throws PropertyViolated, so the regression test
// names the file that broke it and the other files still run. Exceptions the code under test
// throws are not caught here: each target catches only its parser's documented error type, and
// anything else escaping is a finding too.

#include <stdexcept>
#include <string>

namespace glisk::fuzz {

class PropertyViolated : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void violated(const std::string& property);

inline void require(bool holds, const char* property) {
  if (!holds) violated(property);
}

}  // namespace glisk::fuzz
