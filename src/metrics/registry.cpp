#include "metrics/registry.hpp"

#include <charconv>
#include <cmath>
#include <regex>
#include <stdexcept>

namespace glisk::metrics {
namespace {

bool valid_metric_name(const std::string& name) {
  static const std::regex kName("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
  return std::regex_match(name, kName);
}

bool valid_label_name(const std::string& name) {
  static const std::regex kName("^[a-zA-Z_][a-zA-Z0-9_]*$");
  return std::regex_match(name, kName) && !name.starts_with("__");
}

std::string escape(std::string_view text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : "NaN";
}

std::vector<double> duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

Family::Family(std::string name, std::string help, Type type, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {
  if (!valid_metric_name(name_)) throw std::logic_error("invalid metric name '" + name_ + "'");
  for (const auto& l : label_names_) {
    if (!valid_label_name(l) || (type_ == Type::kHistogram && l == "le")) {
      throw std::logic_error("invalid label name '" + l + "' for metric " + name_);
    }
  }
}

void Family::check(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
}

std::string Family::header() const {
  static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
  return "# HELP " + name_ + " " + escape(help_, false) + "\n# TYPE " + name_ + " " + kTypes[static_cast<int>(type_)] +
         "\n";
}

std::string Family::labels_text(const LabelValues& values, const std::string& extra_name,
                                const std::string& extra_value) const {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    out += (out.empty() ? "" : ",") + label_names_[i] + "=\"" + escape(values[i], true) + "\"";
  }
  if (!extra_name.empty()) out += (out.empty() ? "" : ",") + extra_name + "=\"" + escape(extra_value, true) + "\"";
  return out.empty() ? "" : "{" + out + "}";
}

Counter::Counter(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), Type::kCounter, std::move(label_names)) {}

void Counter::inc(const LabelValues& values, double by) {
  check(values);
  if (!(by >= 0)) throw std::invalid_argument("counter " + name_ + " cannot go down (by " + format_value(by) + ")");
  sync::MutexLock lock(mutex_);
  values_[values] += by;
}

void Counter::raise_to(const LabelValues& values, double total) {
  check(values);
  sync::MutexLock lock(mutex_);
  auto& value = values_[values];
  if (total > value) value = total;
}

double Counter::value(const LabelValues& values) const {
  sync::MutexLock lock(mutex_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void Counter::render(std::string& out) const {
  out += header();
  sync::MutexLock lock(mutex_);
  // A counter without labels is shown at 0 before its first increment.
  if (values_.empty() && label_names_.empty()) out += name_ + " 0\n";
  for (const auto& [labels, v] : values_) out += name_ + labels_text(labels) + " " + format_value(v) + "\n";
}

Gauge::Gauge(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), Type::kGauge, std::move(label_names)) {}

void Gauge::set(const LabelValues& values, double value) {
  check(values);
  sync::MutexLock lock(mutex_);
  values_[values] = value;
}

void Gauge::clear() {
  sync::MutexLock lock(mutex_);
  values_.clear();
}

double Gauge::value(const LabelValues& values) const {
  sync::MutexLock lock(mutex_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void Gauge::render(std::string& out) const {
  out += header();
  sync::MutexLock lock(mutex_);
  for (const auto& [labels, v] : values_) out += name_ + labels_text(labels) + " " + format_value(v) + "\n";
}

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds)
    : Family(std::move(name), std::move(help), Type::kHistogram, std::move(label_names)), bounds_(std::move(bounds)) {
  for (size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i - 1] < bounds_[i])) throw std::logic_error("histogram " + name_ + " bounds must increase");
  }
  if (label_names_.empty()) series_[{}].buckets.assign(bounds_.size(), 0);
}

void Histogram::touch(const LabelValues& values) {
  check(values);
  sync::MutexLock lock(mutex_);
  auto& s = series_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
}

void Histogram::observe(const LabelValues& values, double value) {
  check(values);
  sync::MutexLock lock(mutex_);
  auto& s = series_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++s.buckets[i];
      break;
    }
  }
  ++s.count;
  s.sum += value;
}

uint64_t Histogram::count(const LabelValues& values) const {
  sync::MutexLock lock(mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::render(std::string& out) const {
  out += header();
  sync::MutexLock lock(mutex_);
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      out += name_ + "_bucket" + labels_text(labels, "le", format_value(bounds_[i])) + " " +
             std::to_string(cumulative) + "\n";
    }
    out += name_ + "_bucket" + labels_text(labels, "le", "+Inf") + " " + std::to_string(s.count) + "\n";
    out += name_ + "_sum" + labels_text(labels) + " " + format_value(s.sum) + "\n";
    out += name_ + "_count" + labels_text(labels) + " " + std::to_string(s.count) + "\n";
  }
}

Registry::Registry() {
  collector_errors_ =
      &counter("glisk_metrics_collector_errors_total",
               "scrapes whose database-backed gauges could not be computed (they show their last values)");
}

template <typename T, typename... Args>
T& Registry::family(const std::string& name, Family::Type type, const std::vector<std::string>& label_names,
                    Args&&... args) {
  sync::MutexLock lock(mutex_);
  for (auto& f : families_) {
    if (f->name() != name) continue;
    if (f->type() != type || f->label_names() != label_names) {
      throw std::logic_error("metric " + name + " is already registered with another type or labels");
    }
    return static_cast<T&>(*f);
  }
  auto made = std::make_unique<T>(name, std::forward<Args>(args)...);
  T& ref = *made;
  families_.push_back(std::move(made));
  return ref;
}

Counter& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return family<Counter>(name, Family::Type::kCounter, label_names, help, label_names);
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return family<Gauge>(name, Family::Type::kGauge, label_names, help, label_names);
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                               std::vector<double> bounds) {
  return family<Histogram>(name, Family::Type::kHistogram, label_names, help, label_names, std::move(bounds));
}

void Registry::add_collector(std::function<void()> collector) {
  sync::MutexLock lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() {
  std::vector<std::function<void()>> collectors;
  {
    sync::MutexLock lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) {
    try {
      c();
    } catch (const std::exception&) {
      collector_errors_->inc();
    }
  }
  std::string out;
  sync::MutexLock lock(mutex_);
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace glisk::metrics
