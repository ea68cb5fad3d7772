#include "http/api_server.hpp"

#include <httplib.h>

#include <cstdint>

#include "authors/author_registry.hpp"
#include "clock/time_format.hpp"
#include "http/dashboard_assets.hpp"
#include "http/route_params.hpp"
#include "ipfs/cid.hpp"
#include "ops/ops_json.hpp"
#include "token/token.hpp"
#include "webhook/alchemy_webhook.hpp"

namespace glisk::http {
namespace {

using nlohmann::json;

class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ServiceUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The one place where errors become status codes.
int status_for(const std::exception& e) {
  if (dynamic_cast<const BadRequest*>(&e) != nullptr || dynamic_cast<const ipfs::InvalidCid*>(&e) != nullptr ||
      dynamic_cast<const authors::InvalidAuthorRequest*>(&e) != nullptr ||
      dynamic_cast<const webhook::MalformedWebhook*>(&e) != nullptr ||
      dynamic_cast<const ops::InvalidRequest*>(&e) != nullptr) {
    return 400;
  }
  if (dynamic_cast<const authors::SignatureRejected*>(&e) != nullptr ||
      dynamic_cast<const ops::AdminUnauthorized*>(&e) != nullptr ||
      dynamic_cast<const webhook::WebhookUnauthorized*>(&e) != nullptr) {
    return 401;
  }
  if (dynamic_cast<const NotFound*>(&e) != nullptr) return 404;
  if (dynamic_cast<const authors::PromptConflict*>(&e) != nullptr) return 409;
  if (dynamic_cast<const webhook::WebhookTooLarge*>(&e) != nullptr) return 413;
  if (dynamic_cast<const store::DatabaseError*>(&e) != nullptr ||
      dynamic_cast<const webhook::WebhookNotConfigured*>(&e) != nullptr ||
      dynamic_cast<const ops::AdminNotConfigured*>(&e) != nullptr ||
      dynamic_cast<const ServiceUnavailable*>(&e) != nullptr) {
    return 503;
  }
  return 500;
}

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

template <typename Handler>
httplib::Server::Handler guarded(const log::EventLog& log, Handler handler) {
  return [&log, handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(req, res);
    } catch (const std::exception& e) {
      int status = status_for(e);
      if (status >= 500) log.error("http.error", {{"path", req.path}, {"status", status}, {"error", e.what()}});
      reply(res, status, {{"error", e.what()}});
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
    : tokens_(tokens),
      log_(log),
      database_kind_(std::move(database_kind)),
      ipfs_store_(ipfs_store),
      intake_(intake),
      server_(std::make_unique<httplib::Server>()) {
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
int query_limit(const httplib::Request& req, const char* name, int fallback) {
  if (!req.has_param(name)) return fallback;
  return ops::parse_limit(req.get_param_value(name), name);
}

void serve_asset(httplib::Response& res, const std::string& name) {
  auto asset = dashboard_asset(name);
  if (!asset) throw NotFound("no dashboard file " + name.substr(0, 80));
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

}  // namespace

void ApiServer::operator_routes() {
  auto& s = *server_;
  auto view = [this]() -> ops::PipelineView& {
    if (operations_.view == nullptr) throw ServiceUnavailable("the operator views are not set up in this server");
    return *operations_.view;
  };

  s.Get("/", guarded(log_, [](const httplib::Request&, httplib::Response& res) { serve_asset(res, "index.html"); }));
  s.Get(R"(/dashboard/([a-z.]+))", guarded(log_, [](const httplib::Request& req, httplib::Response& res) {
          serve_asset(res, req.matches[1].str());
        }));

  s.Get("/metrics", guarded(log_, [this](const httplib::Request&, httplib::Response& res) {
          if (operations_.metrics == nullptr) throw ServiceUnavailable("metrics are not set up in this server");
          res.status = 200;
          res.set_content(operations_.metrics->render(), std::string(metrics::kContentType));
        }));

  s.Get("/api/tokens", guarded(log_, [view](const httplib::Request& req, httplib::Response& res) {
          if (!req.has_param("recent")) throw BadRequest("use /api/tokens?recent=N (1..1000) or /api/tokens/{id}");
          json out = json::array();
          for (const auto& t : view().recent_tokens(query_limit(req, "recent", 20))) out.push_back(token_json(t));
          reply(res, 200, out);
        }));

  s.Get(R"(/api/tokens/([^/]*)/events)", guarded(log_, [view](const httplib::Request& req, httplib::Response& res) {
          const int64_t id = ops::parse_token_id(req.matches[1]);
          auto events = view().history(id);
          if (!events) throw NotFound("token " + std::to_string(id) + " is not known");
          json out = json::array();
          for (const auto& e : *events) out.push_back(ops::event_json(e));
          reply(res, 200, {{"token_id", id}, {"events", out}});
        }));

  s.Get("/api/failures", guarded(log_, [view](const httplib::Request& req, httplib::Response& res) {
          json out = json::array();
          for (const auto& f : view().failures(query_limit(req, "limit", 20))) out.push_back(ops::failure_json(f));
          reply(res, 200, out);
        }));

  s.Get("/api/reveals", guarded(log_, [view](const httplib::Request& req, httplib::Response& res) {
          json out = json::array();
          for (const auto& r : view().reveals(query_limit(req, "limit", 20))) out.push_back(ops::reveal_json(r));
          reply(res, 200, out);
        }));

  s.Get("/api/throughput", guarded(log_, [view](const httplib::Request&, httplib::Response& res) {
          reply(res, 200, {{"minutes", ops::throughput_json(view().throughput())}});
        }));

  s.Get("/api/dashboard/config", guarded(log_, [this](const httplib::Request&, httplib::Response& res) {
          reply(res, 200, {{"image_gateway", operations_.image_gateway},
                           {"explorer_url", operations_.explorer_url.empty() ? json(nullptr) : json(operations_.explorer_url)},
                           {"admin_api", admin_auth_.configured()}});
        }));

  s.Post("/api/admin/retry", guarded(log_, [this](const httplib::Request& req, httplib::Response& res) {
           admin_auth_.check(req.get_header_value("Authorization"));  // 503 / 401 before the body is read
           const auto [selection, dry_run] = parse_retry_request(req.body);
           if (operations_.queue == nullptr) throw ServiceUnavailable("the work queue is not set up in this server");
           const auto report = operations_.queue->retry_failed(selection, dry_run, "admin-api");
           log_.info("admin.retry", {{"dry_run", dry_run},
                                     {"failed", selection.all_failed},
                                     {"stage", selection.stage ? log::Fields(std::string(token::to_string(*selection.stage))) : log::Fields(nullptr)},
                                     {"requested", selection.token_ids.size()},
                                     {"count", report.tokens.size()},
                                     {"skipped", report.skipped.size()}});
           if (!dry_run && operations_.metrics != nullptr) {
             auto& retried = operations_.metrics->counter("glisk_operator_retries_total",
                                                          "failed tokens put back by an operator (admin API)", {"stage"});
             for (const auto& t : report.tokens) retried.inc({std::string(token::to_string(t.stage))});
           }
           reply(res, 200, ops::retry_json(report, dry_run));
         }));
}

void ApiServer::intake_routes() {
  auto& s = *server_;
  s.Get(R"(/api/authors/([^/]*))", guarded(log_, [this](const httplib::Request& req, httplib::Response& res) {
          if (intake_.authors == nullptr) throw ServiceUnavailable("authors are not served by this instance");
          auto author = intake_.authors->find(req.matches[1].str());  // InvalidAuthorRequest → 400
          if (!author) throw NotFound("no author with wallet " + req.matches[1].str() + " (no mint and no prompt yet)");
          reply(res, 200, author_json(*author));
        }));

  s.Post("/api/authors/prompt", guarded(log_, [this](const httplib::Request& req, httplib::Response& res) {
           if (intake_.authors == nullptr) throw ServiceUnavailable("authors are not served by this instance");
           const authors::SignedPrompt request = parse_prompt_request(req.body);
           const std::string wallet = intake_.authors->set_signed_prompt(request);
           reply(res, 200, {{"wallet_address", wallet}, {"has_prompt", true}});
         }));

  s.Post("/webhooks/alchemy", guarded(log_, [this](const httplib::Request& req, httplib::Response& res) {
           if (intake_.alchemy == nullptr) {
             throw webhook::WebhookNotConfigured("the Alchemy webhook is not configured: set ALCHEMY_WEBHOOK_SECRET");
           }
           std::optional<std::string> signature;
           if (req.has_header("X-Alchemy-Signature")) signature = req.get_header_value("X-Alchemy-Signature");
           auto result = intake_.alchemy->handle(req.body, signature);
           reply(res, 200, {{"status", result.duplicate ? "duplicate" : "ok"},
                            {"tokens_created", result.tokens_created},
                            {"ignored", result.ignored}});
         }));
}

ApiServer::~ApiServer() { stop(); }

void ApiServer::routes() {
  auto& s = *server_;
  s.set_payload_max_length(webhook::kMaxBodyBytes);

  s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    try {
      tokens_.ping();
      reply(res, 200, {{"status", "healthy"}, {"database", database_kind_}});
    } catch (const std::exception& e) {
      log_.warn("http.health_unhealthy", {{"error", e.what()}});
      reply(res, 503, {{"status", "unhealthy"}, {"database", database_kind_}, {"error", e.what()}});
    }
  });

  s.Get(R"(/api/tokens/([^/]*))", guarded(log_, [this](const httplib::Request& req, httplib::Response& res) {
          const int64_t id = ops::parse_token_id(req.matches[1]);
          auto token = tokens_.find_token(id);
          if (!token) throw NotFound("token " + std::to_string(id) + " is not known (not minted yet, or not detected)");
          reply(res, 200, token_json(*token));
        }));

  s.Get("/api/stats", guarded(log_, [this](const httplib::Request&, httplib::Response& res) {
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
          json body = {{"tokens", statuses}, {"total", total}, {"queues", queues}};
          if (reveal_journal_ != nullptr) {
            auto r = reveal_journal_->summary();
            body["reveal"] = {{"transactions", {{"pending", r.pending}, {"confirmed", r.confirmed}, {"failed", r.failed}}},
                              {"last_error", r.last_error ? json(*r.last_error) : json(nullptr)},
                              {"last_error_at", r.last_error_at ? json(*r.last_error_at) : json(nullptr)}};
          }
          reply(res, 200, body);
        }));

  s.Get(R"(/ipfs/([^/]*))", guarded(log_, [this](const httplib::Request& req, httplib::Response& res) {
          if (ipfs_store_ == nullptr) {
            throw NotFound("this service keeps no IPFS content (IPFS_PROVIDER=pinata): open it through the gateway");
          }
          auto bytes = ipfs_store_->read(req.matches[1].str());  // InvalidCid → 400
          if (!bytes) throw NotFound("no content with CID " + req.matches[1].str());
          res.status = 200;
          res.set_header("Cache-Control", "public, max-age=31536000, immutable");  // content-addressed
          const std::string type = ipfs::sniff_content_type(*bytes);
          res.set_content(std::move(*bytes), type);
        }));

  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) reply(res, 404, {{"error", "no route " + req.method + " " + req.path}});
    if (res.status == 413 && res.body.empty()) reply(res, 413, {{"error", "the body is over 1 MiB; nothing was stored"}});
  });
  s.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_.error("http.error", {{"path", req.path}, {"error", what}});
    reply(res, 500, {{"error", what}});
  });
}

int ApiServer::start(const std::string& host, int port) {
  int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) +
                             " (is another process using it? set HOST/PORT)");
  }
  listening_done_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listening_done_ = true;
  });
  // httplib's stop() does nothing before the listening loop has started: return only once it has,
  // or a stop() soon after start() would be lost and stop()'s join would wait for ever.
  while (!server_->is_running() && !listening_done_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

void ApiServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace glisk::http
