#pragma once
// Keeps long-running tasks (the stage workers, the wake-up listener) alive, as the seed's
// lifespan did: each runs on its own thread; a task that throws (or returns unasked) is logged
// as `worker.crashed`, then `worker.restarting`, and started again after `restart_delay` (1 s).
// stop() asks every task to stop (std::stop_token) and waits for them up to a deadline. The
// restart delay is kept on the injected clock.

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"

namespace glisk::workers {

class Supervisor {
 public:
  using Body = std::function<void(std::stop_token)>;

  // With `metrics`, restarts are counted in glisk_worker_restarts_total{worker}.
  // `clock` must outlive every task (a task detached by stop() included).
  Supervisor(const log::EventLog& log, const clock::Clock& clock, std::chrono::milliseconds restart_delay,
             metrics::Registry* metrics = nullptr);
  ~Supervisor();  // stops whatever still runs, waiting without a deadline
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Adds and starts a task.
  void start(std::string name, Body body);

  // Requests stop and waits up to `timeout`; true when every task ended. Tasks that did not end
  // are detached (they keep the EventLog in use): the caller is expected to exit the process.
  bool stop(std::chrono::milliseconds timeout);

  // How many times the named task was restarted after a crash.
  int restarts(const std::string& name) const;

 private:
  struct Task;
  const log::EventLog& log_;
  const clock::Clock& clock_;
  const std::chrono::milliseconds restart_delay_;
  metrics::Counter* restarts_counter_ = nullptr;
  std::vector<std::shared_ptr<Task>> tasks_;
};

}  // namespace glisk::workers
