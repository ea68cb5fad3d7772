#pragma once
// The embedded image generator: no account, no network, no cost. It renders a deterministic
// 512×512 PNG from the prompt (same prompt, same bytes; different prompts visibly different:
// colours, gradient and shapes all derive from a hash of the prompt), stores it under
// `<data_dir>/images/`, and returns a file:// URL that the upload stage reads. Used by the demo
// and whenever IMAGE_PROVIDER=local. Thread-safe; files are written to a temporary name and
// renamed, so a reader never sees half a file.

#include <filesystem>

#include "image/image_provider.hpp"

namespace glisk::image {

// The PNG for a prompt (exposed for tests).
std::string render_png(std::string_view prompt);

class LocalImageGenerator final : public ImageProvider {
 public:
  explicit LocalImageGenerator(std::filesystem::path data_dir);

  std::string_view name() const override { return "local"; }
  GeneratedImage generate(const std::string& prompt, const std::optional<std::string>& resume_id,
                          const PredictionStarted& on_started, std::stop_token stop) override;

 private:
  std::filesystem::path images_dir_;
};

}  // namespace glisk::image
