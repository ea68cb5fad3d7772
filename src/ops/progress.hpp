#pragma once
// Progress of a long operator command (a retry of thousands, `glisk recover`) on a terminal:
// one line rewritten in place ("retry: 1500/4000 (37%)"), finished with a newline. Writes
// nothing when disabled (stdout is not a terminal), so scripts and pipes see only the result.
// Not thread-safe: one command, one thread.

#include <cstddef>
#include <ostream>
#include <string>

namespace glisk::ops {

class TerminalProgress {
 public:
  TerminalProgress(std::ostream& out, bool enabled, std::string label)
      : out_(out), enabled_(enabled), label_(std::move(label)) {}
  ~TerminalProgress() { finish(); }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  void update(size_t done, size_t total);
  void finish();

  // Whether standard output is a terminal (the usual `enabled`).
  static bool stdout_is_terminal();

 private:
  std::ostream& out_;
  const bool enabled_;
  const std::string label_;
  bool shown_ = false;
};

}  // namespace glisk::ops
