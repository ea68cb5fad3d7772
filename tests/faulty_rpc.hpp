#pragma once
// An EthRpc that forwards to a real node and fails the calls a test chooses: the node "down"
// (every call a TransientError, as an unreachable node gives), or one method failing a number of
// times. Thread-safe.

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "chain/eth_rpc.hpp"

namespace glisk::testing {

class FaultyRpc : public chain::EthRpc {
 public:
  explicit FaultyRpc(chain::EthRpc& node) : node_(node) {}

  chain::JsonValue call(const std::string& method, const chain::JsonValue& params, std::stop_token stop = {}) override {
    calls_++;
    if (down_) throw errors::TransientError(method + " at " + describe() + ": node unreachable (test: down)");
    {
      std::lock_guard lock(mutex_);
      auto it = failures_.find(method);
      if (it != failures_.end() && it->second > 0) {
        it->second--;
        throw errors::TransientError(method + " at " + describe() + ": connection dropped (test)");
      }
    }
    return node_.call(method, params, stop);
  }
  std::string describe() const override { return node_.describe(); }

  void set_down(bool down) { down_ = down; }
  // The next `times` calls of `method` fail.
  void fail(const std::string& method, int times) {
    std::lock_guard lock(mutex_);
    failures_[method] = times;
  }
  int calls() const { return calls_; }

 private:
  chain::EthRpc& node_;
  std::atomic<bool> down_{false};
  std::atomic<int> calls_{0};
  std::mutex mutex_;
  std::map<std::string, int> failures_;  // guarded by mutex_
};

}  // namespace glisk::testing
