#pragma once
// The HTTP API (cpp-httplib): health, token state and queue statistics, JSON everywhere.
//   GET /health            200 {"status":"healthy"} after a real database round trip, else 503
//   GET /api/tokens/{id}   the token's state; 400 when id is not a number, 404 when unknown
//   GET /api/stats         tokens per status; per stage: depth, due, in flight, oldest due age;
//                          reveal transactions per status and the latest reveal error
//   GET /ipfs/{cid}        content of the local IPFS store (IPFS_PROVIDER=local): 400 for a malformed
//                          CID, 404 for an unknown one
// Status codes are chosen in one place (status_for in api_server.cpp). Listens on its own
// threads; start() returns once the socket is bound.

#include <memory>
#include <string>
#include <thread>

#include "ipfs/local_store.hpp"
#include "log/event_log.hpp"
#include "reveal/reveal_journal.hpp"
#include "store/token_store.hpp"

namespace httplib {
class Server;
}

namespace glisk::http {

class ApiServer {
 public:
  // `ipfs_store` may be null (content then lives at the pinning service's gateway).
  ApiServer(store::TokenStore& tokens, const log::EventLog& log, std::string database_kind,
            const ipfs::LocalIpfsStore* ipfs_store = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds host:port (port 0 picks a free port) and serves in the background; returns the port.
  // Throws std::runtime_error when the address cannot be bound.
  int start(const std::string& host, int port);
  void stop();

  // The reveal journal whose summary /api/stats shows; call before start().
  void set_reveal_journal(reveal::RevealJournal* journal) { reveal_journal_ = journal; }

 private:
  void routes();

  store::TokenStore& tokens_;
  const log::EventLog& log_;
  const std::string database_kind_;
  const ipfs::LocalIpfsStore* ipfs_store_;
  reveal::RevealJournal* reveal_journal_ = nullptr;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace glisk::http
