#include "rules/combination_id.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "rules/matrix.h"
#include "rules/rule_analysis.h"
#include "rules/scenario_loader.h"
#include "rules/scenario_writer.h"
#include "rules/validate.h"
#include "tests/rules/matrix_test_util.h"

namespace restorelab {
namespace {

std::expected<Matrix, Diagnostics> load(const std::string& text) { return testing::load_matrix_over_base(text); }

// Ids of enum values and numbers are what they always were: CI histories
// and bug reports name them.
TEST(CombinationIdTest, PlainIdsAndNamesKeepTheirForm) {
  auto m = builtin_matrix(ConditionCompiler{});
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  const Choice choice = {3, 3, 0, 1, 0, 1, 0, 0, 0, 0, 4};
  EXPECT_EQ(MatrixExpander(*m).id(choice),
            "builtin-full/acpi-pc.acpi-pc.bios.uefi.ide.sata.0.0.system-state.false.windows-vista");
  const Choice last = {6, 6, 1, 1, 3, 3, 2, 2, 2, 1, 10};
  EXPECT_EQ(MatrixExpander(*m).id(last),
            "builtin-full/acpi-x64.acpi-x64.uefi.uefi.virtio.virtio.2.2.full-server.true.windows-8.1");
  EXPECT_EQ(combination_name("hal-by-disk/acpi-uniprocessor.sata"), "hal-by-disk_acpi-uniprocessor.sata");
  EXPECT_EQ(combination_name("m/windows-8.1.ide+sata.true.none"), "m_windows-8.1.ide_psata.true.none");
}

// An id splits back into its values in one way: an enum name holds '.' only
// where no other name of its key is a prefix of it (`windows-8.1`).
TEST(CombinationIdTest, EnumNamesSplitOneWay) {
  for (const KeyInfo& key : all_keys())
    for (std::string_view a : key.enum_names)
      for (std::string_view b : key.enum_names)
        EXPECT_FALSE(b.starts_with(std::string(a) + ".")) << key.path << ": " << a << " / " << b;
}

TEST(CombinationIdTest, EscapesTextAndTextLists) {
  const KeyInfo& model = *find_key("source.model");
  EXPECT_EQ(id_part(model, Value(std::string("a.b/C d_e"))), "a%2eb%2f%43%20d%5fe");
  EXPECT_EQ(id_part(*find_key("source.os.systemroot"), Value(std::string("C:\\WINDOWS"))),
            "%43%3a%5c%57%49%4e%44%4f%57%53");
  const KeyInfo& apps = *find_key("source.os.apps");
  using List = std::vector<std::string>;
  EXPECT_EQ(id_part(apps, Value(List{})), "none");
  EXPECT_EQ(id_part(apps, Value(List{"none"})), "%6eone");
  EXPECT_EQ(id_part(apps, Value(List{"a", "b"})), "a+b");
  EXPECT_EQ(id_part(apps, Value(List{"a+b"})), "a%2bb");
  EXPECT_EQ(id_part(apps, Value(List{""})), "");
  EXPECT_EQ(id_part(apps, Value(List{"", ""})), "+");
}

// Every combination of a matrix with awkward text values has its own id and
// its own scenario name, and the scenario written under that name loads back
// to the combination.
TEST(CombinationIdTest, AwkwardValuesGiveDistinctNamesThatLoadBack) {
  const std::string long_value(200, 'x');
  auto m = load("[matrix]\nname = \"awkward\"\nbase = \"base.toml\"\n[axes]\n"
                "\"source.model\" = [\"a\", \"a.b\", \"A\", \"a b\", \"a/b\", \"a_b\", 'a\\b', \"a%2eb\", \"a+b\", \"none\", "
                "\"\", \"\u00e9\", \"" + long_value + "\", \"" + long_value + "y\"]\n"
                "\"destination.model\" = [\"b.c\", \"c\", \"B/C\", \"b_c\"]\n"
                "\"source.os.apps\" = [[], [\"none\"], [\"a\", \"b\"], [\"a+b\"], [\"\"], [\"\", \"\"], [\"Office 2003\"]]\n"
                "\"source.os.systemroot\" = ['C:\\WINDOWS', 'c:\\windows', 'C:\\WIN.NT', 'D:\\a/b']\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  MatrixExpander expander(*m);
  std::set<std::string> ids, names;
  std::size_t valid = 0;
  Scenario s;
  expander.for_each([&](const Choice& c) {
    if (expander.build(c, s) != MatrixExpander::Status::Valid) return;
    ++valid;
    const std::string id = expander.id(c);
    const std::string name = combination_name(id);
    EXPECT_TRUE(ids.insert(id).second) << id;
    EXPECT_TRUE(names.insert(name).second) << name;
    ASSERT_EQ(name_problem(name), "") << id;
    s.name = name;
    MapReader reader(std::map<std::string, std::string>{{name + ".toml", scenario_to_toml(s)}});
    auto loaded = ScenarioLoader(reader).load_file(name + ".toml");
    ASSERT_TRUE(loaded) << format_diagnostics(loaded.error());
    loaded->file = s.file;  // the base's file; the written one is another
    loaded->defaulted = s.defaulted;  // everything is written out: nothing is a default any more
    EXPECT_EQ(*loaded, s) << id;
  });
  EXPECT_EQ(valid, 14u * 4 * 7 * 4);
}

// The old ids ran values with '.' together: ["a", "a.b"] x ["b.c", "c"] made
// "m/a.b.c" twice, and names were ids with bad characters made '_'.
TEST(CombinationIdTest, DotsInValuesNoLongerMakeEqualIds) {
  auto m = load("[matrix]\nname = \"m\"\nbase = \"base.toml\"\n[axes]\n\"source.model\" = [\"a\", \"a.b\"]\n"
                "\"destination.model\" = [\"b.c\", \"c\"]\n");
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  MatrixExpander expander(*m);
  EXPECT_EQ(expander.id({0, 0}), "m/a.b%2ec");
  EXPECT_EQ(expander.id({1, 1}), "m/a%2eb.c");
  EXPECT_NE(combination_name("m/a/b"), combination_name("m/a_b"));
}

TEST(CombinationIdTest, LongNamesEndInAHashOfTheId) {
  const std::string fits = "m/" + std::string(62, 'v');
  EXPECT_EQ(combination_name(fits), "m_" + std::string(62, 'v'));
  const std::string a = "m/" + std::string(100, 'v') + ".a", b = "m/" + std::string(100, 'v') + ".b";
  const std::string name_a = combination_name(a), name_b = combination_name(b);
  EXPECT_EQ(name_a.size(), kMaxNameLength);
  EXPECT_EQ(name_a.substr(0, 48), "m_" + std::string(44, 'v') + "_h");
  EXPECT_NE(name_a, name_b);
  EXPECT_EQ(name_problem(name_a), "");
  EXPECT_EQ(name_a, combination_name(a));  // stable
}

// Names of different ids differ, whatever the ids hold (ids that fit, so no hash).
TEST(CombinationIdTest, NamesAreInjective) {
  const std::string alphabet = "ab.-_%+/A1f0 \\";
  std::mt19937 random(7);
  std::map<std::string, std::string> seen;  // name -> id
  for (int i = 0; i < 50000; ++i) {
    std::string id = "m/";
    for (std::size_t n = random() % 12; n > 0; --n) id += alphabet[random() % alphabet.size()];
    const std::string name = combination_name(id);
    ASSERT_LE(name.size(), kMaxNameLength);
    auto [it, inserted] = seen.emplace(name, id);
    EXPECT_TRUE(inserted || it->second == id) << id << " and " << it->second << " both give " << name;
  }
}

}  // namespace
}  // namespace restorelab
