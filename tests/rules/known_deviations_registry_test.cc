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
#include "rules/validate.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::year_month_day kToday = std::chrono::year{2026} / std::chrono::month{1} / std::chrono::day{15};
const std::string kRegistry = RESTORELAB_SOURCE_DIR "/scenarios/known-deviations.toml";

const Rulebook& project_rulebook() {
  static const Rulebook book = [] {
    auto b = load_rulebook_file(DiskReader{}, RESTORELAB_SOURCE_DIR "/rules/kb249694.toml");
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
  auto s = ScenarioLoader(DiskReader{}).load_file(RESTORELAB_SOURCE_DIR "/scenarios/" + relative);
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
  ASSERT_FALSE(k->entries.empty());
  EXPECT_EQ(k->entries[0].id, "guest-checks-controller-first");
  EXPECT_EQ(k->entries[0].observed, Outcome::Stop0x7B);
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
  auto found = find_scenario_files({RESTORELAB_SOURCE_DIR "/scenarios"}, DiskReader{});
  EXPECT_TRUE(found.errors.empty()) << format_diagnostics(found.errors);
  EXPECT_NE(std::find(found.skipped.begin(), found.skipped.end(),
                      kRegistry + ": skipped: no [scenario] table (a known-deviations registry)"),
            found.skipped.end());
}

TEST(KnownDeviationsRegistryTest, ExcusesA0x7BWhereTheRulebookPredictsBootFileMissing) {
  // The disk bus changes to one without a boot driver and the systemroot changes.
  // As a full-server restore (observed on VMs: 0x7B; tests/vm/scenarios/known-controller-and-systemroot.toml).
  Scenario s = library_scenario("outcomes/o2-boot-file-missing-beats-0x7b.toml");
  s.backup = BackupKind::FullServer;
  s.restore.kind = RestoreKind::FullServer;
  ASSERT_EQ(Engine(project_rulebook()).predict(s).outcome, Outcome::BootFileMissing);
  EXPECT_EQ(excused_by(s, Outcome::Stop0x7B), "guest-checks-controller-first");
  EXPECT_EQ(excused_by(s, Outcome::Hang), "");
  // As the system-state restore it is, it agrees on VMs: nothing to excuse.
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

/// Every library scenario (as the corpus test finds them), each with every
/// destination disk bus, with and without another destination systemroot.
std::vector<Scenario> library_variants() {
  std::vector<Scenario> out;
  const fs::path dir = RESTORELAB_SOURCE_DIR "/scenarios";
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".toml" || entry.path().string().find("/matrices/") != std::string::npos)
      continue;
    auto text = DiskReader{}.read(entry.path().string());
    if (!text) continue;
    static constexpr std::string_view kConditions[] = {"deviation.when"};
    auto table = parse_toml(*text, entry.path().string(), kConditions);
    if (!table || file_kind(*table) != FileKind::Scenario) continue;
    auto s = ScenarioLoader(DiskReader{}).load_file(entry.path().string());
    if (!s) continue;
    for (std::size_t bus = 0; bus < enum_count<DiskBus>(); ++bus)
      for (bool other_root : {false, true}) {
        Scenario v = *s;
        set_key(v, *find_key("destination.disk_bus"), Value(static_cast<std::int64_t>(bus)));
        if (other_root) set_key(v, *find_key("destination.os.systemroot"), Value(std::string("D:\\W")));
        if (is_valid(v)) out.push_back(std::move(v));
      }
  }
  return out;
}

// The model guest checks the disk controller first: wherever the rulebook's
// no-boot-driver-for-controller rule fires but boot-file-missing wins, the
// guest stops with 0x7B. The entry must match exactly those scenarios.
TEST(KnownDeviationsRegistryTest, MatchesExactlyWhereBootFileMissingHidesA0x7B) {
  const Rulebook& book = project_rulebook();
  const int controller_rule = book.find("no-boot-driver-for-controller");
  ASSERT_GE(controller_rule, 0);
  const Engine engine(book);
  std::size_t hidden = 0, plain_0x7b = 0, plain_missing = 0;
  for (const Scenario& s : library_variants()) {
    const Prediction p = engine.predict(s);
    const bool controller = std::count(p.fired.begin(), p.fired.end(), static_cast<std::uint32_t>(controller_rule));
    // Only full-server restores: a system-state one with both changes agrees on VMs.
    const bool expected = p.outcome == Outcome::BootFileMissing && controller && s.restore.kind == RestoreKind::FullServer;
    hidden += expected;
    plain_0x7b += p.outcome == Outcome::Stop0x7B;
    plain_missing += p.outcome == Outcome::BootFileMissing && !expected;
    EXPECT_EQ(excused_by(s, Outcome::Stop0x7B) == "guest-checks-controller-first", expected)
        << s.file << " with destination.disk_bus = " << name_of(s.destination.disk_bus)
        << ", systemroot " << s.destination.os.systemroot << ": predicted " << name_of(p.outcome);
  }
  // Not vacuous: all three kinds occur among the variants.
  EXPECT_GE(hidden, 10u);
  EXPECT_GE(plain_0x7b, 10u);
  EXPECT_GE(plain_missing, 10u);
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
    auto text = DiskReader{}.read(RESTORELAB_SOURCE_DIR "/" + file);
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
