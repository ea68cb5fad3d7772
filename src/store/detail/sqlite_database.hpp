#pragma once
// SQLite backend: the embedded default. One file, WAL journal, synchronous=FULL (a committed state
// change survives power loss, so no paid work is redone), busy timeout of 10 s, a pool of
// connections (one per concurrent transaction). Write transactions are BEGIN IMMEDIATE, which
// serializes writers across threads and processes: that is what makes a claim atomic here.
// Several processes may share the file; they wake each other only by polling.

#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/detail/connection_pool.hpp"

namespace glisk::store {

namespace detail {
class SqliteConnection;
}

class SqliteDatabase final : public Database {
 public:
  // Read-only: the file must exist (ConnectionError naming it otherwise); nothing is written,
  // not even the switch to WAL.
  SqliteDatabase(std::string path, int pool_size, Access access = Access::kReadWrite);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::unique_ptr<Transaction> begin(TxMode mode) override;
  void notify_on_commit(Transaction&, std::string_view, std::string_view) override {}
  std::unique_ptr<Subscription> subscribe(std::string_view) override { return nullptr; }
  std::string describe() const override { return "sqlite://" + path_; }

  using Pool = detail::ConnectionPool<detail::SqliteConnection>;

 private:
  std::string path_;
  Access access_;
  Pool pool_;
};

}  // namespace glisk::store
