// A node's answers (chain/rpc_answer.hpp): RPC_URL may point at a provider that is broken,
// compromised or hostile, and a 150,000-deep "result" once took the service down. For any HTTP
// status and body:
//   - read_rpc_answer returns the result, or throws one of the documented types: RpcError,
//     errors::TransientError (429/5xx), errors::PermanentError (401/403), MalformedResponse;
//   - every message is short (the node chooses the text, the log must not);
//   - a returned result came from a JSON object with our id.
// The first byte picks the HTTP status, the rest is the body.
#include "chain/rpc_answer.hpp"

#include <array>

#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

constexpr std::array<long, 8> kStatuses = {200, 200, 200, 400, 401, 429, 500, 503};
constexpr uint64_t kId = 7;

void short_message(const std::exception& e) {
  require(std::string_view(e.what()).size() < 2000, "a message about a node's answer is short");
}

}  // namespace

int rpc_answer(const uint8_t* data, size_t size) {
  Input in(data, size);
  chain::RpcAnswer answer;
  answer.status = kStatuses[in.byte() % kStatuses.size()];
  answer.body = in.rest_text();
  try {
    (void)chain::read_rpc_answer("eth_getLogs", "eth_getLogs at http://node", kId, answer, 32u << 20);
    require(answer.status >= 200 && answer.status < 300, "a result comes only with a 2xx status");
  } catch (const chain::RpcError& e) {
    short_message(e);
  } catch (const chain::MalformedResponse& e) {
    short_message(e);
  } catch (const errors::TransientError& e) {
    short_message(e);
  } catch (const errors::PermanentError& e) {
    short_message(e);
  }
  return 0;
}

}  // namespace glisk::fuzz
