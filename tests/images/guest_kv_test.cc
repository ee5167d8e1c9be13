#include "images/guest/kv.h"

#include <gtest/gtest.h>

namespace restorelab::guest {
namespace {

TEST(GuestKeyValuesTest, ParsesKeysAndSkipsCommentsAndBlanks) {
  auto kv = KeyValues::Parse("# job\nphase = install,backup\n\nos.version=windows-xp\n", "job");
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->Get("phase"), "install,backup");
  EXPECT_EQ(kv->GetList("phase"), (std::vector<std::string>{"install", "backup"}));
  EXPECT_EQ(kv->Get("os.version"), "windows-xp");
  EXPECT_EQ(kv->Get("missing", "fallback"), "fallback");
}

TEST(GuestKeyValuesTest, RejectsALineWithoutEqualsNamingTheLine) {
  auto kv = KeyValues::Parse("phase=boot\nscenario\n", "job");
  ASSERT_FALSE(kv.has_value());
  EXPECT_EQ(kv.error().message, "job:2: expected key=value, got 'scenario'");
}

TEST(GuestKeyValuesTest, RejectsAnUpperCaseKey) {
  auto kv = KeyValues::Parse("Phase=boot\n", "job");
  ASSERT_FALSE(kv.has_value());
  EXPECT_EQ(kv.error().message, "job:1: bad key 'Phase' (expected [a-z0-9._-]+)");
}

TEST(GuestKeyValuesTest, ReadsBooleansAndIntegersWithFallbacks) {
  auto kv = KeyValues::Parse("a=true\nb=0\nc=maybe\nn=42\nm=4x\n", "t");
  ASSERT_TRUE(kv.has_value());
  EXPECT_TRUE(kv->GetBool("a", false));
  EXPECT_FALSE(kv->GetBool("b", true));
  EXPECT_TRUE(kv->GetBool("c", true));
  EXPECT_EQ(kv->GetInt("n", -1), 42);
  EXPECT_EQ(kv->GetInt("m", -1), -1);
}

TEST(GuestKeyValuesTest, SerializesSortedAndRoundTrips) {
  KeyValues kv;
  kv.Set("z", "1");
  kv.SetList("a", {"x", "y"});
  EXPECT_EQ(kv.Serialize(), "a=x,y\nz=1\n");
  auto again = KeyValues::Parse(kv.Serialize(), "t");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->entries(), kv.entries());
}

}  // namespace
}  // namespace restorelab::guest
