#pragma once
// The seam between the image stage and whoever draws the picture: Replicate (the paid API) or
// the local generator (the embedded default). A provider that bills per image runs "predictions":
// it reports a new prediction's id through `on_started` before it waits on it, so the caller can
// persist the id, and it resumes a known id instead of paying for a new image.
//
// Errors (errors/errors.hpp): TransientError (retry later, maybe with retry_after),
// PermanentError (fix something first; the message says what), ContentPolicyError (the model
// refused the prompt). Implementations are thread-safe: one call per in-flight token.

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace glisk::image {

struct GeneratedImage {
  std::string url;                           // where the upload stage fetches the image
  std::optional<std::string> prediction_id;  // the provider's id of the paid run, if any
};

using PredictionStarted = std::function<void(const std::string& prediction_id)>;

class ImageProvider {
 public:
  virtual ~ImageProvider() = default;
  virtual std::string_view name() const = 0;
  // Generates an image for `prompt`. When `resume_id` names an earlier prediction that can still
  // deliver, waits for it instead of starting (and paying for) another.
  virtual GeneratedImage generate(const std::string& prompt, const std::optional<std::string>& resume_id,
                                  const PredictionStarted& on_started, std::stop_token stop) = 0;
};

}  // namespace glisk::image
