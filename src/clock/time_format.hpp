#pragma once
// Timestamps as the stores keep them: ISO-8601 UTC with milliseconds, "2026-11-30T11:16:20.123Z".
// The fixed width makes SQLite's text comparison order them correctly; PostgreSQL reads the same
// text into timestamptz. parse_time also reads PostgreSQL's own output ("2026-11-30 11:16:20.123+00").

#include <optional>
#include <string>
#include <string_view>

#include "clock/clock.hpp"

namespace glisk::clock {

std::string format_time(TimePoint t);

// How far `t` is from `now`, as an operator reads it beside the timestamp: "now", "40 s ago",
// "3 min ago", "in 20 s", "5 h ago", "2 d ago" (rounded down, so "1 min" is 60-119 s).
std::string format_relative(TimePoint t, TimePoint now);

// nullopt when `text` is not such a timestamp.
std::optional<TimePoint> parse_time(std::string_view text);

}  // namespace glisk::clock
