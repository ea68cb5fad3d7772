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

// What log collectors show: a message in words (with the line's error, detail or reason), and the
// instance on every line of a process that has one.
TEST(EventLog, JsonLinesCarryAMessageAndTheContext) {
  std::ostringstream out;
  EventLog process(Format::kJson, Level::kInfo, out);
  EventLog log(process, {{"instance", "host:42:cafe"}});
  log.info("keeper.transaction_confirmed", {{"tx_hash", "0xab"}});
  log.error("reveal.permanent_error", {{"tokens", 3}, {"error", "fund the keeper wallet"}, {"detail", "later"}});
  log.warn("token.lease_lost", {{"instance", "its own"}});
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["message"], "keeper transaction confirmed");
  EXPECT_EQ(first["instance"], "host:42:cafe");
  EXPECT_EQ(nlohmann::ordered_json::parse(out.str().substr(0, out.str().find('\n'))).begin().key(), "timestamp");
  std::getline(lines, line);
  EXPECT_EQ(nlohmann::json::parse(line)["message"], "reveal permanent error: fund the keeper wallet");
  std::getline(lines, line);
  EXPECT_EQ(nlohmann::json::parse(line)["instance"], "its own") << "a line's own field wins";
  std::ostringstream console;
  EventLog plain(Format::kConsole, Level::kInfo, console);
  EventLog with_instance(plain, {{"instance", "host:42:cafe"}});
  with_instance.info("worker.started", {{"worker", "reveal"}});
  EXPECT_NE(console.str().find("worker.started instance=host:42:cafe worker=reveal"), std::string::npos)
      << console.str();
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
