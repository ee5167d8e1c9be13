#include "rules/matrix.h"

#include <gtest/gtest.h>

#include <set>

#include "rules/covering_array.h"
#include "rules/engine.h"
#include "tests/rules/matrix_test_util.h"

namespace restorelab {
namespace {

std::expected<Matrix, Diagnostics> load(const std::string& text) { return testing::load_matrix_over_base(text); }

std::string errors_of(const std::string& text) {
  auto m = load(text);
  EXPECT_FALSE(m) << "expected errors";
  return m ? "" : format_diagnostics(m.error());
}

const std::string kHead = "[matrix]\nname = \"hal\"\nbase = \"base.toml\"\n\n[axes]\n";

TEST(MatrixTest, ExpandsEveryCombinationWithStableIds) {
  auto m = load(kHead + "\"source.hal\" = [\"acpi-uniprocessor\", \"acpi-multiprocessor\"]\n"
                        "\"destination.disk_bus\" = [\"ide\", \"sata\", \"virtio\"]\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  EXPECT_EQ(m->size(), 6u);
  MatrixExpander expander(*m);
  std::vector<std::string> ids;
  Scenario s;
  expander.for_each([&](const Choice& c) {
    EXPECT_EQ(expander.build(c, s), MatrixExpander::Status::Valid);
    ids.push_back(expander.id(c));
  });
  EXPECT_EQ(ids, (std::vector<std::string>{"hal/acpi-uniprocessor.ide", "hal/acpi-uniprocessor.sata",
                                           "hal/acpi-uniprocessor.virtio", "hal/acpi-multiprocessor.ide",
                                           "hal/acpi-multiprocessor.sata", "hal/acpi-multiprocessor.virtio"}));
}

TEST(MatrixTest, CpusFollowTheHalWhenNobodySetsThem) {
  auto m = load(kHead + "\"destination.hal\" = [\"acpi-multiprocessor\"]\n");
  ASSERT_TRUE(m);
  Scenario s;
  ASSERT_EQ(MatrixExpander(*m).build({0}, s), MatrixExpander::Status::Valid);
  EXPECT_EQ(s.destination.cpus, 2);
  EXPECT_EQ(s.source.cpus, 1);
}

TEST(MatrixTest, SameMovesBothSides) {
  auto m = load(kHead + "\"source.os.service_pack\" = { values = [0, 2], same = true }\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  Scenario s;
  MatrixExpander(*m).build({1}, s);
  EXPECT_EQ(s.source.os.service_pack, 2);
  EXPECT_EQ(s.destination.os.service_pack, 2);
}

TEST(MatrixTest, CountsWhatTheValidationRefusesAndWhatConstraintsExclude) {
  auto m = load(kHead + "\"source.firmware\" = [\"bios\", \"uefi\"]\n\"destination.disk_bus\" = [\"ide\", \"sata\"]\n"
                        "[constraints]\nexclude = ['destination.disk_bus == \"sata\"']\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  MatrixExpander expander(*m);
  ExpansionCounts counts;
  Scenario s;
  expander.for_each([&](const Choice& c) {
    switch (expander.build(c, s)) {
      case MatrixExpander::Status::Valid: ++counts.valid; break;
      case MatrixExpander::Status::Invalid: ++counts.invalid; break;  // UEFI with windows-server-2003
      case MatrixExpander::Status::Excluded: ++counts.excluded; break;
    }
  });
  EXPECT_EQ(counts.valid, 1u);
  EXPECT_EQ(counts.invalid, 2u);
  EXPECT_EQ(counts.excluded, 1u);
}

TEST(MatrixTest, RefusesAnUnknownAxisKey) {
  EXPECT_EQ(errors_of(kHead + "\"source.hall\" = [\"acpi-pc\"]\n"),
            "m/matrix.toml:6:1: error: unknown axis key \"source.hall\"; expected a scenario key such as "
            "\"source.hal\"; did you mean \"source.hal\"?\n");
}

TEST(MatrixTest, RefusesAValueTheKeyDoesNotTake) {
  EXPECT_EQ(errors_of(kHead + "\"destination.disk_bus\" = [\"ide\", \"nvme\"]\n"),
            "m/matrix.toml:6:34: error: destination.disk_bus: \"nvme\" is not a valid value; expected one of \"ide\", "
            "\"sata\", \"scsi\", \"virtio\"\n");
  EXPECT_EQ(errors_of(kHead + "\"source.nics\" = [1, 9]\n"),
            "m/matrix.toml:6:21: error: source.nics: 9 is out of range; expected 0 to 8\n");
}

TEST(MatrixTest, RefusesAConstraintThatDoesNotParse) {
  EXPECT_EQ(errors_of(kHead + "\"source.nics\" = [1, 2]\n[constraints]\nexclude = [\"source.nics = 2\"]\n"),
            "m/matrix.toml:8:25: error: constraint: unexpected \"=\"; expected ==, !=, <, <=, > or >=; write == to "
            "compare\n");
}

TEST(MatrixTest, RefusesAMissingNameAndAnUnknownSection) {
  EXPECT_EQ(errors_of("[matrix]\nbase = \"base.toml\"\n[axis]\n"),
            "m/matrix.toml: error: missing [axes] table; expected \"key\" = [values] lines such as \"source.hal\" = "
            "[\"acpi-pc\", \"acpi-uniprocessor\"]\n"
            "m/matrix.toml:1:1: error: missing key \"name\" in [matrix]; expected a name like \"hal-by-disk\"\n"
            "m/matrix.toml:3:2: error: unknown key \"axis\" at the top level of a matrix; expected [matrix], [base], "
            "[axes] or [constraints]; did you mean \"axes\"?\n");
}

TEST(MatrixTest, RefusesANameThatIsNotOneSafePathComponent) {
  EXPECT_EQ(errors_of("[matrix]\nname = \"..\"\nbase = \"base.toml\"\n[axes]\n\"source.nics\" = [1]\n"),
            "m/matrix.toml:2:8: error: matrix.name: \"..\" is not a valid name; expected a lower-case letter or a "
            "digit first (a name becomes a folder and file names)\n");
  const std::string longest(40, 'm');
  EXPECT_TRUE(load("[matrix]\nname = \"" + longest + "\"\nbase = \"base.toml\"\n[axes]\n\"source.nics\" = [1]\n"));
  EXPECT_EQ(errors_of("[matrix]\nname = \"" + longest + "m\"\nbase = \"base.toml\"\n[axes]\n\"source.nics\" = [1]\n"),
            "m/matrix.toml:2:8: error: matrix.name: \"" + longest + "m\" has 41 characters; expected at most 40 (a "
            "name becomes folder, file and VM names)\n");
}

TEST(MatrixTest, RefusesControlCharactersInNamesAxesAndBases) {
  EXPECT_EQ(errors_of(kHead + "\"source.model\" = [\"a\", \"b\\nc\"]\n"),
            "m/matrix.toml:6:24: error: axes.\"source.model\": control character U+000A in a value; expected printable "
            "text\n");
  EXPECT_EQ(errors_of("[matrix]\nname = \"m\\u001b\"\n[base.source]\nmodel = \"\\t\"\n"),
            "m/matrix.toml:2:8: error: matrix.name: control character U+001B in a value; expected printable text\n"
            "m/matrix.toml:4:9: error: base.source.model: control character U+0009 in a value; expected printable "
            "text\n");
  // A constraint is a condition: it may span lines.
  EXPECT_TRUE(load(kHead + "\"source.nics\" = [1, 2]\n[constraints]\nexclude = [\"\"\"source.nics == 1\n  or false\"\"\"]\n"));
}

// Values that only print alike are different values: ["a", "b"] is not ["a+b"].
TEST(MatrixTest, TellsListValuesApartExactly) {
  auto m = load(kHead + "\"source.os.apps\" = [[\"a\", \"b\"], [\"a+b\"], [], [\"none\"]]\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  EXPECT_EQ(m->axes[0].id_parts, (std::vector<std::string>{"a+b", "a%2bb", "none", "%6eone"}));
  EXPECT_EQ(errors_of(kHead + "\"source.os.hotfixes\" = [[\"KB810161\"], [\"810161\"]]\n"),
            "m/matrix.toml:6:39: error: axis \"source.os.hotfixes\": value \"810161\" is listed twice\n");
}

TEST(MatrixTest, TakesAnInlineBase) {
  auto m = load("[matrix]\nname = \"inline\"\n[base.source]\nhal = \"acpi-x64\"\n[base.source.os]\n"
                "version = \"windows-10\"\nedition = \"pro\"\n[base.restore]\nkind = \"push-button-reset\"\n"
                "[axes]\n\"source.cpus\" = [1, 4]\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  Scenario s;
  EXPECT_EQ(MatrixExpander(*m).build({1}, s), MatrixExpander::Status::Valid);
  EXPECT_EQ(s.destination.cpus, 4);  // push-button-reset: the destination is the source
}

TEST(MatrixTest, InlineBaseErrorsNameTheBaseTable) {
  EXPECT_EQ(errors_of("[matrix]\nname = \"inline\"\n[base.source]\nhal = \"acpi-x64\"\nfirmwre = \"uefi\"\n"),
            "m/matrix.toml: error: missing [base.restore] table with kind = \"system-state\", \"bmr\", "
            "\"full-server\" or \"push-button-reset\"\n"
            "m/matrix.toml: error: missing [axes] table; expected \"key\" = [values] lines such as \"source.hal\" = "
            "[\"acpi-pc\", \"acpi-uniprocessor\"]\n"
            "m/matrix.toml:3:1: error: missing [base.source.os] table with version = an OS version such as "
            "\"windows-server-2003\"\n"
            "m/matrix.toml:5:1: error: unknown key \"firmwre\" in [base.source]; did you mean \"firmware\"?\n");
}

// Every pair (triple) of axis values a valid row can hold appears in some row.
void ExpectCovering(const std::vector<std::size_t>& sizes, int t, const CoveringResult& r,
                    const std::function<bool(const Choice&)>& valid) {
  for (const Choice& row : r.rows) EXPECT_TRUE(valid(row));
  std::set<std::vector<int>> seen;
  for (const Choice& row : r.rows)
    for (std::size_t a = 0; a < sizes.size(); ++a)
      for (std::size_t b = a + 1; b < sizes.size(); ++b) {
        if (t == 2) seen.insert({int(a), row[a], int(b), row[b]});
        for (std::size_t c = b + 1; t == 3 && c < sizes.size(); ++c)
          seen.insert({int(a), row[a], int(b), row[b], int(c), row[c]});
      }
  EXPECT_EQ(seen.size(), r.tuples_covered);
  EXPECT_EQ(r.tuples_covered + r.tuples_unreachable, r.tuples_total);
}

TEST(CoveringArrayTest, CoversEveryPairAndTriple) {
  const std::vector<std::size_t> sizes = {6, 6, 6, 6, 3, 3, 2, 2, 2, 2};
  auto any = [](const Choice&) { return true; };
  auto pairs = build_covering_array(sizes, {.strength = 2, .seed = 7}, any);
  EXPECT_EQ(pairs.tuples_total, 633u);
  EXPECT_EQ(pairs.tuples_unreachable, 0u);
  EXPECT_LE(pairs.rows.size(), 45u);  // Microsoft PICT's range for this model is 36 to 45
  ExpectCovering(sizes, 2, pairs, any);
  auto triples = build_covering_array(sizes, {.strength = 3, .seed = 7}, any);
  ExpectCovering(sizes, 3, triples, any);
}

TEST(CoveringArrayTest, HonoursTheConstraintsAndReportsWhatTheyRuleOut) {
  const std::vector<std::size_t> sizes = {3, 3, 2, 2};
  auto valid = [](const Choice& c) { return !(c[0] == 0 && c[1] == 0); };  // (0, 0) is never allowed
  auto r = build_covering_array(sizes, {.strength = 2, .seed = 1}, valid);
  EXPECT_EQ(r.tuples_unreachable, 1u);
  ExpectCovering(sizes, 2, r, valid);
}

TEST(CoveringArrayTest, IsDeterministicForASeed) {
  const std::vector<std::size_t> sizes = {4, 4, 3, 3, 2};
  auto any = [](const Choice&) { return true; };
  EXPECT_EQ(build_covering_array(sizes, {.strength = 2, .seed = 3}, any).rows,
            build_covering_array(sizes, {.strength = 2, .seed = 3}, any).rows);
}

}  // namespace
}  // namespace restorelab
