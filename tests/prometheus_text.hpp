#pragma once
// A small, strict parser of the Prometheus text exposition format 0.0.4, for tests of
// GET /metrics: HELP/TYPE lines (at most one each, before the family's samples), metric and
// label names from the grammar, quoted label values with only \\ \" \n escapes, values as floats
// or +Inf/-Inf/NaN, a family's samples contiguous, counters never negative, histogram buckets
// cumulative in increasing `le` with `+Inf` equal to `_count`, and `_sum`/`_count` present.
// Throws std::runtime_error naming the line at the first violation.

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace glisk::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string type;
  std::string help;
  std::vector<PromSample> samples;

  // The value of the sample with exactly these labels (and the family's own name, or `suffixed`).
  double value(const std::map<std::string, std::string>& labels = {}, const std::string& suffixed = {}) const {
    for (const auto& s : samples) {
      if (s.labels == labels && (suffixed.empty() || s.name == suffixed)) return s.value;
    }
    throw std::runtime_error("no sample with those labels");
  }
};

inline std::map<std::string, PromFamily> parse_prometheus_text(const std::string& text) {
  static const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex kLabel("[a-zA-Z_][a-zA-Z0-9_]*");
  std::map<std::string, PromFamily> families;
  std::set<std::string> finished;  // families whose samples ended (no interleaving)
  std::string current;
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("the text must end with a newline");
  std::istringstream in(text);
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error("line " + std::to_string(number) + ": " + why + ": " + line);
  };
  auto parse_value = [&](const std::string& v) -> double {
    if (v == "+Inf") return INFINITY;
    if (v == "-Inf") return -INFINITY;
    if (v == "NaN") return NAN;
    size_t used = 0;
    double d = 0;
    try {
      d = std::stod(v, &used);
    } catch (...) {
      fail("bad value '" + v + "'");
    }
    if (used != v.size()) fail("bad value '" + v + "'");
    return d;
  };
  auto family_of = [&](const std::string& sample) -> std::string {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (sample.size() > s.size() && sample.ends_with(s)) {
        auto base = sample.substr(0, sample.size() - s.size());
        if (families.contains(base) && families[base].type == "histogram") return base;
      }
    }
    return sample;
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) fail("empty line");
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name;
      words >> hash >> kind >> name;
      if (kind != "HELP" && kind != "TYPE") continue;  // a plain comment
      if (!std::regex_match(name, kName)) fail("bad metric name");
      if (finished.contains(name) || (current == name && !families[name].samples.empty())) {
        fail(kind + " after the family's samples");
      }
      auto& f = families[name];
      std::string rest;
      std::getline(words, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (kind == "HELP") {
        if (!f.help.empty()) fail("second HELP");
        f.help = rest.empty() ? " " : rest;
      } else {
        if (!f.type.empty()) fail("second TYPE");
        if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" && rest != "untyped") {
          fail("unknown type '" + rest + "'");
        }
        f.type = rest;
      }
      if (current != name && !current.empty()) finished.insert(current);
      current = name;
      continue;
    }
    // name{labels} value
    size_t at = 0;
    while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
    PromSample sample;
    sample.name = line.substr(0, at);
    if (!std::regex_match(sample.name, kName)) fail("bad metric name");
    if (at < line.size() && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        size_t eq = line.find('=', at);
        if (eq == std::string::npos) fail("label without =");
        const std::string label = line.substr(at, eq - at);
        if (!std::regex_match(label, kLabel)) fail("bad label name '" + label + "'");
        if (eq + 1 >= line.size() || line[eq + 1] != '"') fail("unquoted label value");
        std::string value;
        size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            if (++i >= line.size()) fail("dangling escape");
            if (line[i] == 'n')
              value += '\n';
            else if (line[i] == '\\' || line[i] == '"')
              value += line[i];
            else
              fail("bad escape");
          } else {
            value += line[i];
          }
        }
        if (i >= line.size()) fail("unterminated label value");
        if (sample.labels.contains(label)) fail("repeated label");
        sample.labels[label] = value;
        at = i + 1;
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at >= line.size()) fail("unterminated label set");
      ++at;
    }
    if (at >= line.size() || line[at] != ' ') fail("no value");
    std::string value_text = line.substr(at + 1);
    if (auto space = value_text.find(' '); space != std::string::npos)
      value_text = value_text.substr(0, space);  // timestamp
    sample.value = parse_value(value_text);
    const std::string family = family_of(sample.name);
    if (finished.contains(family)) fail("samples of " + family + " are not contiguous");
    if (current != family) {
      if (!current.empty()) finished.insert(current);
      current = family;
    }
    auto& f = families[family];
    if (f.type.empty()) f.type = "untyped";
    if (f.type == "counter" && !(sample.value >= 0)) fail("negative counter");
    if (f.type == "histogram" && sample.name == family) fail("a histogram sample needs _bucket, _sum or _count");
    f.samples.push_back(std::move(sample));
  }
  // Histograms: cumulative buckets, +Inf = _count, _sum present, per label set.
  for (const auto& [name, f] : families) {
    if (f.type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    std::set<std::map<std::string, std::string>> sums;
    for (const auto& s : f.samples) {
      auto labels = s.labels;
      if (s.name == name + "_bucket") {
        if (!labels.contains("le")) throw std::runtime_error(name + ": a bucket without le");
        const std::string le = labels["le"];
        labels.erase("le");
        buckets[labels].emplace_back(le == "+Inf" ? INFINITY : std::stod(le), s.value);
      } else if (s.name == name + "_count") {
        counts[labels] = s.value;
      } else {
        sums.insert(labels);
      }
    }
    for (const auto& [labels, list] : buckets) {
      for (size_t i = 1; i < list.size(); ++i) {
        if (!(list[i - 1].first < list[i].first)) throw std::runtime_error(name + ": le not increasing");
        if (list[i - 1].second > list[i].second) throw std::runtime_error(name + ": buckets not cumulative");
      }
      if (list.empty() || !std::isinf(list.back().first)) throw std::runtime_error(name + ": no +Inf bucket");
      if (!counts.contains(labels) || counts[labels] != list.back().second) {
        throw std::runtime_error(name + ": the +Inf bucket differs from _count");
      }
      if (!sums.contains(labels)) throw std::runtime_error(name + ": no _sum");
    }
  }
  return families;
}

// What the Prometheus naming conventions (prometheus.io/docs/practices/naming, and promtool's
// lint) say against the families, one line per problem: glisk_ or process_ prefix; lowercase
// snake case; counters end in _total and nothing else does; no _count/_sum/_bucket family names;
// base units (seconds, bytes), not milliseconds or kilobytes; a HELP text; and a HELP that lists
// a label's classes ("by outcome: confirmed | reverted") names every class the samples use.
inline std::vector<std::string> naming_problems(const std::map<std::string, PromFamily>& families) {
  static const std::regex kSnake("^[a-z][a-z0-9_]*$");
  static const std::regex kClasses(R"(by ([a-z_]+): ([a-z0-9_]+(?: \| [a-z0-9_]+)+))");
  std::vector<std::string> problems;
  for (const auto& [name, f] : families) {
    auto problem = [&](const std::string& what) { problems.push_back(name + ": " + what); };
    if (!name.starts_with("glisk_") && !name.starts_with("process_")) problem("not under glisk_ or process_");
    if (!std::regex_match(name, kSnake)) problem("not lowercase snake case");
    const bool total = name.ends_with("_total");
    if (f.type == "counter" && !total) problem("a counter whose name does not end in _total");
    if (f.type != "counter" && total) problem("a " + f.type + " whose name ends in _total");
    for (const char* suffix : {"_count", "_sum", "_bucket"}) {
      if (name.ends_with(suffix)) problem(std::string("ends in ") + suffix + ", which histograms' series use");
    }
    for (const char* unit : {"milliseconds", "_ms", "minutes", "hours", "kilobytes", "megabytes", "_kb", "_mb"}) {
      if (name.find(unit) != std::string::npos) problem(std::string("not in base units (") + unit + ")");
    }
    if (f.help.empty()) problem("no HELP text");
    for (const auto& sample : f.samples) {
      for (const auto& [label, value] : sample.labels) {
        if (!std::regex_match(label, kSnake) && label != "le") problem("label " + label + " not lowercase snake case");
      }
    }
    for (std::sregex_iterator it(f.help.begin(), f.help.end(), kClasses), end; it != end; ++it) {
      const std::string label = (*it)[1];
      const std::string listed = " " + (*it)[2].str() + " ";
      std::set<std::string> missing;
      for (const auto& sample : f.samples) {
        auto value = sample.labels.find(label);
        if (value != sample.labels.end() && listed.find(" " + value->second + " ") == std::string::npos) {
          missing.insert(value->second);
        }
      }
      for (const auto& m : missing) problem("HELP lists the " + label + " classes but not '" + m + "'");
    }
  }
  return problems;
}

}  // namespace glisk::testing
