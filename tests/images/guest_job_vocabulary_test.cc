// The words the harness and the guest share (images/guest/job_vocabulary.h)
// against the scenario format's own lists (rules/model.h), which the guest
// cannot link: a value added on one side only fails here.
#include "images/guest/job_vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "images/guest/hal.h"
#include "rules/model.h"

namespace restorelab::vocabulary {
namespace {

using ::testing::ElementsAreArray;

template <class E>
std::vector<std::string_view> rules_names() {
  const auto& names = EnumNames<E>::names;
  return {names.begin(), names.end()};
}

template <std::size_t N>
std::vector<std::string_view> guest_names(const std::array<std::string_view, N>& names) {
  return {names.begin(), names.end()};
}

std::vector<std::string_view> without(std::vector<std::string_view> names, std::string_view dropped) {
  std::erase(names, dropped);
  return names;
}

TEST(JobVocabularyTest, HalTypesAreTheScenarioFormats) {
  EXPECT_THAT(guest_names(kHalTypes), ElementsAreArray(rules_names<Hal>()));
}

TEST(JobVocabularyTest, DiskBusesAreTheScenarioFormats) {
  EXPECT_THAT(guest_names(kDiskBuses), ElementsAreArray(rules_names<DiskBus>()));
}

TEST(JobVocabularyTest, ActionsAreTheRulebooksAndEveryOneHasAPlaceInTheOrder) {
  EXPECT_THAT(guest_names(kActions), ElementsAreArray(rules_names<Action>()));
  const std::set<std::string_view> ordered(kActionOrder.begin(), kActionOrder.end());
  EXPECT_EQ(ordered, std::set<std::string_view>(kActions.begin(), kActions.end()));
  for (std::string_view carried : kActionsCarriedOut) EXPECT_TRUE(ordered.contains(carried)) << carried;
}

TEST(JobVocabularyTest, FirmwaresAreTheScenarioFormats) {
  EXPECT_THAT(guest_names(kFirmwares), ElementsAreArray(rules_names<Firmware>()));
}

TEST(JobVocabularyTest, KindsAreTheScenarioFormatsBackupAndRestoreKinds) {
  // "none" is no backup; a push-button reset is a chain of its own: neither
  // is ever written into a job.
  EXPECT_THAT(guest_names(kKinds), ElementsAreArray(without(rules_names<BackupKind>(), "none")));
  EXPECT_THAT(guest_names(kKinds), ElementsAreArray(without(rules_names<RestoreKind>(), "push-button-reset")));
}

TEST(JobVocabularyTest, Nt5VersionsAreTheRulesNt5Versions) {
  std::vector<std::string_view> nt5;
  for (std::size_t i = 0; i < enum_count<OsVersion>(); ++i) {
    const auto version = static_cast<OsVersion>(i);
    if (is_nt5(version)) nt5.push_back(name_of(version));
    EXPECT_EQ(guest::IsNt5(name_of(version)), is_nt5(version)) << name_of(version);
  }
  EXPECT_THAT(guest_names(kNt5Versions), ElementsAreArray(nt5));
}

TEST(JobVocabularyTest, TheGuestsHalFactsAreTheRules) {
  for (std::size_t i = 0; i < enum_count<Hal>(); ++i) {
    const auto hal = static_cast<Hal>(i);
    EXPECT_TRUE(guest::IsKnownHal(name_of(hal))) << name_of(hal);
    EXPECT_EQ(guest::HalHasAcpi(name_of(hal)), hal_has_acpi(hal)) << name_of(hal);
    EXPECT_EQ(guest::HalIsUniprocessor(name_of(hal)), hal_is_uniprocessor(hal)) << name_of(hal);
  }
}

TEST(JobVocabularyTest, EveryOutcomeTheGuestDecidesIsARulesOutcome) {
  for (std::string_view name : kGuestOutcomes) EXPECT_TRUE(parse_enum<Outcome>(name).has_value()) << name;
  // The HAL rule's verdicts that end a start are outcomes too.
  for (auto verdict : {guest::HalVerdict::kStopA5, guest::HalVerdict::kHang, guest::HalVerdict::kStop79})
    EXPECT_TRUE(parse_enum<Outcome>(guest::HalVerdictName(verdict)).has_value()) << guest::HalVerdictName(verdict);
}

TEST(JobVocabularyTest, EveryRulesOutcomeButNoBootableDeviceIsDecidedByTheGuest) {
  // no-bootable-device: no guest starts, the harness sees the firmware give up.
  EXPECT_THAT(guest_names(kGuestOutcomes), ::testing::UnorderedElementsAreArray(
                                               without(rules_names<Outcome>(), "no-bootable-device")));
}

TEST(JobVocabularyTest, JobKeysAreUniqueAndWhatTheGuestParsesAsKeys) {
  std::set<std::string_view> seen;
  for (const JobKey& key : kJobKeys) {
    EXPECT_TRUE(seen.insert(key.name).second) << key.name;
    EXPECT_FALSE(key.name.empty());
    EXPECT_TRUE(std::ranges::all_of(key.name, [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    })) << key.name;
    EXPECT_EQ(FindJobKey(key.name), &key);
  }
  EXPECT_EQ(FindJobKey("machine.cpu"), nullptr);
  EXPECT_TRUE(FindJobKey(kKeyPhase)->list);
  EXPECT_FALSE(FindJobKey(kKeyOsSystemroot)->list);
}

TEST(JobVocabularyTest, CheckValueFindsWhatTheGuestWouldReadOtherwise) {
  EXPECT_EQ(CheckValue("C:\\Program Files\\a=b #c").fault, ValueFault::kNone);
  EXPECT_EQ(CheckValue("").fault, ValueFault::kNone);
  EXPECT_EQ(CheckValue("C:\\WIN\u00e9").fault, ValueFault::kNone);
  const ValueCheck newline = CheckValue("C:\\W\nphase=boot");
  EXPECT_EQ(newline.fault, ValueFault::kControlCharacter);
  EXPECT_EQ(newline.at, 4u);
  EXPECT_EQ(CheckValue("a\x7f").fault, ValueFault::kControlCharacter);
  EXPECT_EQ(CheckValue("a\tb").fault, ValueFault::kControlCharacter);
  const ValueCheck leading = CheckValue(" C:");
  EXPECT_EQ(leading.fault, ValueFault::kSurroundingBlank);
  EXPECT_EQ(leading.at, 0u);
  const ValueCheck trailing = CheckValue("C: ");
  EXPECT_EQ(trailing.fault, ValueFault::kSurroundingBlank);
  EXPECT_EQ(trailing.at, 2u);
  EXPECT_EQ(CheckValue("a,b").fault, ValueFault::kNone);  // one whole value may hold ','
}

TEST(JobVocabularyTest, CheckListItemAlsoRefusesSeparatorsAndEmptyItems) {
  EXPECT_EQ(CheckListItem("KB 810161").fault, ValueFault::kNone);
  const ValueCheck comma = CheckListItem("KB1,KB2");
  EXPECT_EQ(comma.fault, ValueFault::kSeparatorInItem);
  EXPECT_EQ(comma.at, 3u);
  EXPECT_EQ(CheckListItem("").fault, ValueFault::kEmptyItem);
  EXPECT_EQ(CheckListItem("a\n,b").fault, ValueFault::kControlCharacter);
  EXPECT_EQ(CheckListItem("a ").fault, ValueFault::kSurroundingBlank);
}

}  // namespace
}  // namespace restorelab::vocabulary
