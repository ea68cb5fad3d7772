#pragma once
// The slots a stage runs its tokens on: a fixed number of threads, one claimed token each at a
// time, so that a slow token holds one slot and the others go on. The pool owns the in-flight
// set: a token is in it from submit() until its handler returned, so the dispatcher claims only
// for free slots, the lease renewer knows what is held, and the drain knows what still runs.
// A handler gets the pool's abandon token (asked to give up at the end of a shutdown) and a
// `settling` callback to call just before it records the token's outcome (the move that ends
// the lease), so that a renewal racing that move does not take the token for lost.
// Thread-safe.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "clock/clock.hpp"
#include "store/token_lifecycle.hpp"
#include "sync/mutex.hpp"

namespace glisk::workers {

class SlotPool {
 public:
  using Handler =
      std::function<void(const store::Claim& claim, std::stop_token abandon, const std::function<void()>& settling)>;
  using Lease = std::pair<int64_t, std::string>;  // token id, lease

  // `on_free` runs after each token leaves the pool (a slot is free: the dispatcher may claim).
  SlotPool(int slots, const clock::Clock& clock, Handler handler, std::function<void()> on_free);
  ~SlotPool();  // abandon_and_join()
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  size_t free_slots() const;
  void submit(std::vector<store::Claim> claims);

  // Every token submitted and not finished, with its lease.
  std::vector<Lease> held() const;
  // How many of `leases` are still held on that lease and running toward an outcome of their own
  // (not settling it): those a failed renewal has really lost.
  size_t still_running(const std::vector<Lease>& leases) const;

  // Takes back the tokens no slot started yet (they leave the pool).
  std::vector<store::Claim> take_unstarted();
  // Waits on the clock until no token is in the pool, or `deadline`; true when none is.
  bool wait_empty(clock::SteadyPoint deadline);

  // Asks running handlers to give up (their abandon token), then joins the slots.
  void abandon_and_join();

 private:
  struct Held {
    std::string lease;
    bool settling = false;
  };
  void slot(std::stop_token stop);

  const clock::Clock& clock_;
  const Handler handler_;
  const std::function<void()> on_free_;
  const size_t slots_;
  mutable sync::Mutex mutex_;
  sync::CondVar work_ready_;
  sync::CondVar emptied_;
  std::deque<store::Claim> pending_ GLISK_GUARDED_BY(mutex_);   // submitted, not started
  std::map<int64_t, Held> in_flight_ GLISK_GUARDED_BY(mutex_);  // pending or running
  std::stop_source abandon_;
  std::vector<std::jthread> threads_;  // last: they use everything above
};

}  // namespace glisk::workers
