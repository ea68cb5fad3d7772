#pragma once
// A bounded pool of database connections shared by threads. take() hands out an idle connection,
// opens a new one while fewer than `capacity` exist, or waits. A connection that broke is handed
// back as nullptr and its slot is freed, so the pool heals after a server restart.

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "sync/mutex.hpp"

namespace glisk::store::detail {

template <typename Connection>
class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;

  ConnectionPool(size_t capacity, Factory open) : capacity_(std::max<size_t>(1, capacity)), open_(std::move(open)) {}

  // `reused` (optional) tells whether the connection was idle in the pool (it may have died
  // there) rather than opened just now.
  std::unique_ptr<Connection> take(bool* reused = nullptr) {
    sync::MutexLock lock(mutex_);
    available_.wait(lock.unique(), [&]() GLISK_REQUIRES(mutex_) { return !idle_.empty() || count_ < capacity_; });
    if (reused != nullptr) *reused = !idle_.empty();
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++count_;
    lock.unlock();
    try {
      return open_();
    } catch (...) {
      give_back(nullptr);
      throw;
    }
  }

  void give_back(std::unique_ptr<Connection> connection) {
    {
      sync::MutexLock lock(mutex_);
      if (connection) {
        idle_.push_back(std::move(connection));
      } else {
        --count_;
      }
    }
    available_.notify_one();
  }

 private:
  const size_t capacity_;
  const Factory open_;
  sync::Mutex mutex_;
  sync::CondVar available_;
  std::vector<std::unique_ptr<Connection>> idle_ GLISK_GUARDED_BY(mutex_);
  size_t count_ GLISK_GUARDED_BY(mutex_) = 0;  // open connections
};

}  // namespace glisk::store::detail
