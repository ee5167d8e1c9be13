// The project's registry, scenarios/known-deviations.toml, against the
// project's rulebook and scenario library: each entry excuses exactly the
// disagreement it describes.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include <gtest/gtest.h>

#include "rules/engine.h"
#include "rules/known_deviations.h"
#include "rules/scenario_search.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

constexpr std::chrono::year_month_day kToday = std::chrono::year{2026} / std::chrono::month{1} / std::chrono::day{15};
const std::string kRegistry = restorelab::source_path("/scenarios/known-deviations.toml");

const Rulebook& project_rulebook() {
  static const Rulebook book = [] {
    auto b = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    if (!b) ADD_FAILURE() << format_diagnostics(b.error());
    return b ? std::move(*b) : Rulebook{};
  }();
  return book;
}

const KnownDeviations& project_registry() {
  static const KnownDeviations known = [] {
    auto k = load_known_deviations(DiskReader{}, kRegistry, project_rulebook().compiler);
    if (!k) ADD_FAILURE() << format_diagnostics(k.error());
    return k ? std::move(*k) : KnownDeviations{};
  }();
  return known;
}

Scenario library_scenario(const std::string& relative) {
  auto s = ScenarioLoader(DiskReader{}).load_file(restorelab::source_path("/scenarios/") + relative);
  EXPECT_TRUE(s) << format_diagnostics(s.error());
  return s.value_or(Scenario{});
}

/// The id of the entry that excuses observing `observed`, or "" for none.
std::string excused_by(const Scenario& s, Outcome observed) {
  const KnownDeviation* d = project_registry().match(s.name, s, observed, kToday);
  return d ? d->id : "";
}

TEST(KnownDeviationsRegistryTest, LoadsWithTheProjectRulebook) {
  auto k = load_known_deviations(DiskReader{}, kRegistry, project_rulebook().compiler);
  ASSERT_TRUE(k) << format_diagnostics(k.error());
  ASSERT_EQ(k->entries.size(), 1u);
  EXPECT_EQ(k->entries.front().id, "chain-image-restore-across-firmware");
}

// restore-rules.md predicts a system-state restore after a BMR across
// firmware types to start (its refusal names restore kinds bmr and
// full-server only); on VMs the chain's BMR is refused. The entry excuses
// that refusal and nothing else.
TEST(KnownDeviationsRegistryTest, ExcusesTheRefusedImageRestoreOfAChainAcrossFirmwareOnly) {
  Scenario s = library_scenario("support/s02-ss-after-bmr-same-hardware.toml");
  ASSERT_EQ(s.restore.after, PriorRestore::Bmr);
  s.source.firmware = s.destination.firmware == Firmware::Uefi ? Firmware::Bios : Firmware::Uefi;
  ASSERT_NE(Engine(project_rulebook()).predict(s).outcome, Outcome::RestoreRefused);
  EXPECT_EQ(excused_by(s, Outcome::RestoreRefused), "chain-image-restore-across-firmware");
  EXPECT_EQ(excused_by(s, Outcome::Stop0x7B), "");
  s.restore.after = PriorRestore::FullServer;
  EXPECT_EQ(excused_by(s, Outcome::RestoreRefused), "chain-image-restore-across-firmware");
  s.restore.after = PriorRestore::None;
  EXPECT_EQ(excused_by(s, Outcome::RestoreRefused), "");
  EXPECT_EQ(excused_by(library_scenario("support/s02-ss-after-bmr-same-hardware.toml"), Outcome::RestoreRefused), "");
}

TEST(KnownDeviationsRegistryTest, IsTheDefaultRegistry) {
  EXPECT_EQ(default_known_deviations_path(), kRegistry);
  EXPECT_TRUE(DiskReader{}.read(default_known_deviations_path()));
}

// Folder searches (the corpus test, `expand_scenario_paths`) take a .toml
// for a scenario by what it holds; the registry is not one.
TEST(KnownDeviationsRegistryTest, IsNotTakenForAScenarioFile) {
  auto text = DiskReader{}.read(kRegistry);
  ASSERT_TRUE(text) << text.error();
  auto found = find_scenario_files({restorelab::source_path("/scenarios")}, DiskReader{});
  EXPECT_TRUE(found.errors.empty()) << format_diagnostics(found.errors);
  EXPECT_NE(std::find(found.skipped.begin(), found.skipped.end(),
                      kRegistry + ": skipped: no [scenario] table (a known-deviations registry)"),
            found.skipped.end());
}

// The disk bus changes to one without a boot driver and the systemroot
// changes. The model guest used to stop with 0x7B before it looked for the
// systemroot; its loader now misses the kernel first, as Windows' does, and
// full-server restores agree on VMs (tests/vm/scenarios/known-controller-and-systemroot.toml).
TEST(KnownDeviationsRegistryTest, NoLongerExcusesA0x7BWhereTheRulebookPredictsBootFileMissing) {
  Scenario s = library_scenario("outcomes/o2-boot-file-missing-beats-0x7b.toml");
  s.backup = BackupKind::FullServer;
  s.restore.kind = RestoreKind::FullServer;
  ASSERT_EQ(Engine(project_rulebook()).predict(s).outcome, Outcome::BootFileMissing);
  EXPECT_EQ(excused_by(s, Outcome::Stop0x7B), "");
  EXPECT_EQ(excused_by(library_scenario("outcomes/o2-boot-file-missing-beats-0x7b.toml"), Outcome::Stop0x7B), "");
}

TEST(KnownDeviationsRegistryTest, DoesNotExcuseAPlain0x7BOrAPlainSystemrootChange) {
  const Scenario bus = library_scenario("outcomes/o3-ss-ide-to-scsi.toml");
  ASSERT_EQ(Engine(project_rulebook()).predict(bus).outcome, Outcome::Stop0x7B);
  EXPECT_EQ(excused_by(bus, Outcome::BootFileMissing), "");
  EXPECT_EQ(excused_by(bus, Outcome::Stop0x7B), "");
  for (const char* file : {"support/s08-ss-systemroot-differs.toml", "support/s08-full-server-systemroot-differs.toml"}) {
    const Scenario root = library_scenario(file);
    ASSERT_EQ(Engine(project_rulebook()).predict(root).outcome, Outcome::BootFileMissing) << file;
    EXPECT_EQ(excused_by(root, Outcome::Stop0x7B), "") << file;
  }
}

/// GitHub's anchor for a Markdown heading: lower case, spaces to '-', other
/// punctuation dropped.
std::string anchor_of(std::string_view heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_') out += static_cast<char>(std::tolower(c));
    else if (c == ' ') out += '-';
  }
  return out;
}

// A reference `file#anchor` in the source tree names a file and a heading that exist.
TEST(KnownDeviationsRegistryTest, ReferencesPointAtExistingHeadings) {
  for (const KnownDeviation& d : project_registry().entries) {
    if (d.reference.empty() || d.reference.starts_with("http")) continue;
    const std::string file = d.reference.substr(0, d.reference.find('#'));
    auto text = DiskReader{}.read(restorelab::source_path("/") + file);
    ASSERT_TRUE(text) << d.id << ": " << file << ": " << text.error();
    if (file.size() == d.reference.size()) continue;
    const std::string anchor = d.reference.substr(file.size() + 1);
    bool found = false;
    std::string_view rest = *text;
    while (!rest.empty() && !found) {
      const std::string_view line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      if (line.starts_with("#")) found = anchor_of(line.substr(line.find_first_not_of("# "))) == anchor;
    }
    EXPECT_TRUE(found) << d.id << ": no heading in " << file << " has the anchor #" << anchor;
  }
}

}  // namespace
}  // namespace restorelab
