#pragma once
// Where finished predictions arrive without asking (Replicate's webhook): the provider waits on
// the inbox instead of polling, and polls only when nothing came in time. The implementation
// (webhook/prediction_arrivals.hpp) sits above the image component: it reads the database the
// webhook wrote to, whichever instance took the delivery.

#include <optional>
#include <stop_token>
#include <string>

#include "clock/clock.hpp"

namespace glisk::image {

class PredictionInbox {
 public:
  virtual ~PredictionInbox() = default;
  // The delivered prediction (Replicate's JSON object, as sent) for `prediction_id`, as soon as
  // one has come (at once when it came before the call); nullopt at `until` or on `stop`.
  virtual std::optional<std::string> wait(const std::string& prediction_id, clock::SteadyPoint until,
                                          std::stop_token stop) = 0;
};

}  // namespace glisk::image
