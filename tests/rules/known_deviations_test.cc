#include "rules/known_deviations.h"

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "tests/support/test_paths.h"

namespace restorelab {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr year_month_day kToday = year{2026} / month{1} / day{15};

/// A rulebook with one helper, so `when` can call a helper as the project's
/// registry does, without tying message texts to the project's rulebook.
const ConditionCompiler& test_compiler() {
  static const Rulebook book = [] {
    auto b = load_rulebook_text(R"toml([helpers]
paths_differ = "source.os.systemroot != destination.os.systemroot"

[[rule]]
id = "r"
when = "paths_differ()"
actions = ["update-hal"]
)toml", "rules.toml");
    if (!b) ADD_FAILURE() << format_diagnostics(b.error());
    return b ? std::move(*b) : Rulebook{};
  }();
  return book.compiler;
}

std::expected<KnownDeviations, Diagnostics> load(const std::string& text) {
  MapReader reader({{"k.toml", text}});
  return load_known_deviations(reader, "k.toml", test_compiler());
}

std::string errors_of(const std::string& text) {
  auto k = load(text);
  EXPECT_FALSE(k.has_value()) << "expected errors";
  return k ? "" : format_diagnostics(k.error());
}

/// One entry with an id and a reason around `keys`.
std::string entry(const std::string& keys) {
  return "[[deviation]]\nid = \"e\"\n" + keys + "\nreason = \"r\"\n";
}

std::string data(const std::string& name) {
  auto text = DiskReader{}.read(restorelab::testing::test_data_path("/known/") + name);
  EXPECT_TRUE(text) << name << ": " << text.error();
  return text.value_or("");
}

/// A system-state restore of Windows Server 2003 from IDE, with `destination`
/// and `destination_os` lines added to those tables.
Scenario scenario(const std::string& destination = "", const std::string& destination_os = "") {
  const std::string text = "[scenario]\nname = \"s\"\n[source]\nhal = \"acpi-uniprocessor\"\n"
                           "[source.os]\nversion = \"windows-server-2003\"\nedition = \"standard\"\n"
                           "[destination]\nhal = \"acpi-uniprocessor\"\n" + destination +
                           "\n[destination.os]\nversion = \"windows-server-2003\"\nedition = \"standard\"\n" +
                           destination_os + "\n[backup]\nkind = \"system-state\"\n[restore]\nkind = \"system-state\"\n";
  MapReader reader({{"s.toml", text}});
  auto s = ScenarioLoader(reader).load_file("s.toml");
  EXPECT_TRUE(s) << format_diagnostics(s.error());
  return s.value_or(Scenario{});
}

// ---- glob -----------------------------------------------------------------------

TEST(KnownDeviationsTest, GlobStarMatchesAnyRunIncludingSlashes) {
  EXPECT_TRUE(glob_match("hal-by-disk/*.virtio", "hal-by-disk/acpi-uniprocessor.virtio"));
  EXPECT_TRUE(glob_match("hal-by-disk/*.virtio", "hal-by-disk/.virtio"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "a/b/c"));
  EXPECT_TRUE(glob_match("a**b", "ab"));
  EXPECT_TRUE(glob_match("*x*y", "axxbxyzy"));
  EXPECT_FALSE(glob_match("hal-by-disk/*.virtio", "hal-by-disk/acpi-uniprocessor.virtio.2"));
  EXPECT_FALSE(glob_match("hal-by-disk/*.virtio", "other/acpi-uniprocessor.virtio"));
  EXPECT_FALSE(glob_match("*x*y", "axxbxyz"));
}

TEST(KnownDeviationsTest, GlobQuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(glob_match("o?-ss", "o3-ss"));
  EXPECT_FALSE(glob_match("o?-ss", "o-ss"));
  EXPECT_FALSE(glob_match("o?-ss", "o33-ss"));
  EXPECT_TRUE(glob_match("o3-ss", "o3-ss"));
  EXPECT_FALSE(glob_match("o3-ss", "o3-sS"));
}

// The classic exponential case of a recursive matcher stays fast.
TEST(KnownDeviationsTest, GlobDoesNotBacktrackExponentially) {
  const std::string text(2000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a", text));
}

// ---- loading --------------------------------------------------------------------

TEST(KnownDeviationsTest, LoadsEveryKey) {
  auto k = load(data("all-keys.toml"));
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  EXPECT_EQ(k->file, "k.toml");
  ASSERT_EQ(k->entries.size(), 3u);
  const KnownDeviation& e = k->entries[0];
  EXPECT_EQ(e.id, "guest-checks-controller-first");
  EXPECT_EQ(e.scenario, "hal-by-disk/*.virtio");
  ASSERT_TRUE(e.when);
  EXPECT_EQ(e.when->text(), "  destination.disk_bus != source.disk_bus\n  and paths_differ()");
  EXPECT_EQ(e.observed, Outcome::Stop0x7B);
  EXPECT_EQ(e.reason, "the model guest needs the disk before it can look for systemroot");
  EXPECT_EQ(e.reference, "images/README.md#outcomes-physical-or-emulated");
  EXPECT_EQ(e.until, year{2027} / month{6} / day{30});
  EXPECT_EQ(e.where.begin.line, 2u);
  EXPECT_EQ(k->entries[1].id, "any-outcome.by-name");
  EXPECT_FALSE(k->entries[1].when);
  EXPECT_FALSE(k->entries[1].observed);
  EXPECT_FALSE(k->entries[1].until);
  EXPECT_EQ(k->entries[1].reference, "");
  EXPECT_EQ(k->entries[2].id, "by-condition_only");
  EXPECT_EQ(k->entries[2].scenario, "");
}

TEST(KnownDeviationsTest, AFileWithoutEntriesIsValid) {
  for (const std::string& text : {data("empty.toml"), std::string(), std::string("deviation = []\n")}) {
    auto k = load(text);
    ASSERT_TRUE(k) << format_diagnostics(k.error());
    EXPECT_TRUE(k->entries.empty());
    EXPECT_TRUE(k->stale({}).empty());
  }
}

TEST(KnownDeviationsTest, ReportsEveryErrorOfTheFileInTextOrder) {
  EXPECT_EQ(errors_of(data("errors.toml")),
            "k.toml:2:6: error: deviation id \"Guest\" must be lower-case letters, digits, '-', '_' and '.'\n"
            "k.toml:3:12: error: deviation.scenario: an empty glob matches no scenario id; expected a glob such as "
            "\"hal-by-disk/*\" (* any run of characters, ? one character); leave scenario out to match by when alone\n"
            "k.toml:4:12: error: deviation.observed: \"stop-0x7\" is not an outcome; expected one of \"boots\", "
            "\"boots-degraded\", \"stop-0x7b\", \"stop-0x79\", \"stop-0xa5\", \"no-bootable-device\", "
            "\"restore-refused\", \"hang\", \"boot-file-missing\", \"role-fails\"; did you mean \"stop-0x7b\"?\n"
            "k.toml:9:9: error: deviation \"dup\": unknown helper \"paths_dif\"; did you mean \"paths_differ\"?\n"
            "k.toml:11:9: error: deviation.until: expected a date such as 2027-06-30, found a string; remove the "
            "quotes: until = 2027-06-30\n"
            "k.toml:13:1: error: deviation \"dup\" has no reason; expected reason = \"why the VMs differ from the "
            "rulebook\"\n"
            "k.toml:14:6: error: deviation id \"dup\" is used twice (first at line 8); ids must be unique\n"
            "k.toml:15:1: error: unknown key \"reson\" in [[deviation]]; did you mean \"reason\"?\n"
            "k.toml:16:8: error: deviation \"dup\": when reads the prediction (outcome, supported or boots); it may "
            "read only the scenario's keys; to excuse one observed outcome, write observed = \"...\"\n"
            "k.toml:18:1: error: [[deviation]] without an id; expected id = \"a-short-name\"\n"
            "k.toml:18:1: error: [[deviation]] names no scenarios; expected scenario = \"a glob on scenario ids\" or "
            "when = \"a condition\", or both\n"
            "k.toml:18:1: error: [[deviation]] has no reason; expected reason = \"why the VMs differ from the "
            "rulebook\"\n"
            "k.toml:19:13: error: deviation.reference: expected a string, found an integer\n");
}

TEST(KnownDeviationsTest, NamesAnUnknownTopLevelKeyWithASuggestion) {
  EXPECT_EQ(errors_of("[[deviations]]\nid = \"e\"\n"),
            "k.toml:1:3: error: unknown key \"deviations\" at the top level; expected [[deviation]] tables; did you "
            "mean \"deviation\"?\n");
}

TEST(KnownDeviationsTest, ASingleBracketTableIsNotAnEntry) {
  EXPECT_EQ(errors_of("[deviation]\nid = \"e\"\n"),
            "k.toml:1:1: error: deviation: expected [[deviation]] tables, found a table; write [[deviation]] with "
            "two brackets\n");
  EXPECT_EQ(errors_of("deviation = [\"e\"]\n"),
            "k.toml:1:14: error: deviation: expected a [[deviation]] table, found a string\n");
}

TEST(KnownDeviationsTest, PointsAtTheColumnOfAConditionError) {
  EXPECT_EQ(errors_of(entry("when = 'restore.kind == \"bmr\" and destination.disk_buss == \"ide\"'")),
            "k.toml:3:35: error: deviation \"e\": unknown key \"destination.disk_buss\"; did you mean "
            "\"destination.disk_bus\"?\n");
  // In a multi-line string, on the line of the error.
  EXPECT_EQ(errors_of(entry("when = '''\nrestore.asr\n  and sourcee.hal == \"acpi-pc\"'''")),
            "k.toml:5:7: error: deviation \"e\": unknown key \"sourcee.hal\"; did you mean \"source.hal\"?\n");
}

TEST(KnownDeviationsTest, RefusesAConditionThatIsNotAString) {
  EXPECT_EQ(errors_of(entry("when = true")),
            "k.toml:3:8: error: deviation.when: expected a condition string, found a boolean\n");
}

TEST(KnownDeviationsTest, RefusesAnUntilThatIsNotADate) {
  EXPECT_EQ(errors_of(entry("scenario = \"*\"\nuntil = 2027-06-30T12:00:00Z")),
            "k.toml:4:9: error: deviation.until: expected a date such as 2027-06-30, found a date and time; write "
            "the date alone: until = 2027-06-30\n");
  EXPECT_EQ(errors_of(entry("scenario = \"*\"\nuntil = 12:00:00")),
            "k.toml:4:9: error: deviation.until: expected a date such as 2027-06-30, found a time\n");
  EXPECT_EQ(errors_of(entry("scenario = \"*\"\nuntil = 20270630")),
            "k.toml:4:9: error: deviation.until: expected a date such as 2027-06-30, found an integer\n");
  EXPECT_EQ(errors_of(entry("scenario = \"*\"\nuntil = \"next year\"")),
            "k.toml:4:9: error: deviation.until: expected a date such as 2027-06-30, found a string\n");
}

TEST(KnownDeviationsTest, RefusesADayThatDoesNotExist) {
  EXPECT_EQ(errors_of(entry("scenario = \"*\"\nuntil = 2027-02-29")),
            "k.toml:4:19: error: invalid TOML: Error while parsing date: expected day between 1 and 28 (inclusive), "
            "saw 29\n");
  EXPECT_TRUE(load(entry("scenario = \"*\"\nuntil = 2028-02-29")));
}

TEST(KnownDeviationsTest, RefusesAnEmptyReason) {
  EXPECT_EQ(errors_of("[[deviation]]\nid = \"e\"\nscenario = \"*\"\nreason = \" \"\n"),
            "k.toml:4:10: error: deviation.reason: expected a sentence saying why the VMs differ from the rulebook, "
            "found an empty string\n");
}

TEST(KnownDeviationsTest, ReportsASyntaxErrorAtItsPosition) {
  EXPECT_EQ(errors_of("[[deviation]]\nid \"e\"\n"),
            "k.toml:2:4: error: invalid TOML: Error while parsing key-value pair: expected '=', saw '\"'\n");
}

TEST(KnownDeviationsTest, SaysWhyAFileCannotBeRead) {
  MapReader reader({});
  auto k = load_known_deviations(reader, "missing.toml", test_compiler());
  ASSERT_FALSE(k);
  EXPECT_EQ(format_diagnostics(k.error()),
            "missing.toml: error: cannot load the known deviations: cannot open: No such file or directory\n");
}

// ---- matching -------------------------------------------------------------------

TEST(KnownDeviationsTest, AScenarioGlobAloneMatchesByIdOnly) {
  auto k = load(entry("scenario = \"hal-by-disk/*.virtio\""));
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  const Scenario s = scenario();
  EXPECT_EQ(k->match("hal-by-disk/acpi-uniprocessor.virtio", s, Outcome::Hang, kToday), &k->entries[0]);
  EXPECT_EQ(k->match("hal-by-disk/acpi-uniprocessor.ide", s, Outcome::Hang, kToday), nullptr);
}

TEST(KnownDeviationsTest, AConditionAloneMatchesAnyIdAndCallsTheRulebooksHelpers) {
  auto k = load(entry("when = 'paths_differ() and destination.disk_bus == \"scsi\"'"));
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  const Scenario both = scenario("disk_bus = \"scsi\"", "systemroot = 'C:\\WINNT'");
  EXPECT_TRUE(k->match("any", both, Outcome::Stop0x7B, kToday));
  EXPECT_FALSE(k->match("any", scenario("disk_bus = \"scsi\""), Outcome::Stop0x7B, kToday));
}

TEST(KnownDeviationsTest, WithBothTheGlobAndTheConditionMustHold) {
  auto k = load(entry("scenario = \"o2-*\"\nwhen = 'destination.disk_bus == \"scsi\"'"));
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  const Scenario scsi = scenario("disk_bus = \"scsi\"");
  EXPECT_TRUE(k->match("o2-x", scsi, Outcome::Boots, kToday));
  EXPECT_FALSE(k->match("o3-x", scsi, Outcome::Boots, kToday));
  EXPECT_FALSE(k->match("o2-x", scenario(), Outcome::Boots, kToday));
}

TEST(KnownDeviationsTest, ObservedExcusesOnlyThatOutcome) {
  auto k = load(entry("scenario = \"*\"\nobserved = \"stop-0x7b\""));
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  EXPECT_TRUE(k->match("s", scenario(), Outcome::Stop0x7B, kToday));
  EXPECT_FALSE(k->match("s", scenario(), Outcome::BootFileMissing, kToday));
}

TEST(KnownDeviationsTest, UntilExcusesThroughThatDayAndNothingAfter) {
  auto k = load(entry("scenario = \"*\"\nuntil = 2027-06-30"));
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  const KnownDeviation& e = k->entries[0];
  EXPECT_TRUE(k->match("s", scenario(), Outcome::Hang, year{2027} / month{6} / day{29}));
  EXPECT_TRUE(k->match("s", scenario(), Outcome::Hang, year{2027} / month{6} / day{30}));
  EXPECT_FALSE(e.expired(year{2027} / month{6} / day{30}));
  EXPECT_FALSE(k->match("s", scenario(), Outcome::Hang, year{2027} / month{7} / day{1}));
  EXPECT_TRUE(e.expired(year{2027} / month{7} / day{1}));
  EXPECT_FALSE(k->match("s", scenario(), Outcome::Hang, year{2028} / month{1} / day{1}));
}

TEST(KnownDeviationsTest, TheFirstMatchingEntryInFileOrderWins) {
  auto k = load("[[deviation]]\nid = \"z-narrow\"\nscenario = \"a\"\nobserved = \"hang\"\nreason = \"r\"\n"
                "[[deviation]]\nid = \"a-wide\"\nscenario = \"*\"\nreason = \"r\"\n");
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  EXPECT_EQ(k->match("a", scenario(), Outcome::Hang, kToday)->id, "z-narrow");
  EXPECT_EQ(k->match("a", scenario(), Outcome::Boots, kToday)->id, "a-wide");
}

TEST(KnownDeviationsTest, CountsWhatEachEntryExcusedAndListsTheStaleOnes) {
  auto k = load("[[deviation]]\nid = \"one\"\nscenario = \"1\"\nreason = \"r\"\n"
                "[[deviation]]\nid = \"two\"\nscenario = \"2\"\nreason = \"r\"\n"
                "[[deviation]]\nid = \"old\"\nscenario = \"*\"\nreason = \"r\"\nuntil = 2020-01-01\n");
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  // A run folds the ids match() returned; ids of another registry are ignored.
  std::vector<std::string> excused;
  for (const char* id : {"1", "1", "3"})
    if (const KnownDeviation* d = k->match(id, scenario(), Outcome::Hang, kToday)) excused.push_back(d->id);
  excused.push_back("not-in-this-registry");
  EXPECT_EQ(k->excused_counts(excused), (std::vector<std::size_t>{2, 0, 0}));
  const auto stale = k->stale(excused);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0]->id, "two");
  EXPECT_EQ(stale[1]->id, "old");
  EXPECT_TRUE(stale[1]->expired(kToday));
}

// `scenario = "*"` excuses whatever the rulebook gets wrong: a run names
// an entry that excused every one of two or more disagreements.
TEST(KnownDeviationsTest, ExcusedAllNamesAnEntryThatExcusedEveryDisagreement) {
  auto k = load("[[deviation]]\nid = \"narrow\"\nscenario = \"1\"\nreason = \"r\"\n"
                "[[deviation]]\nid = \"everything\"\nscenario = \"*\"\nreason = \"r\"\n");
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  const std::vector<std::string> wide = {"everything", "everything", "everything"};
  ASSERT_NE(k->excused_all(wide, 3), nullptr);
  EXPECT_EQ(k->excused_all(wide, 3)->id, "everything");
  // One disagreement left unexcused, or two entries sharing them: no warning.
  EXPECT_EQ(k->excused_all(wide, 4), nullptr);
  EXPECT_EQ(k->excused_all(std::vector<std::string>{"narrow", "everything"}, 2), nullptr);
  // A single disagreement excused is no sign of a catch-all.
  EXPECT_EQ(k->excused_all(std::vector<std::string>{"everything"}, 1), nullptr);
}

}  // namespace
}  // namespace restorelab
