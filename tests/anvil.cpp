#include "anvil.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <span>
#include <stdexcept>
#include <thread>

#include "eth/abi.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"

namespace glisk::testing {

Anvil::Anvil(std::vector<std::string> extra_args) {
#if defined(__aarch64__)
  const std::string platform = "linux-arm64";
#else
  const std::string platform = "linux-amd64";
#endif
  const std::string binary =
      std::string(GLISK_SOURCE_DIR) + "/.tools/node/node_modules/@foundry-rs/anvil-" + platform + "/bin/anvil";
  if (access(binary.c_str(), X_OK) != 0) {
    throw std::runtime_error("anvil is missing (" + binary + "); run scripts/install-node-tools");
  }
  // anvil writes a line per request: into a pipe nobody reads it would fill it in a long run and
  // stall the node, so its output goes to a file, read here only to learn the port.
  static std::atomic<int> counter{0};
  log_path_ = std::filesystem::temp_directory_path() /
              ("glisk_anvil_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + ".log");
  std::string command = "exec \"$0\" --host 127.0.0.1 --port 0";
  for (size_t i = 0; i < extra_args.size(); ++i) command += " \"$" + std::to_string(i + 2) + "\"";
  command += " >\"$1\" 2>&1";
  std::vector<std::string> argv = {"/bin/sh", "-c", command, binary, log_path_.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Subprocess>(argv, std::map<std::string, std::string>{}, "/tmp");
  const std::regex listening(R"(Listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream log(log_path_);
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    std::smatch match;
    if (std::regex_search(text, match, listening)) {
      port_ = std::stoi(match[1].str());
      url_ = "http://127.0.0.1:" + match[1].str();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream log(log_path_);
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  throw std::runtime_error("anvil did not start: " + text);
}

Anvil::~Anvil() {
  process_->signal(SIGTERM);
  process_->wait(std::chrono::seconds(10));
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

void SuiteAnvil::start() {
  try {
    compile_contracts();
    anvil_ = std::make_unique<Anvil>();
  } catch (const std::exception& e) {
    error_ = e.what();
  }
}

void compile_contracts() {
  Subprocess script({"/bin/bash", std::string(GLISK_SOURCE_DIR) + "/scripts/compile-contracts"}, {}, GLISK_SOURCE_DIR);
  int rc = script.wait(std::chrono::minutes(3));
  if (rc != 0) {
    throw std::runtime_error("scripts/compile-contracts failed (exit " + std::to_string(rc) +
                             "): " + script.all_stderr() + script.all_stdout());
  }
}

chain::JsonValue wait_for_receipt(chain::RpcClient& rpc, const std::string& hash, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto receipt = rpc.get_transaction_receipt(hash)) return *receipt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("no receipt for " + hash + " in time");
}

chain::JsonValue send_from_unlocked(chain::RpcClient& rpc, const std::string& from, const chain::JsonValue& fields,
                                    std::chrono::milliseconds timeout) {
  chain::JsonValue tx = fields;
  tx["from"] = from;
  if (!tx.contains("gas")) tx["gas"] = chain::to_quantity(rpc.estimate_gas(tx) * 2);
  std::string hash = rpc.call("eth_sendTransaction", chain::JsonValue::array({tx})).get<std::string>();
  auto receipt = wait_for_receipt(rpc, hash, timeout);
  if (receipt.at("status") != "0x1") throw std::runtime_error("transaction " + hash + " reverted");
  return receipt;
}

std::string deploy_glisk_nft(chain::RpcClient& rpc, uint64_t mint_price, const std::string& owner,
                             const std::string& artifact_name) {
  std::ifstream in(std::string(GLISK_SOURCE_DIR) + "/build/contracts/" + artifact_name + ".json");
  if (!in) {
    throw std::runtime_error("build/contracts/" + artifact_name + ".json is missing: run scripts/compile-contracts");
  }
  chain::JsonValue artifact = chain::JsonValue::parse(in);
  const std::string code =
      artifact.at("bytecode").get<std::string>() + eth::to_hex(eth::U256(mint_price).to_be_bytes()).substr(2);
  auto receipt = send_from_unlocked(rpc, owner, {{"data", code}});
  return receipt.at("contractAddress").get<std::string>();
}

chain::JsonValue mint(chain::RpcClient& rpc, const std::string& contract, const std::string& minter,
                      const std::string& prompt_author, uint64_t quantity, uint64_t mint_price) {
  auto data = eth::encode_call("mint(address,uint256)", {eth::Address::parse(prompt_author), eth::U256(quantity)});
  return send_from_unlocked(
      rpc, minter,
      {{"to", contract}, {"data", eth::to_hex(data)}, {"value", chain::to_quantity(mint_price * quantity)}});
}

void set_keeper(chain::RpcClient& rpc, const std::string& contract, const std::string& keeper,
                const std::string& owner) {
  auto data = eth::encode_call("setKeeper(address,bool)", {eth::Address::parse(keeper), eth::U256(1)});
  send_from_unlocked(rpc, owner, {{"to", contract}, {"data", eth::to_hex(data)}});
}

std::string token_uri(chain::RpcClient& rpc, const std::string& contract, uint64_t token_id) {
  auto data = eth::encode_call("tokenURI(uint256)", {eth::U256(token_id)});
  return eth::decode_string(eth::from_hex(rpc.eth_call(contract, eth::to_hex(data))));
}

std::map<uint64_t, int> reveals_per_token(chain::RpcClient& rpc, const std::string& contract) {
  // Every successful reveal emits EIP-4906 events (MetadataUpdate per token, or one
  // BatchMetadataUpdate for a range that may cover tokens it did not reveal), so the events name
  // the transactions and each transaction's calldata names its tokens: the first argument of every
  // reveal function is the uint256[] of ids.
  const std::string single = eth::to_hex(eth::keccak256(std::string_view("MetadataUpdate(uint256)")));
  const std::string range = eth::to_hex(eth::keccak256(std::string_view("BatchMetadataUpdate(uint256,uint256)")));
  // topics: [[a, b]] is "the first topic is a or b".
  chain::JsonValue filter = {{"fromBlock", "0x0"}, {"toBlock", "latest"}, {"address", contract}};
  filter["topics"] = chain::JsonValue::array({chain::JsonValue::array({single, range})});
  auto logs = rpc.get_logs(filter);
  std::set<std::string> transactions;
  for (const auto& log : logs) transactions.insert(log.at("transactionHash").get<std::string>());
  std::map<uint64_t, int> reveals;
  for (const auto& hash : transactions) {
    auto tx = rpc.call("eth_getTransactionByHash", chain::JsonValue::array({hash}));
    const eth::Bytes input = eth::from_hex(tx.at("input").get<std::string>());
    if (input.size() < 4) throw std::runtime_error("reveal transaction " + hash + " has no calldata");
    for (const auto& id : eth::decode_uint256_array(std::span<const uint8_t>(input).subspan(4), 0)) {
      reveals[id.low_u64()]++;
    }
  }
  return reveals;
}

}  // namespace glisk::testing
