#include "workers/supervisor.hpp"

#include <atomic>
#include <thread>

#include "sync/mutex.hpp"

namespace glisk::workers {

struct Supervisor::Task {
  std::string name;
  std::atomic<int> restarts{0};
  sync::Mutex mutex;
  sync::CondVar done_cv;
  bool done GLISK_GUARDED_BY(mutex) = false;
  std::jthread thread;
};

Supervisor::Supervisor(const log::EventLog& log, const clock::Clock& clock, std::chrono::milliseconds restart_delay,
                       metrics::Registry* metrics)
    : log_(log), clock_(clock), restart_delay_(restart_delay) {
  if (metrics != nullptr) {
    restarts_counter_ =
        &metrics->counter("glisk_worker_restarts_total", "supervised tasks started again after a crash", {"worker"});
  }
}

Supervisor::~Supervisor() {
  for (auto& t : tasks_) {
    t->thread.request_stop();
  }
  for (auto& t : tasks_) {
    if (t->thread.joinable()) t->thread.join();
  }
}

void Supervisor::start(std::string name, Body body) {
  if (restarts_counter_ != nullptr) restarts_counter_->inc({name}, 0);  // the series exists before any crash
  auto task = std::make_shared<Task>();
  task->name = std::move(name);
  // Captures no `this` and shares the Task: a task detached by stop() may outlive the Supervisor.
  task->thread =
      std::jthread([&log = log_, &clock = clock_, delay = restart_delay_, restarts_counter = restarts_counter_,
                    self = task, body = std::move(body)](std::stop_token stop) {
        while (!stop.stop_requested()) {
          log.info("worker.started", {{"worker", self->name}});
          try {
            body(stop);
            if (stop.stop_requested()) break;
            log.error("worker.crashed", {{"worker", self->name}, {"error", "returned without being asked to stop"}});
          } catch (const std::exception& e) {
            log.error("worker.crashed", {{"worker", self->name}, {"error", e.what()}});
          } catch (...) {
            log.error("worker.crashed", {{"worker", self->name}, {"error", "unknown exception"}});
          }
          if (stop.stop_requested()) break;
          self->restarts++;
          if (restarts_counter != nullptr) restarts_counter->inc({self->name});
          log.warn("worker.restarting", {{"worker", self->name},
                                         {"delay_seconds", static_cast<double>(delay.count()) / 1000.0},
                                         {"restarts", self->restarts.load()}});
          clock.sleep_for(delay, stop);
        }
        log.info("worker.stopped", {{"worker", self->name}});
        {
          sync::MutexLock lock(self->mutex);
          self->done = true;
        }
        self->done_cv.notify_all();
      });
  tasks_.push_back(std::move(task));
}

bool Supervisor::stop(std::chrono::milliseconds timeout) {
  for (auto& t : tasks_) {
    t->thread.request_stop();
  }
  const auto deadline = clock_.steady_now() + timeout;
  bool all = true;
  for (auto& t : tasks_) {
    sync::MutexLock lock(t->mutex);
    if (clock_.wait_until(lock.unique(), t->done_cv, {}, deadline,
                          [&]() GLISK_REQUIRES(t->mutex) { return t->done; })) {
      lock.unlock();
      if (t->thread.joinable()) t->thread.join();
    } else {
      all = false;
      log_.error("worker.stop_timeout", {{"worker", t->name}, {"detail", "did not stop in time; exiting without it"}});
      t->thread.detach();  // it still holds its Task, and frees it when it ends
    }
  }
  return all;
}

int Supervisor::restarts(const std::string& name) const {
  for (const auto& t : tasks_) {
    if (t->name == name) return t->restarts.load();
  }
  return 0;
}

}  // namespace glisk::workers
