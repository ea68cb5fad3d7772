// A separate process that claims tokens of the image stage, for the multi-process tests.
//   queue_claimer DATABASE_URL drain LEASE_MS BATCH   claim and complete until nothing is left
//   queue_claimer DATABASE_URL hold  LEASE_MS BATCH   claim once, print, then hang (to be killed)
// Prints "claimed ID" per token and "holding" once a hold claim is done.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "service/service.hpp"
#include "store/token_lifecycle.hpp"

using namespace glisk;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: queue_claimer DATABASE_URL drain|hold LEASE_MS BATCH\n";
    return 2;
  }
  const std::string mode = argv[2];
  const auto lease = std::chrono::milliseconds(std::stoll(argv[3]));
  const int batch = std::stoi(argv[4]);
  auto db = store::open_database(argv[1], 2);
  clock::SystemClock clock;
  queue::WakeBoard wake;
  store::TokenLifecycle q(*db, clock, wake, service::make_instance_id(), lease);
  if (mode == "hold") {
    for (const auto& c : q.claim(token::Stage::kImage, batch))
      std::printf("claimed %lld\n", static_cast<long long>(c.token.token_id));
    std::printf("holding\n");
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  int empty = 0;
  while (empty < 3) {
    std::vector<store::Claim> claims;
    try {
      claims = q.claim(token::Stage::kImage, batch);
    } catch (const store::BusyError&) {
      continue;
    }
    if (claims.empty()) {
      ++empty;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    empty = 0;
    for (const auto& c : claims) {
      std::printf("claimed %lld\n", static_cast<long long>(c.token.token_id));
      for (;;) {
        try {
          if (!q.complete(token::Stage::kImage, c.token.token_id, c.lease)) {
            std::printf("lost %lld\n", static_cast<long long>(c.token.token_id));
          }
          break;
        } catch (const store::BusyError&) {
        }
      }
    }
    std::fflush(stdout);
  }
  return 0;
}
