#pragma once
// Reads a fuzz input as a stream of choices (a byte, a few bytes, the rest), so one input can
// drive a structure — an RLP tree, ABI arguments, split points — rather than only raw text.
// Reading past the end yields zeros and empty spans: the targets never need to check sizes.
// (clang's FuzzedDataProvider does this too, but is not there in the gcc test build.)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace glisk::fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : bytes_(data, size) {}

  bool empty() const { return bytes_.empty(); }
  size_t left() const { return bytes_.size(); }

  uint8_t byte() {
    if (bytes_.empty()) return 0;
    const uint8_t b = bytes_.front();
    bytes_ = bytes_.subspan(1);
    return b;
  }

  // Up to `n` bytes (fewer at the end).
  std::span<const uint8_t> bytes(size_t n) {
    const auto taken = bytes_.first(std::min(n, bytes_.size()));
    bytes_ = bytes_.subspan(taken.size());
    return taken;
  }

  std::string text(size_t n) {
    const auto b = bytes(n);
    return std::string(b.begin(), b.end());
  }

  std::span<const uint8_t> rest() { return bytes(bytes_.size()); }
  std::string rest_text() { return text(bytes_.size()); }

 private:
  std::span<const uint8_t> bytes_;
};

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace glisk::fuzz
