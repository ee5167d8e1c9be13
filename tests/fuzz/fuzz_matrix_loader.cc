// libFuzzer target: arbitrary bytes as a matrix file, with a base scenario
// `base.toml` and a machine file `m.toml` for `extends` (split at
// fuzz::kFileSeparator) read through a MapReader. A matrix that loads must
// stay within what the commands check (check_matrix_work) or be refused by
// it; its combinations (the first 64) must be valid scenarios with distinct
// ids and distinct valid names, written scenarios must load back to the
// combination, and predictions must keep the engine's promises. A matrix that
// does not load must say why.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "rules/combination_id.h"
#include "rules/engine.h"
#include "rules/matrix.h"
#include "rules/matrix_limits.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/scenario_writer.h"
#include "rules/toml_source.h"
#include "rules/validate.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"
#include "rules/source_dir.h"

namespace {

using namespace restorelab;

constexpr const char* kTarget = "fuzz_matrix_loader";
constexpr std::uint64_t kCombinationsChecked = 64;

[[noreturn]] void fail(const char* what) { fuzz::fail(kTarget, what); }

const Rulebook* g_rulebook = nullptr;
const Engine* g_engine = nullptr;

/// The combination at `index` (the last axis moving fastest, as for_each).
Choice choice_at(const Matrix& m, std::uint64_t index) {
  Choice c(m.axes.size(), 0);
  for (std::size_t i = m.axes.size(); i-- > 0;) {
    const std::uint64_t n = m.axes[i].values.size();
    c[i] = static_cast<std::uint8_t>(index % n);
    index /= n;
  }
  return c;
}

void check_combination(const MatrixExpander& expander, const Choice& c, Scenario& s,
                       std::set<std::string>& ids, std::set<std::string>& names) {
  if (expander.build(c, s) != MatrixExpander::Status::Valid) return;
  if (!is_valid(s)) fail("a valid combination does not validate");
  fuzz::check_printable(kTarget, s);
  const std::string id = expander.id(c);
  if (!ids.insert(id).second) fail("two combinations have the same id");
  const std::string name = combination_name(id);
  if (!valid_name(name)) fail("a combination's name is not a valid name");
  if (!names.insert(name).second) fail("two combinations have the same name");
  s.name = name;
  const MapReader reader(std::map<std::string, std::string>{{"w.toml", scenario_to_toml(s)}});
  auto again = ScenarioLoader(reader).load_file("w.toml");
  if (!again) {
    std::fprintf(stderr, "%s", format_diagnostics(again.error()).c_str());
    fail("a written combination does not load");
  }
  again->file = s.file;
  again->defaulted = s.defaulted;
  if (!(*again == s)) fail("a written combination loads as another scenario");
  const Prediction p = g_engine->predict(s);
  if (p.boots() != p.cpus_used.has_value()) fail("cpus_used is present exactly when the outcome boots");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const auto book = load_rulebook_file(DiskReader(), restorelab::source_path("/rules/kb249694.toml"));
  if (!book) {
    std::fprintf(stderr, "%s", format_diagnostics(book.error()).c_str());
    std::abort();
  }
  g_rulebook = &*book;
  static const Engine engine(*book);
  g_engine = &engine;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_files(data, size, 3);
  std::map<std::string, std::string> files;
  if (parts.size() > 1) files["base.toml"] = parts[1];
  if (parts.size() > 2) files["m.toml"] = parts[2];
  const MapReader reader(std::move(files));

  auto loaded = load_matrix_text(reader, parts[0], "matrix.toml", g_rulebook->compiler);
  if (!loaded) {
    fuzz::check_diagnostics(kTarget, loaded.error());
    return 0;
  }
  const Matrix& m = *loaded;
  if (!valid_name(m.name, kMaxMatrixNameLength)) fail("a loaded matrix has an invalid name");
  for (const Axis& a : m.axes)
    if (a.values.empty() || a.labels.size() != a.values.size() || a.id_parts.size() != a.values.size())
      fail("an axis has no values, or labels or id parts that do not match them");
  if (auto refused = check_matrix_work(m, {})) {
    fuzz::check_diagnostics(kTarget, {*refused});
    if (m.size() <= kMaxCombinations) fail("a matrix within the combination limit was refused");
  }
  const MatrixExpander expander(m);
  std::set<std::string> ids, names;
  Scenario s;
  const std::uint64_t n = std::min<std::uint64_t>(m.size(), kCombinationsChecked);
  for (std::uint64_t i = 0; i < n; ++i) check_combination(expander, choice_at(m, i), s, ids, names);
  return 0;
}
