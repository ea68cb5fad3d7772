#pragma once
// A PostgreSQL cluster of the test's own, for tests that stop or restart the server: the shared
// test server (GLISK_TEST_POSTGRES_URL, port 55432) serves other suites at the same time and is
// never stopped. scripts/pg-test-server makes it (GLISK_TEST_PG_PORT = a free port,
// GLISK_TEST_PG_DATA = a fresh folder under /tmp); it is stopped and deleted at destruction.
// Throws with the script's output when the server cannot start: a test never skips.

#include <filesystem>
#include <string>

namespace glisk::testing {

class PrivatePostgres {
 public:
  PrivatePostgres();
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  const std::string& url() const { return url_; }  // postgresql://glisk:glisk@127.0.0.1:PORT/glisk_test
  int port() const { return port_; }

  void stop();   // fast shutdown: open transactions are cut, as in `pg_ctl restart -m fast`
  void start();  // throws when it does not come up

 private:
  std::string run(const std::string& command);

  int port_ = 0;
  std::filesystem::path data_;
  std::string url_;
};

}  // namespace glisk::testing
