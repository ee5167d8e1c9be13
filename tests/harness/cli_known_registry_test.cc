#include "harness/cli/known_registry.h"

#include <gtest/gtest.h>

#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/toml_source.h"
#include "tests/support/test_paths.h"

namespace restorelab {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

/// The project's rulebook (its helpers) and two scenarios of one run.
class KnownRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    ASSERT_TRUE(loaded);
    book = std::move(*loaded);
    for (const char* name : {"acpi-up-to-acpi-mp", "xp-ide-to-sata"}) {
      auto s = ScenarioLoader(reader).load_file(restorelab::source_path(std::string("/scenarios/examples/") + name +
                                                                        ".toml"));
      ASSERT_TRUE(s) << name;
      items.push_back(run::CampaignItem{name, *s, "", {}});
    }
  }

  KnownRegistry registry(const std::string& text) {
    auto known = load_known_deviations_text(text, "known.toml", book.compiler);
    EXPECT_TRUE(known) << (known ? "" : format_diagnostics(known.error()));
    return KnownRegistry(known ? std::move(*known) : KnownDeviations{}, year{2026} / month{12} / day{7});
  }

  DiskReader reader;
  Rulebook book;
  std::vector<run::CampaignItem> items;
};

// The project's registry entry is about chains across firmware types; a run
// of two examples it can never apply to hears nothing of it.
TEST_F(KnownRegistryTest, AnEntryThatAppliesToNoScenarioOfTheRunIsNotNamed) {
  auto known = load_known_deviations(DiskReader{}, default_known_deviations_path(), book.compiler);
  ASSERT_TRUE(known);
  ASSERT_EQ(known->entries.size(), 1u);
  EXPECT_EQ(known->entries[0].id, "chain-image-restore-across-firmware");
  KnownRegistry project(std::move(*known), year{2026} / month{12} / day{7});
  EXPECT_EQ(project.stale_among(items), std::vector<std::string>{}) << "it excused nothing all the same";
}

TEST_F(KnownRegistryTest, AnEntryThatAppliedAndExcusedNothingIsNamedInFileOrder) {
  KnownRegistry r = registry(R"([[deviation]]
id = "other-matrix"
scenario = "hal-by-disk/*"
reason = "never in this run"

[[deviation]]
id = "xp-sata"
when = 'destination.disk_bus == "sata"'
observed = "boots"
reason = "applies to xp-ide-to-sata"

[[deviation]]
id = "by-name"
scenario = "acpi-up-*"
reason = "applies to acpi-up-to-acpi-mp"
)");
  EXPECT_EQ(r.stale_among(items), (std::vector<std::string>{"xp-sata", "by-name"}));
  EXPECT_EQ(r.excuse("acpi-up-to-acpi-mp", items[0].scenario, Outcome::Stop0x7B), "by-name");
  EXPECT_EQ(r.stale_among(items), std::vector<std::string>{"xp-sata"}) << "an entry that excused something is not";
}

}  // namespace
}  // namespace restorelab
