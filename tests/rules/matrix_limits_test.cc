#include "rules/matrix_limits.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rules/covering_array.h"
#include "rules/rule_analysis.h"
#include "tests/rules/matrix_test_util.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

/// A matrix of `axes` text axes of `values` values each (after two lines of [matrix]).
std::string wide_matrix(int axes, int values) {
  static const char* kKeys[] = {"model", "os.systemdrive", "os.systemroot", "os.ad.database", "os.ad.logs",
                                "os.ad.frs_database", "os.ad.frs_logs", "os.hotfixes", "os.apps", "os.roles"};
  std::string text = "[matrix]\nname = \"wide\"\nbase = \"base.toml\"\n\n[axes]\n";
  for (int a = 0; a < axes; ++a) {
    const std::string key = std::string(a % 2 ? "destination." : "source.") + kKeys[a / 2];
    const bool list = key.find("hotfixes") != std::string::npos || key.find("apps") != std::string::npos ||
                      key.find("roles") != std::string::npos;
    text += "\"" + key + "\" = [";
    for (int v = 0; v < values; ++v)
      text += std::string(v ? ", " : "") + (list ? "[\"" : "\"") + std::to_string(v) + (list ? "\"]" : "\"");
    text += "]\n";
  }
  return text;
}

Matrix load(const std::string& text) {
  auto m = testing::load_matrix_over_base(text, "m/wide.toml");
  EXPECT_TRUE(m) << format_diagnostics(m.error());
  return m ? std::move(*m) : Matrix{};
}

TEST(MatrixLimitsTest, CountsWithoutWrappingAndRefusesTooManyCombinations) {
  const Matrix m = load(wide_matrix(20, 10));
  EXPECT_EQ(m.size(), UINT64_MAX);  // 10^20 does not fit: saturated, never wrapped
  EXPECT_EQ(combination_count_text(m), "100000000000000000000");
  auto refused = check_matrix_work(m, {});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->to_string(),
            "m/wide.toml:5:1: error: the matrix has 100000000000000000000 combinations, more than the 100000000 that "
            "restorelab goes through one by one; use --strength 2 for a pairwise covering array, or fewer axes or "
            "values");
  EXPECT_EQ(check_matrix_work(m, {.strength = 0, .strength_offered = false})->suggestion, "use fewer axes or values");
  EXPECT_FALSE(check_matrix_work(m, {.strength = 2}));  // a pairwise covering array is fine
}

TEST(MatrixLimitsTest, TheLimitIsOneHundredMillion) {
  EXPECT_FALSE(check_matrix_work(load(wide_matrix(8, 10)), {}));  // 10^8
  EXPECT_TRUE(check_matrix_work(load(wide_matrix(8, 10) + "\"restore.asr\" = [false, true]\n"), {}));
}

TEST(MatrixLimitsTest, RefusesACoveringArrayThatWouldExhaustMemory) {
  const Matrix m = load(wide_matrix(20, 10));
  auto refused = check_matrix_work(m, {.strength = 6});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->to_string(),
            "m/wide.toml:5:1: error: a covering array of strength 6 needs about 72.2 GiB for 38760000000 6-tuples of "
            "values, more than the 1.0 GiB that restorelab allows; use a lower --strength, or fewer axes or values");
  const std::vector<std::size_t> sizes(20, 10);
  const CoveringEstimate e = estimate_covering_array(sizes, 6);
  EXPECT_EQ(e.subsets, 38760u);  // C(20, 6)
  EXPECT_EQ(e.tuples, 38760ull * 1000000u);
  EXPECT_TRUE(build_covering_array(sizes, {.strength = 6}, [](const Choice&) { return true; }).rows.empty());
  // 255 values on 40 axes at strength 6 overflows every count: saturated.
  EXPECT_EQ(estimate_covering_array(std::vector<std::size_t>(40, 255), 6).bytes, UINT64_MAX);
}

// Time grows faster than memory: strength 4 of hardware-full takes two
// minutes in 17 MB; strength 5 would take about an hour.
TEST(MatrixLimitsTest, RefusesACoveringArrayThatWouldTakeHours) {
  const std::string file = restorelab::source_path("/scenarios/matrices/hardware-full.toml");
  auto m = load_matrix_file(DiskReader{}, file, ConditionCompiler{});
  ASSERT_TRUE(m) << format_diagnostics(m.error());
  std::vector<std::size_t> sizes;
  for (const Axis& a : m->axes) sizes.push_back(a.values.size());
  EXPECT_EQ(estimate_covering_array(sizes, 4).work, 299'571'300u);  // (104625 - 2940) * 2940 + 2940 * 210
  EXPECT_FALSE(check_matrix_work(*m, {.strength = 4}));
  auto refused = check_matrix_work(*m, {.strength = 5});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->to_string(),
            file + ":33:1: error: a covering array of strength 5 means placing 541722 5-tuples of values among about "
                   "14700 rows, 7750927800 steps, more than the 1000000000 (a few minutes) that restorelab allows; "
                   "use a lower --strength, or fewer axes or values");
}

// Strength 2 of two axes is the whole matrix: IPOG's first rows, nothing to place.
TEST(MatrixLimitsTest, ACoveringArrayOfAllAxesIsTheFullMatrix) {
  const CoveringEstimate e = estimate_covering_array({255, 255}, 2);
  EXPECT_EQ(e.tuples, 65025u);
  EXPECT_EQ(e.work, 65025u);
  EXPECT_TRUE(within_limits(e));
}

TEST(MatrixLimitsTest, TheProjectsMatricesAreWithinTheLimits) {
  auto builtin = builtin_matrix(ConditionCompiler{});
  ASSERT_TRUE(builtin);
  EXPECT_EQ(builtin->size(), 2'032'128u);
  EXPECT_FALSE(check_matrix_work(*builtin, {}));
  for (const auto& entry : std::filesystem::directory_iterator(restorelab::source_path("/scenarios/matrices"))) {
    if (entry.path().extension() != ".toml") continue;
    auto m = load_matrix_file(DiskReader{}, entry.path().string(), ConditionCompiler{});
    ASSERT_TRUE(m) << format_diagnostics(m.error());
    for (int strength : {0, 2, 3}) EXPECT_FALSE(check_matrix_work(*m, {.strength = strength})) << entry.path();
  }
}

}  // namespace
}  // namespace restorelab
