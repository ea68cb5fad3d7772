#include "errors/errors.hpp"

namespace glisk::errors {

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::kBadInput:
      return "bad_input";
    case Kind::kTooLarge:
      return "too_large";
    case Kind::kUnauthorized:
      return "unauthorized";
    case Kind::kNotFound:
      return "not_found";
    case Kind::kConflict:
      return "conflict";
    case Kind::kUnavailable:
      return "unavailable";
    case Kind::kRateLimited:
      return "rate_limited";
    case Kind::kOutage:
      return "outage";
    case Kind::kTransient:
      return "transient";
    case Kind::kPermanent:
      return "permanent";
    case Kind::kContentPolicy:
      return "content_policy";
    case Kind::kBug:
      return "bug";
  }
  return "bug";
}

Kind kind_of(const std::exception& e) noexcept {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error != nullptr ? error->kind() : Kind::kBug;
}

Kind kind_of(std::exception_ptr failure) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return kind_of(e);
  } catch (...) {
    return Kind::kBug;
  }
}

}  // namespace glisk::errors
