// The watchdog on a manual clock, with a service manager that records what it is told: pets only
// while the health check holds, at half the manager's timeout, and nothing when none is asked.
#include "notify/watchdog.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "test_support.hpp"

using namespace std::chrono_literals;
using glisk::notify::ServiceManager;
using glisk::notify::Watchdog;
using glisk::testing::eventually;

namespace {

class RecordingManager final : public ServiceManager {
 public:
  explicit RecordingManager(std::chrono::microseconds timeout) : timeout_(timeout) {}
  void ready(std::string_view) override {}
  void stopping(std::string_view) override {}
  void watchdog() override { ++pets; }
  std::chrono::microseconds watchdog_timeout() const override { return timeout_; }

  std::atomic<int> pets{0};

 private:
  std::chrono::microseconds timeout_;
};

TEST(Watchdog, PetsOnlyWhileTheServiceIsHealthy) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  RecordingManager manager(1s);
  bool healthy = true;
  Watchdog watchdog(
      manager, [&] { return healthy; }, captured.log, clock);
  EXPECT_TRUE(watchdog.pet_if_healthy());
  healthy = false;
  EXPECT_FALSE(watchdog.pet_if_healthy());
  EXPECT_FALSE(watchdog.pet_if_healthy());
  EXPECT_EQ(manager.pets, 1);
  EXPECT_EQ(captured.count("watchdog.unhealthy"), 1) << "said once, not at every check";
  healthy = true;
  EXPECT_TRUE(watchdog.pet_if_healthy());
  EXPECT_EQ(manager.pets, 2);
  EXPECT_EQ(captured.count("watchdog.healthy"), 1);
}

TEST(Watchdog, AHealthCheckThatThrowsIsUnhealthyAndSaysWhy) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  RecordingManager manager(1s);
  Watchdog watchdog(
      manager, []() -> bool { throw std::runtime_error("/health answered 503: database unreachable"); }, captured.log,
      clock);
  EXPECT_FALSE(watchdog.pet_if_healthy());
  EXPECT_EQ(manager.pets, 0);
  EXPECT_NE(captured.text().find("database unreachable"), std::string::npos) << captured.text();
}

TEST(Watchdog, ItsThreadPetsEveryHalfOfTheTimeout) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  RecordingManager manager(1s);
  Watchdog watchdog(
      manager, [] { return true; }, captured.log, clock);
  watchdog.start();
  ASSERT_TRUE(eventually([&] { return manager.pets == 1 && clock.waiters() == 1; }));
  clock.advance(499ms);
  EXPECT_EQ(manager.pets, 1) << "petted before half the timeout";
  clock.advance(1ms);
  ASSERT_TRUE(eventually([&] { return manager.pets == 2 && clock.waiters() == 1; }));
  watchdog.stop();
  clock.advance(10s);
  EXPECT_EQ(manager.pets, 2) << "petted after stop()";
}

TEST(Watchdog, NoThreadWhenTheManagerWatchesNothing) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  RecordingManager manager(0us);
  std::atomic<int> checks{0};
  Watchdog watchdog(
      manager, [&] { return ++checks > 0; }, captured.log, clock);
  watchdog.start();
  EXPECT_EQ(clock.waiters(), 0u);
  watchdog.stop();
  EXPECT_EQ(checks, 0);
  EXPECT_EQ(manager.pets, 0);
}

}  // namespace
