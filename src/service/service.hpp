#pragma once
// What `glisk serve` runs, assembled from a Config: the database (migrated at start), the work
// queue with its wake-ups, the supervised workers, and the HTTP API. Dependencies are built here
// and passed down; nothing is global.

#include <memory>
#include <string>

#include "authors/author_registry.hpp"
#include "chain/monitored_rpc.hpp"
#include "chain/rpc_client.hpp"
#include "clock/clock.hpp"
#include "config/config.hpp"
#include "http/api_server.hpp"
#include "image/image_provider.hpp"
#include "image/replicate_provider.hpp"
#include "ipfs/local_store.hpp"
#include "ipfs/pinner.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "net/http_client.hpp"
#include "net/rate_budget.hpp"
#include "notify/service_manager.hpp"
#include "ops/pipeline_view.hpp"
#include "queue/wake_signal.hpp"
#include "store/author_store.hpp"
#include "store/database.hpp"
#include "store/reveal_journal.hpp"
#include "store/stage_controls.hpp"
#include "store/stage_reports.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"
#include "watcher/chain_watcher.hpp"
#include "watcher/gap_recovery.hpp"
#include "webhook/alchemy_webhook.hpp"
#include "webhook/prediction_arrivals.hpp"
#include "webhook/replicate_webhook.hpp"
#include "workers/stage_worker.hpp"
#include "workers/supervisor.hpp"

namespace glisk::service {

// host:pid:random — unique per process start, readable in locked_by.
std::string make_instance_id();

class Service {
 public:
  // `instance` names this process in leases, token_events and stage reports (make_instance_id()).
  Service(config::Config config, const log::EventLog& log, clock::Clock& clock, std::string instance);
  ~Service();

  // Opens and migrates the database, takes the HTTP port (http::AddressInUse when another process
  // has it, before any work is claimed), starts the supervised tasks, then answers HTTP; returns
  // the port. Throws (DatabaseError, std::runtime_error) when it cannot start.
  int start();

  // Stops claiming, lets in-flight work finish for SHUTDOWN_TIMEOUT_SECONDS, releases the rest;
  // meanwhile the API drains (HTTP_REQUEST_TIMEOUT_SECONDS). True when everything stopped in time.
  bool stop();

  store::Database& database() { return *db_; }
  store::TokenLifecycle& queue() { return *queue_; }
  metrics::Registry& metrics() { return metrics_; }

 private:
  void start_wake_listener();
  // The image provider and the IPFS pinner (no threads yet): the API serves the local store's files.
  void make_providers();
  void start_image_worker();
  void start_ipfs_worker();
  void start_reveal_worker(const std::string& instance);
  // Tokens in from the chain: gap recovery and the watcher (when GLISK_NFT_CONTRACT_ADDRESS is set).
  void start_gap_recovery();
  void start_watcher();
  // Per stage worker: its breaker and rate-limit pause, and every instance's reports of the stage
  // paused, for /api/stats.
  nlohmann::json stage_conditions() const;
  // This process's paused stages, as the other instances and the CLI are told of them.
  std::vector<store::StagePauseReport> paused_stages(const std::string& instance) const;
  // Keeps this process's row per paused stage current in the database (store/stage_reports.hpp).
  void start_stage_reporter(const std::string& instance);
  // Reads Replicate's webhook signing secret when REPLICATE_WEBHOOK_SECRET does not give it.
  void start_webhook_secret_reader();
  void start_worker(workers::TokenProcessor& processor, token::Stage stage, std::string_view provider,
                    const log::Fields& configured);
  workers::WorkerOptions worker_options() const;
  http::ServerLimits server_limits() const;

  const config::Config config_;
  const std::string instance_;
  const log::EventLog& log_;
  clock::Clock& clock_;
  metrics::Registry metrics_;  // first made, last gone: every component below may hold its families
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::TokenStore> tokens_;
  std::unique_ptr<store::AuthorStore> author_store_;
  std::unique_ptr<ops::PipelineView> view_;
  queue::WakeBoard wake_;
  std::unique_ptr<store::TokenLifecycle> queue_;
  net::HttpClient http_;
  // The providers' request budgets, shared by every slot (before the providers that use them).
  std::unique_ptr<net::RateBudget> replicate_creates_, replicate_reads_, pinata_requests_, rpc_calls_;
  // Replicate's webhook (REPLICATE_WEBHOOK_URL): where deliveries are kept and who waits on them.
  std::unique_ptr<store::PredictionResults> prediction_results_;
  std::unique_ptr<webhook::PredictionArrivals> prediction_arrivals_;
  std::unique_ptr<webhook::ReplicateWebhook> replicate_webhook_;
  std::unique_ptr<image::ImageProvider> image_provider_;
  image::ReplicateProvider* replicate_ = nullptr;  // the image provider, when it is Replicate
  std::unique_ptr<ipfs::IpfsPinner> pinner_;
  ipfs::LocalIpfsStore* local_ipfs_ = nullptr;  // the pinner, when it is the local store
  std::vector<std::unique_ptr<workers::TokenProcessor>> processors_;
  std::vector<std::unique_ptr<workers::StageWorker>> workers_;
  std::unique_ptr<store::RevealJournal> reveal_journal_;
  std::unique_ptr<store::StageReports> stage_reports_;
  std::unique_ptr<store::StageControls> stage_controls_;  // operators' pauses
  std::unique_ptr<store::PauseSwitch> pause_switch_;      // … as the workers read them
  std::unique_ptr<workers::Supervisor> supervisor_;
  std::unique_ptr<chain::RpcClient> node_;  // RPC_URL
  // The node as the watcher, recovery and reveals use it: outages reported once (rpc.unreachable).
  std::unique_ptr<chain::MonitoredRpc> rpc_;
  std::unique_ptr<authors::AuthorRegistry> authors_;
  std::unique_ptr<webhook::AlchemyWebhook> alchemy_;
  std::unique_ptr<watcher::GapRecovery> gap_recovery_;
  std::unique_ptr<watcher::ChainWatcher> watcher_;
  std::unique_ptr<http::ApiServer> api_;
  bool stopped_ = false;
};

// Runs the service until SIGINT or SIGTERM; returns the process exit code. `manager` hears
// READY=1 once the port listens and the workers run, WATCHDOG=1 while GET /health through that
// port answers healthy (every half of its watchdog timeout, when it asks for one), and STOPPING=1
// when a signal arrives.
int serve(const config::Config& config, const log::EventLog& log, notify::ServiceManager& manager);

}  // namespace glisk::service
