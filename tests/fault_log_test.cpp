// FaultLog: a lasting fault is one line, a reminder now and then, and one line when it ends.
#include "log/fault_log.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;

TEST(FaultLog, ALastingFaultIsOneLineRemindersAndOneRecovery) {
  glisk::testing::CapturedLog captured;
  clock::ManualClock clock;
  log::FaultLog fault(captured.log, clock, "rpc.unreachable", "rpc.recovered", log::Level::kWarning, 10s,
                      {{"rpc", "http://node:8545"}});
  EXPECT_FALSE(fault.succeeded()) << "nothing to recover from";
  EXPECT_TRUE(fault.failed({{"error", "connection refused"}}));
  for (int i = 0; i < 20; ++i) {
    clock.advance(400ms);
    EXPECT_FALSE(fault.failed({{"error", "connection refused"}}));
  }
  EXPECT_EQ(captured.count("rpc.unreachable"), 1);
  clock.advance(2s);  // 10 s after the first line
  EXPECT_TRUE(fault.failed({{"error", "connection refused"}}));
  EXPECT_EQ(captured.count("rpc.unreachable"), 2);
  EXPECT_NE(captured.text().find(R"("ongoing":true,"down_seconds":10.0,"failures":22)"), std::string::npos)
      << captured.text();
  clock.advance(5s);
  EXPECT_TRUE(fault.succeeded());
  EXPECT_FALSE(fault.succeeded());
  EXPECT_EQ(captured.count("rpc.recovered"), 1);
  EXPECT_NE(captured.text().find(
                R"("event":"rpc.recovered","message":"rpc recovered","rpc":"http://node:8545","down_seconds":15.0)"),
            std::string::npos)
      << captured.text();
  // A new fault starts over with a first line.
  EXPECT_TRUE(fault.failed({{"error", "timeout"}}));
  EXPECT_EQ(captured.count("rpc.unreachable"), 3);
}
