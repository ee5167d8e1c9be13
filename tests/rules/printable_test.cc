#include "rules/printable.h"

#include <gtest/gtest.h>

#include "rules/diagnostic.h"

namespace restorelab {
namespace {

TEST(PrintableTest, FindsEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string text = "ab" + std::string(1, static_cast<char>(c)) + "c";
    auto found = find_control_character(text);
    ASSERT_TRUE(found) << c;
    EXPECT_EQ(found->offset, 2u);
    EXPECT_EQ(found->code, static_cast<char32_t>(c));
  }
  EXPECT_EQ(find_control_character("a\x7f")->code, 0x7fu);
  EXPECT_EQ(find_control_character("a\u0085b")->code, 0x85u);  // NEL, a C1 control
  EXPECT_EQ(find_control_character("a\u009b[31m")->code, 0x9bu);  // CSI
  EXPECT_FALSE(find_control_character("C:\\WINDOWS \"quoted\" ~ \u00e9\u00a0\u2028"));
  EXPECT_FALSE(find_control_character("two\nlines", true));
  EXPECT_EQ(find_control_character("two\nlines\tand a tab", true)->code, U'\t');
}

TEST(PrintableTest, EscapesControlCharactersAndKeepsTheRest) {
  EXPECT_EQ(escape_control_characters("a\nb\rc\td\x1b[31m\x7f\u0085 C:\\new \u00e9"),
            "a\\nb\\rc\\td\\x1b[31m\\x7f\\u0085 C:\\new \u00e9");
  EXPECT_EQ(escape_control_characters(std::string("nul\0end", 7)), "nul\\x00end");
  EXPECT_EQ(code_point_name(0x0a), "U+000A");
  EXPECT_EQ(code_point_name(0x9b), "U+009B");
}

// Values of stores and records reach the terminal through this too: a byte
// that is not UTF-8 (a lone 0x9b is CSI to an 8-bit terminal) is shown, and
// a report of several lines keeps its line feeds when asked.
TEST(PrintableTest, EscapesBytesThatAreNotUtf8AndCanKeepLineFeeds) {
  EXPECT_EQ(escape_control_characters("a\x9b[2Jb\xff\xc3 \xc3\xa9"), "a\\x9b[2Jb\\xff\\xc3 \xc3\xa9");
  EXPECT_EQ(escape_control_characters("id\x1b[31m\nnext\tline\n", true), "id\\x1b[31m\nnext\\tline\n");
  EXPECT_EQ(escape_control_characters("\xef\xbf\xbe"), "\xef\xbf\xbe");  // U+FFFE is text to a terminal
}

// One place decides: a diagnostic never prints a control character raw,
// whatever part of it quotes input.
TEST(PrintableTest, DiagnosticsNeverPrintAControlCharacter) {
  const Diagnostic d{"dir\n/x.toml", 3, 7, "unknown key \"a\x1b]0;pwned\x07\" in [source]", "did you mean \"b\tc\"?"};
  EXPECT_EQ(d.to_string(),
            "dir\\n/x.toml:3:7: error: unknown key \"a\\x1b]0;pwned\\x07\" in [source]; did you mean \"b\\tc\"?");
  EXPECT_EQ(format_diagnostics({d}), d.to_string() + "\n");
}

}  // namespace
}  // namespace restorelab
