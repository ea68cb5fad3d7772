#include <gtest/gtest.h>

#include "token/token.hpp"

using namespace glisk::token;

TEST(Lifecycle, StatusWordsAreTheSeeds) {
  EXPECT_EQ(to_string(TokenStatus::kDetected), "detected");
  EXPECT_EQ(to_string(TokenStatus::kGenerating), "generating");
  EXPECT_EQ(to_string(TokenStatus::kUploading), "uploading");
  EXPECT_EQ(to_string(TokenStatus::kReady), "ready");
  EXPECT_EQ(to_string(TokenStatus::kRevealed), "revealed");
  EXPECT_EQ(to_string(TokenStatus::kFailed), "failed");
  for (auto s : kAllStatuses) EXPECT_EQ(parse_status(to_string(s)), s);
  EXPECT_FALSE(parse_status("DETECTED"));
}

TEST(Lifecycle, StagesFollowTheSeedsFlow) {
  EXPECT_EQ(spec(Stage::kImage).input, TokenStatus::kDetected);
  EXPECT_EQ(spec(Stage::kImage).working, TokenStatus::kGenerating);
  EXPECT_EQ(spec(Stage::kImage).output, TokenStatus::kUploading);
  EXPECT_EQ(spec(Stage::kIpfs).input, TokenStatus::kUploading);
  EXPECT_EQ(spec(Stage::kIpfs).output, TokenStatus::kReady);
  EXPECT_EQ(spec(Stage::kReveal).input, TokenStatus::kReady);
  EXPECT_EQ(spec(Stage::kReveal).output, TokenStatus::kRevealed);
  for (auto s : kAllStages) {
    EXPECT_TRUE(is_legal_transition(spec(s).working, spec(s).output)) << to_string(s);
    EXPECT_TRUE(is_legal_transition(spec(s).working, TokenStatus::kFailed)) << to_string(s);
    EXPECT_TRUE(is_legal_transition(TokenStatus::kFailed, spec(s).input)) << to_string(s);
  }
}

TEST(Lifecycle, RejectsIllegalTransitions) {
  EXPECT_FALSE(is_legal_transition(TokenStatus::kDetected, TokenStatus::kReady));
  EXPECT_FALSE(is_legal_transition(TokenStatus::kDetected, TokenStatus::kRevealed));
  EXPECT_FALSE(is_legal_transition(TokenStatus::kRevealed, TokenStatus::kDetected));
  EXPECT_FALSE(is_legal_transition(TokenStatus::kReady, TokenStatus::kUploading));
  for (auto to : glisk::token::kAllStatuses) EXPECT_FALSE(is_legal_transition(TokenStatus::kRevealed, to));
}

// Issue 15 made this move named and legal (it was forbidden here while the journal made it):
// the chain's word about a mined reveal wins over glisk having given the token up.
TEST(Lifecycle, AFailedTokenTheChainRevealedBecomesRevealedForANamedReason) {
  EXPECT_TRUE(is_legal_transition(TokenStatus::kFailed, TokenStatus::kRevealed));
  EXPECT_NE(glisk::token::kRevealedAfterFailure.find("revealed after failure"), std::string_view::npos);
}
