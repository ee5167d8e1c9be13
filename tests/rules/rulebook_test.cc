#include "rules/rulebook.h"

#include <gtest/gtest.h>

#include "rules/engine.h"
#include "rules/scenario_loader.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

std::string errors_of(const std::string& text) {
  auto book = load_rulebook_text(text, "r.toml");
  EXPECT_FALSE(book) << "expected errors";
  return book ? "" : format_diagnostics(book.error());
}

const char* kRule = R"([[rule]]
id = "bmr-online"
when = 'restore.kind == "bmr" and not restore.offline'
supported = false
outcome = "restore-refused"
precedence = 1
cite = "KB249694: BMRs can be performed only when the system is offline."
)";

TEST(RulebookTest, LoadsARule) {
  auto book = load_rulebook_text(kRule, "r.toml");
  ASSERT_TRUE(book) << format_diagnostics(book.error());
  ASSERT_EQ(book->rules.size(), 1u);
  const Rule& r = book->rules[0];
  EXPECT_EQ(r.id, "bmr-online");
  EXPECT_EQ(r.supported, false);
  EXPECT_EQ(r.outcome, Outcome::RestoreRefused);
  EXPECT_EQ(r.precedence, 1);
  EXPECT_EQ(r.when.text(), "restore.kind == \"bmr\" and not restore.offline");
}

// Ids, citations and notes reach reports, JUnit and HTML: one line of
// printable text each. Conditions may span lines (a line break is white space).
TEST(RulebookTest, RefusesControlCharactersOutsideConditions) {
  EXPECT_EQ(errors_of(std::string(kRule) + "doc = '''two\nlines'''\n[[rule]]\nid = \"x\\u001b[31m\"\nwhen = \"true\"\n"
                                           "cite = \"c\\td\"\n"),
            "r.toml:8:7: error: rule.doc: control character U+000A in a value; expected printable text\n"
            "r.toml:11:6: error: rule.id: control character U+001B in a value; expected printable text\n"
            "r.toml:13:8: error: rule.cite: control character U+0009 in a value; expected printable text\n");
  auto book = load_rulebook_text("[helpers]\nh = \"\"\"true\n  and true\"\"\"\n[[rule]]\nid = \"x\"\nwhen = '''\n  h()\n"
                                 "  or false'''\ncite = \"c\"\n", "r.toml");
  EXPECT_TRUE(book) << format_diagnostics(book.error());
  EXPECT_EQ(errors_of("[rulebook]\nname = \"a\\u0085\"\n[[rule]]\nid = \"x\"\nwhen = \"true\"\n"),
            "r.toml:2:8: error: rulebook.name: control character U+0085 in a value; expected printable text\n");
}

TEST(RulebookTest, RefusesAnUnknownFieldWithASuggestion) {
  EXPECT_EQ(errors_of(std::string(kRule) + "cites = \"x\"\n"),
            "r.toml:8:1: error: unknown key \"cites\" in [[rule]]; did you mean \"cite\"?\n");
}

TEST(RulebookTest, RefusesAnUnknownHelperAtItsColumn) {
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"not same_hardwre()\"\ncite = \"c\"\n"),
            "r.toml:3:13: error: rule \"x\": unknown helper \"same_hardwre\"\n");
}

TEST(RulebookTest, PointsIntoAMultiLineCondition) {
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"\"\"\n  source.acpi\n  and source.hal == \"acpi\"\"\"\"\ncite = \"c\"\n"),
            "r.toml:5:21: error: rule \"x\": \"acpi\" is not a value of \"source.hal\"; expected one of "
            "\"standard-pc\", \"mps-uniprocessor\", \"mps-multiprocessor\", \"acpi-pc\", \"acpi-uniprocessor\", "
            "\"acpi-multiprocessor\", \"acpi-x64\"; did you mean \"acpi-pc\"?\n");
}

TEST(RulebookTest, RefusesBrokenToml) {
  EXPECT_EQ(errors_of("[[rule]\nid = \"x\"\n"),
            "r.toml:1:8: error: invalid TOML: Error while parsing table header: expected ']', saw '\\n'\n");
}

TEST(RulebookTest, RefusesEffectsThatMakeNoSense) {
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"true\"\noutcome = \"hang\"\n"),
            "r.toml:4:11: error: rule \"x\" sets an outcome without a precedence; expected precedence = N (lower wins)\n");
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"true\"\nsupported = true\n"),
            "r.toml:4:13: error: rule.supported: a rule can only take support away; expected false; a restore is "
            "supported unless some rule says supported = false\n");
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"boots\"\noutcome = \"hang\"\nprecedence = 2\n"),
            "r.toml:3:8: error: rule \"x\" reads outcome, supported or boots, so it may only add actions; split it "
            "into a rule that decides and a rule that adds actions\n");
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"true\"\nactions = [\"update-hall\"]\n"),
            "r.toml:4:12: error: rule.actions: \"update-hall\" is not an action; expected one of \"update-hal\", "
            "\"remove-display-adapter\", \"remove-network-adapter\", \"reconfigure-hardware-bound-apps\", "
            "\"in-place-upgrade\", \"verify-rpc-client-protocols\", \"reset-profiles-directory\", "
            "\"disable-extra-nics\", \"uninstall-filter-drivers\", \"install-prerequisites\", "
            "\"reinstall-office\"; did you mean \"update-hal\"?\n");
}

TEST(RulebookTest, CuresNameSymptomsOfARuleWithActions) {
  auto book = load_rulebook_text(
      "[[rule]]\nid = \"x\"\nwhen = \"true\"\nactions = [\"update-hal\"]\ncures = [\"cpus_used\", \"stop-0x7b\"]\n",
      "r.toml");
  ASSERT_TRUE(book) << format_diagnostics(book.error());
  EXPECT_EQ(book->rules[0].cures, (std::vector<std::string>{"cpus_used", "stop-0x7b"}));
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"true\"\nactions = [\"update-hal\"]\ncures = [\"cpu_used\"]\n"),
            "r.toml:5:10: error: rule.cures: \"cpu_used\" is not a symptom; expected one of \"boots-degraded\", "
            "\"stop-0x7b\", \"stop-0x79\", \"stop-0xa5\", \"no-bootable-device\", \"restore-refused\", \"hang\", "
            "\"boot-file-missing\", \"role-fails\", \"cpus_used\", \"nics_orphaned\"; did you mean \"cpus_used\"?\n");
  EXPECT_EQ(errors_of("[[rule]]\nid = \"x\"\nwhen = \"true\"\ncures = [\"hang\"]\n"),
            "r.toml:4:9: error: rule \"x\" names what it cures but has no actions; add actions = [...] or remove cures\n");
}

TEST(RulebookTest, RefusesDuplicateIds) {
  EXPECT_EQ(errors_of(std::string(kRule) + kRule),
            "r.toml:8:1: error: rule id \"bmr-online\" is used twice; ids must be unique\n");
}

TEST(RulebookTest, HelpersUseEarlierHelpers) {
  auto book = load_rulebook_text(
      "[helpers]\nbmr = 'restore.kind == \"bmr\"'\nonline_bmr = 'bmr() and not restore.offline'\n" +
          std::string(kRule),
      "r.toml");
  ASSERT_TRUE(book) << format_diagnostics(book.error());
  EXPECT_TRUE(book->compiler.has_helper("online_bmr"));
}

TEST(RulebookTest, TheProjectRulebookLoadsAndEveryRuleCites) {
  auto book = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
  ASSERT_TRUE(book) << format_diagnostics(book.error());
  EXPECT_GE(book->rules.size(), 20u);
  for (const Rule& r : book->rules) EXPECT_FALSE(r.cite.empty()) << r.id;
}

// A rule author's edit changes the prediction without touching C++.
TEST(RulebookTest, AnEditedRuleChangesThePrediction) {
  MapReader reader(std::map<std::string, std::string>{{"s.toml", R"([scenario]
name = "online-bmr"
[source]
hal = "acpi-x64"
[source.os]
version = "windows-10"
edition = "pro"
[destination]
hal = "acpi-x64"
[backup]
kind = "bmr"
[restore]
kind = "bmr"
offline = false
)"}});
  auto s = ScenarioLoader(reader).load_file("s.toml");
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  auto before = load_rulebook_text(kRule, "r.toml");
  std::string edited = kRule;
  edited.replace(edited.find("restore-refused"), 15, "hang");
  auto after = load_rulebook_text(edited, "r.toml");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(Engine(*before).predict(*s).outcome, Outcome::RestoreRefused);
  EXPECT_EQ(Engine(*after).predict(*s).outcome, Outcome::Hang);
}

}  // namespace
}  // namespace restorelab
