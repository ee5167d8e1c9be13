#include "rules/utf8.h"

#include <gtest/gtest.h>

namespace restorelab {
namespace {

TEST(Utf8Test, DecodesEachLengthOfWellFormedSequence) {
  EXPECT_EQ(next_utf8("a").code, U'a');
  EXPECT_EQ(next_utf8("\xc3\xa9").code, U'\u00e9');
  EXPECT_EQ(next_utf8("\xc3\xa9").length, 2u);
  EXPECT_EQ(next_utf8("\xef\xbf\xbe").code, 0xfffeu);
  EXPECT_EQ(next_utf8("\xf4\x8f\xbf\xbf").code, 0x10ffffu);
  EXPECT_EQ(next_utf8("\xf4\x8f\xbf\xbf").length, 4u);
}

TEST(Utf8Test, RefusesWhatIsNotWellFormed) {
  for (const char* bad : {"\xff", "\x80", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xf5\x80\x80\x80", "\xe2\x82"})
    EXPECT_EQ(next_utf8(bad).length, 0u) << bad;
}

TEST(Utf8Test, ValidUtf8ReplacesEachInvalidByteAndKeepsTheRest) {
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("a\xff" "b\xc3"), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace restorelab
