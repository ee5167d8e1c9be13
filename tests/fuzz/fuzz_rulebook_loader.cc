// libFuzzer target: arbitrary bytes as a rulebook. A rulebook that loads
// predicts the scenarios of the seed corpus (tests/fuzz/corpus/scenario) and
// must keep the engine's promises; one that does not load must say why.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.h"
#include "rules/engine.h"
#include "rules/keys.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/toml_source.h"
#include "tests/fuzz/fuzz_checks.h"

namespace {

using namespace restorelab;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_rulebook_loader: broken promise: %s\n", what);
  __builtin_trap();
}

std::vector<Scenario> g_scenarios;

/// The seed scenarios that load on their own, plus one built by set_key so
/// the list is never empty.
void load_scenarios() {
  const DiskReader reader;
  const ScenarioLoader loader(reader);
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(RESTORELAB_FUZZ_DIR "/corpus/scenario", ec))
    paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths)
    if (auto s = loader.load_file(path.string())) g_scenarios.push_back(std::move(*s));

  Scenario s;
  set_key(s, *find_key("scenario.name"), Value(std::string("built")));
  set_key(s, *find_key("source.hal"), Value(std::int64_t{static_cast<int>(Hal::AcpiUniprocessor)}));
  set_key(s, *find_key("destination.hal"), Value(std::int64_t{static_cast<int>(Hal::AcpiMultiprocessor)}));
  set_key(s, *find_key("backup.kind"), Value(std::int64_t{static_cast<int>(BackupKind::Bmr)}));
  set_key(s, *find_key("restore.kind"), Value(std::int64_t{static_cast<int>(RestoreKind::Bmr)}));
  g_scenarios.push_back(std::move(s));
}

void check(const Rulebook& book, const Scenario& s, const Prediction& p) {
  ActionSet actions;
  bool supported = true;
  for (std::size_t i = 0; i < p.fired.size(); ++i) {
    if (p.fired[i] >= book.rules.size()) fail("a fired index is not a rule");
    if (i > 0 && p.fired[i - 1] >= p.fired[i]) fail("fired rules are not in rulebook order");
    const Rule& rule = book.rules[p.fired[i]];
    actions |= rule.actions;
    if (rule.supported) supported = false;
  }
  if (actions != p.actions) fail("the actions are not those of the fired rules");
  if (supported != p.supported) fail("supported is not what the fired rules say");
  if (p.boots() != p.cpus_used.has_value()) fail("cpus_used is present exactly when the outcome boots");
  if (p.cpus_used && (*p.cpus_used < 1 || *p.cpus_used > s.destination.cpus))
    fail("cpus_used is outside 1..destination.cpus");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  load_scenarios();
  std::fprintf(stderr, "fuzz_rulebook_loader: each rulebook that loads predicts %zu scenarios\n", g_scenarios.size());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto book = load_rulebook_text(text, "rules.toml");
  if (!book) {
    fuzz::check_diagnostics("fuzz_rulebook_loader", book.error());
    return 0;
  }
  // Ids, citations and notes reach reports: printable, one line.
  for (const Rule& rule : book->rules)
    if (find_control_character(rule.id) || find_control_character(rule.cite) || find_control_character(rule.doc))
      fail("a loaded rule holds a control character");
  for (std::size_t i = 0; i < book->rules.size(); ++i) {
    if (book->find(book->rules[i].id) != static_cast<int>(i)) fail("rule ids are not unique");
    (void)book->rules[i].when.keys();
  }
  const Engine engine(*book);
  Prediction p;
  for (const Scenario& s : g_scenarios) {
    engine.predict(s, p);
    check(*book, s, p);
    if (!(engine.predict(s) == p)) fail("predict(s) and predict(s, out) disagree");
  }
  return 0;
}
