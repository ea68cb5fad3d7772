#include "test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "clock/time_format.hpp"
#include "store/author_store.hpp"
#include "store/migrations.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::testing {
namespace {
std::atomic<int> g_counter{0};  // unique names within this test process

std::string unique_suffix() { return std::to_string(getpid()) + "_" + std::to_string(++g_counter); }
}  // namespace

std::string backend_name(Backend backend) { return backend == Backend::kSqlite ? "SQLite" : "PostgreSQL"; }

std::string postgres_server_url() {
  const char* url = std::getenv("GLISK_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "GLISK_TEST_POSTGRES_URL is not set: the PostgreSQL tests need a server. Run ./scripts/test, which starts "
        "one, or `export GLISK_TEST_POSTGRES_URL=$(scripts/pg-test-server start)`");
  }
  return url;
}

TestDatabase::TestDatabase(Backend backend, bool migrate) : backend_(backend) {
  if (backend == Backend::kSqlite) {
    sqlite_path_ = (std::filesystem::temp_directory_path() / ("glisk_test_" + unique_suffix() + ".db")).string();
    url_ = "sqlite://" + sqlite_path_;
  } else {
    const std::string server = postgres_server_url();
    schema_ = "t_" + unique_suffix();
    auto admin = store::open_database(server, 1);
    store::in_transaction(*admin, store::TxMode::kWrite,
                          [&](store::Transaction& tx) { tx.exec("CREATE SCHEMA " + schema_); });
    // Every connection of this test sees only its own schema.
    url_ = server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }
  db_ = store::open_database(url_, 8);
  if (migrate) store::migrate(*db_, clock::SystemClock{}.now());
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (backend_ == Backend::kSqlite) {
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(sqlite_path_ + ext);
  } else {
    try {
      auto admin = store::open_database(postgres_server_url(), 1);
      store::in_transaction(*admin, store::TxMode::kWrite,
                            [&](store::Transaction& tx) { tx.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE"); });
    } catch (const std::exception&) {
      // leave the schema behind; the test already reported what went wrong
    }
  }
}

std::unique_ptr<store::Database> TestDatabase::open_another(int pool_size) const {
  return store::open_database(url_, pool_size);
}

int64_t add_author(store::TokenStore& tokens, const std::string& wallet, const std::optional<std::string>& prompt) {
  if (prompt) return store::AuthorStore(tokens.database(), tokens.clock()).set_prompt(wallet, *prompt);
  const std::string now = clock::format_time(tokens.clock().now());
  return store::in_transaction(tokens.database(), store::TxMode::kWrite,
                               [&](store::Transaction& tx) { return store::ensure_author(tx, wallet, now); });
}

std::optional<store::Author> find_author(store::TokenStore& tokens, const std::string& wallet) {
  return store::AuthorStore(tokens.database(), tokens.clock()).find(wallet);
}

std::optional<store::Author> author_by_id(store::TokenStore& tokens, int64_t id) {
  return store::AuthorStore(tokens.database(), tokens.clock()).by_id(id);
}

namespace {
std::vector<int64_t> create_tokens(store::TokenStore& tokens, int64_t first, int64_t last, int64_t author_id,
                                   const std::optional<std::string>& minter) {
  const std::string now = clock::format_time(tokens.clock().now());
  return store::in_transaction(tokens.database(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    return store::create_detected(tx, {first, last, author_id, minter, "test", std::nullopt}, now);
  });
}
}  // namespace

bool add_token(store::TokenStore& tokens, int64_t id, int64_t author_id, const std::optional<std::string>& minter) {
  return !create_tokens(tokens, id, id, author_id, minter).empty();
}

void add_detected_tokens(store::TokenStore& tokens, int64_t first_id, int count, const std::string& wallet) {
  const int64_t author = add_author(tokens, wallet, std::string("a lighthouse at dusk"));
  if (count > 0) create_tokens(tokens, first_id, first_id + count - 1, author, std::nullopt);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the one wait of the test helpers
  }
  return true;
}

int CapturedLog::count(const std::string& event) const {
  const std::string needle = "\"event\":\"" + event + "\"";
  const std::string s = text();
  int n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

store::StagePauseReport breaker_pause(const std::string& stage, const std::string& instance,
                                      const std::string& provider, const std::string& reason, clock::TimePoint since,
                                      clock::TimePoint next_probe) {
  store::StagePauseReport r;
  r.stage = stage;
  r.instance = instance;
  r.provider = provider;
  r.cause = "breaker";
  r.reason = reason;
  r.since = since;
  r.next_probe = next_probe;
  return r;
}

}  // namespace glisk::testing
