// Data-driven: every scenario of the spec's examples (copied into
// scenarios/examples/, so a plain clone tests them) and of the project's
// scenario library loads and meets its [expect].
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "rules/engine.h"
#include "rules/scenario_loader.h"
#include "rules/scenario_search.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

/// The scenario files under `dir`, found as the CLI finds them.
std::vector<std::string> scenario_files(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  const ScenarioSearch found = find_scenario_files({dir}, DiskReader{});
  EXPECT_EQ(format_diagnostics(found.errors), "");
  // Matrix bases are scenarios without an [expect]; matrices have their own tests.
  for (const ScenarioFile& file : found.files)
    if (file.path.find("/matrices/") == std::string::npos) out.push_back(file.path);
  return out;
}

const Rulebook& project_rulebook() {
  static const Rulebook book = [] {
    auto b = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    if (!b) ADD_FAILURE() << format_diagnostics(b.error());
    return b ? std::move(*b) : Rulebook{};
  }();
  return book;
}

class CorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, MeetsItsExpectation) {
  auto s = ScenarioLoader(DiskReader{}).load_file(GetParam());
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  ASSERT_TRUE(s->expect) << GetParam() << " has no [expect] table";
  Prediction p = Engine(project_rulebook()).predict(*s);
  auto diff = expect_diff(*s->expect, p);
  std::string fired;
  for (auto i : p.fired) fired += " " + project_rulebook().rules[i].id;
  EXPECT_TRUE(diff.empty()) << GetParam() << ": differs in " << diff.front() << "; predicted outcome "
                            << name_of(p.outcome) << ", rules:" << fired;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(SpecExamples, CorpusTest,
                         ::testing::ValuesIn(scenario_files(restorelab::source_path("/scenarios/examples"))), test_name);
INSTANTIATE_TEST_SUITE_P(ScenarioLibrary, CorpusTest,
                         ::testing::ValuesIn(scenario_files(restorelab::source_path("/scenarios"))), test_name);

// The folder search skips only what is not a scenario, and says so.
TEST(CorpusTest, TheLibrarySkipsOnlyMachineMatrixAndRegistryFiles) {
  const ScenarioSearch found = find_scenario_files({restorelab::source_path("/scenarios")}, DiskReader{});
  EXPECT_EQ(format_diagnostics(found.errors), "");
  for (const std::string& line : found.skipped)
    EXPECT_TRUE(line.ends_with("(a machine file)") || line.ends_with("(a matrix file)") ||
                line.ends_with("(a known-deviations registry)"))
        << line;
  EXPECT_EQ(found.skipped.size(), 11u);  // 7 machine files, 3 matrices, the known deviations
}

TEST(CorpusTest, TheSpecExamplesAreThere) {
  EXPECT_GE(scenario_files(restorelab::source_path("/scenarios/examples")).size(), 11u)
      << "scenarios/examples/ must hold the spec's 11 examples";
}

// Every rule of the project's rulebook fires on at least one library scenario.
TEST(CorpusTest, EveryRuleFiresSomewhere) {
  const Rulebook& book = project_rulebook();
  std::vector<bool> fired(book.rules.size());
  Engine engine(book);
  for (const auto& file : scenario_files(restorelab::source_path("/scenarios"))) {
    auto s = ScenarioLoader(DiskReader{}).load_file(file);
    if (!s) continue;
    for (auto i : engine.predict(*s).fired) fired[i] = true;
  }
  for (std::size_t i = 0; i < fired.size(); ++i) EXPECT_TRUE(fired[i]) << book.rules[i].id << " never fires";
}

}  // namespace
}  // namespace restorelab
