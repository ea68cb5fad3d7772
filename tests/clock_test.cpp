// The time seam (clock/clock.hpp): a ManualClock's waiters wake when the test advances it past
// their deadline, when they are notified, or when they are stopped, and at no other time.
#include "clock/clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::eventually;

TEST(ManualClock, BothTimesMoveOnlyWhenAdvanced) {
  clock::ManualClock clock;
  const auto wall = clock.now();
  const auto steady = clock.steady_now();
  clock.advance(1500ms);
  EXPECT_EQ(clock.now() - wall, 1500ms);
  EXPECT_EQ(clock.steady_now() - steady, 1500ms);
  clock.set(wall - 1h);  // the wall clock may be set back; the steady one never goes back
  EXPECT_EQ(clock.now(), wall - 1h);
  EXPECT_EQ(clock.steady_now() - steady, 1500ms);
}

TEST(ManualClock, ASleeperWakesWhenItsDeadlinePassesAndNotBefore) {
  clock::ManualClock clock;
  std::atomic<bool> woke{false};
  std::jthread sleeper([&] {
    clock.sleep_for(10s);
    woke = true;
  });
  ASSERT_TRUE(eventually([&] { return clock.waiters() == 1; }));
  clock.advance(9s);
  EXPECT_EQ(clock.waiters(), 1u);
  EXPECT_FALSE(woke);
  clock.advance(1s);
  EXPECT_TRUE(eventually([&] { return woke.load(); }));
  EXPECT_EQ(clock.waiters(), 0u);
}

TEST(ManualClock, AWaiterWakesWhenNotifiedOrStoppedWithoutTimeMoving) {
  clock::ManualClock clock;
  sync::Mutex m;
  sync::CondVar cv;
  bool ready = false;
  std::atomic<int> outcome{-1};
  std::jthread waiter([&](std::stop_token stop) {
    sync::MutexLock lock(m);
    outcome = clock.wait_until(lock.unique(), cv, stop, clock.steady_now() + 1h, [&] { return ready; }) ? 1 : 0;
  });
  ASSERT_TRUE(eventually([&] { return clock.waiters() == 1; }));
  {
    sync::MutexLock lock(m);
    ready = true;
  }
  cv.notify_all();
  EXPECT_TRUE(eventually([&] { return outcome == 1; }));

  std::atomic<bool> slept_through{true};
  std::jthread stopped([&](std::stop_token stop) { slept_through = clock.sleep_for(1h, stop); });
  ASSERT_TRUE(eventually([&] { return clock.waiters() == 1; }));
  stopped.request_stop();
  stopped.join();
  EXPECT_FALSE(slept_through);
}

TEST(SystemClock, SleepsRealTimeAndAStopCutsItShort) {
  clock::SystemClock clock;
  const auto began = clock.steady_now();
  EXPECT_TRUE(clock.sleep_for(20ms));
  EXPECT_GE(clock.steady_now() - began, 20ms);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(clock.sleep_for(1h, stop.get_token()));
}
