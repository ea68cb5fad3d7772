#pragma once
// The admin API's check (POST /api/admin/…): `Authorization: Bearer <ADMIN_TOKEN>`. Without a
// configured token every admin request is refused as not configured (503: set ADMIN_TOKEN), a
// missing or wrong token as unauthorized (401). The comparison takes the same time whatever the
// token given (SHA-256 of both, compared with CryptoPP::VerifyBufsEqual), and neither token ever
// appears in an error or a log. Thread-safe (immutable).

#include <stdexcept>
#include <string>
#include <string_view>

#include "errors/errors.hpp"

namespace glisk::ops {

class AdminNotConfigured : public errors::Unavailable {
 public:
  using errors::Unavailable::Unavailable;
};
class AdminUnauthorized : public errors::Unauthorized {
 public:
  using errors::Unauthorized::Unauthorized;
};

class AdminAuth {
 public:
  explicit AdminAuth(const std::string& admin_token);

  bool configured() const { return configured_; }
  // Throws AdminNotConfigured or AdminUnauthorized; returns when `authorization` is right.
  void check(std::string_view authorization) const;

 private:
  bool configured_ = false;
  std::string digest_;  // SHA-256 of the token; the token itself is not kept
};

}  // namespace glisk::ops
