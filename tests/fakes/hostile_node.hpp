#pragma once
// An Ethereum JSON-RPC endpoint gone bad (compromised, or a broken provider): every call is
// answered with a well-formed envelope whose "result" is an array nested `depth` levels deep.
// A service that printed or freed such a value recursively crash-looped on it (issue 14).

#include <atomic>

#include "fakes/fake_server.hpp"

namespace glisk::testing {

class HostileNode : public FakeServer {
 public:
  explicit HostileNode(int depth);
  ~HostileNode() { stop_serving(); }
  int calls() const { return calls_; }

 private:
  const int depth_;
  std::atomic<int> calls_{0};
};

}  // namespace glisk::testing
