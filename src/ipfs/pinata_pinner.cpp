#include "ipfs/pinata_pinner.hpp"

#include <nlohmann/json.hpp>

#include "errors/errors.hpp"
#include "json_input/json_input.hpp"

namespace glisk::ipfs {
namespace {

using nlohmann::json;

// A string member, or "" when absent or of another type (Pinata's answer is outside input).
std::string text_member(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string what_pinata_said(const net::HttpResponse& r) {
  auto body = json_input::parse_or_discarded(r.body, {r.body.size()});
  std::string said;
  if (body.is_object() && body.contains("error")) {
    const auto& e = body["error"];
    if (e.is_string()) said = e.get<std::string>();
    if (e.is_object()) {
      const std::string reason = text_member(e, "reason");
      const std::string details = text_member(e, "details");
      said = reason + (reason.empty() || details.empty() ? "" : ": ") + details;
    }
  }
  if (said.empty() && body.is_object()) said = text_member(body, "message");
  if (said.empty()) said = r.body.substr(0, 200);
  return said.empty() ? "(empty body)" : said.substr(0, 300);
}

}  // namespace

std::pair<std::string, std::string> pinata_multipart(const PinRequest& request) {
  // A boundary that does not occur in the content (checked, since the content is arbitrary bytes).
  std::string boundary = "----glisk-boundary-7f3a9c";
  while (request.bytes.find(boundary) != std::string_view::npos) boundary += "x";
  json metadata = {{"name", request.file_name}, {"keyvalues", request.keyvalues}};
  std::string body;
  body.reserve(request.bytes.size() + 1024);
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + request.file_name + "\"\r\n";
  body += "Content-Type: " + request.content_type + "\r\n\r\n";
  body.append(request.bytes);
  body += "\r\n--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"pinataOptions\"\r\n\r\n{\"cidVersion\":1}\r\n";
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"pinataMetadata\"\r\n\r\n" + metadata.dump() + "\r\n";
  body += "--" + boundary + "--\r\n";
  return {body, boundary};
}

PinataPinner::PinataPinner(const net::HttpClient& http, PinataOptions options)
    : http_(http), options_(std::move(options)) {}

std::string PinataPinner::pin(const PinRequest& request, std::stop_token stop) {
  auto [body, boundary] = pinata_multipart(request);
  net::HttpRequest http_request;
  http_request.method = "POST";
  http_request.url = options_.api_url + "/pinning/pinFileToIPFS";
  http_request.headers = {{"Authorization", "Bearer " + options_.jwt},
                          {"Content-Type", "multipart/form-data; boundary=" + boundary},
                          {"Accept", "application/json"}};
  http_request.body = std::move(body);
  http_request.timeout = options_.timeout;
  http_request.max_response_bytes = 1u << 20;
  net::HttpResponse r;
  if (options_.requests != nullptr && !options_.requests->acquire(stop))
    throw errors::TransientError("interrupted by shutdown while waiting for Pinata's request budget");
  try {
    r = http_.send(http_request, stop);
  } catch (const net::TransportError& e) {
    using Failure = net::TransportError::Failure;
    if (e.failure() == Failure::kAborted || e.failure() == Failure::kTooLarge)
      throw errors::TransientError(std::string("Pinata: ") + e.what());
    throw errors::OutageError(errors::OutageError::Cause::kService, std::string("Pinata unreachable: ") + e.what() +
                                                                        " (check PINATA_API_URL and the network)");
  }
  const std::string what = "pinning " + request.file_name;
  const std::string said = what_pinata_said(r);
  const std::string status = std::to_string(r.status);
  // Our account's faults and the service's: no token's. The stage's breaker pauses it.
  if (r.status == 401 || r.status == 403) {
    throw errors::OutageError(errors::OutageError::Cause::kAccount,
                              "Pinata refused the JWT when " + what + " (" + status + ": " + said +
                                  "): check PINATA_JWT and that its key has the pinFileToIPFS scope");
  }
  if (r.status == 402) {
    throw errors::OutageError(errors::OutageError::Cause::kAccount, "Pinata requires payment when " + what + " (402: " +
                                                                        said + "): check the Pinata plan and billing");
  }
  if (r.status == 429) {
    std::optional<std::chrono::milliseconds> wait;
    if (const auto* h = r.header("retry-after")) wait = net::parse_retry_after(*h, http_.clock().now());
    if (options_.requests != nullptr) options_.requests->hold_for(wait.value_or(std::chrono::seconds(1)));
    // Pinata limits requests per minute by plan (docs.pinata.cloud/account-management/limits) and
    // does not document a Retry-After; the stage worker backs off on its own when none comes.
    throw errors::RateLimitedError("Pinata rate limit when " + what + " (429: " + said + ")", wait);
  }
  if (r.status >= 400 && r.status < 500) {
    throw errors::PermanentError("Pinata refused " + what + " (" + status + ": " + said + ")");
  }
  if (r.status >= 500) {
    throw errors::OutageError(errors::OutageError::Cause::kService, "Pinata answered " + status + " when " + what +
                                                                        ": " + said + " (see status.pinata.cloud)");
  }
  if (r.status < 200 || r.status >= 300)
    throw errors::TransientError("Pinata answered " + status + " when " + what + ": " + said);
  auto answer = json_input::parse_or_discarded(r.body, {r.body.size()});
  if (!answer.is_object() || !answer.contains("IpfsHash") || !answer["IpfsHash"].is_string()) {
    throw errors::TransientError("Pinata answered " + what + " without an IpfsHash: " + r.body.substr(0, 120));
  }
  return answer["IpfsHash"].get<std::string>();
}

}  // namespace glisk::ipfs
