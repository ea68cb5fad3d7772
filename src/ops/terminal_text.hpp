#pragma once
// Text that came from outside (a provider's error, a model's refusal, a node's message) made safe
// to print on an operator's terminal: an escape sequence in a provider's answer must not recolour,
// retitle or clear the screen of whoever runs `glisk show`. C0 and C1 control characters, DEL and
// bytes that are not UTF-8 are shown as \xNN; newlines and tabs become spaces (a table row stays
// one line). Pure function, thread-safe.

#include <string>
#include <string_view>

namespace glisk::ops {

std::string terminal_safe(std::string_view text);

// terminal_safe(), then cut to at most `width` bytes with "..." at a character boundary.
std::string terminal_cell(std::string_view text, size_t width);

}  // namespace glisk::ops
