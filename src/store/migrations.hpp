#pragma once
// Versioned schema migrations, recorded in `schema_migrations`. Applied at startup by
// `glisk serve` and by `glisk migrate`. Safe when several instances start at once: PostgreSQL
// serializes them with an advisory lock, SQLite with its write lock; each migration runs in one
// transaction with its record, so a crash leaves either all of it or none.

#include <string_view>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"

namespace glisk::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // with the type words of migrations.cpp, rendered per dialect
};

const std::vector<Migration>& migrations();

// Applies what is missing; returns the versions applied now (empty when up to date).
std::vector<int> migrate(Database& db, clock::TimePoint now);

// The highest applied version, 0 for an empty database. Throws DatabaseError.
int schema_version(Database& db);

// For commands that only read (glisk status, …) and so never migrate: throws QueryError saying
// what to run when the schema is older or newer than this glisk's.
void require_current_schema(Database& db);

}  // namespace glisk::store
