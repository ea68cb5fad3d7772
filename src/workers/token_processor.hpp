#pragma once
// A stage's own work on one token, as the stage worker drives it (workers/stage_worker.hpp): the
// processor does the outside calls and reports a StageOutcome, or throws an errors::Error whose
// kind decides what happens to the token (workers/outcome_recorder.hpp).

#include <optional>
#include <stop_token>
#include <string>

#include "log/event_log.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::workers {

// What a processor reports for a token it finished: the fields to record, and details for the
// `<stage>.succeeded` event (e.g. whether the fallback prompt was used). Or, for the upload
// stage, that the image is gone at its host and the token needs a new one.
struct StageOutcome {
  StageOutcome(store::TokenPatch p = {}, log::Fields d = log::Fields::object())  // NOLINT: implicit on purpose
      : patch(std::move(p)), details(std::move(d)) {}
  static StageOutcome needs_new_image(std::string reason) {
    StageOutcome o;
    o.new_image_reason = std::move(reason);
    return o;
  }
  store::TokenPatch patch;
  log::Fields details;
  std::optional<std::string> new_image_reason;
};

class TokenProcessor {
 public:
  virtual ~TokenProcessor() = default;
  // Does the stage's outside work for one claimed token. May call queue.save() to checkpoint
  // (e.g. a prediction id). Should return soon after `stop` is requested (the shutdown timeout
  // passed). Throws the errors of errors/errors.hpp.
  virtual StageOutcome process(const store::Claim& claim, store::TokenLifecycle& queue, std::stop_token stop) = 0;
};

}  // namespace glisk::workers
