// MonitoredRpc: an unreachable node is one rpc.unreachable line, and rpc.recovered when it answers
// again; an error the node answers with is an answer, not an outage.
#include "chain/monitored_rpc.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;

namespace {

class SwitchableNode : public chain::EthRpc {
 public:
  bool down = false;
  bool reverts = false;
  chain::JsonValue call(const std::string& method, const chain::JsonValue&, std::stop_token) override {
    if (down) throw chain::NodeUnreachable(method + " at http://node:8545: node unreachable after 3 attempts");
    if (reverts) throw chain::RpcError(method, 3, "execution reverted", "0x");
    return "0x1";
  }
  std::string describe() const override { return "http://node:8545"; }
};

}  // namespace

TEST(MonitoredRpc, AnOutageIsReportedOnceAndItsEndToo) {
  glisk::testing::CapturedLog captured;
  clock::ManualClock clock;
  SwitchableNode node;
  chain::MonitoredRpc rpc(node, captured.log, clock);
  EXPECT_EQ(rpc.block_number(), 1u);
  node.down = true;
  for (int i = 0; i < 10; ++i) EXPECT_THROW(rpc.block_number(), chain::NodeUnreachable);
  EXPECT_EQ(captured.count("rpc.unreachable"), 1);
  EXPECT_NE(captured.text().find("check that the node at RPC_URL is up"), std::string::npos);
  node.down = false;
  node.reverts = true;  // an answer, even an error, ends the outage
  EXPECT_THROW(rpc.block_number(), chain::RpcError);
  EXPECT_EQ(captured.count("rpc.recovered"), 1);
  node.reverts = false;
  EXPECT_EQ(rpc.block_number(), 1u);
  EXPECT_EQ(captured.count("rpc.recovered"), 1);
}
