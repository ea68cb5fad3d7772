#pragma once
// A TCP proxy on 127.0.0.1 (a port the kernel picks) that forwards every connection to a target
// port, and that a test can cut: cut() stops listening, so new connections are refused as by a
// host that is down, and drops every open connection mid-stream; restore() listens again on the
// same port. It stands between glisk and a node (RPC_URL) to make the node unreachable for a
// while without stopping it. Thread-safe.

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace glisk::testing {

class ToggleableTcpProxy {
 public:
  explicit ToggleableTcpProxy(int target_port);
  ~ToggleableTcpProxy();
  ToggleableTcpProxy(const ToggleableTcpProxy&) = delete;
  ToggleableTcpProxy& operator=(const ToggleableTcpProxy&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void cut();
  void restore();  // throws when the port cannot be bound again
  bool is_cut() const { return cut_; }
  int connections() const { return connections_; }  // accepted so far

 private:
  void listen_on_port();
  void accept_loop();
  void pump(int client, int upstream);
  void reap_finished();  // joins the threads of finished connections; mutex_ held

  const int target_port_;
  int port_ = 0;
  std::atomic<bool> cut_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  int wake_pipe_[2] = {-1, -1};  // wakes the acceptor when the listening socket changes
  mutable std::mutex mutex_;
  int listen_fd_ = -1;      // guarded by mutex_
  std::set<int> open_fds_;  // both ends of every open connection; guarded by mutex_
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Connection> pumps_;  // guarded by mutex_
  std::thread acceptor_;
};

}  // namespace glisk::testing
