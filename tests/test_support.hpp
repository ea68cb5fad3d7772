#pragma once
// Shared test fixtures: a fresh migrated database per test on either backend, and small helpers.
// PostgreSQL tests need GLISK_TEST_POSTGRES_URL (./scripts/test starts a server and sets it);
// without it they fail with a message saying so: a missing service is never a skip.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "store/author_store.hpp"
#include "store/database.hpp"
#include "store/stage_reports.hpp"
#include "store/token_store.hpp"

namespace glisk::testing {

enum class Backend { kSqlite, kPostgres };

std::string backend_name(Backend backend);
inline std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info) {
  return backend_name(info.param);
}

// GLISK_TEST_POSTGRES_URL, or throws std::runtime_error explaining how to get one.
std::string postgres_server_url();

class TestDatabase {
 public:
  explicit TestDatabase(Backend backend, bool migrate = true);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  // A DATABASE_URL for this database, usable by other processes.
  const std::string& url() const { return url_; }
  store::Database& db() { return *db_; }
  std::unique_ptr<store::Database> open_another(int pool_size = 4) const;

 private:
  Backend backend_;
  std::string url_;
  std::string sqlite_path_;
  std::string schema_;
  std::unique_ptr<store::Database> db_;
};

// Another instance's report of a stage paused by its breaker (what store::StageReports keeps).
store::StagePauseReport breaker_pause(const std::string& stage, const std::string& instance,
                                      const std::string& provider, const std::string& reason, clock::TimePoint since,
                                      clock::TimePoint next_probe);

// An author as production makes one: named by a mint (no prompt) or given a prompt by an operator.
int64_t add_author(store::TokenStore& tokens, const std::string& wallet, const std::optional<std::string>& prompt);
std::optional<store::Author> find_author(store::TokenStore& tokens, const std::string& wallet);
std::optional<store::Author> author_by_id(store::TokenStore& tokens, int64_t id);

// Token `id` of `author_id`, created as a mint creates it (store::create_detected); false when it existed.
bool add_token(store::TokenStore& tokens, int64_t id, int64_t author_id,
               const std::optional<std::string>& minter = std::nullopt);

// Creates an author and tokens first_id .. first_id+count-1 in `detected`, as a mint does.
void add_detected_tokens(store::TokenStore& tokens, int64_t first_id, int count,
                         const std::string& wallet = "0x00000000000000000000000000000000000000a1");

// A string buffer that worker and server threads may write while the test reads it: spdlog's
// sink lock serialises the writers but not a reader calling str() (ThreadSanitizer saw that).
class LockedStringBuf : public std::streambuf {
 public:
  std::string str() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(mutex_);
    text_.append(s, static_cast<size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    std::lock_guard lock(mutex_);
    text_.push_back(traits_type::to_char_type(c));
    return c;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

// A log that writes into a string, for asserting on events.
struct CapturedLog {
  LockedStringBuf buffer;
  std::ostream out{&buffer};
  log::EventLog log{log::Format::kJson, log::Level::kDebug, out};
  std::string text() const { return buffer.str(); }
  int count(const std::string& event) const;
};

// Waits until `condition` holds, or `timeout` passes (false then). For another thread's progress
// only: time itself is a clock::ManualClock's, advanced by the test, never waited out.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Runs `f`, which must throw E, and returns what it threw for checks on the message.
template <typename E, typename F>
E thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  throw std::logic_error(std::string("expected an exception of type ") + typeid(E).name());
}

// The message of the E that `f` throws, or "no error" (another exception type escapes and fails).
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace glisk::testing
