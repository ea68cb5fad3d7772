// The outside-world HTTP client's connections (issue 16): kept alive for reads, so a poll or a pin
// to a host spoken to a moment ago opens no new connection; never reused for a request that must
// go at most once (a paid create), which libcurl would otherwise send again by itself when a
// reused connection turns out closed.
#include "net/http_client.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>
#include <thread>

#include "sync/mutex.hpp"

using namespace glisk;

namespace {

// Records the client port of every request: one port, one connection.
class PortRecorder {
 public:
  PortRecorder() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      {
        sync::MutexLock lock(mutex_);
        ports_.push_back(req.remote_port);
      }
      res.set_content("{}", "application/json");
    };
    server_.Get("/read", record);
    server_.Post("/create", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~PortRecorder() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<int> ports() const {
    sync::MutexLock lock(mutex_);
    return ports_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable sync::Mutex mutex_;
  std::vector<int> ports_ GLISK_GUARDED_BY(mutex_);
};

}  // namespace

TEST(HttpClient, KeepsAConnectionAliveForReadsAndOpensAFreshOneForEachCreate) {
  PortRecorder server;
  net::HttpClient http;
  net::HttpRequest read;
  read.url = server.url("/read");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http.send(read).status, 200);
  net::HttpRequest create;
  create.method = "POST";
  create.url = server.url("/create");
  create.body = "{}";
  create.reuse_connection = false;
  for (int i = 0; i < 2; ++i) EXPECT_EQ(http.send(create).status, 200);
  EXPECT_EQ(http.send(read).status, 200);

  const auto ports = server.ports();
  ASSERT_EQ(ports.size(), 6u);
  EXPECT_EQ(ports[0], ports[1]) << "a read opened a new connection";
  EXPECT_EQ(ports[1], ports[2]);
  const std::set<int> creates = {ports[3], ports[4]};
  EXPECT_EQ(creates.size(), 2u) << "two creates shared a connection";
  EXPECT_FALSE(creates.contains(ports[0])) << "a create went on a kept-alive connection";
  EXPECT_FALSE(creates.contains(ports[5])) << "a create's connection was kept for later";
}
