#include "http/api_server.hpp"

#include <cstdint>

#include "authors/author_registry.hpp"
#include "clock/time_format.hpp"
#include "http/dashboard_assets.hpp"
#include "http/route_params.hpp"
#include "ipfs/cid.hpp"
#include "net/content_type.hpp"
#include "ops/ops_json.hpp"
#include "ops/token_query.hpp"
#include "token/token.hpp"
#include "webhook/alchemy_webhook.hpp"
#include "webhook/replicate_webhook.hpp"

namespace glisk::http {
namespace {

using nlohmann::json;

using errors::NotFound;
using ServiceUnavailable = errors::Unavailable;

}  // namespace

int status_for(errors::Kind kind) {
  switch (kind) {
    case errors::Kind::kBadInput:
      return 400;
    case errors::Kind::kUnauthorized:
      return 401;
    case errors::Kind::kNotFound:
      return 404;
    case errors::Kind::kConflict:
      return 409;
    case errors::Kind::kTooLarge:
      return 413;
    case errors::Kind::kRateLimited:
      return 429;
    case errors::Kind::kUnavailable:
    case errors::Kind::kOutage:
    case errors::Kind::kTransient:
      return 503;
    case errors::Kind::kPermanent:
    case errors::Kind::kContentPolicy:
    case errors::Kind::kBug:
      return 500;
  }
  return 500;
}

namespace {

Response reply(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

template <typename Fn>
Handler guarded(const log::EventLog& log, Fn handler) {
  return [&log, handler](const Request& req) -> Response {
    try {
      return handler(req);
    } catch (const std::exception& e) {
      int status = status_for(errors::kind_of(e));
      if (status >= 500) log.error("http.error", {{"path", req.path}, {"status", status}, {"error", e.what()}});
      return reply(status, {{"error", e.what()}});
    }
  };
}

using ops::token_json;

json author_json(const authors::AuthorSummary& a) {
  return {{"wallet_address", a.wallet_address}, {"has_prompt", a.has_prompt}, {"updated_at", a.updated_at}};
}

}  // namespace

ApiServer::ApiServer(store::TokenStore& tokens, const log::EventLog& log, std::string database_kind,
                     const ipfs::LocalIpfsStore* ipfs_store, IntakeHandlers intake)
    : tokens_(tokens), log_(log), database_kind_(std::move(database_kind)), ipfs_store_(ipfs_store), intake_(intake) {
  routes();
  intake_routes();
  operator_routes();
}

void ApiServer::set_operations(OperatorHandlers operations) {
  operations_ = std::move(operations);
  admin_auth_ = ops::AdminAuth(operations_.admin_token);
  operations_.admin_token.clear();  // kept only as its digest, in admin_auth_
}

namespace {

// A query parameter as a limit (1..1000), or `fallback` when absent.
int query_limit(const Request& req, const char* name, int fallback) {
  const std::string* value = req.query_value(name);
  return value == nullptr ? fallback : ops::parse_limit(*value, name);
}

Response serve_asset(const std::string& name) {
  auto asset = dashboard_asset(name);
  if (!asset) throw NotFound("no dashboard file " + name.substr(0, 80));
  Response r;
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->body);
  return r;
}

// What each route may receive. The webhook's deliveries and an admin retry of up to
// kMaxRetryTokenIds ids fit in 1 MiB; a signed prompt (at most 1,000 characters) in far less.
constexpr size_t kPromptBodyBytes = 64 * 1024;
// A pause or resume: a stage name and a reason of at most ops::kMaxReasonChars bytes.
constexpr size_t kControlBodyBytes = 4 * 1024;

}  // namespace

void ApiServer::operator_routes() {
  auto& r = router_;
  auto view = [this]() -> ops::PipelineView& {
    if (operations_.view == nullptr) throw ServiceUnavailable("the operator views are not set up in this server");
    return *operations_.view;
  };

  r.add("GET", "/", guarded(log_, [](const Request&) { return serve_asset("index.html"); }));
  r.add("GET", "/dashboard/{}", guarded(log_, [](const Request& req) { return serve_asset(req.params[0]); }));

  r.add("GET", "/metrics", guarded(log_, [this](const Request&) {
          if (operations_.metrics == nullptr) throw ServiceUnavailable("metrics are not set up in this server");
          Response res;
          res.content_type = std::string(metrics::kContentType);
          res.body = operations_.metrics->render();
          return res;
        }));

  r.add("GET", "/api/tokens", guarded(log_, [view](const Request& req) {
          if (req.query_value("recent") != nullptr) {
            if (req.query.size() != 1) {
              throw BadRequest(
                  "recent=N takes no other parameter; to search and filter use "
                  "/api/tokens?status=&stage=&q=&limit=&before=");
            }
            json out = json::array();
            for (const auto& t : view().recent_tokens(query_limit(req, "recent", 20))) {
              out.push_back(token_json(t, ops::Audience::kPublic));
            }
            return reply(200, out);
          }
          const auto search = ops::parse_token_search(req.query);  // InvalidRequest → 400, nothing read
          return reply(200, ops::token_page_json(view().tokens(search), ops::Audience::kPublic));
        }));

  r.add("GET", "/api/tokens/{}/detail", guarded(log_, [this, view](const Request& req) {
          const int64_t id = ops::parse_token_id(req.params[0]);
          auto detail = view().token_detail(id);
          if (!detail) throw NotFound("token " + std::to_string(id) + " is not known");
          json out = ops::token_detail_json(*detail, ops::Audience::kPublic);
          out["metadata"] = local_metadata(detail->token);
          return reply(200, out);
        }));

  r.add("GET", "/api/tokens/{}/events", guarded(log_, [view](const Request& req) {
          const int64_t id = ops::parse_token_id(req.params[0]);
          auto events = view().history(id);
          if (!events) throw NotFound("token " + std::to_string(id) + " is not known");
          json out = json::array();
          for (const auto& e : *events) out.push_back(ops::event_json(e));
          return reply(200, {{"token_id", id}, {"events", out}});
        }));

  r.add("GET", "/api/failures", guarded(log_, [view](const Request& req) {
          json out = json::array();
          for (const auto& f : view().failures(query_limit(req, "limit", 20))) out.push_back(ops::failure_json(f));
          return reply(200, out);
        }));

  r.add("GET", "/api/reveals", guarded(log_, [view](const Request& req) {
          const auto page = ops::parse_page_query(req.query, 20);
          json out = json::array();
          for (const auto& t : view().reveals(page.limit, page.before)) out.push_back(ops::reveal_json(t));
          return reply(200, out);
        }));

  r.add("GET", "/api/throughput", guarded(log_, [view](const Request&) {
          return reply(200, {{"minutes", ops::throughput_json(view().throughput())}});
        }));

  r.add("GET", "/api/dashboard/config", guarded(log_, [this](const Request&) {
          return reply(
              200, {{"image_gateway", operations_.image_gateway},
                    {"explorer_url", operations_.explorer_url.empty() ? json(nullptr) : json(operations_.explorer_url)},
                    {"admin_api", admin_auth_.configured()},
                    {"queue_controls", admin_auth_.configured() && operations_.controls != nullptr}});
        }));

  r.add("POST", "/api/admin/retry",
        guarded(log_,
                [this](const Request& req) {
                  if (auto refusal = admin_refusal(req)) return *refusal;
                  const auto [selection, dry_run] = parse_retry_request(req.body);
                  if (operations_.queue == nullptr)
                    throw ServiceUnavailable("the work queue is not set up in this server");
                  const auto report = operations_.queue->retry_failed(selection, dry_run, admin_actor(req));
                  log_.info("admin.retry",
                            {{"dry_run", dry_run},
                             {"by", admin_actor(req)},
                             {"failed", selection.all_failed},
                             {"now", selection.now},
                             {"waiting", selection.all_waiting},
                             {"stage", selection.stage ? log::Fields(std::string(token::to_string(*selection.stage)))
                                                       : log::Fields(nullptr)},
                             {"requested", selection.token_ids.size()},
                             {"count", report.tokens.size()},
                             {"made_due", report.made_due.size()},
                             {"skipped", report.skipped.size()}});
                  return reply(200, ops::retry_json(report, dry_run));
                }),
        webhook::kMaxBodyBytes);

  r.add("POST", "/api/admin/cancel",
        guarded(log_,
                [this](const Request& req) {
                  if (auto refusal = admin_refusal(req)) return *refusal;
                  const auto request = parse_cancel_request(req.body);
                  if (operations_.queue == nullptr)
                    throw ServiceUnavailable("the work queue is not set up in this server");
                  const auto report =
                      operations_.queue->cancel(request.selection, request.reason, request.dry_run, admin_actor(req));
                  log_.write(request.dry_run ? log::Level::kInfo : log::Level::kWarning, "admin.cancel",
                             {{"dry_run", request.dry_run},
                              {"by", admin_actor(req)},
                              {"reason", request.reason},
                              {"requested", request.selection.token_ids.size()},
                              {"count", report.tokens.size()},
                              {"skipped", report.skipped.size()}});
                  return reply(200, ops::cancel_json(report, request.dry_run));
                }),
        webhook::kMaxBodyBytes);

  for (const bool pausing : {true, false}) {
    r.add(
        "POST", pausing ? "/api/admin/pause" : "/api/admin/resume",
        guarded(
            log_,
            [this, pausing](const Request& req) {
              if (auto refusal = admin_refusal(req)) return *refusal;
              const auto request = parse_stage_request(req.body, pausing);
              if (operations_.controls == nullptr || operations_.queue == nullptr)
                throw ServiceUnavailable("queue controls are not set up in this server");
              const std::string stage(token::to_string(request.stage));
              if (pausing) {
                const auto [pause, made] = operations_.controls->pause(request.stage, admin_actor(req), request.reason);
                log_.warn("admin.pause", {{"stage", stage}, {"by", pause.by}, {"reason", pause.reason}, {"new", made}});
                return reply(
                    200,
                    {{"stage", stage}, {"paused", true}, {"new", made}, {"pause", ops::operator_pause_json(pause)}});
              }
              const auto ended = operations_.controls->resume(request.stage);
              if (ended) operations_.queue->announce(request.stage);  // every instance looks at once
              log_.info("admin.resume",
                        {{"stage", stage}, {"by", admin_actor(req)}, {"was_paused", ended.has_value()}});
              return reply(200, {{"stage", stage},
                                 {"paused", false},
                                 {"ended", ended ? ops::operator_pause_json(*ended) : json(nullptr)}});
            }),
        kControlBodyBytes);
  }

  r.add(
      "POST", "/webhooks/replicate",
      guarded(log_,
              [this](const Request& req) {
                if (intake_.replicate == nullptr) {
                  throw webhook::WebhookNotConfigured(
                      "the Replicate webhook is not configured: set REPLICATE_WEBHOOK_URL (IMAGE_PROVIDER=replicate)");
                }
                auto header = [&req](const char* name) {
                  const std::string* value = req.header(name);
                  return value != nullptr ? *value : std::string();
                };
                const auto result = intake_.replicate->handle(
                    req.body, {header("webhook-id"), header("webhook-timestamp"), header("webhook-signature")});
                const std::string status = result.ignored ? "ignored" : result.duplicate ? "duplicate" : "ok";
                return reply(200, {{"prediction_id", result.prediction_id}, {"status", status}});
              }),
      webhook::kMaxReplicateDeliveryBytes);
}

// Who an admin action is recorded as (token_events.instance, the pause's `by`): the API and the
// client's address; the token itself says nothing about who holds it.
std::string ApiServer::admin_actor(const Request& req) { return "admin-api:" + req.client; }

nlohmann::json ApiServer::local_metadata(const token::Token& token) const {
  // With IPFS_PROVIDER=pinata the metadata lives at the gateway, which the page links to (its
  // Content-Security-Policy lets it fetch from this service only).
  if (ipfs_store_ == nullptr || !token.metadata_cid) return nullptr;
  try {
    auto bytes = ipfs_store_->read(*token.metadata_cid);
    if (!bytes) return nullptr;
    json metadata = json::parse(*bytes, nullptr, false);
    return metadata.is_object() ? metadata : json(nullptr);
  } catch (const std::exception& e) {  // a CID of another shape (set by hand), an unreadable file
    log_.warn("http.metadata_unreadable", {{"token_id", token.token_id}, {"error", e.what()}});
    return nullptr;
  }
}

std::optional<Response> ApiServer::admin_refusal(const Request& req) {
  if (auto wait = admin_throttle_.locked_out(req.client)) {
    Response res = reply(429, {{"error", "too many failed admin logins from " + req.client + "; wait " +
                                             std::to_string(wait->count()) + " s, then use the right ADMIN_TOKEN"}});
    res.headers.emplace_back("Retry-After", std::to_string(wait->count()));
    return res;
  }
  const std::string* authorization = req.header("authorization");
  try {
    admin_auth_.check(authorization != nullptr ? *authorization : "");  // AdminNotConfigured → 503
  } catch (const ops::AdminUnauthorized& e) {
    const int failures = admin_throttle_.failed(req.client);
    // The address and the count, never what was sent: a token mistyped by one character is
    // nearly the token.
    log_.warn("admin.unauthorized", {{"client", req.client},
                                     {"path", req.path},
                                     {"failures_in_window", failures},
                                     {"reason", authorization == nullptr ? "no Authorization header" : "wrong token"}});
    Response res = reply(401, {{"error", e.what()}});
    res.delay = admin_throttle_.failure_delay();
    return res;
  }
  return std::nullopt;
}

void ApiServer::intake_routes() {
  auto& r = router_;
  r.add("GET", "/api/authors/{}", guarded(log_, [this](const Request& req) {
          if (intake_.authors == nullptr) throw ServiceUnavailable("authors are not served by this instance");
          auto author = intake_.authors->find(req.params[0]);  // InvalidAuthorRequest → 400
          if (!author) throw NotFound("no author with wallet " + req.params[0] + " (no mint and no prompt yet)");
          return reply(200, author_json(*author));
        }));

  r.add("POST", "/api/authors/prompt",
        guarded(log_,
                [this](const Request& req) {
                  if (intake_.authors == nullptr) throw ServiceUnavailable("authors are not served by this instance");
                  const authors::SignedPrompt request = parse_prompt_request(req.body);
                  const std::string wallet = intake_.authors->set_signed_prompt(request);
                  return reply(200, {{"wallet_address", wallet}, {"has_prompt", true}});
                }),
        kPromptBodyBytes);

  r.add("POST", "/webhooks/alchemy",
        guarded(log_,
                [this](const Request& req) {
                  if (intake_.alchemy == nullptr) {
                    throw webhook::WebhookNotConfigured(
                        "the Alchemy webhook is not configured: set ALCHEMY_WEBHOOK_SECRET");
                  }
                  std::optional<std::string> signature;
                  if (const std::string* given = req.header("x-alchemy-signature")) signature = *given;
                  auto result = intake_.alchemy->handle(req.body, signature);
                  return reply(200, {{"status", result.duplicate ? "duplicate" : "ok"},
                                     {"tokens_created", result.tokens_created},
                                     {"ignored", result.ignored},
                                     {"unconfirmed", result.unconfirmed}});
                }),
        webhook::kMaxBodyBytes);
}

ApiServer::~ApiServer() { stop(); }

void ApiServer::routes() {
  auto& r = router_;
  r.add("GET", "/health", [this](const Request&) {
    try {
      tokens_.ping();
      return reply(200, {{"status", "healthy"}, {"database", database_kind_}});
    } catch (const std::exception& e) {
      log_.warn("http.health_unhealthy", {{"error", e.what()}});
      return reply(503, {{"status", "unhealthy"}, {"database", database_kind_}, {"error", e.what()}});
    }
  });

  r.add("GET", "/api/tokens/{}", guarded(log_, [this](const Request& req) {
          const int64_t id = ops::parse_token_id(req.params[0]);
          auto token = tokens_.find_token(id);
          if (!token) throw NotFound("token " + std::to_string(id) + " is not known (not minted yet, or not detected)");
          return reply(200, token_json(*token, ops::Audience::kPublic));
        }));

  r.add("GET", "/api/stats", guarded(log_, [this](const Request&) {
          json statuses = json::object();
          int64_t total = 0;
          for (const auto& [status, count] : tokens_.count_by_status()) {
            statuses[std::string(token::to_string(status))] = count;
            total += count;
          }
          json queues = json::object();
          for (const auto& q : tokens_.queue_stats()) {
            queues[std::string(token::to_string(q.stage))] = {
                {"depth", q.depth},
                {"due", q.due},
                {"in_flight", q.in_flight},
                {"oldest_due_age_seconds", q.oldest_due_age_seconds ? json(*q.oldest_due_age_seconds) : json(nullptr)}};
          }
          const auto predictions = tokens_.prediction_totals();
          json body = {{"tokens", statuses},
                       {"total", total},
                       {"queues", queues},
                       {"predictions",
                        {{"created", predictions.created}, {"tokens_with_several", predictions.tokens_with_several}}}};
          if (stage_conditions_) body["stages"] = stage_conditions_();
          if (reveal_journal_ != nullptr) {
            auto summary = reveal_journal_->summary();
            body["reveal"] = {
                {"transactions",
                 {{"pending", summary.pending}, {"confirmed", summary.confirmed}, {"failed", summary.failed}}},
                {"last_error", summary.last_error ? json(*summary.last_error) : json(nullptr)},
                {"last_error_at", summary.last_error_at ? json(*summary.last_error_at) : json(nullptr)}};
          }
          return reply(200, body);
        }));

  r.add("GET", "/ipfs/{}", guarded(log_, [this](const Request& req) {
          if (ipfs_store_ == nullptr) {
            throw NotFound("this service keeps no IPFS content (IPFS_PROVIDER=pinata): open it through the gateway");
          }
          auto bytes = ipfs_store_->read(req.params[0]);  // InvalidCid → 400
          if (!bytes) throw NotFound("no content with CID " + req.params[0].substr(0, 100));
          Response res;
          res.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");  // content-addressed
          res.content_type = net::sniff_content_type(*bytes);
          res.body = std::move(*bytes);
          return res;
        }));
}

int ApiServer::bind(const std::string& host, int port) {
  if (server_) throw std::logic_error("ApiServer::bind called twice");
  server_ = std::make_unique<HttpServer>(router_, limits_, log_, operations_.metrics);
  return server_->bind(host, port);
}

void ApiServer::serve() {
  if (!server_) throw std::logic_error("ApiServer::serve before bind");
  server_->start();
}

int ApiServer::start(const std::string& host, int port) {
  const int bound = bind(host, port);
  serve();
  return bound;
}

bool ApiServer::stop(std::chrono::milliseconds drain) { return server_ ? server_->stop(drain) : true; }

}  // namespace glisk::http
