#pragma once
// A real anvil for tests (from .tools/node; scripts/install-node-tools puts it there) on
// 127.0.0.1 and a port the kernel picks, stopped at destruction; and the few chain moves tests
// need around it: deploying the project's contract and minting from anvil's unlocked accounts.
// A missing anvil or solc throws with a message saying what to run: a test never skips.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chain/rpc_client.hpp"
#include "subprocess.hpp"

namespace glisk::testing {

// anvil's first default account (the deployer/owner in tests) and its key, published in anvil's
// and Hardhat's documentation; the second and third accounts, for keepers and minters.
inline constexpr const char* kAnvilAccount0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
inline constexpr const char* kAnvilKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr const char* kAnvilAccount1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
inline constexpr const char* kAnvilKey1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
inline constexpr const char* kAnvilAccount2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
inline constexpr const char* kAnvilKey2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

class Anvil {
 public:
  // `extra_args` go to anvil as they are, e.g. {"--no-mining"} or {"--block-time", "1"}.
  explicit Anvil(std::vector<std::string> extra_args = {});
  ~Anvil();
  Anvil(const Anvil&) = delete;
  Anvil& operator=(const Anvil&) = delete;

  const std::string& url() const { return url_; }
  int port() const { return port_; }

 private:
  std::unique_ptr<Subprocess> process_;
  std::filesystem::path log_path_;
  std::string url_;
  int port_ = 0;
};

// One anvil, and the compiled contract, for a whole test suite: starting anvil is the slow part.
// Call start() in SetUpTestSuite and stop() in TearDownTestSuite; in SetUp,
// ASSERT_TRUE(suite.ready()) << suite.error() turns a setup failure into a failed test.
class SuiteAnvil {
 public:
  void start();
  void stop() { anvil_.reset(); }
  bool ready() const { return anvil_ != nullptr; }
  const std::string& error() const { return error_; }
  const Anvil& anvil() const { return *anvil_; }

 private:
  std::unique_ptr<Anvil> anvil_;
  std::string error_;
};

// Runs scripts/compile-contracts (a no-op when build/contracts is current); throws with its output.
void compile_contracts();

// Sends a transaction from an unlocked anvil account and waits for its receipt (anvil mining on
// its own); throws when it reverts or no receipt comes within `timeout`.
chain::JsonValue send_from_unlocked(chain::RpcClient& rpc, const std::string& from, const chain::JsonValue& fields,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));
chain::JsonValue wait_for_receipt(chain::RpcClient& rpc, const std::string& hash,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Deploys build/contracts/GliskNFT.json from `owner` (unlocked) with `mint_price` wei; returns
// the contract's address as the node wrote it.
// `artifact` names another build/contracts/<artifact>.json with the same constructor, e.g.
// "GliskNFTBefore" (bench/contracts: the contract before reveals by digest).
std::string deploy_glisk_nft(chain::RpcClient& rpc, uint64_t mint_price = 1000,
                             const std::string& owner = kAnvilAccount0, const std::string& artifact = "GliskNFT");

// mint(prompt_author, quantity) from `minter`, paying mint_price × quantity; returns the receipt.
chain::JsonValue mint(chain::RpcClient& rpc, const std::string& contract, const std::string& minter,
                      const std::string& prompt_author, uint64_t quantity, uint64_t mint_price = 1000);

// setKeeper(keeper) from the owner.
void set_keeper(chain::RpcClient& rpc, const std::string& contract, const std::string& keeper,
                const std::string& owner = kAnvilAccount0);

// tokenURI(token_id) read from the chain.
std::string token_uri(chain::RpcClient& rpc, const std::string& contract, uint64_t token_id);

// How many successful transactions revealed each token, by token id: the transactions that
// emitted EIP-4906 events, and the ids in their calldata.
std::map<uint64_t, int> reveals_per_token(chain::RpcClient& rpc, const std::string& contract);

}  // namespace glisk::testing
