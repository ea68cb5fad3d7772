#pragma once
// PostgreSQL backend (libpq): production, several service instances on one server. A pool of
// connections, each in UTC; transactions at READ COMMITTED, where claims use
// FOR UPDATE SKIP LOCKED. A connection that breaks is dropped and reopened on next use, so the
// service rides out a server restart. LISTEN/NOTIFY carries wake-ups between instances.

#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/detail/connection_pool.hpp"

namespace glisk::store {

namespace detail {
class PgConnection;
}

class PostgresDatabase final : public Database {
 public:
  // `uri` is a libpq connection URI (postgresql://user:pass@host:port/db?options).
  // Read-only: every session refuses writes (default_transaction_read_only).
  PostgresDatabase(std::string uri, int pool_size, Access access = Access::kReadWrite);
  ~PostgresDatabase() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::unique_ptr<Transaction> begin(TxMode mode) override;
  void notify_on_commit(Transaction& tx, std::string_view channel, std::string_view payload) override;
  std::unique_ptr<Subscription> subscribe(std::string_view channel) override;
  std::string describe() const override;

  using Pool = detail::ConnectionPool<detail::PgConnection>;

 private:
  std::string uri_;
  Access access_;
  Pool pool_;
};

}  // namespace glisk::store
