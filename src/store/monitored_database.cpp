#include "store/monitored_database.hpp"

#include <cctype>

namespace glisk::store {
namespace {

// A statement that reads only: its `affected` says nothing about this transaction's writes
// (SQLite reports the count of the connection's last write there).
bool is_read(std::string_view sql) {
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) sql.remove_prefix(1);
  if (sql.size() < 6) return false;
  std::string head(sql.substr(0, 6));
  for (auto& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return head == "SELECT";
}

class MonitoredTransaction final : public Transaction {
 public:
  MonitoredTransaction(MonitoredDatabase& owner, std::unique_ptr<Transaction> inner)
      : owner_(owner), inner_(std::move(inner)) {}

  Result exec(std::string_view sql, const Params& params) override {
    try {
      Result r = inner_->exec(sql, params);
      if (r.affected > 0 && !is_read(sql)) wrote_ = true;
      return r;
    } catch (const UnavailableError& e) {
      owner_.failed(e);
      throw;
    }
  }
  void commit() override {
    try {
      inner_->commit();
    } catch (const UnavailableError& e) {
      owner_.failed(e);
      throw;
    }
    if (wrote_) owner_.wrote();
  }

 private:
  MonitoredDatabase& owner_;
  std::unique_ptr<Transaction> inner_;
  bool wrote_ = false;
};

class MonitoredSubscription final : public Subscription {
 public:
  MonitoredSubscription(MonitoredDatabase& owner, std::unique_ptr<Subscription> inner)
      : owner_(owner), inner_(std::move(inner)) {}
  std::vector<std::string> wait(std::chrono::milliseconds timeout) override {
    try {
      return inner_->wait(timeout);
    } catch (const UnavailableError& e) {
      owner_.failed(e);
      throw;
    }
  }

 private:
  MonitoredDatabase& owner_;
  std::unique_ptr<Subscription> inner_;
};

}  // namespace

MonitoredDatabase::MonitoredDatabase(std::unique_ptr<Database> inner, const log::EventLog& log,
                                     const clock::Clock& clock, std::chrono::milliseconds remind_every)
    : inner_(std::move(inner)),
      unavailable_(log, clock, "store.unavailable", "store.recovered", log::Level::kError, remind_every,
                   {{"database", inner_->describe()}, {"fault", "unavailable"}}),
      disk_full_(log, clock, "store.disk_full", "store.recovered", log::Level::kError, remind_every,
                 {{"database", inner_->describe()}, {"fault", "disk_full"}}) {}

std::unique_ptr<Transaction> MonitoredDatabase::begin(TxMode mode) {
  std::unique_ptr<Transaction> tx;
  try {
    tx = inner_->begin(mode);
  } catch (const UnavailableError& e) {
    failed(e);
    throw;
  }
  connected();
  return std::make_unique<MonitoredTransaction>(*this, std::move(tx));
}

void MonitoredDatabase::notify_on_commit(Transaction& tx, std::string_view channel, std::string_view payload) {
  // The backends only run statements on the transaction they are given, so ours will do.
  inner_->notify_on_commit(tx, channel, payload);
}

std::unique_ptr<Subscription> MonitoredDatabase::subscribe(std::string_view channel) {
  std::unique_ptr<Subscription> inner;
  try {
    inner = inner_->subscribe(channel);
  } catch (const UnavailableError& e) {
    failed(e);
    throw;
  }
  if (!inner) return nullptr;
  connected();
  return std::make_unique<MonitoredSubscription>(*this, std::move(inner));
}

void MonitoredDatabase::failed(const UnavailableError& e) {
  if (dynamic_cast<const DiskFullError*>(&e) != nullptr) {
    disk_full_.failed({{"error", e.what()},
                       {"action",
                        "free space on the disk that holds the database, or grow it; nothing is lost: "
                        "writes are retried and the service resumes by itself"}});
    return;
  }
  unavailable_.failed({{"error", e.what()},
                       {"action",
                        "check that the database server is up and DATABASE_URL reaches it; nothing is lost: "
                        "the service reconnects and resumes by itself"}});
}

void MonitoredDatabase::connected() { unavailable_.succeeded(); }

void MonitoredDatabase::wrote() {
  unavailable_.succeeded();
  disk_full_.succeeded();
}

}  // namespace glisk::store
