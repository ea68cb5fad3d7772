#pragma once
// The HTTP API: health, token state and queue statistics, JSON everywhere.
//   GET /health            200 {"status":"healthy"} after a real database round trip, else 503
//   GET /api/tokens/{id}   the token's state; 400 when id is not a number, 404 when unknown
//   GET /api/stats         tokens per status; per stage: depth, due, in flight, oldest due age;
//                          reveal transactions per status and the latest reveal error; per stage
//                          of this process, whether it is paused and why, and every instance's
//                          report of it paused (set_stage_conditions)
//   GET /ipfs/{cid}        content of the local IPFS store (IPFS_PROVIDER=local): 400 for a malformed
//                          CID, 404 for an unknown one
//   GET /api/authors/{wallet}   {"wallet_address","has_prompt","updated_at"} (never the prompt);
//                          400 for a malformed address, 404 for an unknown author
//   POST /api/authors/prompt    a prompt signed by its author's wallet (authors/author_registry.hpp):
//                          200, 400 (bad field, stale or future timestamp), 401 (not the wallet's
//                          signature), 409 (signature used before / newer prompt set)
//   POST /webhooks/alchemy      Alchemy Custom Webhook (webhook/alchemy_webhook.hpp): 200, 400, 401,
//                          413 (over 1 MiB), 503 (ALCHEMY_WEBHOOK_SECRET not set, or the node
//                          cannot confirm the mints yet: Alchemy delivers again)
//   POST /webhooks/replicate    a finished prediction (webhook/replicate_webhook.hpp): 200 {"status":
//                          "ok|duplicate|ignored"}, 400, 401 (signature or timestamp), 413 (over
//                          256 KiB), 503 (REPLICATE_WEBHOOK_URL not set, or no signing secret yet)
// Operators (set_operations; see docs/OPERATIONS.md):
//   GET /                  the dashboard (embedded HTML/CSS/JS; GET /dashboard/{file} its assets)
//   GET /metrics           Prometheus text format 0.0.4 (metrics/registry.hpp)
//   GET /api/tokens?recent=N  the N most recently changed tokens (1..1000, default 20)
//   GET /api/tokens?status=&stage=&q=&limit=&before=  a page of tokens, highest id first, found by
//                          id, author wallet, transaction hash or CID (ops/token_query.hpp):
//                          {"tokens":[…],"next_before":id|null}
//   GET /api/tokens/{id}/events  the token's history (token_events); 404 unknown token
//   GET /api/tokens/{id}/detail  what the token page shows: the token, its author and mint, its
//                          reveal transaction, its prediction, its metadata (local IPFS store only)
//   GET /api/failures?limit=N  failed tokens: stage, attempts, error
//   GET /api/reveals?limit=N[&before=ID]  reveal transactions, newest first (ids below ID)
//   GET /api/throughput    per minute over the last hour, state changes by target status
//   GET /api/dashboard/config  image gateway and explorer links for the dashboard
//   POST /api/admin/retry  {"token_ids":[…]} | {"failed":true[,"stage":"image|ipfs|reveal"]}
//                          [,"dry_run":true] → {"count",…}; Authorization: Bearer ADMIN_TOKEN;
//                          503 without ADMIN_TOKEN, 401 wrong/missing token (answered after a
//                          second, logged as admin.unauthorized with the client's address), 429
//                          for an address with too many failures (ops/admin_throttle.hpp), 400 bad body
//   Bad query values answer 400 and change nothing. A body is accepted only where a route takes
//   one (1 MiB for the webhook and the admin API, 64 KiB for a prompt), whatever its content type.
// Status codes are chosen in one place: status_for, from the error's kind. The server underneath
// (http/http_server.hpp) holds against hostile clients; bind() takes the port before anything
// else starts, serve() answers on background threads.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "clock/clock.hpp"
#include "errors/errors.hpp"
#include "http/http_server.hpp"
#include "ipfs/local_store.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "ops/admin_auth.hpp"
#include "ops/admin_throttle.hpp"
#include "ops/pipeline_view.hpp"
#include "store/reveal_journal.hpp"
#include "store/stage_controls.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

namespace glisk::authors {
class AuthorRegistry;
}
namespace glisk::webhook {
class AlchemyWebhook;
class ReplicateWebhook;
}  // namespace glisk::webhook

namespace glisk::http {

// The one place where an error's kind becomes an HTTP status (errors/errors.hpp has the table).
int status_for(errors::Kind kind);

// What the operator routes need; null members make their routes answer 503 saying what is missing.
struct OperatorHandlers {
  ops::PipelineView* view = nullptr;         // JSON views and the dashboard
  store::TokenLifecycle* queue = nullptr;    // POST /api/admin/retry, /api/admin/cancel
  store::StageControls* controls = nullptr;  // POST /api/admin/pause, /api/admin/resume
  metrics::Registry* metrics = nullptr;      // GET /metrics
  std::string admin_token;                   // ADMIN_TOKEN (secret); empty: admin endpoints answer 503
  std::string image_gateway;                 // prefix of image links: "/ipfs/" or "https://{PINATA_GATEWAY}/ipfs/"
  std::string explorer_url;                  // EXPLORER_URL; empty: no transaction links
};

// The routes through which tokens and prompts come in; each may be null (route answers 404/503).
struct IntakeHandlers {
  authors::AuthorRegistry* authors = nullptr;
  webhook::AlchemyWebhook* alchemy = nullptr;
  webhook::ReplicateWebhook* replicate = nullptr;  // with REPLICATE_WEBHOOK_URL
};

class ApiServer {
 public:
  // `ipfs_store` may be null (content then lives at the pinning service's gateway).
  ApiServer(store::TokenStore& tokens, const log::EventLog& log, std::string database_kind,
            const ipfs::LocalIpfsStore* ipfs_store = nullptr, IntakeHandlers intake = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // The server's limits (http/http_server.hpp); call before bind().
  void set_limits(ServerLimits limits) { limits_ = limits; }
  // Takes host:port (port 0 picks a free port) and returns the port. Throws AddressInUse when
  // another process has it, std::runtime_error for an address that cannot be used.
  int bind(const std::string& host, int port);
  // Answers on background threads (after bind).
  void serve();
  // bind() and serve().
  int start(const std::string& host, int port);
  // Stops taking connections and answers what was read, for up to `drain` (http/http_server.hpp).
  // True when every request in progress was answered in time.
  bool stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));

  // The reveal journal whose summary /api/stats shows; call before start().
  void set_reveal_journal(store::RevealJournal* journal) { reveal_journal_ = journal; }
  // What /api/stats shows under "stages" (whether each stage of this process is paused: its
  // provider's breaker, a rate limit); call before start().
  void set_stage_conditions(std::function<nlohmann::json()> conditions) { stage_conditions_ = std::move(conditions); }
  // The operator routes' dependencies; call before start().
  void set_operations(OperatorHandlers operations);

 private:
  void routes();
  void intake_routes();
  void operator_routes();
  // The token's metadata as pinned in the local IPFS store; null when there is none here.
  nlohmann::json local_metadata(const token::Token& token) const;
  // POST /api/admin/…: the token checked, failures slowed, counted and logged; throws to answer.
  static std::string admin_actor(const Request& req);
  std::optional<Response> admin_refusal(const Request& req);

  store::TokenStore& tokens_;
  const log::EventLog& log_;
  const std::string database_kind_;
  const ipfs::LocalIpfsStore* ipfs_store_;
  const IntakeHandlers intake_;
  store::RevealJournal* reveal_journal_ = nullptr;
  std::function<nlohmann::json()> stage_conditions_;
  OperatorHandlers operations_;
  ops::AdminAuth admin_auth_{""};
  clock::SystemClock clock_;  // the admin throttle's windows
  ops::AdminThrottle admin_throttle_{clock_};
  Router router_;
  ServerLimits limits_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace glisk::http
