#pragma once
// The `glisk` command line (CLI11): `serve` runs the API and all workers, `migrate` applies the
// schema, `config` prints the configuration variables, `chain deploy` deploys the contract,
// `authors set-prompt|list` and `recover` (cli/author_commands.hpp) handle what comes in;
// `status`, `queues`, `tokens`, `failures`, `retry`, `show` (cli/ops_commands.hpp) are the
// operator's checks.
// Configuration comes from the environment
// with `.env` in the working directory as fallback.

namespace glisk::cli {

// Returns the process exit code: 0 ok, 1 runtime failure, 2 bad configuration or usage.
int run(int argc, char** argv, char** envp);

}  // namespace glisk::cli
