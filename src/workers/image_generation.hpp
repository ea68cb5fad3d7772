#pragma once
// Stage 1 (`detected → generating → uploading`): gives a claimed token an image from its
// author's prompt.
//
// - The prompt is the author's `prompt_text`, or DEFAULT_PROMPT when the author has none; it must
//   be 1–1000 characters after trimming, else the token fails with a message saying so.
// - A token that already has an image (put back by the seed's reset after a later stage failed)
//   keeps it: no second payment for the same token.
// - A new prediction's id is saved on the token before waiting; a token that comes back with one
//   (its holder died) resumes that prediction.
// - When the model refuses the prompt, it retries once with FALLBACK_CENSORED_PROMPT
//   (`token.censored`, without the prompt); a second refusal fails the token. The refusal is
//   recorded on the token (prompt_refused_at, and its history) before the fallback is sent, so a
//   later attempt, a resume or a retry never pays for the refused prompt again.
// - Every prediction started is counted by its prompt (glisk_predictions_created_total).

#include <string>

#include "image/image_provider.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "store/author_store.hpp"
#include "workers/stage_worker.hpp"

namespace glisk::workers {

struct ImageGenerationOptions {
  std::string default_prompt;
  std::string fallback_prompt;
  metrics::Registry* metrics = nullptr;  // optional: glisk_predictions_created_total{prompt}
};

// The prompt trimmed, or PermanentError when it is empty or longer than 1000 characters.
std::string validated_prompt(std::string_view raw);

class ImageGenerationProcessor final : public TokenProcessor {
 public:
  ImageGenerationProcessor(store::AuthorStore& authors, image::ImageProvider& provider, const log::EventLog& log,
                           ImageGenerationOptions options);

  StageOutcome process(const store::Claim& claim, store::TokenLifecycle& queue, std::stop_token stop) override;

 private:
  StageOutcome outcome(const token::Token& token, const image::GeneratedImage& image, bool fallback,
                       bool started_here) const;

  store::AuthorStore& authors_;
  image::ImageProvider& provider_;
  const log::EventLog& log_;
  const ImageGenerationOptions options_;
  metrics::Counter* predictions_ = nullptr;
};

}  // namespace glisk::workers
