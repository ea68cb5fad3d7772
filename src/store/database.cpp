#include "store/database.hpp"

#include <charconv>
#include <cstdlib>

#include "clock/time_format.hpp"
#include "log/redaction.hpp"
#include "store/detail/postgres_database.hpp"
#include "store/detail/sqlite_database.hpp"

namespace glisk::store {

size_t Result::column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw QueryError("result has no column '" + std::string(name) + "'");
}

Row Result::row(size_t index) const {
  if (index >= rows.size()) {
    throw QueryError("result has " + std::to_string(rows.size()) + " rows, row " + std::to_string(index) + " was read");
  }
  return Row(*this, index);
}

const std::optional<std::string>& Row::cell(std::string_view column) const {
  return result_->rows[index_].at(result_->column(column));
}

void Row::throw_null(std::string_view column) {
  throw QueryError("column " + std::string(column) + " is NULL where the code needs a value");
}

namespace {

[[noreturn]] void not_a(std::string_view type, std::string_view column, const std::string& text) {
  throw QueryError("column " + std::string(column) + " holds '" + text.substr(0, 80) + "', not " + std::string(type));
}

template <typename Integer>
Integer parse_integer(std::string_view type, std::string_view column, const std::string& text) {
  Integer value{};
  const auto* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || at != end) not_a(type, column, text);
  return value;
}

}  // namespace

template <>
std::string Row::convert<std::string>(std::string_view, const std::string& text) {
  return text;
}
template <>
int64_t Row::convert<int64_t>(std::string_view column, const std::string& text) {
  return parse_integer<int64_t>("an integer", column, text);
}
template <>
uint64_t Row::convert<uint64_t>(std::string_view column, const std::string& text) {
  return parse_integer<uint64_t>("an unsigned integer", column, text);
}
template <>
int Row::convert<int>(std::string_view column, const std::string& text) {
  return parse_integer<int>("an int", column, text);
}
template <>
double Row::convert<double>(std::string_view column, const std::string& text) {
  // PostgreSQL's NUMERIC and SQLite's REAL both print in the C locale.
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) not_a("a number", column, text);
  return value;
}
template <>
bool Row::convert<bool>(std::string_view column, const std::string& text) {
  if (text == "1" || text == "t" || text == "true") return true;
  if (text == "0" || text == "f" || text == "false") return false;
  not_a("a boolean", column, text);
}
template <>
clock::TimePoint Row::convert<clock::TimePoint>(std::string_view column, const std::string& text) {
  auto parsed = clock::parse_time(text);
  if (!parsed) not_a("a timestamp", column, text);
  return *parsed;
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
