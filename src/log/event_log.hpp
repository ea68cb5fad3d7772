#pragma once
// Structured event log: one line per event, named with the seed's event names
// (`application.startup`, `worker.started`, `token.claimed`, …) so `grep "worker\."` and
// `grep "token\."` keep working. JSON objects per line in json format — timestamp, level, event,
// then `message` (the event in words, with the line's error, detail or reason: what log collectors
// show), then the context (the instance), then the fields — and `time LEVEL event k=v …` in
// console format. Thread-safe; writes go through an spdlog sink (stderr by default, a memory
// stream in tests). Callers must not put secrets in fields.

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>

namespace spdlog {
class logger;
}

namespace glisk::log {

// How lines are written: one JSON object per line, or `time LEVEL event key=value …`.
enum class Format { kJson, kConsole };

// Fields keep the order they are written in, so every line starts timestamp, level, event.
using Fields = nlohmann::ordered_json;

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

Level parse_level(std::string_view name);  // "debug" | "info" | "warning" | "error"; else info

class EventLog {
 public:
  // Logs to stderr.
  EventLog(Format format, Level min_level);
  // Logs to `out` (tests); `out` must outlive the EventLog.
  EventLog(Format format, Level min_level, std::ostream& out);
  // Writes where `parent` writes, with `context` (e.g. {"instance": id}) on every line after the
  // event; a line's own field of the same name wins. `parent` must outlive it.
  EventLog(const EventLog& parent, Fields context);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  void debug(std::string_view event, const Fields& fields = Fields::object()) const;
  void info(std::string_view event, const Fields& fields = Fields::object()) const;
  void warn(std::string_view event, const Fields& fields = Fields::object()) const;
  void error(std::string_view event, const Fields& fields = Fields::object()) const;
  void write(Level level, std::string_view event, const Fields& fields) const;

  // The line as it would be written, without the trailing newline (exposed for tests).
  std::string format_line(Level level, std::string_view event, const Fields& fields) const;

 private:
  Format format_;
  Level min_level_;
  Fields context_ = Fields::object();
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace glisk::log
