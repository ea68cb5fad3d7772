#include "workers/lease_renewer.hpp"

#include <algorithm>
#include <set>

#include "store/database.hpp"

namespace glisk::workers {

LeaseRenewer::LeaseRenewer(store::TokenLifecycle& queue, token::Stage stage, const SlotPool& slots,
                           const clock::Clock& clock, const log::EventLog& log, std::string worker)
    : queue_(queue), stage_(stage), slots_(slots), clock_(clock), log_(log), worker_(std::move(worker)) {
  const auto every = std::max<std::chrono::milliseconds>(queue_.lease_length() / 3, std::chrono::milliseconds(100));
  thread_ = std::jthread([this, every](std::stop_token stop) {
    while (clock_.sleep_for(every, stop)) renew_once();
  });
}

void LeaseRenewer::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void LeaseRenewer::renew_once() {
  const auto held = slots_.held();
  try {
    const auto renewed = queue_.renew(stage_, held);
    if (renewed.size() == held.size()) return;
    const std::set<int64_t> kept(renewed.begin(), renewed.end());
    std::vector<SlotPool::Lease> missing;
    for (const auto& h : held) {
      if (!kept.contains(h.first)) missing.push_back(h);
    }
    if (const size_t lost = slots_.still_running(missing); lost > 0) {
      log_.warn("token.lease_lost",
                {{"worker", worker_}, {"count", lost}, {"detail", "lease renewal found tokens no longer ours"}});
    }
  } catch (const std::exception& e) {
    const bool outage = dynamic_cast<const store::UnavailableError*>(&e) != nullptr;
    log_.write(outage ? log::Level::kDebug : log::Level::kWarning, "worker.lease_renewal_failed",
               {{"worker", worker_}, {"error", e.what()}});
  }
}

}  // namespace glisk::workers
