#pragma once
// The storage seam: one small interface, two real implementations (SQLite, PostgreSQL).
// Statements are written once with `$1, $2, …` placeholders; both backends accept them.
// Values travel as text/integers; timestamps as ISO-8601 text (clock/time_format.hpp).
//
// Thread-safety: a Database is shared by all threads (it holds a connection pool); a Transaction
// belongs to one thread. A Transaction destroyed without commit() rolls back.
//
// Errors are typed (below) so callers can tell "try again" from "fix something".

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "clock/clock.hpp"
#include "errors/errors.hpp"

namespace glisk::store {

enum class Dialect { kSqlite, kPostgres };
// kRead promises only that each statement sees committed data (READ COMMITTED): PostgreSQL runs
// a read's statements one by one without BEGIN, SQLite in a deferred transaction. Work that needs
// several statements to agree takes kWrite.
enum class TxMode { kRead, kWrite };
// How a process opens the database: operators' read-only commands (glisk status, …) open it so
// that they cannot write, take no write lock and create nothing.
enum class Access { kReadWrite, kReadOnly };

using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;
using Params = std::vector<SqlValue>;

struct Result;

// One row of a Result, read by column name and converted to the type the code expects:
// `row.get<int64_t>("token_id")`, `row.get_optional<std::string>("image_cid")`. Types: std::string,
// int64_t, int, uint64_t, double, bool (1/0, t/f), clock::TimePoint (time_format text). A column
// the result lacks, a NULL where a value is required, or text that is not of the type is a
// QueryError naming the column: the schema and the code disagree, a bug.
class Row {
 public:
  Row(const Result& result, size_t index) : result_(&result), index_(index) {}

  template <typename T>
  T get(std::string_view column) const;
  template <typename T>
  std::optional<T> get_optional(std::string_view column) const {
    const auto& text = cell(column);
    if (!text) return std::nullopt;
    return convert<T>(column, *text);
  }
  bool is_null(std::string_view column) const { return !cell(column).has_value(); }

 private:
  const std::optional<std::string>& cell(std::string_view column) const;
  [[noreturn]] static void throw_null(std::string_view column);
  template <typename T>
  static T convert(std::string_view column, const std::string& text);

  const Result* result_;
  size_t index_;
};

// The conversions there are (database.cpp).
template <>
std::string Row::convert<std::string>(std::string_view column, const std::string& text);
template <>
int64_t Row::convert<int64_t>(std::string_view column, const std::string& text);
template <>
uint64_t Row::convert<uint64_t>(std::string_view column, const std::string& text);
template <>
int Row::convert<int>(std::string_view column, const std::string& text);
template <>
double Row::convert<double>(std::string_view column, const std::string& text);
template <>
bool Row::convert<bool>(std::string_view column, const std::string& text);
template <>
clock::TimePoint Row::convert<clock::TimePoint>(std::string_view column, const std::string& text);

// Rows of a result, every value as text (NULL = nullopt); read them through Row. Iterating a
// Result yields its Rows.
struct Result {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

  size_t column(std::string_view name) const;  // throws QueryError when absent
  size_t size() const { return rows.size(); }
  bool empty() const { return rows.empty(); }
  Row row(size_t index) const;  // throws QueryError past the end

  class Iterator {
   public:
    Iterator(const Result& result, size_t index) : result_(&result), index_(index) {}
    Row operator*() const { return Row(*result_, index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }

   private:
    const Result* result_;
    size_t index_;
  };
  Iterator begin() const { return {*this, 0}; }
  Iterator end() const { return {*this, rows.size()}; }
};

template <typename T>
T Row::get(std::string_view column) const {
  const auto& text = cell(column);
  if (!text) throw_null(column);
  return convert<T>(column, *text);
}

// Kinds (errors/errors.hpp): an unusable DATABASE_URL is bad input; the database unreachable,
// full or busy is unavailable (never a token's fault); a refused constraint is a conflict; a
// statement the database does not understand is a bug.
class DatabaseError : public errors::Error {
 public:
  // A database that cannot be used as configured (DATABASE_URL).
  explicit DatabaseError(const std::string& what) : errors::Error(errors::Kind::kBadInput, what) {}

 protected:
  DatabaseError(errors::Kind kind, const std::string& what) : errors::Error(kind, what) {}
};
// The database cannot take this work right now, through no fault of the statement: transient,
// retry later. Callers that must not lose a result (a paid image, a pin) retry on this class.
class UnavailableError : public DatabaseError {
 public:
  explicit UnavailableError(const std::string& what) : DatabaseError(errors::Kind::kUnavailable, what) {}
};
// The server is unreachable or the connection broke (a server restart).
class ConnectionError : public UnavailableError {
 public:
  using UnavailableError::UnavailableError;
};
// The disk that holds the database is full (SQLITE_FULL, PostgreSQL 53100): reads still work,
// writes fail until an operator frees space. Nothing half-written stays: the transaction rolls back.
class DiskFullError : public UnavailableError {
 public:
  using UnavailableError::UnavailableError;
};
// Lock contention, serialization failure or deadlock: transient, retry the transaction.
class BusyError : public DatabaseError {
 public:
  explicit BusyError(const std::string& what) : DatabaseError(errors::Kind::kUnavailable, what) {}
};
// A unique, foreign-key or check constraint refused the change.
class ConstraintError : public DatabaseError {
 public:
  explicit ConstraintError(const std::string& what) : DatabaseError(errors::Kind::kConflict, what) {}
};
// Anything else (a bad statement, a schema that does not match): a bug or a wrong database.
class QueryError : public DatabaseError {
 public:
  explicit QueryError(const std::string& what) : DatabaseError(errors::Kind::kBug, what) {}
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Result exec(std::string_view sql, const Params& params = {}) = 0;
  virtual void commit() = 0;
};

// Notifications between processes (PostgreSQL LISTEN/NOTIFY).
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Waits up to `timeout` for notifications; returns their payloads (empty on timeout).
  // Throws ConnectionError when the connection is lost; subscribe again to resume.
  virtual std::vector<std::string> wait(std::chrono::milliseconds timeout) = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Write transactions take the write lock at once on SQLite (BEGIN IMMEDIATE), so a
  // read-then-write inside them cannot race another process.
  virtual std::unique_ptr<Transaction> begin(TxMode mode) = 0;
  // Queues a notification that is delivered to subscribers when `tx` commits (nothing on SQLite,
  // whose processes fall back to polling).
  virtual void notify_on_commit(Transaction& tx, std::string_view channel, std::string_view payload) = 0;
  // nullptr when the backend has no cross-process notifications (SQLite).
  virtual std::unique_ptr<Subscription> subscribe(std::string_view channel) = 0;
  // Where it points, safe for logs (no password).
  virtual std::string describe() const = 0;
};

// Runs `body(tx)` in a transaction and commits it; rolls back if body throws.
template <typename Body>
auto in_transaction(Database& db, TxMode mode, Body&& body) {
  auto tx = db.begin(mode);
  if constexpr (std::is_void_v<decltype(body(*tx))>) {
    body(*tx);
    tx->commit();
  } else {
    auto result = body(*tx);
    tx->commit();
    return result;
  }
}

// Opens the database a DATABASE_URL names: sqlite://PATH or postgresql://… (also postgres:// and
// postgresql+asyncpg://). Connections open lazily, so an unreachable server is reported by the
// first transaction, not here. Throws DatabaseError for an unusable URL. Read-only: a SQLite file
// that does not exist is a ConnectionError naming the path (nothing is created), and PostgreSQL
// sessions refuse writes (default_transaction_read_only).
std::unique_ptr<Database> open_database(const std::string& url, int pool_size, Access access = Access::kReadWrite);

}  // namespace glisk::store
