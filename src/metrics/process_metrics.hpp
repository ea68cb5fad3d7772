#pragma once
// The process_* families every Prometheus client library exports, read from Linux's /proc at
// each scrape (a collector): process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds, process_max_fds.
// Dashboards and alerts written for any exporter (memory growth, fd exhaustion, restarts by
// start time) work unchanged. A /proc that cannot be read leaves the last values (the collector
// throws, which the registry counts in glisk_metrics_collector_errors_total).

#include "metrics/registry.hpp"

namespace glisk::metrics {

void install_process_metrics(Registry& registry);

// One reading of /proc/self, for the collector and tests.
struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // since the epoch
  double open_fds = 0;
  double max_fds = 0;
};
// Throws std::runtime_error when /proc/self cannot be read.
ProcessSample sample_process();

}  // namespace glisk::metrics
