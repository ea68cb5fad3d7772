#include "log/fault_log.hpp"

namespace glisk::log {
namespace {
double seconds_between(clock::TimePoint from, clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}
}  // namespace

FaultLog::FaultLog(const EventLog& log, const clock::Clock& clock, std::string fault_event, std::string recovered_event,
                   Level level, std::chrono::milliseconds remind_every, Fields context)
    : log_(log),
      clock_(clock),
      fault_event_(std::move(fault_event)),
      recovered_event_(std::move(recovered_event)),
      level_(level),
      remind_every_(remind_every),
      context_(std::move(context)) {}

Fields FaultLog::line(const Fields& fields) const {
  Fields out = context_.is_object() ? context_ : Fields::object();
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) out[k] = v;
  }
  return out;
}

std::optional<clock::TimePoint> FaultLog::since() const {
  sync::MutexLock lock(mutex_);
  if (!ongoing_.load(std::memory_order_relaxed)) return std::nullopt;
  return since_;
}

bool FaultLog::failed(const Fields& fields) {
  sync::MutexLock lock(mutex_);
  const auto now = clock_.now();
  ++failures_;
  if (!ongoing_.load(std::memory_order_relaxed)) {
    since_ = now;
    last_written_ = now;
    failures_ = 1;
    ongoing_.store(true, std::memory_order_release);
    log_.write(level_, fault_event_, line(fields));
    return true;
  }
  if (now - last_written_ < remind_every_) return false;
  last_written_ = now;
  Fields out = line(fields);
  out["ongoing"] = true;
  out["down_seconds"] = seconds_between(since_, now);
  out["failures"] = failures_;
  log_.write(level_, fault_event_, out);
  return true;
}

bool FaultLog::succeeded(const Fields& fields) {
  if (!ongoing_.load(std::memory_order_acquire)) return false;
  sync::MutexLock lock(mutex_);
  if (!ongoing_.load(std::memory_order_relaxed)) return false;  // another thread saw it first
  ongoing_.store(false, std::memory_order_release);
  Fields out = line(fields);
  out["down_seconds"] = seconds_between(since_, clock_.now());
  out["failures"] = failures_;
  log_.info(recovered_event_, out);
  return true;
}

}  // namespace glisk::log
