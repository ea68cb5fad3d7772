#include "config/dotenv.hpp"

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

namespace glisk::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool name_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// What is wrong with a variable name, or nothing. The name itself is never quoted: the line may
// be a line of a multi-line value (a PEM key, say) that happens to hold '=', and its "name" is
// then part of a secret.
std::optional<std::string> name_problem(std::string_view key) {
  if (key.empty()) return "no variable name before the =";
  if (key.front() >= '0' && key.front() <= '9') return "the variable name starts with a digit";
  for (size_t i = 0; i < key.size(); ++i) {
    if (!name_character(key[i])) {
      return "character " + std::to_string(i + 1) +
             " of the variable name is not a letter, digit, _ or . (a line of a multi-line value? those are "
             "not supported)";
    }
  }
  return std::nullopt;
}

}  // namespace

Environment parse_dotenv(std::string_view text) {
  Environment env;
  std::vector<std::string> problems;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);

    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      problems.push_back(".env line " + std::to_string(line_no) + ": expected KEY=VALUE");
      continue;
    }
    std::string_view key = trim(line.substr(0, eq));
    std::string_view raw = trim(line.substr(eq + 1));
    if (auto problem = name_problem(key)) {
      problems.push_back(".env line " + std::to_string(line_no) + ": " + *problem);
      continue;
    }
    std::string value;
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
      const char quote = raw.front();
      bool closed = false;
      size_t i = 1;
      for (; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == quote) {
          closed = true;
          break;
        }
        if (quote == '"' && c == '\\' && i + 1 < raw.size()) {
          char n = raw[++i];
          value += n == 'n' ? '\n' : n == 't' ? '\t' : n;
          continue;
        }
        value += c;
      }
      std::string_view rest = closed ? trim(raw.substr(i + 1)) : std::string_view{};
      if (!closed || (!rest.empty() && rest.front() != '#')) {
        problems.push_back(".env line " + std::to_string(line_no) + ": unterminated or malformed quoted value for " +
                           std::string(key) + " (multi-line values are not supported)");
        continue;
      }
    } else {
      size_t hash = raw.find(" #");
      value = std::string(trim(raw.substr(0, hash)));
    }
    env.insert_or_assign(std::string(key), std::move(value));
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return env;
}

Environment read_dotenv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_dotenv(buf.str());
}

}  // namespace glisk::config
