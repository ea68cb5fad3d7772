#include "workers/slot_pool.hpp"

namespace glisk::workers {

SlotPool::SlotPool(int slots, const clock::Clock& clock, Handler handler, std::function<void()> on_free)
    : clock_(clock), handler_(std::move(handler)), on_free_(std::move(on_free)), slots_(static_cast<size_t>(slots)) {
  for (int i = 0; i < slots; ++i) threads_.emplace_back([this](std::stop_token stop) { slot(stop); });
}

SlotPool::~SlotPool() { abandon_and_join(); }

void SlotPool::slot(std::stop_token stop) {
  for (;;) {
    store::Claim claim;
    {
      sync::MutexLock lock(mutex_);
      work_ready_.wait(lock.unique(), stop, [&]() GLISK_REQUIRES(mutex_) { return !pending_.empty(); });
      if (pending_.empty()) return;  // stopped
      claim = std::move(pending_.front());
      pending_.pop_front();
    }
    const int64_t id = claim.token.token_id;
    handler_(claim, abandon_.get_token(), [&] {
      sync::MutexLock lock(mutex_);
      if (auto it = in_flight_.find(id); it != in_flight_.end()) it->second.settling = true;
    });
    {
      sync::MutexLock lock(mutex_);
      in_flight_.erase(id);
      emptied_.notify_all();
    }
    if (on_free_) on_free_();
  }
}

size_t SlotPool::free_slots() const {
  sync::MutexLock lock(mutex_);
  return slots_ - in_flight_.size();
}

void SlotPool::submit(std::vector<store::Claim> claims) {
  {
    sync::MutexLock lock(mutex_);
    for (auto& c : claims) {
      in_flight_.emplace(c.token.token_id, Held{c.lease});
      pending_.push_back(std::move(c));
    }
  }
  work_ready_.notify_all();
}

std::vector<SlotPool::Lease> SlotPool::held() const {
  sync::MutexLock lock(mutex_);
  std::vector<Lease> out;
  for (const auto& [id, h] : in_flight_) out.emplace_back(id, h.lease);
  return out;
}

size_t SlotPool::still_running(const std::vector<Lease>& leases) const {
  sync::MutexLock lock(mutex_);
  size_t running = 0;
  for (const auto& [id, lease] : leases) {
    auto it = in_flight_.find(id);
    if (it != in_flight_.end() && it->second.lease == lease && !it->second.settling) ++running;
  }
  return running;
}

std::vector<store::Claim> SlotPool::take_unstarted() {
  sync::MutexLock lock(mutex_);
  std::vector<store::Claim> out(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  pending_.clear();
  for (const auto& c : out) in_flight_.erase(c.token.token_id);
  emptied_.notify_all();
  return out;
}

bool SlotPool::wait_empty(clock::SteadyPoint deadline) {
  sync::MutexLock lock(mutex_);
  return clock_.wait_until(lock.unique(), emptied_, {}, deadline,
                           [&]() GLISK_REQUIRES(mutex_) { return in_flight_.empty(); });
}

void SlotPool::abandon_and_join() {
  abandon_.request_stop();
  for (auto& t : threads_) t.request_stop();
  threads_.clear();  // joins; a handler still inside an outside call returns when it notices `abandon`
}

}  // namespace glisk::workers
