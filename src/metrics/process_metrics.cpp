#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace glisk::metrics {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Seconds since the epoch at which the machine booted: the wall clock less the time since boot.
// Not /proc/stat's btime: systemd's ProcSubset=pid (packaging/glisk.service) hides every /proc
// file but the processes', and /proc/self/stat's start time counts from the same boot clock.
double boot_time() {
  timespec now{};
  timespec since_boot{};
  if (clock_gettime(CLOCK_REALTIME, &now) != 0 || clock_gettime(CLOCK_BOOTTIME, &since_boot) != 0) {
    throw std::runtime_error("cannot read the clocks for the boot time");
  }
  const auto seconds = [](const timespec& t) { return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9; };
  return seconds(now) - seconds(since_boot);
}

}  // namespace

ProcessSample sample_process() {
  // /proc/self/stat: "pid (comm) state …"; comm may hold spaces and parentheses, so fields are
  // counted after the last ')'. Field 14/15 utime/stime, 22 starttime (clock ticks since boot),
  // 23 vsize (bytes), 24 rss (pages).
  const std::string stat = read_file("/proc/self/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) throw std::runtime_error("/proc/self/stat is not in the expected form");
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 22) throw std::runtime_error("/proc/self/stat has too few fields");
  auto field = [&](int number) { return std::stod(fields.at(static_cast<size_t>(number - 3))); };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessSample s;
  s.cpu_seconds = (field(14) + field(15)) / ticks;
  // Taken once: sampling two clocks at every scrape would move the start time by microseconds,
  // which `changes(process_start_time_seconds[…])` would count as restarts.
  static const double kBootTime = boot_time();
  s.start_time_seconds = kBootTime + field(22) / ticks;
  s.virtual_bytes = field(23);
  s.resident_bytes = field(24) * page;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    s.open_fds += 1;
  }
  if (ec) throw std::runtime_error("cannot list /proc/self/fd: " + ec.message());
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) s.max_fds = static_cast<double>(limit.rlim_cur);
  return s;
}

void install_process_metrics(Registry& registry) {
  auto& cpu = registry.counter("process_cpu_seconds_total", "user and system CPU time spent, in seconds");
  auto& resident = registry.gauge("process_resident_memory_bytes", "resident memory size, in bytes");
  auto& virtual_memory = registry.gauge("process_virtual_memory_bytes", "virtual memory size, in bytes");
  auto& start = registry.gauge("process_start_time_seconds", "start time of the process since the epoch, in seconds");
  auto& open_fds = registry.gauge("process_open_fds", "number of open file descriptors");
  auto& max_fds = registry.gauge("process_max_fds", "maximum number of open file descriptors");
  registry.add_collector([&cpu, &resident, &virtual_memory, &start, &open_fds, &max_fds] {
    const auto s = sample_process();
    cpu.raise_to({}, s.cpu_seconds);
    resident.set(s.resident_bytes);
    virtual_memory.set(s.virtual_bytes);
    start.set(s.start_time_seconds);
    open_fds.set(s.open_fds);
    max_fds.set(s.max_fds);
  });
}

}  // namespace glisk::metrics
