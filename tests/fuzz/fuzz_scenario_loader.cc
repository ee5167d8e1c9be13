// libFuzzer target: arbitrary bytes as a scenario file, with up to two
// machine files for `extends` (split at fuzz::kFileSeparator) read through a
// MapReader. A scenario that loads must also pass validate(), keep its
// defaults under resolve_defaults() and predict without breaking the
// engine's promises and hold no control character; a scenario that does not
// load must say why, on lines without control characters.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "rules/diagnostic.h"
#include "rules/engine.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/toml_source.h"
#include "rules/validate.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"
#include "rules/source_dir.h"

namespace {

using namespace restorelab;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_scenario_loader: broken promise: %s\n", what);
  __builtin_trap();
}

const Rulebook* g_rulebook = nullptr;

void check_prediction(const Scenario& s, const Prediction& p) {
  for (std::size_t i = 1; i < p.fired.size(); ++i)
    if (p.fired[i - 1] >= p.fired[i]) fail("fired rules are not in rulebook order");
  if (p.boots() != p.cpus_used.has_value()) fail("cpus_used is present exactly when the outcome boots");
  if (p.cpus_used && (*p.cpus_used < 1 || *p.cpus_used > s.destination.cpus))
    fail("cpus_used is outside 1..destination.cpus");
  if (s.expect) (void)expect_diff(*s.expect, p);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const auto book = load_rulebook_file(DiskReader(), restorelab::source_path("/rules/kb249694.toml"));
  if (!book) {
    std::fprintf(stderr, "%s", format_diagnostics(book.error()).c_str());
    std::abort();
  }
  g_rulebook = &*book;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_files(data, size, 3);
  std::map<std::string, std::string> files;
  if (parts.size() > 1) files["m.toml"] = parts[1];
  if (parts.size() > 2) files["n.toml"] = parts[2];
  const MapReader reader(std::move(files));
  const ScenarioLoader loader(reader);

  auto loaded = loader.load_text(parts[0], "s.toml");
  if (!loaded) {
    fuzz::check_diagnostics("fuzz_scenario_loader", loaded.error());
    return 0;
  }
  const Scenario& s = *loaded;
  fuzz::check_printable("fuzz_scenario_loader", s);
  if (!validate(s).empty()) fail("a loaded scenario does not validate");
  Scenario again = s;
  resolve_defaults(again);
  if (!(again == s)) fail("resolve_defaults is not idempotent on a loaded scenario");

  const Engine engine(*g_rulebook);
  check_prediction(s, engine.predict(s));
  return 0;
}
