// libFuzzer target: arbitrary bytes as a known-deviations registry, compiled
// with rules/kb249694.toml's helpers. A registry that loads keeps its
// promises (ids unique and well-formed, every entry names scenarios and has
// a reason) and matches the seed scenarios (tests/fuzz/corpus/scenario) under
// every outcome and a few dates consistently: match() is the first entry that
// excuses(), expired entries excuse nothing, the counts and the stale list
// agree. A registry that does not load must say why.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.h"
#include "rules/known_deviations.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/toml_source.h"
#include "rules/validate.h"
#include "rules/source_dir.h"

namespace {

using namespace restorelab;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_known_deviations: broken promise: %s\n", what);
  __builtin_trap();
}

const Rulebook* g_rulebook = nullptr;
std::vector<Scenario> g_scenarios;

/// Ids to match the globs against: the seed scenarios' names and some
/// matrix-like ids.
const std::vector<std::string> kIds = {"", "a", "hal-by-disk/acpi-uniprocessor.virtio",
                                       "hal-by-disk/mps-multiprocessor.ide.2", "o2-boot-file-missing-beats-0x7b"};

const std::vector<std::chrono::year_month_day> kDays = {
    std::chrono::year{1970} / 1 / 1, std::chrono::year{2026} / 6 / 30, std::chrono::year{2027} / 6 / 30,
    std::chrono::year{2027} / 7 / 1, std::chrono::year{9999} / 12 / 31};

void check_loaded(const KnownDeviations& known) {
  std::set<std::string> ids;
  for (const KnownDeviation& d : known.entries) {
    if (!valid_name(d.id)) fail("an entry's id is not [a-z0-9._-]+");
    if (!ids.insert(d.id).second) fail("ids are not unique");
    if (d.scenario.empty() && !d.when) fail("an entry names no scenarios");
    if (d.reason.empty()) fail("an entry has no reason");
    if (d.when && d.when->reads_prediction()) fail("a when reads the prediction");
    if (d.until && !d.until->ok()) fail("until is not a valid day");
  }
  std::vector<std::string> excused;
  for (const Scenario& s : g_scenarios)
    for (const std::string& id : kIds)
      for (const auto& today : kDays)
        for (std::size_t o = 0; o < enum_count<Outcome>(); ++o) {
          const auto observed = static_cast<Outcome>(o);
          const KnownDeviation* first = nullptr;
          for (const KnownDeviation& d : known.entries) {
            const bool excuses = d.excuses(id, s, observed, today);
            if (excuses && d.expired(today)) fail("an expired entry excuses");
            if (excuses && d.observed && *d.observed != observed) fail("an entry excuses another outcome");
            if (excuses && !first) first = &d;
          }
          if (known.match(id, s, observed, today) != first) fail("match() is not the first entry that excuses");
          if (first) excused.push_back(first->id);
        }
  const std::vector<std::size_t> counts = known.excused_counts(excused);
  if (counts.size() != known.entries.size()) fail("excused_counts has not one count per entry");
  std::size_t total = 0, zero = 0;
  for (std::size_t c : counts) {
    total += c;
    zero += c == 0;
  }
  if (total != excused.size()) fail("excused_counts lost an excused verdict");
  if (known.stale(excused).size() != zero) fail("stale() is not the entries that excused nothing");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const auto book = load_rulebook_file(DiskReader(), restorelab::source_path("/rules/kb249694.toml"));
  if (!book) {
    std::fprintf(stderr, "%s", format_diagnostics(book.error()).c_str());
    std::abort();
  }
  g_rulebook = &*book;
  const DiskReader reader;
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(RESTORELAB_FUZZ_DIR "/corpus/scenario", ec))
    paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths)
    if (auto s = ScenarioLoader(reader).load_file(path.string())) g_scenarios.push_back(std::move(*s));
  if (g_scenarios.empty()) {
    std::fprintf(stderr, "fuzz_known_deviations: no seed scenario loads from %s\n", RESTORELAB_FUZZ_DIR "/corpus/scenario");
    std::abort();
  }
  std::fprintf(stderr, "fuzz_known_deviations: each registry that loads matches %zu scenarios\n", g_scenarios.size());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto known = load_known_deviations_text(text, "known.toml", g_rulebook->compiler);
  if (!known) {
    if (known.error().empty()) fail("a registry that does not load has no diagnostic");
    for (const Diagnostic& d : known.error()) {
      if (d.line < 0 || d.column < 0) fail("a diagnostic has a negative line or column");
      if (d.message.empty()) fail("a diagnostic has no message");
    }
    for (std::size_t i = 1; i < known.error().size(); ++i) {
      const Diagnostic& a = known.error()[i - 1];
      const Diagnostic& b = known.error()[i];
      if (a.file == b.file && (a.line > b.line || (a.line == b.line && a.column > b.column)))
        fail("diagnostics are not in text order");
    }
    (void)format_diagnostics(known.error());
    return 0;
  }
  check_loaded(*known);
  return 0;
}
