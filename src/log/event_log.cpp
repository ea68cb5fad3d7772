#include "log/event_log.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>

#include "clock/clock.hpp"
#include "clock/time_format.hpp"

namespace glisk::log {
namespace {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

// "keeper.transaction_confirmed" → "keeper transaction confirmed", then ": " and the line's
// error, detail or reason (the first there is), so a collector's message column says something.
std::string message_for(std::string_view event, const Fields& fields) {
  std::string message(event);
  for (auto& c : message) {
    if (c == '.' || c == '_') c = ' ';
  }
  if (fields.is_object()) {
    for (const char* key : {"error", "detail", "reason"}) {
      auto it = fields.find(key);
      if (it != fields.end() && it->is_string()) return message + ": " + it->get<std::string>();
    }
  }
  return message;
}

std::string utc_now() { return clock::format_time(clock::SystemClock().now()); }  // a log line's own time

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("glisk", std::move(sink));
  logger->set_pattern("%v");  // the line is formatted here, spdlog only writes it
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

}  // namespace

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "warning" || name == "warn") return Level::kWarning;
  if (name == "error") return Level::kError;
  return Level::kInfo;
}

EventLog::EventLog(Format format, Level min_level)
    : format_(format), min_level_(min_level), logger_(make_logger(std::make_shared<spdlog::sinks::stderr_sink_mt>())) {}

EventLog::EventLog(Format format, Level min_level, std::ostream& out)
    : format_(format),
      min_level_(min_level),
      logger_(make_logger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out, /*force_flush=*/true))) {}

EventLog::EventLog(const EventLog& parent, Fields context)
    : format_(parent.format_), min_level_(parent.min_level_), context_(parent.context_), logger_(parent.logger_) {
  if (context.is_object()) {
    for (const auto& [k, v] : context.items()) context_[k] = v;
  }
}

EventLog::~EventLog() = default;

void EventLog::debug(std::string_view event, const Fields& fields) const { write(Level::kDebug, event, fields); }
void EventLog::info(std::string_view event, const Fields& fields) const { write(Level::kInfo, event, fields); }
void EventLog::warn(std::string_view event, const Fields& fields) const { write(Level::kWarning, event, fields); }
void EventLog::error(std::string_view event, const Fields& fields) const { write(Level::kError, event, fields); }

void EventLog::write(Level level, std::string_view event, const Fields& fields) const {
  if (level < min_level_) return;
  logger_->info(format_line(level, event, fields));
}

std::string EventLog::format_line(Level level, std::string_view event, const Fields& fields) const {
  if (format_ == Format::kJson) {
    Fields line = {{"timestamp", utc_now()},
                   {"level", level_name(level)},
                   {"event", event},
                   {"message", message_for(event, fields)}};
    for (const auto& [k, v] : context_.items()) line[k] = v;
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) line[k] = v;
    }
    // replace: a log line must never throw on bytes that are not UTF-8 (e.g. a provider's error body)
    return line.dump(-1, ' ', false, Fields::error_handler_t::replace);
  }
  std::string out = utc_now();
  std::string lvl(level_name(level));
  for (auto& c : lvl) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out += " " + lvl;
  out.append(8 - std::min<size_t>(lvl.size(), 7), ' ');
  out += event;
  Fields all = context_;
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) all[k] = v;
  }
  {
    for (const auto& [k, v] : all.items()) {
      out += " " + k + "=";
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        bool plain = !s.empty() && s.find_first_of(" \"=\n") == std::string::npos;
        out += plain ? s : nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      } else {
        out += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    }
  }
  return out;
}

}  // namespace glisk::log
