// The supervisor on a manual clock: restarts wait their delay on the clock the test advances, so
// the delay is checked exactly and no test sleeps it out.
#include "workers/supervisor.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "test_support.hpp"

using namespace std::chrono_literals;
using glisk::testing::eventually;
using glisk::workers::Supervisor;

TEST(Supervisor, RestartsACrashedTaskAfterTheDelayOnItsClock) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  std::atomic<int> runs{0};
  Supervisor supervisor(captured.log, clock, 200ms);
  supervisor.start("image_generation", [&](std::stop_token stop) {
    if (++runs <= 2) throw std::runtime_error("provider client exploded");
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait(lock, stop, [] { return false; });
  });
  ASSERT_TRUE(eventually([&] { return runs == 1 && clock.waiters() == 1; }));  // crashed, waiting its delay
  clock.advance(199ms);
  EXPECT_EQ(runs, 1) << "restarted before the delay";
  clock.advance(1ms);
  ASSERT_TRUE(eventually([&] { return runs == 2 && clock.waiters() == 1; }));
  clock.advance(200ms);
  ASSERT_TRUE(eventually([&] { return runs == 3; }));
  EXPECT_TRUE(supervisor.stop(2s));
  EXPECT_EQ(supervisor.restarts("image_generation"), 2);
  EXPECT_EQ(captured.count("worker.started"), 3);
  EXPECT_EQ(captured.count("worker.crashed"), 2);
  EXPECT_EQ(captured.count("worker.restarting"), 2);
  EXPECT_EQ(captured.count("worker.stopped"), 1);
  EXPECT_NE(captured.text().find("provider client exploded"), std::string::npos);
}

TEST(Supervisor, ATaskThatReturnsUnaskedIsRestarted) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  std::atomic<int> runs{0};
  Supervisor supervisor(captured.log, clock, 10ms);
  supervisor.start("reveal", [&](std::stop_token stop) {
    if (++runs > 1) clock.sleep_until(glisk::clock::SteadyPoint::max(), stop);
  });
  ASSERT_TRUE(eventually([&] { return clock.waiters() == 1; }));
  clock.advance(10ms);
  ASSERT_TRUE(eventually([&] { return runs == 2; }));
  EXPECT_TRUE(supervisor.stop(2s));
  EXPECT_EQ(supervisor.restarts("reveal"), 1);
  EXPECT_NE(captured.text().find("returned without being asked to stop"), std::string::npos);
}

TEST(Supervisor, StopDuringTheRestartDelayEndsAtOnce) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  Supervisor supervisor(captured.log, clock, 60s);
  supervisor.start("ipfs_upload", [](std::stop_token) { throw std::runtime_error("down"); });
  ASSERT_TRUE(eventually([&] { return clock.waiters() == 1; }));
  EXPECT_TRUE(supervisor.stop(5s)) << "the stop request ends the delay; the clock never moved";
  EXPECT_EQ(captured.count("worker.stopped"), 1);
}

TEST(Supervisor, StopGivesUpOnATaskThatIgnoresItWhenItsDeadlinePasses) {
  glisk::testing::CapturedLog captured;
  glisk::clock::ManualClock clock;
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto running = std::make_shared<std::atomic<bool>>(false);
  {
    Supervisor supervisor(captured.log, clock, 10ms);
    supervisor.start("stubborn", [release, running](std::stop_token) {
      *running = true;
      while (!*release) std::this_thread::yield();
    });
    ASSERT_TRUE(eventually([&] { return running->load(); }));
    // stop() waits on the clock; the deadline passes when the test says so.
    std::jthread deadline([&] {
      if (eventually([&] { return clock.waiters() == 1; })) clock.advance(200ms);
    });
    EXPECT_FALSE(supervisor.stop(200ms));
    EXPECT_EQ(captured.count("worker.stop_timeout"), 1) << captured.text();
  }
  *release = true;  // the detached thread ends (it logs into `captured`, which still lives)
  eventually([&] { return captured.count("worker.stopped") == 1; });
}
