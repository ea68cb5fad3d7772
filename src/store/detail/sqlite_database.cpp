#include "store/detail/sqlite_database.hpp"

#include <sqlite3.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "clock/clock.hpp"

namespace glisk::store {
namespace detail {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  // SQLite reports most ENOSPC as SQLITE_FULL, but some writes (the WAL index, a sync) come back
  // as an I/O error whose system errno says the same.
  const bool no_space = (rc & 0xff) == SQLITE_FULL ||
                        ((rc & 0xff) == SQLITE_IOERR && db != nullptr && sqlite3_system_errno(db) == ENOSPC);
  if (no_space) {
    throw DiskFullError(message +
                        " (the disk holding the database is full: free space on it; writes resume by themselves)");
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw BusyError(message + " (another writer holds the database; retry)");
    case SQLITE_CONSTRAINT:
      throw ConstraintError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
      throw ConnectionError(message + " (check the DATABASE_URL file, its folder and free disk space)");
    default:
      throw QueryError(message);
  }
}

// `$12` placeholders become `?12`, SQLite's numbered form.
std::string to_sqlite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '?';
    } else {
      out += sql[i];
    }
  }
  return out;
}

class SqliteConnection {
 public:
  SqliteConnection(const std::string& path, Access access) {
    const bool read_only = access == Access::kReadOnly;
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message =
          "cannot open SQLite database '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw ConnectionError(message + (read_only ? " (no database there: check DATABASE_URL, or create it with "
                                                   "`glisk migrate` or `glisk serve`)"
                                                 : " (check DATABASE_URL and that its folder exists and is writable)"));
    }
    sqlite3_busy_timeout(db_, 10'000);
    sqlite3_extended_result_codes(db_, 1);
    if (read_only) {
      // WAL lets readers go on beside a writer; the writer's process has already switched to it.
      run_script("PRAGMA query_only=ON;");
      return;
    }
    // Switching a fresh file to WAL needs a moment alone with it, and SQLite answers "locked" at
    // once (without the busy handler) when another connection is busy: wait for that ourselves.
    for (int tries = 0;; ++tries) {
      try {
        run_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        break;
      } catch (const BusyError&) {
        if (tries >= 500) {
          sqlite3_close_v2(db_);
          throw;
        }
        clock::SystemClock().sleep_for(std::chrono::milliseconds(20));  // another process holds the file: real time
      }
    }
  }
  ~SqliteConnection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // False when SQLite itself ended the transaction: after SQLITE_FULL or an I/O error it may roll
  // back on its own, and the connection is then as good as new.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  void run_script(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      sqlite3_free(err);
      throw_sqlite(db_, rc, "SQLite");  // db_ for the system errno; its message is the same as err
    }
  }

  Result exec(std::string_view sql_in, const Params& params) {
    std::string sql = to_sqlite_placeholders(sql_in);
    if (params.empty() && has_several_statements(sql)) {
      run_script(sql.c_str());
      return {};
    }
    sqlite3_stmt* stmt = prepared(sql);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) return sqlite3_bind_null(stmt, idx);
            if constexpr (std::is_same_v<T, int64_t>) return sqlite3_bind_int64(stmt, idx, v);
            if constexpr (std::is_same_v<T, double>) return sqlite3_bind_double(stmt, idx, v);
            if constexpr (std::is_same_v<T, std::string>)
              return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
          },
          params[i]);
      if (rc != SQLITE_OK) throw_sqlite(db_, rc, "binding parameter " + std::to_string(idx));
    }
    Result result;
    int ncol = sqlite3_column_count(stmt);
    for (int c = 0; c < ncol; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(stmt);
        throw_sqlite(db_, rc, "SQLite statement failed");
      }
      auto& row = result.rows.emplace_back();
      row.reserve(static_cast<size_t>(ncol));
      for (int c = 0; c < ncol; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    result.affected = sqlite3_changes64(db_);
    sqlite3_reset(stmt);
    return result;
  }

 private:
  static bool has_several_statements(const std::string& sql) {
    size_t semi = sql.find(';');
    if (semi == std::string::npos) return false;
    for (size_t i = semi + 1; i < sql.size(); ++i) {
      if (!std::isspace(static_cast<unsigned char>(sql[i]))) return true;
    }
    return false;
  }

  sqlite3_stmt* prepared(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "preparing SQL");
    cache_.emplace(sql, stmt);
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace detail

namespace {

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase::Pool& owner, std::unique_ptr<detail::SqliteConnection> conn, TxMode mode)
      : owner_(owner), conn_(std::move(conn)) {
    try {
      conn_->exec(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", {});
    } catch (...) {
      owner_.give_back(std::move(conn_));
      throw;
    }
  }
  ~SqliteTransaction() override {
    if (!conn_) return;
    try {
      if (conn_->in_transaction()) conn_->exec("ROLLBACK", {});
      owner_.give_back(std::move(conn_));
    } catch (...) {
      owner_.give_back(nullptr);  // a connection that cannot roll back is not reused
    }
  }
  Result exec(std::string_view sql, const Params& params) override {
    if (!conn_) throw QueryError("transaction already finished");
    return conn_->exec(sql, params);
  }
  void commit() override {
    if (!conn_) throw QueryError("transaction already finished");
    conn_->exec("COMMIT", {});  // on failure the destructor rolls back
    owner_.give_back(std::move(conn_));
  }

 private:
  SqliteDatabase::Pool& owner_;
  std::unique_ptr<detail::SqliteConnection> conn_;
};

}  // namespace

SqliteDatabase::SqliteDatabase(std::string path, int pool_size, Access access)
    : path_(std::move(path)), access_(access), pool_(static_cast<size_t>(pool_size), [this] {
        return std::make_unique<detail::SqliteConnection>(path_, access_);
      }) {}

SqliteDatabase::~SqliteDatabase() = default;

std::unique_ptr<Transaction> SqliteDatabase::begin(TxMode mode) {
  return std::make_unique<SqliteTransaction>(pool_, pool_.take(), mode);
}

}  // namespace glisk::store
