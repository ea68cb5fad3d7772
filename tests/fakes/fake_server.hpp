#pragma once
// The part every fake outside service shares: a cpp-httplib server on 127.0.0.1 and a free port,
// serving on its own thread from construction (after the subclass registered its routes, by
// calling listen()) until destruction. A subclass's destructor must call stop_serving() first:
// the base destructor runs after the subclass's members are gone, and a request still in a
// handler would read them (ThreadSanitizer caught exactly that).

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

namespace glisk::testing {

class FakeServer {
 public:
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 protected:
  FakeServer() = default;
  ~FakeServer() { stop_serving(); }
  // Stops accepting, lets the handlers in flight return, and joins the server's threads.
  void stop_serving() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  // Call at the end of the subclass constructor, once the routes exist.
  void listen() {
    // cpp-httplib's default pool (8 threads) is smaller than the connections a service with a
    // dozen slots keeps open (each kept-alive connection holds a thread): the fake, not the
    // service, would set the pace.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Answers with a body promised longer than what is sent, then drops the connection.
  static void drop_midway(httplib::Response& res) {
    res.set_content_provider(1000, "application/json", [](size_t offset, size_t, httplib::DataSink& sink) {
      if (offset == 0) sink.write("{\"Ipfs", 6);
      return false;
    });
  }

  httplib::Server server_;

 private:
  std::thread thread_;
  int port_ = 0;
};

}  // namespace glisk::testing
