#include "eth/keccak.hpp"

#include <cryptopp/keccak.h>

namespace glisk::eth {

Hash keccak256(std::span<const uint8_t> bytes) {
  CryptoPP::Keccak_256 hasher;
  hasher.Update(bytes.data(), bytes.size());
  Hash out;
  hasher.Final(out.data());
  return out;
}

Hash keccak256(std::string_view text) {
  return keccak256(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace glisk::eth
