#pragma once
// Pinata's pinning API: POST {PINATA_API_URL}/pinning/pinFileToIPFS, bearer JWT, multipart/form-data
// with `file`, `pinataOptions` {"cidVersion":1} and `pinataMetadata` {name, keyvalues}. The answer
// is {"IpfsHash","PinSize","Timestamp"}. 401/403 (bad JWT or missing scope) and 400 are
// permanent; 429 is a RateLimitedError (Retry-After honoured when sent); 5xx, timeouts, dropped connections and
// malformed answers are transient. The JWT never appears in a message.

#include <chrono>

#include "ipfs/pinner.hpp"
#include "net/http_client.hpp"
#include "net/rate_budget.hpp"

namespace glisk::ipfs {

struct PinataOptions {
  std::string api_url = "https://api.pinata.cloud";
  std::string jwt;
  std::chrono::milliseconds timeout{60'000};
  net::RateBudget* requests = nullptr;  // PINATA_REQUESTS_PER_MINUTE (optional, shared by every slot)
};

class PinataPinner final : public IpfsPinner {
 public:
  PinataPinner(const net::HttpClient& http, PinataOptions options);
  std::string_view name() const override { return "pinata"; }
  std::string pin(const PinRequest& request, std::stop_token stop) override;

 private:
  const net::HttpClient& http_;
  const PinataOptions options_;
};

// The multipart/form-data body and its boundary (exposed for tests).
std::pair<std::string, std::string> pinata_multipart(const PinRequest& request);

}  // namespace glisk::ipfs
