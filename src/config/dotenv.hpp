#pragma once
// Parser for `.env` files as docker compose and python-dotenv read them: KEY=VALUE lines,
// `#` comments, optional `export ` prefix, single quotes (literal) or double quotes (backslash
// escapes: n, t, quote, backslash), unquoted values end at ` #`. A malformed line is a ConfigError naming its line number;
// the value itself is never echoed because it may be a secret.

#include <string_view>

#include "config/config.hpp"

namespace glisk::config {

Environment parse_dotenv(std::string_view text);

// Reads and parses the file; a missing file is an empty environment.
Environment read_dotenv_file(const std::string& path);

}  // namespace glisk::config
