#include "private_postgres.hpp"

#include <unistd.h>

#include <stdexcept>

#include "ports.hpp"
#include "subprocess.hpp"

namespace glisk::testing {

PrivatePostgres::PrivatePostgres() : port_(unused_loopback_port()) {
  // In /tmp: the postgres system user that runs the cluster may not enter the build folder.
  data_ =
      std::filesystem::path("/tmp") / ("glisk-private-pg-" + std::to_string(getpid()) + "-" + std::to_string(port_));
  std::filesystem::remove_all(data_);
  url_ = run("start");
  while (!url_.empty() && (url_.back() == '\n' || url_.back() == ' ')) url_.pop_back();
}

PrivatePostgres::~PrivatePostgres() {
  try {
    stop();
  } catch (const std::exception&) {
    // the folder goes anyway
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_, ignored);
}

void PrivatePostgres::stop() { run("stop"); }

void PrivatePostgres::start() { run("start"); }

std::string PrivatePostgres::run(const std::string& command) {
  Subprocess script({std::string(GLISK_SOURCE_DIR) + "/scripts/pg-test-server", command},
                    {{"GLISK_TEST_PG_PORT", std::to_string(port_)}, {"GLISK_TEST_PG_DATA", data_.string()}},
                    GLISK_SOURCE_DIR);
  const int code = script.wait(std::chrono::seconds(120));
  if (code != 0) {
    throw std::runtime_error("scripts/pg-test-server " + command + " (port " + std::to_string(port_) +
                             ") failed with " + std::to_string(code) + ": " + script.all_stderr() +
                             script.all_stdout());
  }
  return script.all_stdout();
}

}  // namespace glisk::testing
