#include "workers/image_generation.hpp"

#include "errors/errors.hpp"

namespace glisk::workers {
namespace {

constexpr size_t kMaxPromptCharacters = 1000;

size_t utf8_characters(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count every byte that starts a character
  return n;
}

}  // namespace

std::string validated_prompt(std::string_view raw) {
  auto is_space = [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  if (raw.empty())
    throw errors::PermanentError("the prompt is empty: the author must set a prompt (1-1000 characters)");
  const size_t length = utf8_characters(raw);
  if (length > kMaxPromptCharacters) {
    throw errors::PermanentError("the prompt has " + std::to_string(length) +
                                 " characters, more than 1000: the author must set a shorter prompt");
  }
  return std::string(raw);
}

ImageGenerationProcessor::ImageGenerationProcessor(store::AuthorStore& authors, image::ImageProvider& provider,
                                                   const log::EventLog& log, ImageGenerationOptions options)
    : authors_(authors), provider_(provider), log_(log), options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    predictions_ = &options_.metrics->counter(
        "glisk_predictions_created_total",
        "paid image predictions started, by prompt: author | default | fallback (DEFAULT_PROMPT; "
        "FALLBACK_CENSORED_PROMPT after a refusal)",
        {"prompt"});
    for (const char* prompt : {"author", "default", "fallback"}) predictions_->inc({prompt}, 0);
  }
}

StageOutcome ImageGenerationProcessor::process(const store::Claim& claim, store::TokenLifecycle& queue,
                                               std::stop_token stop) {
  const auto& token = claim.token;
  if (token.image_url) {
    return {store::TokenPatch{}, {{"provider", provider_.name()}, {"reused_image", true}}};
  }
  auto author = authors_.by_id(token.author_id);
  const bool authored = author && author->prompt_text;
  const char* prompt_kind = authored ? "author" : "default";  // which prompt a new prediction is paid for

  std::optional<std::string> started_id;
  auto on_started = [&](const std::string& prediction_id) {
    started_id = prediction_id;
    if (predictions_ != nullptr) predictions_->inc({prompt_kind});
    if (!queue.save(token::Stage::kImage, token.token_id, claim.lease, {.prediction_id = prediction_id})) {
      throw errors::TransientError("lost the token's lease before prediction " + prediction_id + " could be recorded");
    }
  };

  auto generate_fallback = [&](const std::optional<std::string>& resume_id) {
    try {
      prompt_kind = "fallback";
      return provider_.generate(validated_prompt(options_.fallback_prompt), resume_id, on_started, stop);
    } catch (const errors::ContentPolicyError& again) {
      throw errors::PermanentError(std::string("the model refused FALLBACK_CENSORED_PROMPT too (") + again.what() +
                                   "): set a milder FALLBACK_CENSORED_PROMPT");
    }
  };

  image::GeneratedImage image;
  if (token.prompt_refused_at) {
    // The model refused this token's prompt before: never pay to hear it again. A saved
    // prediction is the fallback's (the author's was cleared with the refusal).
    image = generate_fallback(token.prediction_id);
    return outcome(token, image, true, started_id.has_value());
  }
  const std::string prompt = validated_prompt(authored ? *author->prompt_text : options_.default_prompt);
  try {
    image = provider_.generate(prompt, token.prediction_id, on_started, stop);
  } catch (const errors::ContentPolicyError& e) {
    // The reason is the provider's text; the prompt itself never reaches the log.
    log_.warn("token.censored", {{"worker", "image_generation"},
                                 {"token_id", token.token_id},
                                 {"reason", e.what()},
                                 {"action", "retrying once with FALLBACK_CENSORED_PROMPT"}});
    // Recorded before the fallback is sent: if this attempt ends here (a transient error, a
    // crash), the next one goes straight to the fallback instead of paying for the refusal again.
    if (!queue.save(token::Stage::kImage, token.token_id, claim.lease,
                    {.clear_prediction_id = true, .prompt_refused = std::string(e.what())})) {
      // Another holder has the token now: paying for the fallback here would pay twice.
      throw errors::TransientError("lost the token's lease before the fallback prompt was sent");
    }
    started_id.reset();
    image = generate_fallback(std::nullopt);
    return outcome(token, image, true, true);
  }
  return outcome(token, image, false, started_id.has_value());
}

StageOutcome ImageGenerationProcessor::outcome(const token::Token& token, const image::GeneratedImage& image,
                                               bool fallback, bool started_here) const {
  log::Fields details = {{"provider", provider_.name()},
                         {"fallback_prompt", fallback},
                         {"resumed", token.prediction_id.has_value() && !started_here}};
  if (image.prediction_id) details["prediction_id"] = *image.prediction_id;
  return {store::TokenPatch{.image_url = image.url, .prediction_id = image.prediction_id}, details};
}

}  // namespace glisk::workers
