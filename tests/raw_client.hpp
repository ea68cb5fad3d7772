#pragma once
// A plain TCP client for speaking HTTP the way a hostile client does: bytes as it likes, as slowly
// as it likes, from the loopback address it likes (127.0.0.2, … stand for other clients: the whole
// 127.0.0.0/8 reaches a server listening on 127.0.0.1). No HTTP library: the point is to send
// what a library would not.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace glisk::testing {

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  bool closes = false;  // Connection: close

  // The first value of a header (case-insensitive name), or "".
  std::string header(std::string_view name) const;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port from `source` (a loopback address). Throws std::runtime_error.
  explicit RawConnection(int port, const std::string& source = "127.0.0.1");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false when the server closed or reset the connection.
  bool send(std::string_view bytes);
  // Reads one response (head and a Content-Length body); nullopt on close or timeout.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until the server closes the connection (EOF or reset); false on timeout. Discards data.
  bool closed_within(std::chrono::milliseconds timeout);
  // Bytes received that are not (yet) a whole response: after a failed read_response, a partial
  // answer rather than a clean refusal.
  bool has_partial_response() const { return !buffer_.empty(); }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // reads more into buffer_

  int fd_ = -1;
  std::string buffer_;
};

// "GET path HTTP/1.1" with Host and the extra header lines, keep-alive.
std::string get_request(const std::string& path, const std::string& extra_headers = "");

}  // namespace glisk::testing
