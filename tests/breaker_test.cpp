// A stage's breaker: a provider's outage stops the claiming, one probe per backoff step tests the
// provider, and it is said once when it opens, recalled each minute, and once when it closes.
#include "workers/breaker.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using workers::Breaker;
using workers::BreakerState;

namespace {

struct BreakerTest : ::testing::Test {
  glisk::testing::CapturedLog captured;
  clock::ManualClock clock;
  metrics::Registry registry;
  Breaker breaker{clock, captured.log, {}, "image", "replicate", &registry};

  clock::SteadyPoint now() const { return clock.steady_now(); }
  double open_gauge() {
    return registry.gauge("glisk_breaker_open", "", {"stage", "provider"}).value({"image", "replicate"});
  }
};

}  // namespace

TEST_F(BreakerTest, ClosedItAllowsEveryToken) {
  EXPECT_EQ(breaker.allowance(10).tokens, 10);
  EXPECT_EQ(breaker.view().state, BreakerState::kClosed);
  EXPECT_EQ(open_gauge(), 0);
}

TEST_F(BreakerTest, AnAccountFaultOpensItAtOnceAndSaysWhatToDo) {
  breaker.fault(now(), true, "Replicate refused the API token (401): check REPLICATE_API_TOKEN");
  const auto v = breaker.view();
  EXPECT_EQ(v.state, BreakerState::kOpen);
  EXPECT_EQ(v.next_probe, clock.now() + 1s);
  EXPECT_EQ(v.since, clock.now());
  EXPECT_EQ(breaker.allowance(10).tokens, 0);
  EXPECT_EQ(breaker.allowance(10).wait_until, clock.now() + 1s);
  EXPECT_EQ(captured.count("provider.breaker_opened"), 1);
  EXPECT_NE(captured.text().find("check REPLICATE_API_TOKEN"), std::string::npos) << captured.text();
  EXPECT_EQ(open_gauge(), 1);
}

TEST_F(BreakerTest, ServiceFaultsOpenItOnlyAfterThreeInARow) {
  breaker.fault(now(), false, "Replicate answered 503");
  breaker.fault(now(), false, "Replicate answered 503");
  breaker.answered(now());  // an answer in between: the run starts over
  breaker.fault(now(), false, "Replicate answered 503");
  breaker.fault(now(), false, "Replicate answered 503");
  EXPECT_EQ(breaker.view().state, BreakerState::kClosed);
  breaker.fault(now(), false, "Replicate answered 503");
  EXPECT_EQ(breaker.view().state, BreakerState::kOpen);
}

TEST_F(BreakerTest, OneProbePerStepTheWaitDoublingToAMinute) {
  breaker.fault(now(), true, "402: add credit");
  std::vector<int64_t> waits;
  for (int i = 0; i < 9; ++i) {
    const auto next = breaker.view().next_probe;
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(next - clock.now()).count());
    clock.advance(next - clock.now() - 1ms);
    EXPECT_EQ(breaker.allowance(10).tokens, 0) << "not before the step ends";
    clock.advance(1ms);
    const auto probe = breaker.allowance(10);
    ASSERT_EQ(probe.tokens, 1);
    EXPECT_TRUE(probe.probe);
    EXPECT_EQ(breaker.view().state, BreakerState::kProbing);
    EXPECT_EQ(breaker.allowance(10).tokens, 0) << "one probe at a time";
    breaker.fault(now(), true, "402: add credit");
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{1, 2, 4, 8, 16, 32, 60, 60, 60}));
  EXPECT_EQ(captured.count("provider.breaker_opened"), 5)
      << "at 0 s, then reminders at 63, 123, 183 and 243 s: " << captured.text();
  EXPECT_EQ(registry.counter("glisk_breaker_probes_total", "", {"stage", "provider", "result"})
                .value({"image", "replicate", "failed"}),
            9);
}

TEST_F(BreakerTest, AProbeTheProviderAnswersClosesItAndSaysSoOnce) {
  breaker.fault(now(), true, "401");
  clock.advance(1s);
  ASSERT_EQ(breaker.allowance(4).tokens, 1);
  breaker.answered(now());
  EXPECT_EQ(breaker.view().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.allowance(4).tokens, 4);
  EXPECT_EQ(captured.count("provider.breaker_closed"), 1);
  EXPECT_EQ(open_gauge(), 0);
}

TEST_F(BreakerTest, AnswersAndFaultsOfCallsMadeBeforeItOpenedProveNothing) {
  const auto before = now();
  clock.advance(10ms);
  breaker.fault(now(), true, "401");
  const auto opened = breaker.view();
  breaker.answered(before);  // on its way before the outage: does not close it
  EXPECT_EQ(breaker.view().state, BreakerState::kOpen);
  clock.advance(500ms);
  breaker.fault(before, true, "401");  // nor does it lengthen the wait
  EXPECT_EQ(breaker.view().next_probe, opened.next_probe);
}

TEST_F(BreakerTest, AProbeThatNeverReachedTheProviderLetsTheNextGoAtOnce) {
  breaker.fault(now(), true, "401");
  clock.advance(1s);
  ASSERT_EQ(breaker.allowance(4).tokens, 1);
  breaker.abandoned(now());  // our database failed under it
  EXPECT_EQ(breaker.allowance(4).tokens, 1);
  breaker.probe_unused();  // nothing was due
  EXPECT_EQ(breaker.allowance(4).tokens, 1);
}

TEST_F(BreakerTest, AnOutagesTokenComesBackWithTheNextProbe) {
  EXPECT_EQ(breaker.retry_at(2s), clock.now() + 2s);
  breaker.fault(now(), true, "401");
  EXPECT_EQ(breaker.retry_at(2s), clock.now() + 1s);
}
