#include "queue/backoff.hpp"

#include <gtest/gtest.h>

using namespace std::chrono;
using glisk::queue::BackoffPolicy;
using glisk::queue::retry_delay;

TEST(Backoff, DoublesPerAttemptWithinJitterBounds) {
  BackoffPolicy p{seconds(2), seconds(300)};
  EXPECT_EQ(retry_delay(p, 1, 0.0), milliseconds(1000));
  EXPECT_EQ(retry_delay(p, 1, 1.0), milliseconds(2000));
  EXPECT_EQ(retry_delay(p, 2, 0.0), milliseconds(2000));
  EXPECT_EQ(retry_delay(p, 3, 1.0), milliseconds(8000));
}

TEST(Backoff, IsCapped) {
  BackoffPolicy p{seconds(2), seconds(10)};
  EXPECT_EQ(retry_delay(p, 30, 1.0), milliseconds(10000));
}

TEST(Backoff, HonoursRetryAfterWhenLonger) {
  BackoffPolicy p{seconds(2), seconds(300)};
  EXPECT_EQ(retry_delay(p, 1, 0.0, seconds(30)), milliseconds(30000));
  EXPECT_EQ(retry_delay(p, 3, 1.0, milliseconds(10)), milliseconds(8000));
}
