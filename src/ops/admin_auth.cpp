#include "ops/admin_auth.hpp"

#include <cryptopp/misc.h>
#include <cryptopp/sha.h>

namespace glisk::ops {
namespace {

std::string sha256(std::string_view text) {
  CryptoPP::SHA256 hash;
  std::string digest(CryptoPP::SHA256::DIGESTSIZE, '\0');
  hash.CalculateDigest(reinterpret_cast<CryptoPP::byte*>(digest.data()),
                       reinterpret_cast<const CryptoPP::byte*>(text.data()), text.size());
  return digest;
}

}  // namespace

AdminAuth::AdminAuth(const std::string& admin_token)
    : configured_(!admin_token.empty()), digest_(sha256(admin_token)) {}

void AdminAuth::check(std::string_view authorization) const {
  if (!configured_) {
    throw AdminNotConfigured("the admin API is off: set ADMIN_TOKEN (a long random secret) and restart the service");
  }
  constexpr std::string_view kScheme = "Bearer ";
  if (!authorization.starts_with(kScheme)) {
    throw AdminUnauthorized("send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`");
  }
  const std::string given = sha256(authorization.substr(kScheme.size()));
  if (!CryptoPP::VerifyBufsEqual(reinterpret_cast<const CryptoPP::byte*>(given.data()),
                                 reinterpret_cast<const CryptoPP::byte*>(digest_.data()), digest_.size())) {
    throw AdminUnauthorized("the admin token is wrong: use the service's ADMIN_TOKEN");
  }
}

}  // namespace glisk::ops
