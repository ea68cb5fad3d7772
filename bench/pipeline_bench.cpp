// End-to-end pipeline benchmark: N tokens from `detected` to `revealed` through `glisk serve`
// (a separate process, as in production) with the fake Replicate and Pinata servers (configurable
// image latency) and a real anvil with the project's contract; on SQLite or PostgreSQL.
// Prints per-stage and end-to-end tokens/s, p50/p95 detected → revealed, gas per revealed token,
// and the service's CPU seconds and peak RSS (from /proc).
// Then the seed's schedule as a baseline, in process against the same fakes with the same
// processors and a fresh anvil and contract: for the image and IPFS stages, claim
// WORKER_BATCH_SIZE, process the batch concurrently, wait for the whole batch, sleep
// POLL_INTERVAL_SECONDS; for the reveal, batches of up to 50 once the oldest ready token has
// waited BATCH_REVEAL_WAIT_SECONDS (--seed-reveal-wait, the seed's default 5 s), looked for every
// POLL_INTERVAL_SECONDS with nothing to wake the loop sooner. Prints both ratios.
//
//   build/bench/pipeline_bench [--tokens N] [--backend sqlite|postgres] [--image-ms M]
//                              [--jitter-ms J] [--pin-ms P] [--batch B] [--reveal-wait S] [--poll S] [--rate R]
//                              [--seed-reveal-wait S] [--no-baseline] [--webhooks]
//   --rate R: tokens arrive at R per second instead of all at once (for latency figures).
//   --webhooks: REPLICATE_WEBHOOK_URL set; the fake Replicate delivers each prediction's end.
//   --pinata-per-minute N: PINATA_REQUESTS_PER_MINUTE (default 0: no budget, as the fake has no
//   limit; the service's default of 180 allows 1.5 tokens/s, two pins a token).
//   PostgreSQL: GLISK_BENCH_POSTGRES_URL=$(scripts/pg-test-server start)
//   Idle: --idle S measures an idle service's CPU and RSS over S seconds instead.

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "clock/time_format.hpp"
#include "eth/address.hpp"
#include "eth/signer.hpp"
#include "fakes/fake_pinata.hpp"
#include "fakes/fake_replicate.hpp"
#include "image/replicate_provider.hpp"
#include "ipfs/pinata_pinner.hpp"
#include "log/event_log.hpp"
#include "ports.hpp"
#include "reveal/keeper.hpp"
#include "reveal/reveal_worker.hpp"
#include "reveal/sender_lease.hpp"
#include "store/author_store.hpp"
#include "store/migrations.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"
#include "subprocess.hpp"
#include "workers/image_generation.hpp"
#include "workers/ipfs_upload.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kAuthor = "0x00000000000000000000000000000000000000a1";

struct Options {
  int tokens = 1000;
  std::string backend = "sqlite";
  int image_ms = 0;
  int jitter_ms = 0;
  int pin_ms = 0;
  int batch = 10;
  double reveal_wait = 0;
  double seed_reveal_wait = 5;  // BATCH_REVEAL_WAIT_SECONDS of the seed's .env.example
  double poll = 1.0;
  bool baseline = true;
  int idle_seconds = 0;
  double rate = 0;  // tokens detected per second; 0: all at once
  bool webhooks = false;
  int pinata_per_minute = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--tokens")
      o.tokens = std::stoi(next());
    else if (a == "--backend")
      o.backend = next();
    else if (a == "--image-ms")
      o.image_ms = std::stoi(next());
    else if (a == "--jitter-ms")
      o.jitter_ms = std::stoi(next());
    else if (a == "--pin-ms")
      o.pin_ms = std::stoi(next());
    else if (a == "--batch")
      o.batch = std::stoi(next());
    else if (a == "--reveal-wait")
      o.reveal_wait = std::stod(next());
    else if (a == "--poll")
      o.poll = std::stod(next());
    else if (a == "--seed-reveal-wait")
      o.seed_reveal_wait = std::stod(next());
    else if (a == "--no-baseline")
      o.baseline = false;
    else if (a == "--idle")
      o.idle_seconds = std::stoi(next());
    else if (a == "--rate")
      o.rate = std::stod(next());
    else if (a == "--webhooks")
      o.webhooks = true;
    else if (a == "--pinata-per-minute")
      o.pinata_per_minute = std::stoi(next());
    else
      throw std::invalid_argument("unknown option " + a + " (see the comment at the top of bench/pipeline_bench.cpp)");
  }
  if (o.backend != "sqlite" && o.backend != "postgres") throw std::invalid_argument("--backend sqlite|postgres");
  return o;
}

std::string fresh_database(const std::string& backend, const std::string& name) {
  if (backend == "sqlite") {
    auto path =
        std::filesystem::temp_directory_path() / ("glisk_pipeline_" + std::to_string(getpid()) + "_" + name + ".db");
    std::filesystem::remove(path);
    return "sqlite://" + path.string();
  }
  const char* server_env = std::getenv("GLISK_BENCH_POSTGRES_URL");
  if (server_env == nullptr) throw std::runtime_error("set GLISK_BENCH_POSTGRES_URL=$(scripts/pg-test-server start)");
  const std::string server = server_env;
  const std::string schema = "pipeline_" + std::to_string(getpid()) + "_" + name;
  auto admin = store::open_database(server, 1);
  store::in_transaction(*admin, store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    tx.exec("CREATE SCHEMA " + schema);
  });
  return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

// Tokens first..last as the watcher would create them (detected, now), waking the image stage as
// a watcher in another instance does (PostgreSQL NOTIFY; SQLite has none, so the service finds
// them at its next poll, which in production the in-process watcher's wake-up avoids).
void insert_detected(store::Database& db, int first, int last) {
  clock::SystemClock clock;
  store::TokenStore store(db, clock);
  auto author = store::AuthorStore(db, clock).set_prompt(kAuthor, "a lighthouse at dusk, oil painting");
  const std::string now = clock::format_time(clock.now());
  store::in_transaction(db, store::TxMode::kWrite, [&](store::Transaction& tx) {
    for (int id = first; id <= last; ++id) {
      tx.exec(
          "INSERT INTO tokens_s0 (token_id, author_id, status, queued_at, created_at, updated_at) "
          "VALUES ($1, $2, 'detected', $3, $3, $3)",
          {int64_t{id}, author, now});
    }
    db.notify_on_commit(tx, store::kWakeChannel, token::to_string(token::Stage::kImage));
  });
}
void insert_detected(store::Database& db, int tokens) { insert_detected(db, 1, tokens); }

std::map<std::string, int64_t> counts(store::Database& db) {
  auto r = store::in_transaction(db, store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT status, COUNT(*) FROM tokens_s0 GROUP BY status");
  });
  std::map<std::string, int64_t> out;
  for (const auto& row : r.rows) out[row[0].value()] = std::stoll(row[1].value());
  return out;
}

struct ProcessUsage {
  double cpu_seconds = 0;
  double peak_rss_mb = 0;
};

ProcessUsage usage_of(pid_t pid) {
  ProcessUsage u;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    std::vector<std::string> v;
    while (fields >> f) v.push_back(f);
    if (v.size() > 12)
      u.cpu_seconds = (std::stod(v[11]) + std::stod(v[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) u.peak_rss_mb = std::stod(line.substr(6)) / 1024.0;
  }
  return u;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())))];
}

struct Chain {
  std::unique_ptr<testing::Anvil> anvil;
  std::unique_ptr<chain::RpcClient> rpc;
  std::string contract;
};

Chain start_chain(const net::HttpClient& http, int tokens) {
  testing::compile_contracts();
  Chain c;
  c.anvil = std::make_unique<testing::Anvil>(std::vector<std::string>{"--gas-limit", "100000000"});
  c.rpc = std::make_unique<chain::RpcClient>(http, c.anvil->url());
  c.contract = eth::Address::parse(testing::deploy_glisk_nft(*c.rpc)).to_checksum();
  for (int minted = 0; minted < tokens; minted += 500) {
    testing::mint(*c.rpc, c.contract, testing::kAnvilAccount1, kAuthor, std::min(500, tokens - minted));
  }
  return c;
}

std::map<std::string, std::string> service_env(const Options& o, const std::string& db_url,
                                               const testing::FakeReplicate& r, const testing::FakePinata& p,
                                               const Chain& chain, const std::string& dir) {
  std::map<std::string, std::string> env = {{"DATABASE_URL", db_url},
                                            {"PORT", "0"},
                                            {"LOG_FORMAT", "json"},
                                            {"LOG_LEVEL", "warning"},
                                            {"IMAGE_PROVIDER", "replicate"},
                                            {"REPLICATE_API_URL", r.url()},
                                            {"REPLICATE_API_TOKEN", testing::FakeReplicate::kToken},
                                            {"IPFS_PROVIDER", "pinata"},
                                            {"PINATA_API_URL", p.url()},
                                            {"PINATA_JWT", testing::FakePinata::kJwt},
                                            {"RPC_URL", chain.anvil->url()},
                                            {"GLISK_NFT_CONTRACT_ADDRESS", chain.contract},
                                            {"KEEPER_PRIVATE_KEY", testing::kAnvilKey0},
                                            {"MINT_WATCHER", "off"},
                                            {"WORKER_BATCH_SIZE", std::to_string(o.batch)},
                                            {"POLL_INTERVAL_SECONDS", std::to_string(o.poll)},
                                            {"BATCH_REVEAL_WAIT_SECONDS", std::to_string(o.reveal_wait)},
                                            {"DATABASE_POOL_SIZE", std::to_string(std::max(8, o.batch + 4))},
                                            {"DATA_DIR", dir},
                                            {"PINATA_REQUESTS_PER_MINUTE", std::to_string(o.pinata_per_minute)}};
  if (o.webhooks) {
    // Replicate needs the URL before the service starts: a port chosen now.
    const int port = testing::unused_loopback_port();
    env["PORT"] = std::to_string(port);
    env["REPLICATE_WEBHOOK_URL"] = "http://127.0.0.1:" + std::to_string(port);
  }
  return env;
}

// What the confirmed reveals cost: their count and their gas.
struct RevealCost {
  int64_t transactions = 0;
  double gas = 0;
};

RevealCost reveal_cost(store::Database& db) {
  auto r = store::in_transaction(db, store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT COALESCE(SUM(gas_used), 0), COUNT(*) FROM reveal_transactions WHERE status = 'confirmed'");
  });
  return {std::stoll(r.rows[0][1].value_or("0")), std::stod(r.rows[0][0].value_or("0"))};
}

struct Throughput {
  double image_ipfs = 0;  // tokens/s until every token was ready
  double end_to_end = 0;  // tokens/s until every token was revealed
};

// The service, from `detected` to `revealed`.
Throughput run_glisk(const Options& o, const testing::FakeReplicate& replicate, const testing::FakePinata& pinata) {
  net::HttpClient http;
  Chain chain = start_chain(http, o.tokens);
  const std::string url = fresh_database(o.backend, "glisk");
  auto db = store::open_database(url, 2);
  store::migrate(*db, std::chrono::system_clock::now());
  if (o.rate <= 0) insert_detected(*db, o.tokens);
  const auto dir = std::filesystem::temp_directory_path() / ("glisk_pipeline_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "service.log").string();

  const auto t0 = Clock::now();
  testing::Subprocess service({"/bin/sh", "-c", "exec \"$0\" serve 2>>\"$1\"", GLISK_BINARY, log},
                              service_env(o, url, replicate, pinata, chain, dir.string()), dir.string());
  // With a rate, tokens arrive one by one as mints would; the detected → revealed times then
  // show the pipeline's latency rather than the queue's length.
  std::jthread arrivals;
  if (o.rate > 0) {
    arrivals = std::jthread([&](std::stop_token stop) {
      auto arrival_db = store::open_database(url, 1);
      for (int id = 1; id <= o.tokens && !stop.stop_requested(); ++id) {
        insert_detected(*arrival_db, id, id);
        std::this_thread::sleep_until(t0 + std::chrono::microseconds(static_cast<int64_t>(id * 1e6 / o.rate)));
      }
    });
  }
  std::optional<double> images_done, uploads_done, reveals_done;
  const auto deadline = t0 + std::chrono::seconds(120 + o.tokens / 5 + o.tokens * std::max(o.image_ms, 1) / 1000 +
                                                  (o.rate > 0 ? static_cast<int>(o.tokens / o.rate) : 0));
  while (!reveals_done && Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    auto c = counts(*db);
    const double t = std::chrono::duration<double>(Clock::now() - t0).count();
    const int64_t past_image = c["uploading"] + c["ready"] + c["revealed"];
    if (!images_done && past_image >= o.tokens) images_done = t;
    if (!uploads_done && c["ready"] + c["revealed"] >= o.tokens) uploads_done = t;
    if (c["revealed"] >= o.tokens) reveals_done = t;
    if (c["failed"] > 0) {
      std::cerr << "pipeline: " << c["failed"] << " tokens failed; see " << log << "\n";
      break;
    }
  }
  const ProcessUsage usage = usage_of(service.pid());
  service.signal(SIGTERM);
  service.wait(30s);
  if (!reveals_done) {
    std::cerr << "pipeline: not every token was revealed in time; see " << log << "\n";
    return {};
  }

  // detected → revealed per token, from the rows' own times.
  auto r = store::in_transaction(*db, store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT created_at, updated_at FROM tokens_s0 WHERE status = 'revealed'");
  });
  std::vector<double> latencies;
  for (const auto& row : r.rows) {
    auto a = clock::parse_time(row[0].value()), b = clock::parse_time(row[1].value());
    if (a && b) latencies.push_back(std::chrono::duration<double>(*b - *a).count());
  }
  const RevealCost cost = reveal_cost(*db);
  const double n = o.tokens;
  std::printf(
      "glisk serve (%s, batch %d, image %d±%d ms, pin %d ms, reveal wait %.1f s%s, %s pins/min), %d tokens %s:\n",
      o.backend.c_str(), o.batch, o.image_ms, o.jitter_ms, o.pin_ms, o.reveal_wait,
      o.webhooks ? ", Replicate webhooks" : "",
      o.pinata_per_minute > 0 ? std::to_string(o.pinata_per_minute).c_str() : "unlimited", o.tokens,
      o.rate > 0 ? ("arriving at " + std::to_string(o.rate).substr(0, 4) + "/s").c_str() : "detected at once");
  std::printf("  image stage        %8.1f tokens/s   (all past it after %.2f s)\n", n / *images_done, *images_done);
  std::printf("  image + IPFS       %8.1f tokens/s   (all ready after %.2f s)\n", n / *uploads_done, *uploads_done);
  std::printf("  end to end         %8.1f tokens/s   (all revealed after %.2f s)\n", n / *reveals_done, *reveals_done);
  std::printf("  detected→revealed  p50 %.2f s, p95 %.2f s\n", percentile(latencies, 50), percentile(latencies, 95));
  std::printf("  reveal             %lld transactions, %.0f gas per revealed token\n",
              static_cast<long long>(cost.transactions), cost.gas / n);
  std::printf("  service            %.2f CPU seconds, peak RSS %.1f MB\n", usage.cpu_seconds, usage.peak_rss_mb);
  std::printf("  replicate          %d predictions, %.2f polls per prediction; pinata %d pins\n", replicate.creates(),
              replicate.creates() > 0 ? static_cast<double>(replicate.gets()) / replicate.creates() : 0.0,
              pinata.requests());
  std::filesystem::remove_all(dir);
  return {n / *uploads_done, n / *reveals_done};
}

// The seed's schedule, in process: for the image and IPFS stages claim a batch, run it
// concurrently, wait for all of it, sleep the poll interval; reveal with the seed's batch wait,
// looking every poll interval.
Throughput run_seed_schedule(const Options& o, testing::FakeReplicate& replicate, testing::FakePinata& pinata) {
  net::HttpClient chain_http;
  Chain chain = start_chain(chain_http, o.tokens);  // its own contract: the glisk run revealed the first one's tokens
  const std::string url = fresh_database(o.backend, "seed");
  auto db = store::open_database(url, std::max(8, o.batch + 4));
  clock::SystemClock clock;
  store::migrate(*db, clock.now());
  insert_detected(*db, o.tokens);
  std::ostringstream sink;
  log::EventLog log(log::Format::kJson, log::Level::kError, sink);
  queue::WakeBoard wake;
  store::TokenLifecycle queue(*db, clock, wake, "seed-baseline", 600s);
  store::TokenStore tokens(*db, clock);
  store::AuthorStore authors(*db, clock);
  net::HttpClient http;
  image::ReplicateOptions ro;
  ro.api_url = replicate.url();
  ro.api_token = testing::FakeReplicate::kToken;
  image::ReplicateProvider provider(http, ro);
  workers::ImageGenerationProcessor image(authors, provider, log, {});
  ipfs::PinataPinner pinner(http, {pinata.url(), testing::FakePinata::kJwt});
  workers::IpfsUploadProcessor upload(authors, http, pinner, log, {});
  auto poll = std::chrono::milliseconds(static_cast<int64_t>(o.poll * 1000));

  auto stage_loop = [&](token::Stage stage, workers::TokenProcessor& processor, std::stop_token stop) {
    while (!stop.stop_requested()) {
      auto claims = queue.claim(stage, o.batch);
      std::vector<std::future<void>> running;
      for (const auto& c : claims) {
        running.push_back(std::async(std::launch::async, [&, c] {
          try {
            auto outcome = processor.process(c, queue, stop);
            (void)queue.complete(stage, c.token.token_id, c.lease, outcome.patch);  // the baseline holds its leases
          } catch (const std::exception&) {
            (void)queue.release(stage, c.token.token_id, c.lease);
          }
        }));
      }
      for (auto& f : running) f.wait();  // the whole batch, as the seed's asyncio.gather
      std::this_thread::sleep_for(poll);
    }
  };
  // The reveal: the same batching rule as glisk's reveal worker (up to 50, once the oldest has
  // waited the batch wait), but nothing wakes it: it looks every poll interval, as the seed does.
  store::RevealJournal journal(*db, clock, "seed-baseline");
  const auto key = eth::PrivateKey::from_hex(testing::kAnvilKey0);
  reveal::SenderLease sender_lease(*db, clock, key.address().to_checksum(), "seed-baseline", 600s);
  reveal::KeeperOptions keeper_options;
  keeper_options.contract = chain.contract;
  reveal::Keeper keeper(*chain.rpc, journal, key, chain.rpc->chain_id(), clock, log, keeper_options);
  reveal::RevealOptions reveal_options;
  reveal_options.contract = chain.contract;
  reveal_options.batch_wait = std::chrono::milliseconds(static_cast<int64_t>(o.seed_reveal_wait * 1000));
  reveal_options.poll_interval = poll;
  reveal_options.receipt_poll = std::min(poll, std::chrono::milliseconds(1000));
  queue::WakeBoard never_woken;
  reveal::RevealWorker reveal_worker(queue, never_woken, tokens, journal, sender_lease, keeper, *chain.rpc, clock, log,
                                     reveal_options);

  const auto t0 = Clock::now();
  std::jthread image_worker([&](std::stop_token s) { stage_loop(token::Stage::kImage, image, s); });
  std::jthread upload_worker([&](std::stop_token s) { stage_loop(token::Stage::kIpfs, upload, s); });
  std::jthread reveal_thread([&](std::stop_token s) { reveal_worker.run(s); });
  double ready = 0, revealed = 0;
  while (Clock::now() - t0 < std::chrono::seconds(120 + o.tokens / 5 + o.tokens * std::max(o.image_ms, 1) / 100)) {
    std::this_thread::sleep_for(50ms);
    auto c = counts(*db);
    const double t = std::chrono::duration<double>(Clock::now() - t0).count();
    if (ready == 0 && c["ready"] + c["revealed"] >= o.tokens) ready = t;
    if (c["revealed"] >= o.tokens) {
      revealed = t;
      break;
    }
  }
  image_worker.request_stop();
  upload_worker.request_stop();
  reveal_thread.request_stop();
  if (revealed == 0) {
    std::printf("seed schedule: did not finish\n");
    return {};
  }
  const RevealCost cost = reveal_cost(*db);
  std::printf(
      "seed schedule (batch %d, poll %.1f s, reveal wait %.1f s): image + IPFS %.1f tokens/s (all ready after "
      "%.2f s), end to end %.1f tokens/s (all revealed after %.2f s); %lld transactions, %.0f gas per token\n",
      o.batch, o.poll, o.seed_reveal_wait, o.tokens / ready, ready, o.tokens / revealed, revealed,
      static_cast<long long>(cost.transactions), cost.gas / o.tokens);
  return {o.tokens / ready, o.tokens / revealed};
}

void run_idle(const Options& o, const testing::FakeReplicate& replicate, const testing::FakePinata& pinata) {
  net::HttpClient http;
  Chain chain = start_chain(http, 0);
  const std::string url = fresh_database(o.backend, "idle");
  const auto dir = std::filesystem::temp_directory_path() / ("glisk_pipeline_idle_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  testing::Subprocess service(
      {"/bin/sh", "-c", "exec \"$0\" serve 2>>\"$1\"", GLISK_BINARY, (dir / "service.log").string()},
      service_env(o, url, replicate, pinata, chain, dir.string()), dir.string());
  std::this_thread::sleep_for(3s);  // startup done
  const ProcessUsage before = usage_of(service.pid());
  std::this_thread::sleep_for(std::chrono::seconds(o.idle_seconds));
  const ProcessUsage after = usage_of(service.pid());
  service.signal(SIGTERM);
  service.wait(30s);
  std::printf("idle glisk serve (%s, poll %.1f s) over %d s: %.2f%% of one CPU, peak RSS %.1f MB\n", o.backend.c_str(),
              o.poll, o.idle_seconds, 100.0 * (after.cpu_seconds - before.cpu_seconds) / o.idle_seconds,
              after.peak_rss_mb);
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures as they come, also into a file
  try {
    const Options o = parse(argc, argv);
    testing::FakeReplicate replicate;
    testing::FakePinata pinata;
    if (o.image_ms > 0)
      replicate.set_prediction_time(std::chrono::milliseconds(o.image_ms), std::chrono::milliseconds(o.jitter_ms));
    pinata.set_latency(std::chrono::milliseconds(o.pin_ms));
    if (o.idle_seconds > 0) {
      run_idle(o, replicate, pinata);
      return 0;
    }
    const Throughput glisk = run_glisk(o, replicate, pinata);
    if (o.baseline && glisk.end_to_end > 0) {
      const Throughput seed = run_seed_schedule(o, replicate, pinata);
      if (seed.end_to_end > 0) {
        std::printf("image + IPFS: glisk / seed schedule = %.2f×\n", glisk.image_ipfs / seed.image_ipfs);
        std::printf("end to end:   glisk / seed schedule = %.2f×\n", glisk.end_to_end / seed.end_to_end);
      }
    }
    return glisk.end_to_end > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "pipeline_bench: " << e.what() << "\n";
    return 2;
  }
}
