#include "net/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sync/mutex.hpp"

namespace glisk::net {
namespace {

struct Transfer {
  std::string body;
  std::map<std::string, std::string> headers;
  size_t limit = 0;
  bool too_large = false;
  std::stop_token stop;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->limit) {
    t->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->headers[name] = std::string(value);
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->stop.stop_requested() ? 1 : 0;  // non-zero aborts
}

void global_init() {
  static std::once_flag once;  // curl_global_init must run once before any thread uses curl
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

const std::string* HttpResponse::header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? nullptr : &it->second;
}

// Idle easy handles: a handle keeps its connections open after a transfer (up to libcurl's
// default of 5), and curl_easy_reset clears its options, not them.
struct HttpClient::Handles {
  // More idle handles than this are closed: the most requests in flight at once, with room.
  static constexpr size_t kMaxIdle = 64;
  sync::Mutex mutex;
  std::vector<CURL*> idle GLISK_GUARDED_BY(mutex);

  CURL* take() {
    {
      sync::MutexLock lock(mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        curl_easy_reset(h);
        return h;
      }
    }
    return curl_easy_init();
  }
  void give_back(CURL* h) {
    {
      sync::MutexLock lock(mutex);
      if (idle.size() < kMaxIdle) {
        idle.push_back(h);
        return;
      }
    }
    curl_easy_cleanup(h);
  }
  ~Handles() {
    sync::MutexLock lock(mutex);
    for (CURL* h : idle) curl_easy_cleanup(h);
  }
};

HttpClient::HttpClient() : clock_(system_clock_), handles_(std::make_unique<Handles>()) { global_init(); }

HttpClient::HttpClient(const clock::Clock& clock) : clock_(clock), handles_(std::make_unique<Handles>()) {
  global_init();
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const HttpRequest& request, std::stop_token stop) const {
  Handles& handles = *handles_;
  std::unique_ptr<CURL, std::function<void(CURL*)>> curl(handles.take(), [&handles](CURL* h) {
    if (h != nullptr) handles.give_back(h);
  });
  if (!curl) throw TransportError(TransportError::Failure::kOther, "curl_easy_init failed");
  CURL* h = curl.get();
  Transfer transfer;
  transfer.limit = request.max_response_bytes;
  transfer.stop = stop;

  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers)
    raw_headers = curl_slist_append(raw_headers, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers, &curl_slist_free_all);

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(request.timeout.count(), 10'000)));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "glisk/" GLISK_VERSION);
  if (!request.reuse_connection) {
    // Its own connection, closed after it: nothing that might have been closed under it, so
    // nothing for libcurl to send again by itself.
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  }
  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    // Name the host, never the query string or headers (they may carry keys).
    std::string where = request.method + " " + request.url.substr(0, request.url.find('?'));
    std::string reason = curl_easy_strerror(rc);
    using Failure = TransportError::Failure;
    if (transfer.too_large) {
      throw TransportError(Failure::kTooLarge,
                           where + ": response larger than " + std::to_string(request.max_response_bytes) + " bytes");
    }
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        throw TransportError(Failure::kTimeout,
                             where + ": timed out after " + std::to_string(request.timeout.count()) + " ms");
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        throw TransportError(Failure::kConnect, where + ": " + reason);
      case CURLE_ABORTED_BY_CALLBACK:
        throw TransportError(Failure::kAborted, where + ": aborted (shutting down)");
      case CURLE_GOT_NOTHING:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_PARTIAL_FILE:
        throw TransportError(Failure::kDropped, where + ": connection dropped (" + reason + ")");
      default:
        throw TransportError(Failure::kOther, where + ": " + reason);
    }
  }
  HttpResponse response;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  response.headers = std::move(transfer.headers);
  response.body = std::move(transfer.body);
  return response;
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value,
                                                           std::chrono::system_clock::time_point now) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc{} && end == value.data() + value.size() && seconds >= 0) {
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  time_t when = curl_getdate(value.c_str(), nullptr);  // RFC 7231 HTTP-date
  if (when < 0) return std::nullopt;
  auto delay = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(delay));
}

}  // namespace glisk::net
