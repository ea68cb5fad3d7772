#include "service/service.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "chain/rpc_client.hpp"
#include "clock/time_format.hpp"
#include "image/local_generator.hpp"
#include "image/replicate_provider.hpp"
#include "ipfs/pinata_pinner.hpp"
#include "metrics/process_metrics.hpp"
#include "notify/watchdog.hpp"
#include "ops/ops_json.hpp"
#include "ops/pipeline_metrics.hpp"
#include "reveal/keeper.hpp"
#include "reveal/reveal_worker.hpp"
#include "reveal/sender_lease.hpp"
#include "store/migrations.hpp"
#include "store/monitored_database.hpp"
#include "workers/image_generation.hpp"
#include "workers/ipfs_upload.hpp"

namespace glisk::service {

using store::kStageReportFreshness;

std::string make_instance_id() {
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", rd());
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + suffix;
}

Service::Service(config::Config config, const log::EventLog& log, clock::Clock& clock, std::string instance)
    : config_(std::move(config)), instance_(std::move(instance)), log_(log), clock_(clock) {}

Service::~Service() { stop(); }

int Service::start() {
  // Every component uses the database through the monitor, so an outage (a server restart, a
  // full disk) is logged once, with what to do, however many tasks meet it.
  db_ = std::make_unique<store::MonitoredDatabase>(
      store::open_database(config_.database_url, config_.database_pool_size), log_, clock_);
  auto applied = store::migrate(*db_, clock_.now());
  log_.info("database.ready", {{"database", db_->describe()},
                               {"migrations_applied", applied},
                               {"schema_version", store::schema_version(*db_)}});
  tokens_ = std::make_unique<store::TokenStore>(*db_, clock_);
  author_store_ = std::make_unique<store::AuthorStore>(*db_, clock_);
  view_ = std::make_unique<ops::PipelineView>(*db_, clock_);
  ops::install_pipeline_metrics(metrics_, *tokens_, GLISK_VERSION);
  metrics::install_process_metrics(metrics_);
  const std::string& instance = instance_;
  stage_reports_ = std::make_unique<store::StageReports>(*db_, clock_);
  stage_controls_ = std::make_unique<store::StageControls>(*db_, clock_);
  pause_switch_ = std::make_unique<store::PauseSwitch>(*stage_controls_, clock_);
  ops::install_control_metrics(metrics_, *stage_controls_);
  queue_ = std::make_unique<store::TokenLifecycle>(*db_, clock_, wake_, instance, config_.lease);
  supervisor_ = std::make_unique<workers::Supervisor>(log_, clock_, std::chrono::seconds(1), &metrics_);
  node_ = std::make_unique<chain::RpcClient>(http_, config_.rpc_url);
  rpc_calls_ = std::make_unique<net::RateBudget>(clock_, config_.rpc_requests_per_minute);
  rpc_ = std::make_unique<chain::MonitoredRpc>(*node_, log_, clock_, log::kFaultReminder, rpc_calls_.get());
  reveal_journal_ = std::make_unique<store::RevealJournal>(*db_, clock_, instance);
  ops::install_reveal_metrics(metrics_, *reveal_journal_, clock_);
  make_providers();
  authors_ = std::make_unique<authors::AuthorRegistry>(*db_, clock_, log_);
  alchemy_ = std::make_unique<webhook::AlchemyWebhook>(*db_, *queue_, clock_, log_, config_.alchemy_webhook_secret,
                                                       config_.contract_address, rpc_.get());

  // The port first: a second instance on a taken port stops here, before it claims any work.
  api_ = std::make_unique<http::ApiServer>(
      *tokens_, log_, db_->dialect() == store::Dialect::kPostgres ? "postgresql" : "sqlite", local_ipfs_,
      http::IntakeHandlers{authors_.get(), alchemy_.get(), replicate_webhook_.get()});
  api_->set_reveal_journal(reveal_journal_.get());
  api_->set_stage_conditions([this] { return stage_conditions(); });
  http::OperatorHandlers operations;
  operations.view = view_.get();
  operations.queue = queue_.get();
  operations.controls = stage_controls_.get();
  operations.metrics = &metrics_;
  operations.admin_token = config_.admin_token;
  operations.image_gateway =
      config_.ipfs_provider == config::IpfsProvider::kLocal ? "/ipfs/" : "https://" + config_.pinata_gateway + "/ipfs/";
  operations.explorer_url = config_.explorer_url;
  api_->set_operations(std::move(operations));
  api_->set_limits(server_limits());
  const int port = api_->bind(config_.host, config_.port);

  start_wake_listener();
  start_image_worker();
  start_ipfs_worker();
  start_reveal_worker(instance);
  start_stage_reporter(instance);
  start_webhook_secret_reader();
  if (!config_.contract_address.empty()) {
    start_gap_recovery();
    start_watcher();
  }
  api_->serve();
  log_.info("application.startup", {{"instance", instance},
                                    {"version", GLISK_VERSION},
                                    {"host", config_.host},
                                    {"port", port},
                                    {"app_env", std::string(config::to_string(config_.app_env))},
                                    {"database", db_->describe()}});
  return port;
}

http::ServerLimits Service::server_limits() const {
  http::ServerLimits limits;
  limits.max_connections = config_.http_max_connections;
  limits.max_connections_per_client = config_.http_max_connections_per_client;
  limits.request_timeout = config_.http_request_timeout;
  limits.idle_timeout = config_.http_idle_timeout;
  // A handler waits on the database at most: as many threads as connections it can use.
  limits.handler_threads = config_.database_pool_size;
  return limits;
}

void Service::start_wake_listener() {
  if (db_->dialect() != store::Dialect::kPostgres) return;  // SQLite: one process, in-process wake-ups
  supervisor_->start("wake_listener", [this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      try {
        auto subscription = db_->subscribe(store::kWakeChannel);
        // Work may have arrived while we were not listening.
        for (auto stage : token::kAllStages) wake_.notify(stage);
        while (!stop.stop_requested()) {
          for (const auto& payload : subscription->wait(std::chrono::milliseconds(500))) {
            if (auto stage = token::parse_stage(payload)) {
              wake_.notify(*stage);
            } else if (payload.starts_with(store::kPredictionPayloadPrefix) && prediction_arrivals_) {
              // Another instance took Replicate's delivery: this one may hold the token.
              prediction_arrivals_->arrived(payload.substr(store::kPredictionPayloadPrefix.size()));
            }
          }
        }
      } catch (const store::UnavailableError& e) {
        // A server restart: the monitor said so (store.unavailable); listen again once it is back.
        // Until then the workers poll, so nothing waits for this.
        log_.debug("wake_listener.reconnecting", {{"error", e.what()}});
        clock_.sleep_for(config_.poll_interval, stop);
      }
    }
  });
}

workers::WorkerOptions Service::worker_options() const {
  workers::WorkerOptions o;
  o.batch_size = config_.worker_batch_size;
  o.poll_interval = config_.poll_interval;
  o.max_attempts = config_.max_attempts;
  o.backoff = {config_.retry_base, config_.retry_max};
  o.shutdown_timeout = config_.shutdown_timeout;
  return o;
}

void Service::make_providers() {
  if (config_.image_provider == config::ImageProvider::kReplicate) {
    image::ReplicateOptions options;
    options.api_url = config_.replicate_api_url;
    options.api_token = config_.replicate_api_token;
    options.model = config_.replicate_model_version;
    options.timeout = config_.image_timeout;
    options.prefer_wait_seconds = config_.replicate_prefer_wait_seconds;
    replicate_creates_ = std::make_unique<net::RateBudget>(clock_, config_.replicate_creates_per_minute);
    replicate_reads_ = std::make_unique<net::RateBudget>(clock_, config_.replicate_reads_per_minute);
    options.creates = replicate_creates_.get();
    options.reads = replicate_reads_.get();
    if (!config_.replicate_webhook_url.empty()) {
      prediction_results_ = std::make_unique<store::PredictionResults>(*db_, clock_);
      prediction_arrivals_ = std::make_unique<webhook::PredictionArrivals>(*prediction_results_, clock_);
      options.webhook_url = config_.replicate_webhook_url + "/webhooks/replicate";
      options.inbox = prediction_arrivals_.get();
    }
    auto replicate = std::make_unique<image::ReplicateProvider>(http_, options);
    replicate_ = replicate.get();
    if (prediction_arrivals_) {
      // The signing secret as configured; else read from Replicate by start_webhook_secret_reader.
      replicate_webhook_ = std::make_unique<webhook::ReplicateWebhook>(
          *prediction_results_, *prediction_arrivals_, clock_, log_, config_.replicate_webhook_secret, &metrics_);
    }
    image_provider_ = std::move(replicate);
  } else {
    image_provider_ = std::make_unique<image::LocalImageGenerator>(config_.data_dir);
  }
  if (config_.ipfs_provider == config::IpfsProvider::kPinata) {
    pinata_requests_ = std::make_unique<net::RateBudget>(clock_, config_.pinata_requests_per_minute);
    ipfs::PinataOptions options{config_.pinata_api_url, config_.pinata_jwt};
    options.requests = pinata_requests_.get();
    pinner_ = std::make_unique<ipfs::PinataPinner>(http_, options);
  } else {
    auto local = std::make_unique<ipfs::LocalIpfsStore>(config_.ipfs_local_dir);
    local_ipfs_ = local.get();
    pinner_ = std::move(local);
  }
  // Each budget's room and size at every scrape: a budget that stays at 0 paces the stage.
  auto& room = metrics_.gauge("glisk_provider_budget_available",
                              "requests a provider's budget would let go at once now", {"provider", "requests"});
  auto& size =
      metrics_.gauge("glisk_provider_budget_per_minute",
                     "a provider's request budget a minute (REPLICATE_*_PER_MINUTE, PINATA_REQUESTS_PER_MINUTE)",
                     {"provider", "requests"});
  metrics_.add_collector([&room, &size,
                          budgets = std::vector<std::tuple<const char*, const char*, net::RateBudget*>>{
                              {"replicate", "creates", replicate_creates_.get()},
                              {"replicate", "reads", replicate_reads_.get()},
                              {"pinata", "pins", pinata_requests_.get()},
                              {"rpc", "calls", rpc_calls_.get()}}] {
    for (const auto& [provider, requests, budget] : budgets) {
      if (budget == nullptr || budget->per_minute() <= 0) continue;  // no budget: nothing to show
      room.set({provider, requests}, budget->available());
      size.set({provider, requests}, budget->per_minute());
    }
  });
}

void Service::start_image_worker() {
  auto& processor = processors_.emplace_back(std::make_unique<workers::ImageGenerationProcessor>(
      *author_store_, *image_provider_, log_,
      workers::ImageGenerationOptions{config_.default_prompt, config_.fallback_censored_prompt, &metrics_}));
  start_worker(*processor, token::Stage::kImage, image_provider_->name(),
               {{"provider", image_provider_->name()},
                {"model", config_.image_provider == config::ImageProvider::kReplicate ? config_.replicate_model_version
                                                                                      : "local"}});
}

void Service::start_ipfs_worker() {
  workers::IpfsUploadOptions options;
  options.max_image_bytes = static_cast<size_t>(config_.max_image_bytes);
  options.name_template = config_.metadata_name_template;
  options.description = config_.metadata_description;
  auto& processor = processors_.emplace_back(
      std::make_unique<workers::IpfsUploadProcessor>(*author_store_, http_, *pinner_, log_, options));
  start_worker(*processor, token::Stage::kIpfs, pinner_->name(), {{"pinner", pinner_->name()}});
}

void Service::start_reveal_worker(const std::string& instance) {
  if (config_.contract_address.empty() || config_.keeper_private_key.empty()) {
    log_.warn("reveal.disabled", {{"reason", config_.contract_address.empty()
                                                 ? "GLISK_NFT_CONTRACT_ADDRESS is not set"
                                                 : "KEEPER_PRIVATE_KEY (or KEEPER_PRIVATE_KEY_FILE) is not set"},
                                  {"detail", "tokens wait in ready until the service runs with both"}});
    return;
  }
  const auto key = eth::PrivateKey::from_hex(config_.keeper_private_key);  // checked by load_config
  const std::string keeper = key.address().to_checksum();
  reveal::KeeperOptions keeper_options;
  keeper_options.contract = config_.contract_address;
  keeper_options.tip_percentile = config::tip_percentile(config_.keeper_gas_strategy);
  keeper_options.gas_buffer = config_.reveal_gas_buffer;
  keeper_options.max_gas_price = reveal::gwei_to_wei(config_.reveal_max_gas_price_gwei);
  keeper_options.confirmations = config_.reveal_confirmations;
  keeper_options.transaction_timeout = config_.transaction_timeout;
  keeper_options.permanent_error_delay = config_.retry_max;
  keeper_options.transient_error_delay = config_.retry_base;
  keeper_options.metrics = &metrics_;
  reveal::RevealOptions options;
  options.contract = config_.contract_address;
  options.function = config_.reveal_function;
  options.max_batch = config_.batch_reveal_max_tokens;
  options.block_gas_share = config_.reveal_block_gas_share;
  options.metrics = &metrics_;
  options.batch_wait = config_.batch_reveal_wait;
  options.poll_interval = config_.poll_interval;
  options.receipt_poll = std::min(config_.poll_interval, std::chrono::milliseconds(1000));
  options.backoff = {config_.retry_base, config_.retry_max};
  options.permanent_error_delay = config_.retry_max;
  options.operator_paused = [this] { return pause_switch_->paused(token::Stage::kReveal); };
  log_.info("worker.configured", {{"worker", "reveal"},
                                  {"keeper", keeper},
                                  {"contract", config_.contract_address},
                                  {"rpc", rpc_->describe()},
                                  {"function", config_.reveal_function},
                                  {"batch_max", config_.batch_reveal_max_tokens},
                                  {"block_gas_share", config_.reveal_block_gas_share},
                                  {"tip_percentile", config::tip_percentile(config_.keeper_gas_strategy)},
                                  {"max_gas_price_gwei", config_.reveal_max_gas_price_gwei}});

  supervisor_->start("reveal", [this, key, keeper, keeper_options, options, instance](std::stop_token stop) {
    chain::EthRpc& rpc = *rpc_;
    // The chain id goes into every signature; a node that cannot say it cannot take reveals.
    uint64_t chain_id = 0;
    for (auto delay = std::chrono::milliseconds(1000); !stop.stop_requested();
         delay = std::min(delay * 2, std::chrono::milliseconds(30'000))) {
      try {
        chain_id = rpc.chain_id(stop);
        if (rpc.get_code(config_.contract_address, "latest", stop).size() <= 2) {
          throw errors::TransientError("no contract at " + config_.contract_address + " on chain " +
                                       std::to_string(chain_id) + " (" + rpc.describe() +
                                       "); check GLISK_NFT_CONTRACT_ADDRESS and RPC_URL");
        }
        break;
      } catch (const std::exception& e) {
        log_.warn("reveal.transient_error", {{"error", e.what()}, {"retry_in_seconds", delay.count() / 1000.0}});
        clock_.sleep_for(delay, stop);
      }
    }
    if (stop.stop_requested()) return;
    log_.info("keeper.ready", {{"keeper", keeper}, {"chain_id", chain_id}, {"contract", config_.contract_address}});
    reveal::SenderLease lease(*db_, clock_, keeper, instance, config_.lease);
    reveal::Keeper keeper_tx(rpc, *reveal_journal_, key, chain_id, clock_, log_, keeper_options);
    reveal::RevealWorker worker(*queue_, wake_, *tokens_, *reveal_journal_, lease, keeper_tx, rpc, clock_, log_,
                                options);
    worker.run(stop);
  });
}

std::vector<store::StagePauseReport> Service::paused_stages(const std::string& instance) const {
  std::vector<store::StagePauseReport> out;
  const auto now = clock_.now();
  for (const auto& w : workers_) {
    store::StagePauseReport r;
    r.stage = std::string(token::to_string(w->stage()));
    r.instance = instance;
    r.provider = w->provider();
    if (const auto breaker = w->breaker(); breaker.state != workers::BreakerState::kClosed) {
      r.cause = "breaker";
      r.reason = breaker.reason;
      r.since = breaker.since;
      r.next_probe = breaker.next_probe;
    } else if (now < w->paused_until()) {
      r.cause = "rate_limit";
      r.reason = "rate limited by " + w->provider() + " (HTTP 429): the stage waits, no token is charged";
      r.since = w->paused_since();
      r.next_probe = w->paused_until();
    } else {
      continue;
    }
    out.push_back(std::move(r));
  }
  // The node: reveals (and the watcher) wait for it, each retrying at its own pace.
  if (const auto outage = rpc_->outage(); outage && !config_.contract_address.empty()) {
    store::StagePauseReport r;
    r.stage = std::string(token::to_string(token::Stage::kReveal));
    r.instance = instance;
    r.provider = "rpc";
    r.cause = "unreachable";
    r.reason = "the node (" + rpc_->describe() + ") cannot be reached: " + outage->error.substr(0, 200) +
               "; check RPC_URL. Reveals and the mint watcher resume by themselves";
    r.since = outage->since;
    r.next_probe = now + config_.watcher_poll;
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json Service::stage_conditions() const {
  nlohmann::json out = nlohmann::json::object();
  const auto now = clock_.now();
  for (const auto& w : workers_) {
    const auto breaker = w->breaker();
    const auto rate_limited_until = w->paused_until();
    nlohmann::json stage = {{"breaker", std::string(workers::to_string(breaker.state))},
                            {"paused", breaker.state != workers::BreakerState::kClosed || now < rate_limited_until},
                            {"instances", nlohmann::json::array()}};
    if (breaker.state != workers::BreakerState::kClosed) {
      stage["reason"] = breaker.reason;
      stage["since"] = clock::format_time(breaker.since);
      stage["next_probe"] = clock::format_time(breaker.next_probe);
      stage["failed_probes"] = breaker.failed_probes;
    }
    if (now < rate_limited_until) stage["rate_limited_until"] = clock::format_time(rate_limited_until);
    out[std::string(token::to_string(w->stage()))] = stage;
  }
  // An operator's pause, whichever instance made it (the database's word, read now).
  try {
    for (const auto& p : stage_controls_->paused()) {
      auto& stage = out[std::string(token::to_string(p.stage))];
      stage["paused"] = true;
      stage["operator_pause"] = ops::operator_pause_json(p);
    }
  } catch (const store::DatabaseError& e) {
    out["operator_pause_error"] = e.what();
  }
  // Each stage's gate: its provider's request budgets, a minute and what is left now.
  auto budget = [](const net::RateBudget* b) {
    return nlohmann::json{{"per_minute", b->per_minute()}, {"available", b->available()}};
  };
  const std::string image = std::string(token::to_string(token::Stage::kImage));
  const std::string ipfs = std::string(token::to_string(token::Stage::kIpfs));
  const std::string reveal = std::string(token::to_string(token::Stage::kReveal));
  for (const auto& [stage, name, b] : std::vector<std::tuple<std::string, const char*, const net::RateBudget*>>{
           {image, "creates", replicate_creates_.get()},
           {image, "reads", replicate_reads_.get()},
           {ipfs, "pins", pinata_requests_.get()},
           {reveal, "rpc_calls", rpc_calls_.get()}}) {
    if (b != nullptr && b->per_minute() > 0 && out.contains(stage)) out[stage]["budgets"][name] = budget(b);
  }
  // Every instance's word (this one's included, as last reported): the stage may be paused on
  // another instance only, with its own breaker.
  try {
    for (const auto& r : stage_reports_->current(kStageReportFreshness)) {
      out[r.stage]["instances"].push_back(ops::stage_pause_json(r));
    }
  } catch (const store::DatabaseError& e) {
    out["instances_error"] = e.what();
  }
  return out;
}

void Service::start_webhook_secret_reader() {
  if (!replicate_webhook_ || replicate_webhook_->has_secret()) return;
  // Read once, in the background, retried until Replicate gives it: deliveries that come first
  // answer 503 and Replicate sends them again.
  supervisor_->start("replicate_webhook_secret", [this](std::stop_token stop) {
    auto delay = std::chrono::milliseconds(1000);
    while (!stop.stop_requested() && !replicate_webhook_->has_secret()) {
      try {
        replicate_webhook_->set_secret(replicate_->webhook_secret(stop));
        log_.info("replicate.webhook_secret_read", {{"detail", "Replicate's webhook deliveries are verified now"}});
      } catch (const std::exception& e) {
        if (stop.stop_requested()) break;
        log_.warn("replicate.webhook_secret_unavailable",
                  {{"error", e.what()},
                   {"retry_in_seconds", delay.count() / 1000.0},
                   {"action",
                    "check REPLICATE_API_TOKEN, or set REPLICATE_WEBHOOK_SECRET; until then deliveries "
                    "answer 503 and predictions are found by polling"}});
        clock_.sleep_for(delay, stop);
        delay = std::min(delay * 2, std::chrono::milliseconds(60'000));
      }
    }
    // A supervised task that returns counts as crashed: idle until the service stops.
    while (!stop.stop_requested()) clock_.sleep_for(std::chrono::hours(24), stop);
  });
}

void Service::start_stage_reporter(const std::string& instance) {
  supervisor_->start("stage_reporter", [this, instance](std::stop_token stop) {
    std::string last;
    auto published = clock_.steady_now();
    while (!stop.stop_requested()) {
      const auto reports = paused_stages(instance);
      nlohmann::json said = nlohmann::json::array();
      for (const auto& r : reports) said.push_back(ops::stage_pause_json(r));
      // On change at once; while paused, refreshed well within what readers count as fresh.
      const bool refresh = !reports.empty() && clock_.steady_now() - published >= kStageReportFreshness / 4;
      if (said.dump() != last || refresh) {
        try {
          stage_reports_->publish(instance, reports);
          last = said.dump();
          published = clock_.steady_now();
        } catch (const store::DatabaseError& e) {
          log_.debug("stage_reporter.not_published", {{"error", e.what()}});  // the monitor said it
        }
      }
      clock_.sleep_for(std::chrono::milliseconds(500), stop);
    }
    try {
      stage_reports_->publish(instance, {});  // stopping: this instance pauses nothing any more
    } catch (const store::DatabaseError&) {
      // Its rows go stale within kStageReportFreshness and are ignored.
    }
  });
}

void Service::start_worker(workers::TokenProcessor& processor, token::Stage stage, std::string_view provider,
                           const log::Fields& configured) {
  workers::WorkerOptions options = worker_options();
  if (stage == token::Stage::kImage) options.batch_size = config_.image_concurrency;
  if (stage == token::Stage::kIpfs) options.batch_size = config_.upload_concurrency;
  options.metrics = &metrics_;
  options.provider = std::string(provider);
  options.operator_paused = [this, stage] { return pause_switch_->paused(stage); };
  auto& worker = workers_.emplace_back(
      std::make_unique<workers::StageWorker>(stage, *queue_, wake_, processor, clock_, log_, options));
  log::Fields fields = {{"worker", worker->name()}};
  for (const auto& [k, v] : configured.items()) fields[k] = v;
  log_.info("worker.configured", fields);
  supervisor_->start(worker->name(), [w = worker.get()](std::stop_token stop) { w->run(stop); });
}

void Service::start_gap_recovery() {
  gap_recovery_ = std::make_unique<watcher::GapRecovery>(*db_, *rpc_, *queue_, clock_, log_, config_.contract_address,
                                                         static_cast<uint64_t>(config_.mint_confirmations));
  // Once per process start; retried at the watcher's pace until the node answers. The task then
  // idles, because a supervised task that returns counts as crashed.
  supervisor_->start("gap_recovery", [this](std::stop_token stop) {
    bool done = false;
    while (!stop.stop_requested()) {
      if (!done) {
        try {
          gap_recovery_->run(stop);
          done = true;
        } catch (const std::exception& e) {
          if (stop.stop_requested()) break;
          log_.warn("recovery.failed", {{"contract", config_.contract_address}, {"error", e.what()}});
        }
      }
      clock_.sleep_for(done ? std::chrono::milliseconds(std::chrono::hours(24)) : config_.watcher_poll, stop);
    }
  });
}

void Service::start_watcher() {
  if (!config_.mint_watcher) {
    log_.info("watcher.disabled", {{"contract", config_.contract_address}, {"reason", "MINT_WATCHER=off"}});
    return;
  }
  watcher::WatcherOptions options;
  options.contract = config_.contract_address;
  if (config_.start_block >= 0) options.start_block = static_cast<uint64_t>(config_.start_block);
  options.log_range_blocks = static_cast<uint64_t>(config_.log_range_blocks);
  options.confirmations = static_cast<uint64_t>(config_.mint_confirmations);
  options.poll_interval = config_.watcher_poll;
  options.metrics = &metrics_;
  watcher_ = std::make_unique<watcher::ChainWatcher>(*db_, *rpc_, *queue_, clock_, log_, options);
  supervisor_->start("chain_watcher", [w = watcher_.get()](std::stop_token stop) { w->run(stop); });
}

bool Service::stop() {
  if (stopped_ || !supervisor_) return true;
  stopped_ = true;
  // The HTTP edge drains while the workers settle: it stops accepting at once, answers what it
  // has read, and is closed within HTTP_REQUEST_TIMEOUT_SECONDS whatever its clients do.
  bool http_clean = true;
  std::thread http_drain;
  if (api_) http_drain = std::thread([&] { http_clean = api_->stop(config_.http_request_timeout); });
  bool all = supervisor_->stop(config_.shutdown_timeout + std::chrono::seconds(2));
  // Whatever a worker could not give back (the database was busy as it stopped, or it did not
  // stop in time) is given back here, so no token waits a whole lease for this process.
  try {
    if (const size_t released = queue_->release_all_held({token::Stage::kImage, token::Stage::kIpfs}); released > 0) {
      log_.warn("token.released",
                {{"count", released}, {"detail", "still held at shutdown; any instance takes them up"}});
    }
  } catch (const std::exception& e) {
    log_.warn("token.release_failed",
              {{"error", e.what()}, {"detail", "the tokens return to the queue when their leases run out"}});
  }
  if (http_drain.joinable()) http_drain.join();
  log_.info("application.shutdown", {{"clean", all && http_clean}, {"http_drained", http_clean}});
  return all && http_clean;
}

namespace {

// The address a client on this host reaches the service at: a wildcard HOST is asked on loopback.
std::string local_base_url(std::string host, int port) {
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "::1";
  if (host.find(':') != std::string::npos && !host.starts_with("[")) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

// What the watchdog asks: GET /health through the service's own port, as a client would, so a
// wedged HTTP server or a database that no longer answers stops the pets.
std::function<bool()> health_probe(const net::HttpClient& http, std::string url, std::chrono::milliseconds timeout) {
  return [&http, url = std::move(url), timeout] {
    net::HttpRequest request;
    request.url = url;
    request.timeout = timeout;
    request.max_response_bytes = 64 * 1024;
    // A fresh connection each time: one kept alive would be closed by HTTP_IDLE_TIMEOUT_SECONDS.
    request.reuse_connection = false;
    const auto response = http.send(request);
    if (response.status != 200) {
      throw std::runtime_error("/health answered " + std::to_string(response.status) + ": " + response.body);
    }
    return true;
  };
}

}  // namespace

int serve(const config::Config& config, const log::EventLog& process_log, notify::ServiceManager& manager) {
  // Every line of this process names it, so lines of several instances in one collector separate.
  const std::string instance = make_instance_id();
  const log::EventLog log(process_log, {{"instance", instance}});
  // Block the signals in every thread and take them here, synchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  clock::SystemClock clock;
  Service service(config, log, clock, instance);
  int port = 0;
  try {
    port = service.start();
  } catch (const http::AddressInUse& e) {
    // Not a passing fault: restarting will not free the port. Exit 2, like bad configuration,
    // so a supervisor (systemd's RestartPreventExitStatus=2) does not loop on it.
    log.error("application.startup_failed", {{"error", e.what()}});
    return 2;
  } catch (const std::exception& e) {
    log.error("application.startup_failed", {{"error", e.what()}});
    return 1;
  }
  manager.ready("serving on " + config.host + ":" + std::to_string(port) + ", instance " + instance);
  // A quarter of the watchdog timeout for each check (at most 5 s), so a pet is never later than
  // three quarters of it (notify/watchdog.hpp).
  const auto check_timeout =
      std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(manager.watchdog_timeout() / 4),
                 std::chrono::milliseconds(50), std::chrono::milliseconds(5000));
  net::HttpClient probe_http;
  notify::Watchdog watchdog(
      manager, health_probe(probe_http, local_base_url(config.host, port) + "/health", check_timeout), log, clock);
  watchdog.start();

  int received = 0;
  sigwait(&signals, &received);
  log.info("application.stopping", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  manager.stopping("stopping: in-flight work may finish for " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config.shutdown_timeout).count()) +
                   " s, then its leases are released");
  // The manager watches no more once told: no pets while the port drains and /health stops answering.
  watchdog.stop();
  if (!service.stop()) {
    // Tasks that did not stop still run on detached threads: leave without running destructors.
    std::fflush(nullptr);
    std::_Exit(0);
  }
  return 0;
}

}  // namespace glisk::service
