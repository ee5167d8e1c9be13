// Every input that once broke a fuzz target (tests/fuzz/crashes/, named
// after the target: rulebook-*, scenario-*, matrix-*) now loads or is
// refused with diagnostics, as the target expects, in the unit tests: a
// loaded scenario holds no control character, a matrix's ids are distinct.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "rules/engine.h"
#include "rules/matrix.h"
#include "rules/matrix_limits.h"
#include "rules/printable.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "tests/fuzz/fuzz_input.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> crash_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(restorelab::source_path("/tests/fuzz/crashes")))
    if (entry.path().extension() == ".toml") out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

void expect_said_why(const Diagnostics& d) {
  EXPECT_FALSE(d.empty());
  for (const Diagnostic& x : d) EXPECT_FALSE(find_control_character(x.to_string())) << x.to_string();
}

class FuzzCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzCrashTest, LoadsOrSaysWhy) {
  std::ifstream in(restorelab::source_path("/tests/fuzz/crashes/") + GetParam(), std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto parts = fuzz::split_files(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), 3);
  static const auto book = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
  ASSERT_TRUE(book);
  if (GetParam().starts_with("rulebook-")) {
    auto loaded = load_rulebook_text(text, "rules.toml");
    if (!loaded) return expect_said_why(loaded.error());
    (void)Engine(*loaded).predict(Scenario{});
  } else if (GetParam().starts_with("scenario-")) {
    std::map<std::string, std::string> files{{"s.toml", parts[0]}};
    if (parts.size() > 1) files["m.toml"] = parts[1];
    if (parts.size() > 2) files["n.toml"] = parts[2];
    const MapReader reader(std::move(files));
    auto loaded = ScenarioLoader(reader).load_file("s.toml");
    if (!loaded) return expect_said_why(loaded.error());
    for (const KeyInfo& key : all_keys())
      if (key.text) {
        EXPECT_FALSE(find_control_character(key.text(*loaded))) << key.path;
      }
    (void)Engine(*book).predict(*loaded);
  } else if (GetParam().starts_with("matrix-")) {
    std::map<std::string, std::string> files{{"matrix.toml", parts[0]}};
    if (parts.size() > 1) files["base.toml"] = parts[1];
    if (parts.size() > 2) files["m.toml"] = parts[2];
    const MapReader reader(std::move(files));
    auto loaded = load_matrix_file(reader, "matrix.toml", book->compiler);
    if (!loaded) return expect_said_why(loaded.error());
    if (check_matrix_work(*loaded, {})) return;
    const MatrixExpander expander(*loaded);
    std::set<std::string> ids;
    Scenario s;
    expander.for_each([&](const Choice& c) {
      if (expander.build(c, s) == MatrixExpander::Status::Valid) {
        EXPECT_TRUE(ids.insert(expander.id(c)).second) << expander.id(c);
      }
    });
  } else {
    FAIL() << GetParam() << ": name it after its target (rulebook-, scenario- or matrix-)";
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& param) {
  std::string name = fs::path(param.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Crashes, FuzzCrashTest, ::testing::ValuesIn(crash_files()), test_name);

}  // namespace
}  // namespace restorelab
