// A provider's request budget on the manual clock: a burst at once, then an even pace; a 429's
// wait holds everything; a stop ends a wait.
#include "net/rate_budget.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;

TEST(RateBudget, ABurstGoesAtOnceThenTheRestAtTheBudgetsPace) {
  clock::ManualClock clock;
  net::RateBudget budget(clock, 600, 10);  // 10 a second, bursts of 10
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(budget.acquire());
  EXPECT_EQ(budget.available(), 0);
  std::atomic<int> sent{0};
  std::jthread waiter([&] {
    for (int i = 0; i < 5; ++i) sent += budget.acquire() ? 1 : 0;
  });
  ASSERT_TRUE(glisk::testing::eventually([&] { return clock.waiters() == 1; }));
  EXPECT_EQ(sent, 0) << "the budget is spent: the 11th waits";
  for (int i = 1; i <= 5; ++i) {
    clock.advance(100ms);  // one request earned back per 100 ms
    ASSERT_TRUE(glisk::testing::eventually([&] { return sent == i; })) << i;
  }
  waiter.join();
  clock.advance(10s);
  EXPECT_EQ(budget.available(), 10) << "an idle budget refills up to its burst, no further";
}

TEST(RateBudget, ARateLimitsWaitHoldsEveryRequestAndAStopEndsAWait) {
  clock::ManualClock clock;
  net::RateBudget budget(clock, 3000);
  budget.hold_for(20s);
  EXPECT_EQ(budget.available(), 0);
  std::atomic<bool> sent{false};
  std::jthread waiter([&](std::stop_token stop) { sent = budget.acquire(stop); });
  ASSERT_TRUE(glisk::testing::eventually([&] { return clock.waiters() == 1; }));
  clock.advance(19s);
  ASSERT_TRUE(glisk::testing::eventually([&] { return clock.waiters() == 1; }));
  EXPECT_FALSE(sent);
  clock.advance(1s);
  waiter.join();
  EXPECT_TRUE(sent);

  budget.hold_for(1h);
  std::atomic<int> outcome{-1};
  std::jthread stopped([&](std::stop_token stop) { outcome = budget.acquire(stop) ? 1 : 0; });
  ASSERT_TRUE(glisk::testing::eventually([&] { return clock.waiters() == 1; }));
  stopped.request_stop();
  stopped.join();
  EXPECT_EQ(outcome, 0) << "a stop ends the wait without a request";
}

TEST(RateBudget, ZeroMeansUnlimited) {
  clock::ManualClock clock;
  net::RateBudget budget(clock, 0);
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(budget.acquire());
}
