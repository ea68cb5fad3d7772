#pragma once
// A fake Pinata pinning API on real HTTP: POST /pinning/pinFileToIPFS with multipart/form-data
// (file, pinataOptions, pinataMetadata), a JWT check, answers with the real fields
// (IpfsHash, PinSize, Timestamp, isDuplicate) and Pinata's error shape
// ({"error":{"reason":…,"details":…}}). It stores what it is given under the CID it computes
// (with glisk's own CID code: the CID cross-check against an independent implementation is
// tests/ipfs_cid_test.cpp). Tests can queue error answers, truncated answers, and a wrong-CID mode.
// Also a tiny image host that serves scripted paths, for the download side.

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <tuple>

#include "fakes/fake_server.hpp"

namespace glisk::testing {

class FakePinata : public FakeServer {
 public:
  static constexpr const char* kJwt = "eyJfake.jwt.token";

  struct Pin {
    std::string bytes;
    std::string file_name;
    std::string content_type;
    nlohmann::json options;
    nlohmann::json metadata;
  };

  FakePinata();
  ~FakePinata() { stop_serving(); }  // before the members the handlers use go
  // The next pin of a file whose name contains `for_file` (any file when empty) is answered
  // `status` / `body`, or dropped midway (the image and the metadata of a token are pinned at
  // once, so a test names the one it means).
  void queue_answer(int status, std::string body, std::map<std::string, std::string> headers = {},
                    std::string for_file = "");
  void queue_drop(std::string for_file = "");
  void answer_wrong_cids(bool wrong);
  // Each pin fails with this probability (alternately 500, and 429 with Retry-After: 1); seeded.
  void set_transient_error_rate(double rate, uint64_t seed = 2);
  int injected_errors() const { return injected_errors_; }
  // Every request for `duration` from now is answered 429 in Pinata's error shape, as when the
  // plan's requests per minute are used up. Pinata documents no Retry-After; `retry_after_seconds`
  // adds one for tests of a provider that does send it.
  void rate_limit_for(std::chrono::milliseconds duration, std::optional<int> retry_after_seconds = std::nullopt);
  int rate_limited_answers() const { return rate_limited_answers_; }
  // For `duration` from now every request is answered `status` in Pinata's error shape (401: the
  // JWT revoked; 402: the plan unpaid; 5xx: Pinata down), or with 0 its connection is dropped
  // (nothing at all); counted in outage_answers().
  void outage_for(std::chrono::milliseconds duration, int status);
  int outage_answers() const { return outage_answers_; }
  // Every answer waits this long first (a pin's upload and Pinata's work), concurrently.
  void set_latency(std::chrono::milliseconds latency) { latency_ms_ = latency.count(); }

  int requests() const { return requests_; }
  std::map<std::string, Pin> pins() const;  // by CID

 private:
  mutable std::mutex mutex_;
  struct Scripted {
    std::string for_file;
    bool drop = false;
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
  };
  std::deque<Scripted> answers_;  // guarded by mutex_
  bool wrong_ = false;
  std::map<std::string, Pin> pins_;
  double error_rate_ = 0;
  std::chrono::steady_clock::time_point rate_limited_until_{};  // guarded by mutex_
  std::optional<int> rate_limit_retry_after_;                   // guarded by mutex_
  std::atomic<int> rate_limited_answers_{0};
  std::chrono::steady_clock::time_point outage_until_{};  // guarded by mutex_
  int outage_status_ = 0;                                 // guarded by mutex_
  std::atomic<int> outage_answers_{0};
  std::mt19937_64 random_{2};  // guarded by mutex_
  std::atomic<int> requests_{0}, injected_errors_{0};
  std::atomic<int64_t> latency_ms_{0};
};

class FakeImageHost : public FakeServer {
 public:
  FakeImageHost();
  ~FakeImageHost() { stop_serving(); }  // before the members the handlers use go
  // Serves `path` with this status and body.
  void put(const std::string& path, int status, std::string body);
  int requests() const { return requests_; }

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<int, std::string>> files_;  // guarded by mutex_
  std::atomic<int> requests_{0};
};

}  // namespace glisk::testing
