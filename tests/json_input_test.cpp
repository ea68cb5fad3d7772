// json_input: the one way outside JSON is read (json_input/json_input.hpp).
#include "json_input/json_input.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace glisk;
using glisk::testing::error_of;
using json_input::InvalidJson;

TEST(JsonInput, ParsesWhatIsWithinItsLimits) {
  auto v = json_input::parse(R"({"a":[1,{"b":"c"}]})", {});
  EXPECT_EQ(v["a"][1]["b"], "c");
}

TEST(JsonInput, ADocumentNestedDeeperThanTheLimitIsRefusedWithoutCrashing) {
  const std::string deep(200'000, '[');  // a million levels would do the same: parsing stops at 65
  EXPECT_EQ(error_of<InvalidJson>([&] { json_input::parse(deep + std::string(200'000, ']'), {1u << 20}, "the body"); }),
            "the body nests deeper than 64 levels");
  EXPECT_NO_THROW(json_input::parse(std::string(64, '[') + std::string(64, ']'), {}));
  EXPECT_THROW(json_input::parse(std::string(65, '[') + std::string(65, ']'), {}), InvalidJson);
  EXPECT_THROW(json_input::parse(R"({"a":{"b":{"c":1}}})", {1024, 2}), InvalidJson);
}

TEST(JsonInput, ADocumentLargerThanTheLimitIsRefusedBeforeParsing) {
  EXPECT_EQ(error_of<InvalidJson>([] { json_input::parse(std::string(2000, ' ') + "1", {1000}, "the answer"); }),
            "the answer is 2001 bytes; at most 1000 are read");
}

TEST(JsonInput, NotJsonSaysWhereAndQuotesOnlyTheStartOfTheDocument) {
  const std::string message = error_of<InvalidJson>([] { json_input::parse("[\"" + std::string(100'000, 'x'), {}); });
  EXPECT_TRUE(message.starts_with("the document is not JSON: [json.exception.parse_error")) << message;
  EXPECT_LT(message.size(), 400u);
  EXPECT_NE(error_of<InvalidJson>([] { json_input::parse("1e999", {}); }).find("is not JSON"), std::string::npos);
  EXPECT_TRUE(json_input::parse_or_discarded("{", {}).is_discarded());
  EXPECT_TRUE(json_input::parse_or_discarded(std::string(100, '['), {1024, 10}).is_discarded());
}

TEST(JsonInput, AnExcerptIsShortFlatAndValidUtf8) {
  EXPECT_EQ(json_input::excerpt(nlohmann::json::parse(R"({"a":[1,[2,[3]]]})")), R"({"a":[1,[…]]})");
  EXPECT_EQ(json_input::excerpt(nlohmann::json("é" + std::string(200, 'x'))).size(), 80u + 3u);
  const auto long_text = json_input::excerpt(nlohmann::json(std::string(79, 'a') + "é"), 80);
  EXPECT_EQ(long_text, "\"" + std::string(79, 'a') + "…") << "cut before the é, not inside it";
  EXPECT_EQ(json_input::excerpt(nlohmann::json::array()), "[]");
}
