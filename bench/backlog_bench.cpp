// The queue with a large backlog (issue 14): N tokens waiting (a million by default), how long a
// claim of WORKER_BATCH_SIZE holds the write lock, and how long the operator's `glisk status` and
// `glisk queues` take, alone and while the service claims without pause. The baseline in the same
// run, on the same database, is the claim statement glisk used before migration 6: one SELECT over
// both statuses ordered by COALESCE(next_attempt_at, queued_at), which sorts the whole due set.
//
//   build/bench/backlog_bench [--tokens N] [--claims N] [--batch B] [--backend sqlite|postgres|both]
//   PostgreSQL: GLISK_BENCH_POSTGRES_URL=$(scripts/pg-test-server start)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "clock/time_format.hpp"
#include "store/migrations.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

using namespace glisk;
using Steady = std::chrono::steady_clock;

namespace {

struct Options {
  int tokens = 1'000'000;
  int claims = 200;
  int batch = 10;
  std::string backend = "both";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--tokens")
      o.tokens = std::stoi(value);
    else if (flag == "--claims")
      o.claims = std::stoi(value);
    else if (flag == "--batch")
      o.batch = std::stoi(value);
    else if (flag == "--backend")
      o.backend = value;
    else
      throw std::invalid_argument("unknown option " + flag);
  }
  return o;
}

double ms_since(Steady::time_point t) { return std::chrono::duration<double, std::milli>(Steady::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())))];
}

std::string fresh_database(bool postgres) {
  if (!postgres) {
    auto path = std::filesystem::temp_directory_path() / ("glisk_backlog_" + std::to_string(getpid()) + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    return "sqlite://" + path.string();
  }
  const char* server = std::getenv("GLISK_BENCH_POSTGRES_URL");
  if (server == nullptr)
    throw std::runtime_error("set GLISK_BENCH_POSTGRES_URL (scripts/pg-test-server start prints one)");
  const std::string schema = "backlog_" + std::to_string(getpid());
  auto admin = store::open_database(server, 1);
  store::in_transaction(*admin, store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    tx.exec("CREATE SCHEMA " + schema);
  });
  const std::string url = server;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

void fill(store::Database& db, int tokens, const std::string& now) {
  const bool pg = db.dialect() == store::Dialect::kPostgres;
  store::in_transaction(db, store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec(
        "INSERT INTO authors (wallet_address, prompt_text) VALUES ('0x00000000000000000000000000000000000000a1', 'p')");
  });
  constexpr int kChunk = 100'000;
  for (int first = 1; first <= tokens; first += kChunk) {
    const int last = std::min(tokens, first + kChunk - 1);
    store::in_transaction(db, store::TxMode::kWrite, [&](store::Transaction& tx) {
      const std::string numbers =
          pg ? "SELECT generate_series($2::bigint, $3::bigint) AS n"
             : "WITH RECURSIVE s(n) AS (SELECT $2 UNION ALL SELECT n + 1 FROM s WHERE n < $3) SELECT n FROM s";
      tx.exec(
          "INSERT INTO tokens_s0 (token_id, author_id, status, queued_at, created_at, updated_at) "
          "SELECT n, (SELECT MIN(id) FROM authors), 'detected', $1, $1, $1 FROM (" +
              numbers + ") AS numbers",
          {now, int64_t{first}, int64_t{last}});
    });
  }
  store::in_transaction(db, store::TxMode::kWrite, [](store::Transaction& tx) { tx.exec("ANALYZE"); });
}

// The wall time of `glisk <command>` against `url`, in ms; -1 when it failed.
double cli_ms(const std::string& command, const std::string& url) {
  std::fflush(nullptr);  // or the child would write our buffered lines again
  const auto began = Steady::now();
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("DATABASE_URL", url.c_str(), 1);
    setenv("LOG_LEVEL", "error", 1);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(127);
    execl(GLISK_BINARY, GLISK_BINARY, command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms_since(began) : -1;
}

double median_cli_ms(const std::string& command, const std::string& url, int runs = 5) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) times.push_back(cli_ms(command, url));
  return percentile(times, 50);
}

void run(const std::string& backend, const Options& o) {
  const bool pg = backend == "postgres";
  const std::string url = fresh_database(pg);
  auto db = store::open_database(url, 4);
  clock::SystemClock clock;
  store::migrate(*db, clock.now());
  const std::string now = clock::format_time(clock.now() - std::chrono::seconds(1));
  auto began = Steady::now();
  fill(*db, o.tokens, now);
  std::printf("\n%s: %d tokens detected in %.1f s\n", backend.c_str(), o.tokens, ms_since(began) / 1000.0);

  queue::WakeBoard wake;
  store::TokenLifecycle queue(*db, clock, wake, "bench", std::chrono::seconds(600));
  std::vector<double> claim_ms;
  for (int i = 0; i < o.claims; ++i) {
    began = Steady::now();
    const auto claims = queue.claim(token::Stage::kImage, o.batch);
    claim_ms.push_back(ms_since(began));
    if (claims.size() != static_cast<size_t>(o.batch)) throw std::runtime_error("a claim came back short");
  }
  // The statement before migration 6, in a write transaction as a claim ran it, rolled back.
  const std::string old_claim =
      "SELECT token_id, locked_by FROM tokens_s0 WHERE status IN ($1, $2) AND (locked_until IS NULL OR locked_until < "
      "$3) "
      "AND (next_attempt_at IS NULL OR next_attempt_at <= $3) ORDER BY COALESCE(next_attempt_at, queued_at), token_id "
      "LIMIT $4" +
      std::string(pg ? " FOR UPDATE SKIP LOCKED" : "");
  std::vector<double> old_ms;
  for (int i = 0; i < std::max(3, o.claims / 20); ++i) {
    began = Steady::now();
    auto tx = db->begin(store::TxMode::kWrite);
    tx->exec(old_claim,
             {std::string("generating"), std::string("detected"), clock::format_time(clock.now()), int64_t{o.batch}});
    tx.reset();  // rolled back
    old_ms.push_back(ms_since(began));
  }
  std::printf("  claim of %d (write lock held)     p50 %8.2f ms   p95 %8.2f ms   max %8.2f ms   (%d claims)\n", o.batch,
              percentile(claim_ms, 50), percentile(claim_ms, 95), percentile(claim_ms, 100), o.claims);
  std::printf("  baseline: the pre-6 claim query   p50 %8.2f ms   p95 %8.2f ms   (%zu runs, same database)\n",
              percentile(old_ms, 50), percentile(old_ms, 95), old_ms.size());

  std::printf("  glisk status                      %8.1f ms (median of 5)\n", median_cli_ms("status", url));
  std::printf("  glisk queues                      %8.1f ms (median of 5)\n", median_cli_ms("queues", url));
  // The operator's commands while the service claims without pause.
  std::atomic<bool> stop{false};
  std::atomic<int> claimed{0};
  std::thread claimer([&] {
    store::TokenLifecycle busy(*db, clock, wake, "busy", std::chrono::seconds(600));
    while (!stop) claimed += static_cast<int>(busy.claim(token::Stage::kImage, o.batch).size());
  });
  const double status_busy = median_cli_ms("status", url);
  stop = true;
  claimer.join();
  std::printf("  glisk status while claiming       %8.1f ms (median of 5; %d tokens claimed meanwhile)%s\n",
              status_busy, claimed.load(), status_busy < 0 ? "  FAILED" : "");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    std::printf("backlog_bench: %d tokens waiting, claims of %d; host %s, %u cores\n", o.tokens, o.batch,
                std::getenv("HOSTNAME") ? std::getenv("HOSTNAME") : "?", std::thread::hardware_concurrency());
    if (o.backend == "sqlite" || o.backend == "both") run("sqlite", o);
    if (o.backend == "postgres" || o.backend == "both") run("postgres", o);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "backlog_bench: %s\n", e.what());
    return 1;
  }
}
