#include "clock/time_format.hpp"

#include <gtest/gtest.h>

using namespace glisk::clock;
using namespace std::chrono;

TEST(TimeFormat, RoundTripsWithMilliseconds) {
  TimePoint t = TimePoint{milliseconds{1'764'501'380'123}};
  EXPECT_EQ(format_time(t), "2025-11-30T11:16:20.123Z");
  EXPECT_EQ(parse_time("2025-11-30T11:16:20.123Z"), t);
}

TEST(TimeFormat, ReadsPostgresOutput) {
  EXPECT_EQ(parse_time("2025-11-30 11:16:20.123+00"), parse_time("2025-11-30T11:16:20.123Z"));
  EXPECT_EQ(parse_time("2025-11-30 13:16:20.5+02:00"), parse_time("2025-11-30T11:16:20.500Z"));
  EXPECT_EQ(parse_time("2025-11-30 11:16:20+00"), parse_time("2025-11-30T11:16:20.000Z"));
}

TEST(TimeFormat, TextOrderIsTimeOrder) {
  // SQLite compares the stored text: fixed width keeps that equal to time order.
  EXPECT_LT(format_time(TimePoint{milliseconds{999}}), format_time(TimePoint{milliseconds{1000}}));
  EXPECT_LT(format_time(TimePoint{seconds{9}}), format_time(TimePoint{seconds{10}}));
}

TEST(TimeFormat, RejectsGarbage) {
  EXPECT_FALSE(parse_time(""));
  EXPECT_FALSE(parse_time("yesterday"));
  EXPECT_FALSE(parse_time("2025-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_time("2025-11-30T11:16:20.Z"));
  EXPECT_FALSE(parse_time("2025-11-30T11:16:20Zjunk"));
}

TEST(TimeFormat, SaysHowLongAgoOrHowSoon) {
  using namespace std::chrono_literals;
  const glisk::clock::TimePoint now{std::chrono::seconds{1'800'000'000}};
  using glisk::clock::format_relative;
  EXPECT_EQ(format_relative(now, now), "now");
  EXPECT_EQ(format_relative(now - 40s, now), "40 s ago");
  EXPECT_EQ(format_relative(now + 20s, now), "in 20 s");
  EXPECT_EQ(format_relative(now - 3min - 10s, now), "3 min ago");
  EXPECT_EQ(format_relative(now - 5h, now), "5 h ago");
  EXPECT_EQ(format_relative(now + 72h, now), "in 3 d");
}
