#pragma once
// system_state: small named values every instance shares — the chain watcher's cursor per
// contract, the reveal sender's lease per keeper address. Every change is a compare-and-set in
// one statement, so of two instances that read the same value only one can replace it, on both
// backends alike (no row lock, no dialect). Thread-safe (no state beyond the clock).

#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"

namespace glisk::store {

class SystemState {
 public:
  explicit SystemState(clock::Clock& clock) : clock_(clock) {}

  std::optional<std::string> get(Transaction& tx, const std::string& key);
  // In its own read transaction.
  std::optional<std::string> get(Database& db, const std::string& key);

  // Sets `key` to `value` if it holds `expected` now (nullopt: if it does not exist). True when
  // it did; false when another writer changed it first.
  bool compare_and_set(Transaction& tx, const std::string& key, const std::optional<std::string>& expected,
                       const std::string& value);
  // Deletes `key` if it holds `expected` now. True when it did.
  bool compare_and_delete(Transaction& tx, const std::string& key, const std::string& expected);

  // For values only their own writer changes (a report per instance): set whatever was there.
  void put(Transaction& tx, const std::string& key, const std::string& value);
  // A count every instance adds to (an operator's retries): `key` grows by `n`, from 0 when absent.
  void add(Transaction& tx, const std::string& key, int64_t n);
  void remove(Transaction& tx, const std::string& key);
  // Every row whose key starts with `prefix`, in key order.
  struct Row {
    std::string key;
    std::string value;
    clock::TimePoint updated_at;
  };
  std::vector<Row> with_prefix(Transaction& tx, const std::string& prefix);

 private:
  clock::Clock& clock_;
};

}  // namespace glisk::store
