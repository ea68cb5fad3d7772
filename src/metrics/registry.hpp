#pragma once
// A small Prometheus metrics registry: counters, gauges and histograms with labels, rendered in
// the text exposition format 0.0.4 (`GET /metrics`, Content-Type kContentType). One Registry is
// made by the service and passed to what it measures (no globals); tests make their own.
//
// - family(): registering a name again returns the same family (so each component asks for what
//   it needs); a different type or label names for a taken name is a programming error and
//   throws std::logic_error, as does a name or label name outside the Prometheus grammar.
// - Label values are any text; they are escaped when rendered. The number of values must match
//   the family's label names (std::invalid_argument otherwise).
// - Collectors run at the start of every render (scrape), e.g. to set gauges from the database;
//   a collector that throws is counted in glisk_metrics_collector_errors_total and skipped, so
//   a database outage never breaks the scrape.
// Thread-safe: every family has its own mutex; render() may run while others update.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sync/mutex.hpp"

namespace glisk::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

using LabelValues = std::vector<std::string>;

class Family {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  virtual ~Family() = default;
  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual void render(std::string& out) const = 0;

 protected:
  Family(std::string name, std::string help, Type type, std::vector<std::string> label_names);
  void check(const LabelValues& values) const;
  std::string header() const;  // # HELP and # TYPE lines
  std::string labels_text(const LabelValues& values, const std::string& extra_name = {},
                          const std::string& extra_value = {}) const;

  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<std::string> label_names_;
};

class Counter final : public Family {
 public:
  Counter(std::string name, std::string help, std::vector<std::string> label_names);
  // Adds `by` (must be ≥ 0: a counter only goes up; std::invalid_argument otherwise).
  void inc(const LabelValues& values = {}, double by = 1.0);
  // For a counter kept elsewhere (the kernel's CPU time): takes `total` when it is higher, so the
  // series still never goes down.
  void raise_to(const LabelValues& values, double total);
  double value(const LabelValues& values = {}) const;
  void render(std::string& out) const override;

 private:
  mutable sync::Mutex mutex_;
  std::map<LabelValues, double> values_ GLISK_GUARDED_BY(mutex_);
};

class Gauge final : public Family {
 public:
  Gauge(std::string name, std::string help, std::vector<std::string> label_names);
  void set(const LabelValues& values, double value);
  void set(double value) { set({}, value); }
  // Forgets every series (a collector that sets them all again at each scrape).
  void clear();
  double value(const LabelValues& values = {}) const;
  void render(std::string& out) const override;

 private:
  mutable sync::Mutex mutex_;
  std::map<LabelValues, double> values_ GLISK_GUARDED_BY(mutex_);
};

class Histogram final : public Family {
 public:
  // `bounds`: increasing upper bounds; +Inf is added.
  Histogram(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds);
  void observe(const LabelValues& values, double value);
  // Makes the series of `values` exist at 0 (a known label set shown before its first event, so
  // increase() sees the first one). A histogram without labels has its series from the start.
  void touch(const LabelValues& values);
  uint64_t count(const LabelValues& values = {}) const;
  void render(std::string& out) const override;

 private:
  struct Series {
    std::vector<uint64_t> buckets;  // per bound, not cumulative; rendered cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  const std::vector<double> bounds_;
  mutable sync::Mutex mutex_;
  std::map<LabelValues, Series> series_ GLISK_GUARDED_BY(mutex_);
};

// Seconds from 5 ms to 10 minutes: stage durations and time to confirmation.
std::vector<double> duration_buckets();

class Registry {
 public:
  Registry();
  Counter& counter(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Gauge& gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                       std::vector<double> bounds = duration_buckets());

  void add_collector(std::function<void()> collector);

  // Runs the collectors, then renders every family in registration order.
  std::string render();

 private:
  template <typename T, typename... Args>
  T& family(const std::string& name, Family::Type type, const std::vector<std::string>& label_names, Args&&... args);

  sync::Mutex mutex_;  // guards the lists, not the values (each family has its own mutex)
  std::vector<std::unique_ptr<Family>> families_ GLISK_GUARDED_BY(mutex_);
  std::vector<std::function<void()>> collectors_ GLISK_GUARDED_BY(mutex_);
  Counter* collector_errors_ = nullptr;
};

// A number as Prometheus writes it: shortest round-trip form, "+Inf", "-Inf", "NaN".
std::string format_value(double value);

}  // namespace glisk::metrics
