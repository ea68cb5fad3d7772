#include "token/token.hpp"

namespace glisk::token {

std::string_view to_string(TokenStatus status) {
  switch (status) {
    case TokenStatus::kDetected:
      return "detected";
    case TokenStatus::kGenerating:
      return "generating";
    case TokenStatus::kUploading:
      return "uploading";
    case TokenStatus::kReady:
      return "ready";
    case TokenStatus::kRevealed:
      return "revealed";
    case TokenStatus::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<TokenStatus> parse_status(std::string_view text) {
  for (TokenStatus s : kAllStatuses) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::kImage:
      return "image";
    case Stage::kIpfs:
      return "ipfs";
    case Stage::kReveal:
      return "reveal";
  }
  return "image";
}

std::optional<Stage> parse_stage(std::string_view text) {
  for (Stage s : kAllStages) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

const StageSpec& spec(Stage stage) {
  static constexpr StageSpec kSpecs[] = {
      {Stage::kImage, TokenStatus::kDetected, TokenStatus::kGenerating, TokenStatus::kUploading, "generation_attempts",
       "image_generation", "token.generation", "token.generation.retry"},
      {Stage::kIpfs, TokenStatus::kUploading, TokenStatus::kUploading, TokenStatus::kReady, "upload_attempts",
       "ipfs_upload", "ipfs.upload", "ipfs.transient_error"},
      {Stage::kReveal, TokenStatus::kReady, TokenStatus::kReady, TokenStatus::kRevealed, "reveal_attempts", "reveal",
       "token.reveal", "token.reveal.retry"},
  };
  return kSpecs[static_cast<int>(stage)];
}

bool is_legal_transition(TokenStatus from, TokenStatus to) {
  using S = TokenStatus;
  switch (from) {
    case S::kDetected:
      return to == S::kGenerating || to == S::kFailed;
    case S::kGenerating:
      return to == S::kUploading || to == S::kDetected || to == S::kFailed;
    // back to detected: the image host expired the image before it was pinned
    case S::kUploading:
      return to == S::kReady || to == S::kDetected || to == S::kFailed;
    case S::kReady:
      return to == S::kRevealed || to == S::kFailed;
    case S::kRevealed:
      return false;
    // an operator's retry puts the token at the start of a stage; the chain may reveal it anyway
    // (kRevealedAfterFailure)
    case S::kFailed:
      return to == S::kDetected || to == S::kUploading || to == S::kReady || to == S::kRevealed;
  }
  return false;
}

int Token::attempts(Stage stage) const {
  switch (stage) {
    case Stage::kImage:
      return generation_attempts;
    case Stage::kIpfs:
      return upload_attempts;
    case Stage::kReveal:
      return reveal_attempts;
  }
  return 0;
}

}  // namespace glisk::token
