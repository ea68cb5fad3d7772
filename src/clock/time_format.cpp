#include "clock/time_format.hpp"

#include <charconv>
#include <cstdio>

namespace glisk::clock {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool read_int(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc{} && end == s.data() + pos + len;
}

}  // namespace

std::string format_time(TimePoint t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  auto day = floor<days>(sys_time<milliseconds>{milliseconds{ms}});
  year_month_day ymd{day};
  long long in_day = ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  char buf[64];  // room for any value the format can print, so no build warns of truncation
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), in_day / 3'600'000,
                in_day / 60'000 % 60, in_day / 1000 % 60, in_day % 1000);
  return buf;
}

std::optional<TimePoint> parse_time(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (!read_int(s, 0, 4, y) || !read_int(s, 5, 2, mo) || !read_int(s, 8, 2, d) || !read_int(s, 11, 2, h) ||
      !read_int(s, 14, 2, mi) || !read_int(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  size_t pos = 19;
  long long micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0'), ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  long long offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      pos = s.size();
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      if (!read_int(s, pos + 1, 2, oh)) return std::nullopt;
      size_t next = pos + 3;
      if (next < s.size()) {
        if (s[next] == ':') ++next;
        if (!read_int(s, next, 2, om) || next + 2 != s.size()) return std::nullopt;
      }
      offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  long long secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
                   mi * 60 + se - offset_minutes * 60;
  return TimePoint{
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds{secs * 1'000'000 + micros})};
}

std::string format_relative(TimePoint t, TimePoint now) {
  using std::chrono::duration_cast;
  const bool past = t <= now;
  const auto seconds = duration_cast<std::chrono::seconds>(past ? now - t : t - now).count();
  if (seconds < 1) return "now";
  std::string amount;
  if (seconds < 90) {
    amount = std::to_string(seconds) + " s";
  } else if (seconds < 90 * 60) {
    amount = std::to_string(seconds / 60) + " min";
  } else if (seconds < 48 * 3600) {
    amount = std::to_string(seconds / 3600) + " h";
  } else {
    amount = std::to_string(seconds / 86400) + " d";
  }
  return past ? amount + " ago" : "in " + amount;
}

}  // namespace glisk::clock
