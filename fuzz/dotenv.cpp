// `.env` files (config/dotenv.hpp) and the configuration they feed (config::load_config): read at
// startup, written by hand, holding secrets. For any text:
//   - parse_dotenv returns only valid variable names, or throws ConfigError whose problems start
//     with ".env line N:" and quote no text of the file other than a valid variable name (the rest
//     of a line may be a secret, e.g. a line of a multi-line key);
//   - written back as KEY="value" lines, the variables parse to themselves;
//   - load_config on them returns or throws ConfigError, and no problem shows a secret's value.
#include "config/dotenv.hpp"

#include <algorithm>

#include "config/config.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

bool valid_name(std::string_view key) {
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.'; };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return !key.empty() && letter(key.front()) &&
         std::all_of(key.begin(), key.end(), [&](char c) { return letter(c) || digit(c); });
}

// Every 'quoted' part of a problem must be a variable name: nothing else of the line is shown.
void check_problem(const std::string& problem) {
  require(problem.starts_with(".env line "), "a .env problem names its line");
  for (size_t open = problem.find('\''); open != std::string::npos;) {
    const size_t close = problem.find('\'', open + 1);
    require(close != std::string::npos, "a .env problem closes its quotes");
    require(valid_name(std::string_view(problem).substr(open + 1, close - open - 1)),
            "a .env problem quotes nothing but a variable name");
    open = problem.find('\'', close + 1);
  }
}

std::string written_back(const config::Environment& env) {
  std::string text;
  for (const auto& [key, value] : env) {
    text += key + "=\"";
    for (char c : value) {
      if (c == '\n') {
        text += "\\n";
      } else if (c == '"' || c == '\\') {
        text += '\\';
        text += c;
      } else {
        text += c;
      }
    }
    text += "\"\n";
  }
  return text;
}

// The problems of variable `name` (their text after "NAME: "), all in one string.
std::string problems_of(const config::ConfigError& e, std::string_view name) {
  const std::string own = std::string(name) + ": ";
  std::string text;
  for (const auto& problem : e.problems()) {
    if (problem.starts_with(own)) text += problem.substr(own.size()) + "\n";
  }
  return text;
}

// What a secret's problems say whatever its value: their text with a value no message can hold.
// A value that this text spells by itself (say "is not an http") proves nothing when found.
std::string fixed_text(config::Environment env, std::string_view name) {
  env.insert_or_assign(std::string(name), "\x01");
  try {
    (void)config::load_config(env);
  } catch (const config::ConfigError& e) {
    return problems_of(e, name);
  }
  return "";
}

void check_config(config::Environment env) {
  // A secret's file form would read a file named by the input.
  for (const auto& variable : config::variables()) {
    if (variable.secret) env.erase(config::file_form(variable.name));
  }
  try {
    (void)config::load_config(env);
  } catch (const config::ConfigError& e) {
    for (const auto& variable : config::variables()) {
      const auto it = env.find(variable.name);
      // Shorter values are common words or digits: finding one in a message proves nothing.
      if (!variable.secret || it == env.end() || it->second.size() < 8) continue;
      // Its own problems only: another variable's message shows that variable's value, which the
      // input may have made to contain this one's.
      const std::string shown = problems_of(e, variable.name);
      if (shown.find(it->second) == std::string::npos) continue;
      require(fixed_text(env, variable.name).find(it->second) != std::string::npos,
              "no configuration problem shows a secret's value");
    }
  }
}

}  // namespace

int dotenv(const uint8_t* data, size_t size) {
  config::Environment env;
  try {
    env = config::parse_dotenv(as_text(data, size));
  } catch (const config::ConfigError& e) {
    require(!e.problems().empty(), "a ConfigError lists its problems");
    for (const auto& problem : e.problems()) check_problem(problem);
    return 0;
  }
  for (const auto& [key, value] : env) require(valid_name(key), "a parsed .env holds only valid variable names");
  try {
    require(config::parse_dotenv(written_back(env)) == env,
            "variables written back as KEY=\"value\" parse to themselves");
  } catch (const config::ConfigError&) {
    violated("variables written back as KEY=\"value\" are refused");
  }
  check_config(env);
  return 0;
}

}  // namespace glisk::fuzz
