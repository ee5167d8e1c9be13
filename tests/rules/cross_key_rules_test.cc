#include "rules/cross_key_rules.h"

#include <gtest/gtest.h>

#include "rules/satisfy.h"

namespace restorelab {
namespace {

TEST(CrossKeyRulesTest, EveryRuleReadsKeysOfTheKeyTable) {
  for (const CrossKeyRule& rule : cross_key_rules()) {
    ASSERT_TRUE(rule.holds && rule.explain) << rule.key;
    EXPECT_TRUE(rule.info || rule.key == "backup") << rule.key;  // a missing [backup] table is named by the table
    for (const std::string& path : rule.reads) EXPECT_TRUE(find_key(path)) << rule.key << " reads " << path;
  }
}

// The keys that decide whether other keys' values are valid: lint's search
// gives them values even when no condition reads them.
TEST(CrossKeyRulesTest, KnowsTheKeysThatRelateOthers) {
  for (const char* side : {"source.", "destination."})
    for (const char* key : {"hal", "cpus", "firmware", "os.version", "os.edition", "os.upgraded_from"})
      EXPECT_TRUE(relates_keys(std::string(side) + key)) << side << key;
  for (const char* key : {"backup.kind", "restore.kind", "restore.after"}) EXPECT_TRUE(relates_keys(key)) << key;
  for (const char* key : {"source.os.systemroot", "source.model", "source.nics", "restore.asr"})
    EXPECT_FALSE(relates_keys(key)) << key;
}

// validate() reports a broken rule at the key to change; a copied
// destination is not checked again.
TEST(CrossKeyRulesTest, ValidateReportsEachBrokenRuleOnce) {
  Scenario s = baseline_scenario();
  s.source.cpus = 4;  // acpi-uniprocessor
  s.source.os.hotfixes = {"810161", "KBx", "q1"};
  auto problems = validate(s);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].key, "source.cpus");
  EXPECT_EQ(problems[0].message, "4 processors contradict hal = \"acpi-uniprocessor\", which runs on exactly one; "
                                 "expected 1");
  EXPECT_EQ(problems[0].also, std::vector<std::string>{"source.hal"});
  EXPECT_EQ(problems[1].message, "\"KBx\" is not a KB number; expected digits only");
  EXPECT_EQ(problems[2].message, "\"q1\" is not a KB number; expected digits only");
  EXPECT_FALSE(is_valid(s));
  s.destination = s.source;
  s.defaulted.destination_machine = true;
  EXPECT_EQ(validate(s).size(), 3u);
}

}  // namespace
}  // namespace restorelab
