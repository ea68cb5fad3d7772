#include "fakes/fake_pinata.hpp"

#include <algorithm>

#include "ipfs/cid.hpp"

namespace glisk::testing {

using nlohmann::json;

namespace {
std::string pinata_error(const std::string& reason, const std::string& details) {
  return json{{"error", {{"reason", reason}, {"details", details}}}}.dump();
}
}  // namespace

FakePinata::FakePinata() {
  server_.Post("/pinning/pinFileToIPFS", [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    if (latency_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms_.load()));
    std::unique_lock lock(mutex_);
    const std::string file_name = req.has_file("file") ? req.get_file_value("file").filename : "";
    auto scripted = std::find_if(answers_.begin(), answers_.end(),
                                 [&](const Scripted& s) { return file_name.find(s.for_file) != std::string::npos; });
    if (scripted != answers_.end()) {
      const Scripted s = *scripted;
      answers_.erase(scripted);
      if (s.drop) {
        lock.unlock();
        drop_midway(res);
        return;
      }
      for (auto& [k, v] : s.headers) res.set_header(k, v);
      res.status = s.status;
      res.set_content(s.body, "application/json");
      return;
    }
    if (std::chrono::steady_clock::now() < outage_until_) {
      ++outage_answers_;
      const int status = outage_status_;
      lock.unlock();
      if (status == 0) {
        drop_midway(res);
        return;
      }
      res.status = status;
      res.set_content(status == 401 ? pinata_error("INVALID_CREDENTIALS", "Invalid authentication credentials provided")
                      : status == 402
                          ? pinata_error("PAYMENT_REQUIRED", "Your plan's usage is past due: update billing")
                          : pinata_error("INTERNAL", "Service temporarily unavailable"),
                      "application/json");
      return;
    }
    if (std::chrono::steady_clock::now() < rate_limited_until_) {
      ++rate_limited_answers_;
      if (rate_limit_retry_after_) res.set_header("Retry-After", std::to_string(*rate_limit_retry_after_));
      res.status = 429;
      res.set_content(pinata_error("RATE_LIMITED", "Rate limit exceeded: too many requests for this plan"),
                      "application/json");
      return;
    }
    if (error_rate_ > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < error_rate_) {
      const bool throttle = (++injected_errors_ % 2) == 0;
      if (throttle) res.set_header("Retry-After", "1");
      res.status = throttle ? 429 : 500;
      res.set_content(throttle ? pinata_error("RATE_LIMITED", "Too many requests")
                               : pinata_error("INTERNAL", "Internal server error"),
                      "application/json");
      return;
    }
    if (req.get_header_value("Authorization") != std::string("Bearer ") + kJwt) {
      res.status = 401;
      res.set_content(pinata_error("INVALID_CREDENTIALS", "Invalid authentication credentials provided"),
                      "application/json");
      return;
    }
    if (!req.is_multipart_form_data() || !req.has_file("file")) {
      res.status = 400;
      res.set_content(pinata_error("INVALID_FILE", "No file was provided"), "application/json");
      return;
    }
    Pin pin;
    const auto file = req.get_file_value("file");
    pin.bytes = file.content;
    pin.file_name = file.filename;
    pin.content_type = file.content_type;
    pin.options = json::parse(req.get_file_value("pinataOptions").content, nullptr, false);
    pin.metadata = json::parse(req.get_file_value("pinataMetadata").content, nullptr, false);
    if (!pin.options.is_object() || pin.options.value("cidVersion", 0) != 1) {
      // Real Pinata would answer a CIDv0 ("Qm…"): the client must ask for version 1.
      res.status = 200;
      res.set_content(json{{"IpfsHash", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"},
                           {"PinSize", pin.bytes.size()},
                           {"Timestamp", "2026-11-30T11:16:20.000Z"}}
                          .dump(),
                      "application/json");
      return;
    }
    std::string cid = ipfs::cid_v1_for_file(pin.bytes);
    const bool duplicate = pins_.count(cid) > 0;
    const size_t size = pin.bytes.size();
    pins_[cid] = std::move(pin);
    if (wrong_) cid = ipfs::cid_v1_for_file("something else entirely");
    res.status = 200;
    res.set_content(
        json{
            {"IpfsHash", cid}, {"PinSize", size}, {"Timestamp", "2026-11-30T11:16:20.000Z"}, {"isDuplicate", duplicate}}
            .dump(),
        "application/json");
  });
  listen();
}

void FakePinata::queue_answer(int status, std::string body, std::map<std::string, std::string> headers,
                              std::string for_file) {
  std::lock_guard lock(mutex_);
  answers_.push_back({std::move(for_file), false, status, std::move(body), std::move(headers)});
}
void FakePinata::queue_drop(std::string for_file) {
  std::lock_guard lock(mutex_);
  answers_.push_back({std::move(for_file), true, 0, {}, {}});
}
void FakePinata::set_transient_error_rate(double rate, uint64_t seed) {
  std::lock_guard lock(mutex_);
  error_rate_ = rate;
  random_.seed(seed);
}

void FakePinata::outage_for(std::chrono::milliseconds duration, int status) {
  std::lock_guard lock(mutex_);
  outage_until_ = std::chrono::steady_clock::now() + duration;
  outage_status_ = status;
}

void FakePinata::rate_limit_for(std::chrono::milliseconds duration, std::optional<int> retry_after_seconds) {
  std::lock_guard lock(mutex_);
  rate_limited_until_ = std::chrono::steady_clock::now() + duration;
  rate_limit_retry_after_ = retry_after_seconds;
}

void FakePinata::answer_wrong_cids(bool wrong) {
  std::lock_guard lock(mutex_);
  wrong_ = wrong;
}
std::map<std::string, FakePinata::Pin> FakePinata::pins() const {
  std::lock_guard lock(mutex_);
  return pins_;
}

FakeImageHost::FakeImageHost() {
  server_.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    std::lock_guard lock(mutex_);
    auto it = files_.find(req.path);
    if (it == files_.end()) {
      res.status = 404;
      res.set_content("Not Found", "text/plain");
      return;
    }
    res.status = it->second.first;
    res.set_content(it->second.second, "application/octet-stream");
  });
  listen();
}

void FakeImageHost::put(const std::string& path, int status, std::string body) {
  std::lock_guard lock(mutex_);
  files_[path] = {status, std::move(body)};
}

}  // namespace glisk::testing
