#include "ops/progress.hpp"

#include <unistd.h>

namespace glisk::ops {

void TerminalProgress::update(size_t done, size_t total) {
  if (!enabled_) return;
  const size_t percent = total == 0 ? 100 : done * 100 / total;
  out_ << "\r" << label_ << ": " << done << "/" << total << " (" << percent << "%)" << std::flush;
  shown_ = true;
}

void TerminalProgress::finish() {
  if (shown_) out_ << "\n" << std::flush;
  shown_ = false;
}

bool TerminalProgress::stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

}  // namespace glisk::ops
