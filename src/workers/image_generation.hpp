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
//   (`token.censored`, without the prompt); a second refusal fails the token.

#include <string>

#include "image/image_provider.hpp"
#include "log/event_log.hpp"
#include "store/author_store.hpp"
#include "workers/stage_worker.hpp"

namespace glisk::workers {

struct ImageGenerationOptions {
  std::string default_prompt;
  std::string fallback_prompt;
};

// The prompt trimmed, or PermanentError when it is empty or longer than 1000 characters.
std::string validated_prompt(std::string_view raw);

class ImageGenerationProcessor final : public TokenProcessor {
 public:
  ImageGenerationProcessor(store::AuthorStore& authors, image::ImageProvider& provider, const log::EventLog& log,
                           ImageGenerationOptions options);

  StageOutcome process(const store::Claim& claim, store::TokenLifecycle& queue, std::stop_token stop) override;

 private:
  store::AuthorStore& authors_;
  image::ImageProvider& provider_;
  const log::EventLog& log_;
  const ImageGenerationOptions options_;
};

}  // namespace glisk::workers
