#include "cli/cli.hpp"

int main(int argc, char** argv, char** envp) { return glisk::cli::run(argc, argv, envp); }
