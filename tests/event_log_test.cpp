#include "log/event_log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

using glisk::log::EventLog;
using glisk::log::Format;
using glisk::log::Level;

TEST(EventLog, JsonIsOneObjectPerLineWithTheEventName) {
  std::ostringstream out;
  EventLog log(Format::kJson, Level::kInfo, out);
  log.info("worker.started", {{"worker", "image_generation"}});
  log.warn("token.retry_scheduled", {{"token_id", 7}});
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["event"], "worker.started");
  EXPECT_EQ(first["worker"], "image_generation");
  EXPECT_EQ(first["level"], "info");
  EXPECT_TRUE(first.contains("timestamp"));
  std::getline(lines, line);
  EXPECT_EQ(nlohmann::json::parse(line)["token_id"], 7);
}

TEST(EventLog, ConsoleLinesAreGreppable) {
  std::ostringstream out;
  EventLog log(Format::kConsole, Level::kInfo, out);
  log.error("worker.crashed", {{"worker", "ipfs_upload"}, {"error", "boom happened"}});
  EXPECT_NE(out.str().find("ERROR   worker.crashed worker=ipfs_upload error=\"boom happened\""), std::string::npos)
      << out.str();
}

TEST(EventLog, DropsBelowLevel) {
  std::ostringstream out;
  EventLog log(Format::kJson, Level::kWarning, out);
  log.info("token.claimed");
  log.debug("token.claimed");
  EXPECT_TRUE(out.str().empty());
}

TEST(EventLog, InvalidUtf8NeverThrows) {
  std::ostringstream out;
  EventLog log(Format::kJson, Level::kInfo, out);
  EXPECT_NO_THROW(log.info("provider.error", {{"body", std::string("\xff\xfe bad")}}));
  EXPECT_FALSE(out.str().empty());
}
