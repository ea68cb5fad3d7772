#pragma once
// A token of season 0 and the lifecycle it moves through:
//
//   detected ──claim──▶ generating ──▶ uploading ──▶ ready ──▶ revealed
//        ▲                  │              │           │
//        └──retry/release───┘              │           │        any stage ──▶ failed
//        ▲                                 │           │        failed ──(operator retry)──▶ stage input
//        └─────────── image expired ───────┘           │        failed ──(revealed after failure)──▶ revealed
//
// Three stages work on it. A stage claims tokens in its input status (image: `detected`; ipfs:
// `uploading`; reveal: `ready`) under a lease; the image stage marks its claims `generating`, the
// others keep the status and are told apart by the lease alone (so the seed's queue-depth queries
// keep their meaning). This file is the one place that knows which transitions are legal; the
// token lifecycle (store/token_lifecycle.hpp) checks every move against it, in every build.
//
// Revealed after failure: a reveal transaction can mine after its tokens were given up (sent,
// then the reveal stage failed them while it was pending; or another keeper revealed them). The
// chain's word wins: the token becomes revealed, and its event says why (kRevealedAfterFailure).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clock/clock.hpp"

namespace glisk::token {

enum class TokenStatus { kDetected, kGenerating, kUploading, kReady, kRevealed, kFailed };
enum class Stage { kImage, kIpfs, kReveal };

inline constexpr std::array<TokenStatus, 6> kAllStatuses = {TokenStatus::kDetected,  TokenStatus::kGenerating,
                                                            TokenStatus::kUploading, TokenStatus::kReady,
                                                            TokenStatus::kRevealed,  TokenStatus::kFailed};
inline constexpr std::array<Stage, 3> kAllStages = {Stage::kImage, Stage::kIpfs, Stage::kReveal};

std::string_view to_string(TokenStatus status);  // the lowercase word stored in tokens_s0.status
std::optional<TokenStatus> parse_status(std::string_view text);
std::string_view to_string(Stage stage);  // "image" | "ipfs" | "reveal"
std::optional<Stage> parse_stage(std::string_view text);

struct StageSpec {
  Stage stage;
  TokenStatus input;    // waiting for this stage
  TokenStatus working;  // claimed by this stage (== input except for the image stage)
  TokenStatus output;   // done with this stage
  std::string_view attempts_column;
  std::string_view worker_name;   // as in the seed's logs: image_generation, ipfs_upload, reveal
  std::string_view event_prefix;  // token.generation | ipfs.upload | token.reveal (+ .started, .succeeded, .failed)
  std::string_view retry_event;   // logged when an attempt failed and the token will be retried
};
const StageSpec& spec(Stage stage);

bool is_legal_transition(TokenStatus from, TokenStatus to);

// The reason a failed token's move to revealed carries in its event.
inline constexpr std::string_view kRevealedAfterFailure =
    "revealed after failure: the chain shows the token revealed although glisk had given it up";

struct Token {
  int64_t token_id = 0;
  int64_t author_id = 0;
  TokenStatus status = TokenStatus::kDetected;
  std::optional<std::string> minter_address;
  std::optional<std::string> image_url;
  std::optional<std::string> image_cid;
  std::optional<std::string> metadata_cid;
  std::optional<std::string> reveal_tx_hash;
  std::optional<std::string> prediction_id;
  int generation_attempts = 0;
  int upload_attempts = 0;
  int reveal_attempts = 0;
  std::optional<std::string>
      generation_error;  // the latest error of whichever stage (docs/ARCHITECTURE.md, "Data model notes")
  std::optional<Stage> failed_stage;
  std::optional<clock::TimePoint> next_attempt_at;
  std::optional<std::string> locked_by;
  std::optional<clock::TimePoint> locked_until;
  // When the image model refused the author's prompt: every later attempt (a resume, a retry, the
  // seed's reset) sends FALLBACK_CENSORED_PROMPT instead, so a known refusal is never paid again.
  std::optional<clock::TimePoint> prompt_refused_at;
  // Paid predictions started for it: 1 normally; more after a refusal, an expired image, a
  // prediction that failed or timed out. What its image cost, in predictions.
  int predictions_created = 0;
  // When an operator cancelled it (`glisk cancel`): the token is failed for good, and no retry,
  // by an operator or a stage, takes it again. Only the chain can still move it (revealed).
  std::optional<clock::TimePoint> cancelled_at;
  clock::TimePoint queued_at{};
  clock::TimePoint created_at{};
  clock::TimePoint updated_at{};

  int attempts(Stage stage) const;
};

}  // namespace glisk::token
