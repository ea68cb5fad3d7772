#pragma once
// Parser for `.env` files as docker compose and python-dotenv read them: KEY=VALUE lines,
// `#` comments, optional `export ` prefix, single quotes (literal) or double quotes (backslash
// escapes: n, t, quote, backslash), unquoted values end at ` #`. Variable names are ASCII letters,
// digits, `_` and `.`, not starting with a digit. A malformed line is a ConfigError naming its
// line number; no text of the line but a valid variable name is ever echoed, because the rest may
// be a secret (or a line of one).

#include <string_view>

#include "config/config.hpp"

namespace glisk::config {

Environment parse_dotenv(std::string_view text);

// Reads and parses the file; a missing file is an empty environment.
Environment read_dotenv_file(const std::string& path);

}  // namespace glisk::config
