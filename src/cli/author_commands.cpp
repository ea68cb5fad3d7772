#include "cli/author_commands.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "authors/author_registry.hpp"
#include "chain/rpc_client.hpp"
#include "clock/clock.hpp"
#include "net/http_client.hpp"
#include "ops/progress.hpp"
#include "store/migrations.hpp"
#include "store/token_lifecycle.hpp"
#include "watcher/gap_recovery.hpp"

namespace glisk::cli {

void add_author_commands(CLI::App& app, AuthorCommands& c) {
  c.authors = app.add_subcommand("authors", "prompt authors: set a prompt, list them");
  c.authors->require_subcommand(1);
  c.set_prompt =
      c.authors->add_subcommand("set-prompt", "set an author's prompt (as the operator, without a signature)");
  c.set_prompt->add_option("WALLET", c.wallet, "the author's wallet address")->required();
  c.set_prompt->add_option("TEXT", c.text, "the prompt, 1-1000 characters")->required();
  c.list = c.authors->add_subcommand("list", "list authors: wallet, has prompt, tokens, updated_at");
  c.list->add_flag("--json", c.json, "one JSON array instead of a table");
  c.recover = app.add_subcommand(
      "recover", "create the tokens the contract minted that the database lacks (nextTokenId, tokenPromptAuthor)");
}

namespace {

int set_prompt(const AuthorCommands& c, store::Database& db, const log::EventLog& log) {
  clock::SystemClock clock;
  authors::AuthorRegistry registry(db, clock, log);
  try {
    const std::string wallet = registry.set_prompt(c.wallet, c.text);
    std::cout << "prompt set for " << wallet << "\n";
    return 0;
  } catch (const authors::InvalidAuthorRequest& e) {
    std::cerr << "glisk: " << e.what() << "\n";
    return 2;
  }
}

int list(const AuthorCommands& c, store::Database& db, const log::EventLog& log) {
  clock::SystemClock clock;
  authors::AuthorRegistry registry(db, clock, log);
  const auto all = registry.list();
  if (c.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : all) {
      out.push_back({{"wallet_address", a.wallet_address},
                     {"has_prompt", a.has_prompt},
                     {"tokens", a.tokens},
                     {"updated_at", a.updated_at}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-42s  %-10s  %6s  %s\n", "WALLET", "HAS PROMPT", "TOKENS", "UPDATED_AT");
  for (const auto& a : all) {
    std::printf("%-42s  %-10s  %6lld  %s\n", a.wallet_address.c_str(), a.has_prompt ? "yes" : "no",
                static_cast<long long>(a.tokens), a.updated_at.c_str());
  }
  return 0;
}

int recover(store::Database& db, const config::Config& config, const log::EventLog& log) {
  if (config.contract_address.empty()) {
    std::cerr << "glisk: recover needs the contract: set GLISK_NFT_CONTRACT_ADDRESS (and RPC_URL)\n";
    return 2;
  }
  clock::SystemClock clock;
  queue::WakeBoard wake;
  store::TokenLifecycle queue(db, clock, wake, "cli-recover", std::chrono::seconds(60));
  net::HttpClient http;
  chain::RpcClient rpc(http, config.rpc_url);
  watcher::GapRecovery recovery(db, rpc, queue, clock, log, config.contract_address,
                                static_cast<uint64_t>(config.mint_confirmations));
  ops::TerminalProgress progress(std::cout, ops::TerminalProgress::stdout_is_terminal(), "recover");
  recovery.on_progress([&progress](size_t done, size_t total) { progress.update(done, total); });
  const auto report = recovery.run();
  progress.finish();
  for (const auto& t : report.created) std::cout << "created token " << t.token_id << " (author " << t.author << ")\n";
  std::cout << "nextTokenId " << report.next_token_id << " at block " << report.block << ": " << report.missing
            << " missing, " << report.created.size() << " created\n";
  return 0;
}

}  // namespace

std::optional<int> run_author_commands(const AuthorCommands& c, const config::Config& config,
                                       const log::EventLog& log) {
  const bool authors = c.authors != nullptr && c.authors->parsed();
  const bool recovering = c.recover != nullptr && c.recover->parsed();
  if (!authors && !recovering) return std::nullopt;
  try {
    // `authors list` only reads: read-only, no migration (see ops_commands.cpp).
    const bool writes = recovering || c.set_prompt->parsed();
    auto db =
        store::open_database(config.database_url, 1, writes ? store::Access::kReadWrite : store::Access::kReadOnly);
    clock::SystemClock clock;
    if (writes) {
      store::migrate(*db, clock.now());
    } else {
      store::require_current_schema(*db);
    }
    if (recovering) return recover(*db, config, log);
    if (c.set_prompt->parsed()) return set_prompt(c, *db, log);
    if (c.list->parsed()) return list(c, *db, log);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "glisk: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace glisk::cli
