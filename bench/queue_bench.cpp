// Work-queue throughput: how many tokens per second one process moves through a stage
// (claim a batch, then complete each token with its own guarded UPDATE), on SQLite and on
// PostgreSQL, with 1 and 4 claiming threads. Prints tokens/s per configuration.
//   build/bench/queue_bench                                  SQLite only
//   GLISK_BENCH_POSTGRES_URL=$(scripts/pg-test-server start) build/bench/queue_bench   both
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "store/author_store.hpp"
#include "store/migrations.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

using namespace glisk;

namespace {

constexpr int kTokens = 2000;

std::string fresh_database(bool postgres) {
  static int n = 0;
  if (!postgres) {
    auto path = std::filesystem::temp_directory_path() /
                ("glisk_bench_" + std::to_string(getpid()) + "_" + std::to_string(++n) + ".db");
    return "sqlite://" + path.string();
  }
  const std::string server = std::getenv("GLISK_BENCH_POSTGRES_URL");
  const std::string schema = "bench_" + std::to_string(getpid()) + "_" + std::to_string(++n);
  auto admin = store::open_database(server, 1);
  store::in_transaction(*admin, store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    tx.exec("CREATE SCHEMA " + schema);
  });
  return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

void drain(benchmark::State& state, bool postgres) {
  const int batch = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    state.PauseTiming();
    auto db = store::open_database(fresh_database(postgres), threads + 1);
    clock::SystemClock clock;
    store::migrate(*db, clock.now());
    store::TokenStore tokens(*db, clock);
    auto author = store::AuthorStore(*db, clock).set_prompt("0xbench", "p");
    store::in_transaction(*db, store::TxMode::kWrite, [&](store::Transaction& tx) {
      const std::string now = "2026-01-01T00:00:00.000Z";
      for (int i = 1; i <= kTokens; ++i) {
        tx.exec(
            "INSERT INTO tokens_s0 (token_id, author_id, status, queued_at, created_at, updated_at) "
            "VALUES ($1, $2, 'detected', $3, $3, $3)",
            {int64_t{i}, author, now});
      }
    });
    queue::WakeBoard wake;
    state.ResumeTiming();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        store::TokenLifecycle q(*db, clock, wake, "bench-" + std::to_string(t), std::chrono::seconds(60));
        for (;;) {
          auto claims = q.claim(token::Stage::kImage, batch);
          if (claims.empty()) return;
          for (auto& c : claims) {
            if (!q.complete(token::Stage::kImage, c.token.token_id, c.lease, {.image_url = "x"})) std::abort();
          }
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  state.SetItemsProcessed(state.iterations() * kTokens);
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kTokens), benchmark::Counter::kIsRate);
}

void BM_QueueSqlite(benchmark::State& state) { drain(state, false); }
void BM_QueuePostgres(benchmark::State& state) {
  if (std::getenv("GLISK_BENCH_POSTGRES_URL") == nullptr) {
    state.SkipWithError("set GLISK_BENCH_POSTGRES_URL (scripts/pg-test-server start prints one)");
    return;
  }
  drain(state, true);
}

}  // namespace

BENCHMARK(BM_QueueSqlite)
    ->Args({10, 1})
    ->Args({10, 4})
    ->Args({50, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK(BM_QueuePostgres)
    ->Args({10, 1})
    ->Args({10, 4})
    ->Args({50, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK_MAIN();
