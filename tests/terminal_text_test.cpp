// Outside text printed on an operator's terminal (ops/terminal_text.hpp).
#include "ops/terminal_text.hpp"

#include <gtest/gtest.h>

using glisk::ops::terminal_cell;
using glisk::ops::terminal_safe;

TEST(TerminalText, EscapeSequencesAreShownNotObeyed) {
  EXPECT_EQ(terminal_safe("\x1b[2J\x1b]0;pwned\x07 refused"), "\\x1b[2J\\x1b]0;pwned\\x07 refused");
  EXPECT_EQ(terminal_safe("bell\x7f"), "bell\\x7f");
  EXPECT_EQ(terminal_safe("c1 \xc2\x9b"
                          "31m csi"),
            "c1 \\xc2\\x9b31m csi")
      << "U+009B is CSI to some terminals";
}

TEST(TerminalText, UnicodeStaysAndBrokenUtf8IsEscaped) {
  EXPECT_EQ(terminal_safe("héllo 🎨"), "héllo 🎨");
  EXPECT_EQ(terminal_safe("bad \xff\xc3"), "bad \\xff\\xc3");
  EXPECT_EQ(terminal_safe("overlong \xc0\xaf"), "overlong \\xc0\\xaf");
}

TEST(TerminalText, ACellIsOneLineAndCutAtACharacter) {
  EXPECT_EQ(terminal_cell("two\nlines\tand tab\r", 100), "two lines and tab ");
  EXPECT_EQ(terminal_cell(std::string(10, 'x') + "ééé", 14), std::string(10, 'x') + "...");
  EXPECT_EQ(terminal_cell("short", 14), "short");
}
