#pragma once
// A mutex the compiler checks. Members a mutex guards say so with GLISK_GUARDED_BY(mutex_), and
// functions that expect it held with GLISK_REQUIRES(mutex_); Clang's thread-safety analysis
// (-Wthread-safety, on in every clang build; scripts/thread-safety runs one, and CI runs that
// script) then refuses a read or a write of a guarded member without the lock, as Abseil's
// Mutex and Bitcoin Core's annotated mutexes do. GCC ignores the annotations.
//
// std::mutex itself carries no annotations in libstdc++, so glisk locks its own Mutex with
// MutexLock; a condition variable waits on MutexLock::unique() (std::condition_variable_any,
// which releases the mutex while it waits and holds it again when it returns, as the analysis
// assumes). A lambda that runs under the lock (a wait's predicate) says so:
//   [&]() GLISK_REQUIRES(mutex_) { return !queue_.empty(); }

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define GLISK_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GLISK_THREAD_ANNOTATION(x)
#endif

#define GLISK_CAPABILITY(name) GLISK_THREAD_ANNOTATION(capability(name))
#define GLISK_SCOPED_CAPABILITY GLISK_THREAD_ANNOTATION(scoped_lockable)
#define GLISK_GUARDED_BY(mutex) GLISK_THREAD_ANNOTATION(guarded_by(mutex))
#define GLISK_PT_GUARDED_BY(mutex) GLISK_THREAD_ANNOTATION(pt_guarded_by(mutex))
#define GLISK_REQUIRES(...) GLISK_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define GLISK_ACQUIRE(...) GLISK_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define GLISK_RELEASE(...) GLISK_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define GLISK_TRY_ACQUIRE(...) GLISK_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define GLISK_EXCLUDES(...) GLISK_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define GLISK_NO_THREAD_SAFETY_ANALYSIS GLISK_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace glisk::sync {

class GLISK_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() GLISK_ACQUIRE() { mutex_.lock(); }
  void unlock() GLISK_RELEASE() { mutex_.unlock(); }
  bool try_lock() GLISK_TRY_ACQUIRE(true) { return mutex_.try_lock(); }

 private:
  std::mutex mutex_;
};

// Holds a Mutex for its scope. unlock()/lock() let a scope step out of the lock for a while
// (to call out without holding it); the destructor releases it only when held.
class GLISK_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) GLISK_ACQUIRE(mutex) : lock_(mutex) {}
  ~MutexLock() GLISK_RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() GLISK_RELEASE() { lock_.unlock(); }
  void lock() GLISK_ACQUIRE() { lock_.lock(); }
  // For a condition variable's wait (which gives the mutex back before it returns).
  std::unique_lock<Mutex>& unique() { return lock_; }

 private:
  std::unique_lock<Mutex> lock_;
};

// The condition variable that waits on a MutexLock::unique().
using CondVar = std::condition_variable_any;

}  // namespace glisk::sync
