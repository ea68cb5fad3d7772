// The metrics registry and its text format, checked by a strict parser; and the measurements the
// stage worker and the supervisor make through it.
#include <gtest/gtest.h>

#include <thread>

#include "metrics/registry.hpp"
#include "prometheus_text.hpp"
#include "test_support.hpp"
#include "workers/stage_worker.hpp"
#include "workers/supervisor.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::parse_prometheus_text;

TEST(MetricsRegistry, RendersCountersGaugesAndHistogramsInTheTextFormat) {
  metrics::Registry registry;
  auto& errors = registry.counter("glisk_provider_errors_total", "provider errors", {"provider", "class"});
  errors.inc({"replicate", "transient"});
  errors.inc({"replicate", "transient"}, 2);
  errors.inc({"pinata", "permanent"});
  registry.gauge("glisk_tokens", "tokens per status", {"status"}).set({"ready"}, 4);
  auto& duration = registry.histogram("glisk_stage_duration_seconds", "stage time", {"stage"}, {0.1, 1, 10});
  duration.observe({"image"}, 0.05);
  duration.observe({"image"}, 0.5);
  duration.observe({"image"}, 50);
  const std::string text = registry.render();
  auto families = parse_prometheus_text(text);
  EXPECT_EQ(families["glisk_provider_errors_total"].type, "counter");
  EXPECT_EQ(families["glisk_provider_errors_total"].value({{"provider", "replicate"}, {"class", "transient"}}), 3);
  EXPECT_EQ(families["glisk_tokens"].value({{"status", "ready"}}), 4);
  const auto& h = families["glisk_stage_duration_seconds"];
  EXPECT_EQ(h.type, "histogram");
  EXPECT_EQ(h.value({{"stage", "image"}, {"le", "0.1"}}), 1);
  EXPECT_EQ(h.value({{"stage", "image"}, {"le", "1"}}), 2);
  EXPECT_EQ(h.value({{"stage", "image"}, {"le", "10"}}), 2);
  EXPECT_EQ(h.value({{"stage", "image"}, {"le", "+Inf"}}), 3);
  EXPECT_EQ(h.value({{"stage", "image"}}, "glisk_stage_duration_seconds_count"), 3);
  EXPECT_DOUBLE_EQ(h.value({{"stage", "image"}}, "glisk_stage_duration_seconds_sum"), 50.55);
  EXPECT_NE(text.find("# TYPE glisk_stage_duration_seconds histogram\n"), std::string::npos);
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  metrics::Registry registry;
  registry.counter("glisk_odd_total", "help with \\ and\nnewline", {"what"}).inc({"a \"quoted\" \\ value\nnext"});
  const std::string text = registry.render();
  EXPECT_NE(text.find(R"(glisk_odd_total{what="a \"quoted\" \\ value\nnext"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP glisk_odd_total help with \\\\ and\\nnewline\n"), std::string::npos) << text;
  auto families = parse_prometheus_text(text);
  EXPECT_EQ(families["glisk_odd_total"].samples.at(0).labels.at("what"), "a \"quoted\" \\ value\nnext");
}

TEST(MetricsRegistry, SameNameSameFamilyAndMistakesAreRefused) {
  metrics::Registry registry;
  auto& a = registry.counter("glisk_x_total", "x", {"stage"});
  auto& b = registry.counter("glisk_x_total", "x", {"stage"});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(registry.gauge("glisk_x_total", "x", {"stage"}), std::logic_error);
  EXPECT_THROW(registry.counter("glisk_x_total", "x", {"other"}), std::logic_error);
  EXPECT_THROW(registry.counter("bad-name", "x"), std::logic_error);
  EXPECT_THROW(registry.counter("glisk_y_total", "x", {"__reserved"}), std::logic_error);
  EXPECT_THROW(registry.histogram("glisk_h", "x", {"le"}), std::logic_error);
  EXPECT_THROW(a.inc({}), std::invalid_argument);
  EXPECT_THROW(a.inc({"image"}, -1), std::invalid_argument);
}

TEST(MetricsRegistry, CollectorsRunAtScrapeAndAFailingOneIsCountedNotFatal) {
  metrics::Registry registry;
  auto& g = registry.gauge("glisk_depth", "depth");
  int scrapes = 0;
  registry.add_collector([&] { g.set(++scrapes); });
  registry.add_collector([] { throw std::runtime_error("database down"); });
  registry.render();
  auto families = parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_depth"].value(), 2);
  EXPECT_EQ(families["glisk_metrics_collector_errors_total"].value(), 2);
}

TEST(MetricsRegistry, ConcurrentUpdatesAreAllCounted) {
  metrics::Registry registry;
  auto& c = registry.counter("glisk_c_total", "c", {"t"});
  auto& h = registry.histogram("glisk_h_seconds", "h", {});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        c.inc({"x"});
        h.observe({}, 0.01);
        if (i % 100 == 0) registry.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value({"x"}), 4000);
  EXPECT_EQ(h.count(), 4000u);
  parse_prometheus_text(registry.render());
}

TEST(PrometheusTextParser, RefusesWhatPrometheusWouldRefuse) {
  using glisk::testing::parse_prometheus_text;
  EXPECT_NO_THROW(parse_prometheus_text("# HELP a_total x\n# TYPE a_total counter\na_total{b=\"c\"} 1\n"));
  for (const char* bad : {
           "a_total 1",                              // no final newline
           "# TYPE a counter\na -1\n",               // negative counter
           "a{b=c} 1\n",                             // unquoted value
           "a{1b=\"c\"} 1\n",                        // bad label name
           "a{b=\"\\x\"} 1\n",                       // bad escape
           "a one\n",                                // bad value
           "# TYPE a gauge\n# TYPE a gauge\na 1\n",  // second TYPE
           "# TYPE a gauge\na 1\nb 1\na 2\n",        // not contiguous
           "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",  // not cumulative
           "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n",  // +Inf != count
           "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n",                           // no +Inf
       }) {
    EXPECT_THROW(parse_prometheus_text(bad), std::runtime_error) << bad;
  }
}

namespace {

// Fails its first attempt (transient), then succeeds with the fallback prompt once.
class FlakyProcessor : public workers::TokenProcessor {
 public:
  workers::StageOutcome process(const store::Claim& claim, store::TokenLifecycle&, std::stop_token) override {
    if (claim.token.generation_attempts == 0) throw errors::TransientError("replicate: 503");
    return {store::TokenPatch{.image_url = "https://x/1.png"}, log::Fields{{"fallback_prompt", true}}};
  }
};

}  // namespace

TEST(StageWorkerMetrics, AttemptsAreTimedAndErrorsCountedByProviderAndClass) {
  glisk::testing::TestDatabase tdb(glisk::testing::Backend::kSqlite);
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens(tdb.db(), clock);
  store::TokenLifecycle queue(tdb.db(), clock, wake, "i", 60s);
  glisk::testing::CapturedLog captured;
  metrics::Registry registry;
  FlakyProcessor processor;
  workers::WorkerOptions options;
  options.metrics = &registry;
  options.provider = "replicate";
  options.backoff = {0ms, 0ms};
  workers::StageWorker worker(token::Stage::kImage, queue, wake, processor, clock, captured.log, options,
                              [] { return 0.0; });
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  EXPECT_EQ(worker.step(), 1u);
  clock.advance(1s);
  EXPECT_EQ(worker.step(), 1u);
  auto families = parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_provider_errors_total"].value({{"provider", "replicate"}, {"class", "transient"}}), 1);
  EXPECT_EQ(families["glisk_provider_errors_total"].value({{"provider", "replicate"}, {"class", "content_policy"}}), 1);
  EXPECT_EQ(families["glisk_stage_retries_total"].value({{"stage", "image"}}), 1);
  EXPECT_EQ(families["glisk_stage_duration_seconds"].value({{"stage", "image"}, {"outcome", "succeeded"}},
                                                           "glisk_stage_duration_seconds_count"),
            1);
}

TEST(SupervisorMetrics, RestartsAreCountedPerWorker) {
  glisk::testing::CapturedLog captured;
  metrics::Registry registry;
  {
    clock::SystemClock clock;
    workers::Supervisor supervisor(captured.log, clock, 1ms, &registry);
    std::atomic<int> runs{0};
    supervisor.start("crasher", [&](std::stop_token stop) {
      if (++runs < 3) throw std::runtime_error("boom");
      while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
    });
    for (int i = 0; i < 2000 && runs < 3; ++i) std::this_thread::sleep_for(1ms);
    EXPECT_TRUE(supervisor.stop(5s));
  }
  auto families = parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_worker_restarts_total"].value({{"worker", "crasher"}}), 2);
}

// The naming check the served /metrics goes through (tests/process_test.cpp) finds what it says.
TEST(MetricsNaming, TheConventionsCheckFindsEachKindOfMistake) {
  glisk::metrics::Registry registry;
  registry.counter("glisk_things", "things done");             // a counter without _total
  registry.gauge("glisk_queue_total", "tokens waiting");       // a gauge with _total
  registry.gauge("glisk_wait_milliseconds", "how long");       // not a base unit
  registry.counter("other_requests_total", "requests").inc();  // outside glisk_/process_
  auto& outcomes = registry.counter("glisk_moves_total", "moves, by outcome: done | failed", {"outcome"});
  outcomes.inc({"done"});
  outcomes.inc({"lost"});  // a class the HELP does not list
  registry.counter("glisk_fine_total", "fine, by outcome: done | failed", {"outcome"}).inc({"failed"});
  const auto problems = glisk::testing::naming_problems(glisk::testing::parse_prometheus_text(registry.render()));
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("glisk_things: a counter whose name does not end in _total"), std::string::npos) << all;
  EXPECT_NE(all.find("glisk_queue_total: a gauge whose name ends in _total"), std::string::npos) << all;
  EXPECT_NE(all.find("glisk_wait_milliseconds: not in base units"), std::string::npos) << all;
  EXPECT_NE(all.find("other_requests_total: not under glisk_ or process_"), std::string::npos) << all;
  EXPECT_NE(all.find("glisk_moves_total: HELP lists the outcome classes but not 'lost'"), std::string::npos) << all;
  EXPECT_EQ(all.find("glisk_fine_total"), std::string::npos) << all;
  EXPECT_EQ(all.find("glisk_metrics_collector_errors_total"), std::string::npos) << all;
}
