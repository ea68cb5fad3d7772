// The error policy (errors/errors.hpp): every error has a kind, the kind alone decides the HTTP
// status, anything that is not an errors::Error is a bug, and GLISK_ASSERT holds in every build.
#include "errors/errors.hpp"

#include <gtest/gtest.h>

#include "authors/author_registry.hpp"
#include "chain/eth_rpc.hpp"
#include "errors/assert.hpp"
#include "http/api_server.hpp"
#include "http/route_params.hpp"
#include "net/http_client.hpp"
#include "store/database.hpp"
#include "webhook/alchemy_webhook.hpp"

using namespace glisk;
using errors::Kind;

TEST(ErrorPolicy, EachErrorCarriesTheKindOfItsClass) {
  EXPECT_EQ(errors::kind_of(errors::PermanentError("x")), Kind::kPermanent);
  EXPECT_EQ(errors::kind_of(errors::RateLimitedError("x")), Kind::kRateLimited);
  EXPECT_EQ(errors::kind_of(store::BusyError("locked")), Kind::kUnavailable)
      << "another writer is not the token's fault";
  EXPECT_EQ(errors::kind_of(store::ConnectionError("down")), Kind::kUnavailable);
  EXPECT_EQ(errors::kind_of(store::ConstraintError("unique")), Kind::kConflict);
  EXPECT_EQ(errors::kind_of(store::QueryError("no such column")), Kind::kBug);
  EXPECT_EQ(errors::kind_of(http::BadRequest("x")), Kind::kBadInput);
  EXPECT_EQ(errors::kind_of(authors::PromptConflict("x")), Kind::kConflict);
  EXPECT_EQ(errors::kind_of(webhook::WebhookTooLarge("x")), Kind::kTooLarge);
  EXPECT_EQ(errors::kind_of(chain::RpcError("eth_call", 3, "execution reverted", "0x")), Kind::kTransient);
  EXPECT_EQ(errors::kind_of(net::TransportError(net::TransportError::Failure::kTooLarge, "x")), Kind::kTooLarge);
}

TEST(ErrorPolicy, AnythingThatIsNotAnErrorIsABug) {
  EXPECT_EQ(errors::kind_of(std::logic_error("x")), Kind::kBug);
  EXPECT_EQ(errors::kind_of(std::out_of_range("vector::at")), Kind::kBug);
}

TEST(ErrorPolicy, TheHttpStatusComesFromTheKindAlone) {
  const std::pair<Kind, int> table[] = {
      {Kind::kBadInput, 400},  {Kind::kUnauthorized, 401}, {Kind::kNotFound, 404},      {Kind::kConflict, 409},
      {Kind::kTooLarge, 413},  {Kind::kRateLimited, 429},  {Kind::kUnavailable, 503},   {Kind::kOutage, 503},
      {Kind::kTransient, 503}, {Kind::kPermanent, 500},    {Kind::kContentPolicy, 500}, {Kind::kBug, 500}};
  for (const auto& [kind, status] : table) EXPECT_EQ(http::status_for(kind), status) << errors::to_string(kind);
}

TEST(ErrorPolicyDeathTest, ABrokenInvariantStopsTheProcessInEveryBuild) {
  EXPECT_DEATH(GLISK_ASSERT(1 + 1 == 3, "arithmetic holds"),
               "invariant broken at .*: 1 \\+ 1 == 3 \\(arithmetic holds\\)");
}
