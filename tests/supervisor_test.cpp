#include <gtest/gtest.h>

#include <thread>

#include "test_support.hpp"
#include "workers/supervisor.hpp"

using namespace std::chrono_literals;
using glisk::workers::Supervisor;

TEST(Supervisor, RestartsACrashedTaskAfterTheDelay) {
  glisk::testing::CapturedLog captured;
  std::atomic<int> runs{0};
  std::vector<std::chrono::steady_clock::time_point> starts;
  std::mutex m;
  Supervisor supervisor(captured.log, 200ms);
  supervisor.start("image_generation", [&](std::stop_token stop) {
    {
      std::lock_guard lock(m);
      starts.push_back(std::chrono::steady_clock::now());
    }
    if (++runs <= 2) throw std::runtime_error("provider client exploded");
    while (!stop.stop_requested()) std::this_thread::sleep_for(5ms);
  });
  for (int i = 0; i < 200 && runs < 3; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(runs, 3);
  EXPECT_TRUE(supervisor.stop(2s));
  EXPECT_EQ(supervisor.restarts("image_generation"), 2);
  EXPECT_EQ(captured.count("worker.started"), 3);
  EXPECT_EQ(captured.count("worker.crashed"), 2);
  EXPECT_EQ(captured.count("worker.restarting"), 2);
  EXPECT_EQ(captured.count("worker.stopped"), 1);
  EXPECT_NE(captured.text().find("provider client exploded"), std::string::npos);
  std::lock_guard lock(m);
  for (size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 200ms);
}

TEST(Supervisor, ATaskThatReturnsUnaskedIsRestarted) {
  glisk::testing::CapturedLog captured;
  std::atomic<int> runs{0};
  Supervisor supervisor(captured.log, 10ms);
  supervisor.start("reveal", [&](std::stop_token stop) {
    if (++runs > 1) {
      while (!stop.stop_requested()) std::this_thread::sleep_for(5ms);
    }
  });
  for (int i = 0; i < 200 && runs < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(supervisor.stop(2s));
  EXPECT_EQ(supervisor.restarts("reveal"), 1);
  EXPECT_NE(captured.text().find("returned without being asked to stop"), std::string::npos);
}

TEST(Supervisor, StopDuringTheRestartDelayEndsAtOnce) {
  glisk::testing::CapturedLog captured;
  Supervisor supervisor(captured.log, 60s);
  supervisor.start("ipfs_upload", [](std::stop_token) { throw std::runtime_error("down"); });
  std::this_thread::sleep_for(50ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(supervisor.stop(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(captured.count("worker.stopped"), 1);
}

TEST(Supervisor, StopGivesUpOnATaskThatIgnoresIt) {
  glisk::testing::CapturedLog captured;
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto running = std::make_shared<std::atomic<bool>>(false);
  {
    Supervisor supervisor(captured.log, 10ms);
    supervisor.start("stubborn", [release, running](std::stop_token) {
      *running = true;
      while (!*release) std::this_thread::sleep_for(5ms);
    });
    while (!*running) std::this_thread::sleep_for(1ms);
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(supervisor.stop(200ms));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(captured.count("worker.stop_timeout"), 1) << captured.text();
  }
  *release = true;  // the detached thread ends (it logs into `captured`, which still lives)
  std::this_thread::sleep_for(50ms);
}
