#include "http/api_server.hpp"

#include <httplib.h>

#include <charconv>
#include <cstdint>

#include "authors/author_registry.hpp"
#include "clock/time_format.hpp"
#include "ipfs/cid.hpp"
#include "token/token.hpp"
#include "webhook/alchemy_webhook.hpp"

namespace glisk::http {
namespace {

using nlohmann::json;

class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
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
      dynamic_cast<const webhook::MalformedWebhook*>(&e) != nullptr) {
    return 400;
  }
  if (dynamic_cast<const authors::SignatureRejected*>(&e) != nullptr ||
      dynamic_cast<const webhook::WebhookUnauthorized*>(&e) != nullptr) {
    return 401;
  }
  if (dynamic_cast<const NotFound*>(&e) != nullptr) return 404;
  if (dynamic_cast<const authors::PromptConflict*>(&e) != nullptr) return 409;
  if (dynamic_cast<const webhook::WebhookTooLarge*>(&e) != nullptr) return 413;
  if (dynamic_cast<const store::DatabaseError*>(&e) != nullptr ||
      dynamic_cast<const webhook::WebhookNotConfigured*>(&e) != nullptr ||
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

json optional_text(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json optional_time(const std::optional<clock::TimePoint>& t) { return t ? json(clock::format_time(*t)) : json(nullptr); }

json token_json(const token::Token& t) {
  return {
      {"token_id", t.token_id},
      {"status", token::to_string(t.status)},
      {"author_id", t.author_id},
      {"minter_address", optional_text(t.minter_address)},
      {"image_url", optional_text(t.image_url)},
      {"image_cid", optional_text(t.image_cid)},
      {"metadata_cid", optional_text(t.metadata_cid)},
      {"metadata_uri", t.metadata_cid ? json("ipfs://" + *t.metadata_cid) : json(nullptr)},
      {"reveal_tx_hash", optional_text(t.reveal_tx_hash)},
      {"generation_attempts", t.generation_attempts},
      {"upload_attempts", t.upload_attempts},
      {"reveal_attempts", t.reveal_attempts},
      {"error", optional_text(t.generation_error)},
      {"failed_stage", t.failed_stage ? json(token::to_string(*t.failed_stage)) : json(nullptr)},
      {"next_attempt_at", optional_time(t.next_attempt_at)},
      {"leased_until", optional_time(t.locked_until)},
      {"created_at", clock::format_time(t.created_at)},
      {"updated_at", clock::format_time(t.updated_at)},
  };
}

int64_t parse_token_id(const std::string& text) {
  int64_t id = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || id < 0) {
    throw BadRequest("token_id must be a non-negative whole number, got '" + text.substr(0, 80) + "'");
  }
  return id;
}

// A JSON object body, or BadRequest saying why not.
json json_body(const httplib::Request& req) {
  try {
    json body = json::parse(req.body);
    if (!body.is_object()) throw BadRequest("the body must be a JSON object");
    return body;
  } catch (const json::parse_error& e) {
    throw BadRequest(std::string("the body is not JSON: ") + e.what());
  }
}

const json& body_field(const json& body, const char* name, bool (json::*is_type)() const noexcept, const char* type) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) throw BadRequest(std::string(name) + " is missing");
  if (!((*it).*is_type)()) throw BadRequest(std::string(name) + " must be " + type);
  return *it;
}

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
           const json body = json_body(req);
           authors::SignedPrompt request;
           request.wallet_address = body_field(body, "wallet_address", &json::is_string, "a string").get<std::string>();
           request.prompt_text = body_field(body, "prompt_text", &json::is_string, "a string").get<std::string>();
           const json& timestamp = body_field(body, "timestamp", &json::is_number_integer, "a whole number of unix seconds");
           if (timestamp.is_number_unsigned() && timestamp.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
             throw BadRequest("timestamp is out of range");
           }
           request.timestamp = timestamp.get<int64_t>();
           request.signature = body_field(body, "signature", &json::is_string, "a string (0x + 65 bytes hex)").get<std::string>();
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
          const int64_t id = parse_token_id(req.matches[1]);
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
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void ApiServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace glisk::http
