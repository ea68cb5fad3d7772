#pragma once
// GLISK_ASSERT(condition, why): a broken invariant ends the process, in every build. `assert`
// is compiled out of the RelWithDebInfo build we ship, so it would check nothing where it
// matters. For conditions that outside input can make false, throw an errors::Error instead:
// asserts are for what glisk itself guarantees.

namespace glisk::errors {

[[noreturn]] void assertion_failed(const char* condition, const char* why, const char* file, int line) noexcept;

}  // namespace glisk::errors

#define GLISK_ASSERT(condition, why)                                                          \
  do {                                                                                        \
    if (!(condition)) ::glisk::errors::assertion_failed(#condition, why, __FILE__, __LINE__); \
  } while (false)
