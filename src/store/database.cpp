#include "store/database.hpp"

#include "log/redaction.hpp"
#include "store/postgres_database.hpp"
#include "store/sqlite_database.hpp"

namespace glisk::store {

size_t Result::column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw QueryError("result has no column '" + std::string(name) + "'");
}

std::unique_ptr<Database> open_database(const std::string& url, int pool_size, Access access) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) throw DatabaseError("DATABASE_URL sqlite:// needs a file path, e.g. sqlite://./glisk.db");
    return std::make_unique<SqliteDatabase>(path, pool_size, access);
  }
  for (std::string_view scheme : {"postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"}) {
    if (url.starts_with(scheme)) {
      // libpq understands only postgresql:// and postgres://; the driver suffix is SQLAlchemy's.
      return std::make_unique<PostgresDatabase>("postgresql://" + url.substr(scheme.size()), pool_size, access);
    }
  }
  throw DatabaseError("DATABASE_URL '" + log::redact_url(url) +
                      "' names no supported database: use sqlite://PATH or postgresql://user:pass@host:port/db");
}

}  // namespace glisk::store
