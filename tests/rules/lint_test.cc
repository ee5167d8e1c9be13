#include "rules/lint.h"

#include <gtest/gtest.h>

#include <chrono>
#include "tests/support/test_paths.h"

namespace restorelab {
namespace {

const std::string kData = restorelab::testing::test_data_dir();

/// Each finding as `kind file:line:column: error: message; suggestion`, the
/// file relative to tests/data.
std::vector<std::string> shown(const std::vector<LintFinding>& findings) {
  std::vector<std::string> out;
  for (const LintFinding& f : findings) {
    std::string text = f.where.to_string();
    if (text.starts_with(kData + "/")) text.erase(0, kData.size() + 1);
    out.push_back(std::string(kind_name(f.kind)) + " " + text);
  }
  return out;
}

std::vector<std::string> lint_file(const std::string& path) {
  auto book = load_rulebook_file(DiskReader(), path);
  EXPECT_TRUE(book) << (book ? "" : format_diagnostics(book.error()));
  return book ? shown(lint_rulebook(*book)) : std::vector<std::string>{"does not load"};
}

std::vector<std::string> lint_fixture(const std::string& name) {
  return lint_file(kData + "/rulebooks/" + name + ".toml");
}

std::vector<std::string> lint_text(const std::string& text) {
  auto book = load_rulebook_text(text, "r.toml");
  EXPECT_TRUE(book) << (book ? "" : format_diagnostics(book.error()));
  return book ? shown(lint_rulebook(*book)) : std::vector<std::string>{"does not load"};
}

using Lines = std::vector<std::string>;

TEST(LintTest, ProjectRulebookLintsClean) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(lint_file(std::string(restorelab::source_dir()) + "/rules/kb249694.toml"), Lines{});
  // Never fires for 29 rules, shadowing and conflict pairs: a few ms.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(LintTest, FindsARuleThatNeverFires) {
  EXPECT_EQ(lint_fixture("never_fires"),
            (Lines{
                "never-fires rulebooks/never_fires.toml:176:8: error: rule \"uefi-on-non-acpi\" never fires: its "
                "condition holds only on scenarios the model refuses, such as source.os.version = \"windows-nt4\", "
                "restore.kind = \"system-state\", source.firmware = \"uefi\", destination.hal = \"standard-pc\", where "
                "the model says source.firmware: \"uefi\" cannot start \"windows-nt4\" (NT 5.x starts from BIOS "
                "firmware only); expected \"bios\"; change the condition or remove the rule",
                "never-fires rulebooks/never_fires.toml:184:8: error: rule \"system-state-bmr\" never fires: its "
                "condition contradicts itself; change the condition or remove the rule",
            }));
}

TEST(LintTest, FindsAShadowedRule) {
  EXPECT_EQ(lint_fixture("shadowed"),
            Lines{"shadowed rulebooks/shadowed.toml:91:1: error: rule \"system-state-after-bmr-different-hardware\" "
                  "never changes a prediction: rule \"system-state-different-hardware\" (line 85) has the same effects "
                  "and fires whenever it does; remove it (moving its citation to \"system-state-different-hardware\") "
                  "or give it an effect of its own"});
}

TEST(LintTest, FindsConflictingOutcomes) {
  EXPECT_EQ(lint_fixture("conflict"),
            Lines{"conflict rulebooks/conflict.toml:143:1: error: rule \"no-boot-driver-for-controller\" sets outcome "
                  "\"stop-0x7b\" and rule \"systemroot-differs\" (line 135) sets \"boot-file-missing\", both at "
                  "precedence 30, and both fire when restore.kind = \"system-state\", source.os.systemroot = "
                  "'C:\\RESTORELAB1', destination.os.systemroot = 'C:\\RESTORELAB2', destination.disk_bus = \"ide\", "
                  "source.storage_drivers = []; only their order in the file decides which outcome wins; give one of "
                  "them a lower precedence or make their conditions exclusive"});
}

TEST(LintTest, FindsRulesWithoutCitation) {
  EXPECT_EQ(lint_fixture("no_citation"),
            (Lines{
                "no-citation rulebooks/no_citation.toml:127:1: error: rule \"channel-differs\" has no citation; add "
                "cite = '...' with the sentence of the source it rests on",
                "no-citation rulebooks/no_citation.toml:259:1: error: rule \"hardware-bound-apps\" has no citation; "
                "add cite = '...' with the sentence of the source it rests on",
            }));
}

TEST(LintTest, ASyntaxErrorStopsBeforeLintWithItsPosition) {
  const std::string path = kData + "/rulebooks/syntax_error.toml";
  auto book = load_rulebook_file(DiskReader(), path);
  ASSERT_FALSE(book);
  EXPECT_EQ(format_diagnostics(book.error()),
            path + ":68:54: error: invalid TOML: Error while parsing literal string: control characters other than "
                   "TAB (U+0009) are explicitly prohibited\n");
}

constexpr const char* kHeader = "[helpers]\nbmr = 'restore.kind == \"bmr\"'\n";

TEST(LintTest, ShadowingNeedsTheSameEffects) {
  // "b" fires only when "a" does; with other effects it still matters.
  const std::string rules = std::string(kHeader) +
                            "[[rule]]\nid = \"a\"\nwhen = \"bmr()\"\nactions = [\"update-hal\"]\ncite = \"c\"\n"
                            "[[rule]]\nid = \"b\"\nwhen = \"bmr() and restore.asr\"\nactions = [\"update-hal\"]\ncite = \"c\"\n"
                            "[[rule]]\nid = \"c\"\nwhen = \"bmr() and restore.asr\"\nactions = [\"in-place-upgrade\"]\ncite = \"c\"\n"
                            "[[rule]]\nid = \"d\"\nwhen = \"restore.asr\"\nactions = [\"update-hal\"]\ncite = \"c\"\n";
  EXPECT_EQ(lint_text(rules),
            Lines{"shadowed r.toml:8:1: error: rule \"b\" never changes a prediction: rule \"a\" (line 3) has the same "
                  "effects and fires whenever it does; remove it (moving its citation to \"a\") or give it an effect "
                  "of its own"});
}

TEST(LintTest, OnlyOutcomesAtTheSamePrecedenceConflict) {
  const std::string rules =
      std::string(kHeader) +
      "[[rule]]\nid = \"a\"\nwhen = \"bmr()\"\noutcome = \"hang\"\nprecedence = 4\ncite = \"c\"\n"
      "[[rule]]\nid = \"same-outcome\"\nwhen = \"bmr()\"\noutcome = \"hang\"\nprecedence = 4\ncpus_used = 1\ncite = \"c\"\n"
      "[[rule]]\nid = \"lower\"\nwhen = \"bmr()\"\noutcome = \"stop-0x7b\"\nprecedence = 3\ncite = \"c\"\n"
      "[[rule]]\nid = \"exclusive\"\nwhen = \"not bmr()\"\noutcome = \"stop-0x79\"\nprecedence = 4\ncite = \"c\"\n"
      "[[rule]]\nid = \"cpus\"\nwhen = \"bmr()\"\ncpus_used = 2\ncite = \"c\"\n";
  EXPECT_EQ(lint_text(rules), Lines{});
  EXPECT_EQ(lint_text(rules + "[[rule]]\nid = \"z\"\nwhen = \"bmr() and restore.asr\"\noutcome = \"stop-0xa5\"\n"
                              "precedence = 4\ncite = \"c\"\n"),
            (Lines{
                "conflict r.toml:33:1: error: rule \"z\" sets outcome \"stop-0xa5\" and rule \"a\" (line 3) sets "
                "\"hang\", both at precedence 4, and both fire when restore.kind = \"bmr\", restore.asr = true; only "
                "their order in the file decides which outcome wins; give one of them a lower precedence or make "
                "their conditions exclusive",
                "conflict r.toml:33:1: error: rule \"z\" sets outcome \"stop-0xa5\" and rule \"same-outcome\" (line 9) "
                "sets \"hang\", both at precedence 4, and both fire when restore.kind = \"bmr\", restore.asr = true; "
                "only their order in the file decides which outcome wins; give one of them a lower precedence or "
                "make their conditions exclusive",
            }));
}

TEST(LintTest, ARuleThatNeverFiresIsNotAlsoShadowedOrInConflict) {
  EXPECT_EQ(lint_text(std::string(kHeader) +
                      "[[rule]]\nid = \"a\"\nwhen = \"bmr()\"\noutcome = \"hang\"\nprecedence = 4\ncite = \"c\"\n"
                      "[[rule]]\nid = \"b\"\nwhen = \"bmr() and source.cpus > 1 and source.uniprocessor\"\n"
                      "outcome = \"hang\"\nprecedence = 4\n"
                      "[[rule]]\nid = \"c\"\nwhen = \"bmr() and restore.asr and not restore.asr\"\n"
                      "outcome = \"stop-0x79\"\nprecedence = 4\ncite = \"c\"\n"),
            (Lines{
                "never-fires r.toml:11:8: error: rule \"b\" never fires: its condition holds only on scenarios the "
                "model refuses, such as restore.kind = \"bmr\", source.cpus = 2, source.hal = \"standard-pc\", where "
                "the model says source.cpus: 2 processors contradict hal = \"standard-pc\", which runs on exactly "
                "one; expected 1; change the condition or remove the rule",
                "no-citation r.toml:9:1: error: rule \"b\" has no citation; add cite = '...' with the sentence of "
                "the source it rests on",
                "never-fires r.toml:16:8: error: rule \"c\" never fires: its condition contradicts itself; change "
                "the condition or remove the rule",
            }));
}

TEST(LintTest, RulesThatReadThePrediction) {
  EXPECT_EQ(lint_text("[[rule]]\nid = \"a\"\nwhen = 'not boots and outcome == \"boots-degraded\"'\n"
                      "actions = [\"in-place-upgrade\"]\ncite = \"c\"\n"
                      "[[rule]]\nid = \"b\"\nwhen = 'outcome in [\"hang\", \"stop-0x7b\"]'\n"
                      "actions = [\"in-place-upgrade\"]\ncite = \"c\"\n"
                      "[[rule]]\nid = \"c\"\nwhen = 'outcome == \"hang\" and not supported'\n"
                      "actions = [\"in-place-upgrade\"]\ncite = \"c\"\n"),
            (Lines{
                "never-fires r.toml:3:8: error: rule \"a\" never fires: its condition contradicts itself; change the "
                "condition or remove the rule",
                "shadowed r.toml:11:1: error: rule \"c\" never changes a prediction: rule \"b\" (line 6) has the same "
                "effects and fires whenever it does; remove it (moving its citation to \"b\") or give it an effect "
                "of its own",
            }));
}

TEST(LintTest, NamesTheKinds) {
  EXPECT_EQ(kind_name(LintFinding::Kind::NeverFires), "never-fires");
  EXPECT_EQ(kind_name(LintFinding::Kind::Shadowed), "shadowed");
  EXPECT_EQ(kind_name(LintFinding::Kind::Conflict), "conflict");
  EXPECT_EQ(kind_name(LintFinding::Kind::NoCitation), "no-citation");
}

}  // namespace
}  // namespace restorelab
