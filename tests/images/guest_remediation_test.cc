#include "images/guest/remediation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "images/guest/boot_checks.h"
#include "images/guest/nic_binding.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempRoot;

constexpr std::string_view kWs2003 = "os.version=windows-server-2003\nos.edition=standard\nos.service_pack=1\n";
const NetAdapter kE1000{"e1000", "0000:00:03.0", "52:54:00:00:00:01"};
const NetAdapter kRtl{"rtl8139", "0000:00:03.0", "52:54:00:00:00:02"};
const NetAdapter kSecondE1000{"e1000", "0000:00:04.0", "52:54:00:00:00:03"};

/// An installation on `root` as setup leaves it on a machine with this HAL,
/// disk bus and adapter; `extra_job` adds OS keys.
Installation Install(const TempRoot& root, std::string hal, std::string bus, std::string_view extra_job = "") {
  Installation inst{root.path() / "sys", root.path() / "boot"};
  InstallHardware hw;
  hw.hal = std::move(hal);
  hw.storage_drivers = {std::move(bus)};
  hw.nics = {kE1000};
  auto job = KeyValues::Parse(std::string(kWs2003) + std::string(extra_job), "job");
  EXPECT_TRUE(WriteInstallation(inst, BuildRegistry(OsIdentity(*job), hw)).has_value());
  return inst;
}

std::string LoaderConfig(const Installation& inst) { return ReadFile(inst.boot_volume / "syslinux.cfg").value_or(""); }

TEST(GuestRemediationTest, AnHalUpdateMakesTheNextStartUseEveryProcessor) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  ASSERT_THAT(LoaderConfig(inst), HasSubstr(" nosmp"));
  auto report = Remediate(inst, {"update-hal"}, {"acpi-multiprocessor", "ide", {kE1000}, "vga"});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_THAT(report->applied, ElementsAre("update-hal"));
  EXPECT_THAT(report->changes, ElementsAre("update-hal: acpi-uniprocessor -> acpi-multiprocessor"));
  EXPECT_EQ(ReadRegistry(inst)->Get("hal"), "acpi-multiprocessor");
  EXPECT_THAT(LoaderConfig(inst), Not(HasSubstr("nosmp")));
  EXPECT_EQ(ReadFile(inst.system_volume / "WINDOWS/system32/hal.dll").value_or(""), "hal=acpi-multiprocessor\n");
}

TEST(GuestRemediationTest, AnHalUpdateOffersOnlyACompatibleHal) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  auto report = Remediate(inst, {"update-hal"}, {"mps-multiprocessor", "ide", {kE1000}, "vga"});
  ASSERT_TRUE(report.has_value());
  EXPECT_THAT(report->applied, ElementsAre("update-hal"));
  EXPECT_THAT(report->changes,
              ElementsAre("update-hal: unchanged: no HAL compatible with acpi-uniprocessor fits mps-multiprocessor"));
  EXPECT_EQ(ReadRegistry(inst)->Get("hal"), "acpi-uniprocessor");
}

TEST(GuestRemediationTest, AnInPlaceUpgradeStartsThePresentControllersDriverAtBoot) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  auto report = Remediate(inst, {"in-place-upgrade"}, {"acpi-multiprocessor", "sata", {kE1000}, "vga"});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  auto registry = ReadRegistry(inst).value();
  EXPECT_EQ(registry.Get("storage.boot_start"), "ide,sata");
  EXPECT_EQ(registry.Get("hal"), "acpi-multiprocessor");
  EXPECT_THAT(LoaderConfig(inst), HasSubstr("/C/WINDOWS/system32/drivers/sata.img"));
  // The rest of the installation is kept: its OS identity and its adapter's settings.
  EXPECT_EQ(registry.Get("os.version"), "windows-server-2003");
  EXPECT_EQ(registry.Get("nic.0.ip"), "10.0.0.10/24");
}

TEST(GuestRemediationTest, AnInPlaceUpgradeFindsTheInstallationBootIniNoLongerNames) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  ASSERT_TRUE(WriteFile(inst.boot_volume / "boot.ini", "systemroot=C:\\WIN2003\n").has_value());
  ASSERT_FALSE(ReadRegistry(inst).has_value());
  auto report = Remediate(inst, {"in-place-upgrade"}, {"acpi-uniprocessor", "ide", {kE1000}, "vga"});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(ReadBootIni(inst.boot_volume).value_or(""), "C:\\WINDOWS");
  EXPECT_TRUE(ReadRegistry(inst).has_value());
}

TEST(GuestRemediationTest, TheNicActionsLeaveNoConfigurationOrphaned) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  const std::vector<NetAdapter> present = {kRtl, kSecondE1000};
  ASSERT_EQ(EvaluateNics(*ReadRegistry(inst), present).orphaned, 1);
  auto report = Remediate(inst, {"remove-network-adapter", "reconfigure-hardware-bound-apps", "disable-extra-nics"},
                          {"acpi-uniprocessor", "ide", present, "vga"});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  // Re-bound before anything is removed: the address moves to the new adapter.
  EXPECT_THAT(report->applied,
              ElementsAre("reconfigure-hardware-bound-apps", "remove-network-adapter", "disable-extra-nics"));
  auto registry = ReadRegistry(inst).value();
  NicReport nics = EvaluateNics(registry, present);
  EXPECT_EQ(nics.orphaned, 0);
  EXPECT_EQ(nics.configured, 2);
  EXPECT_EQ(nics.unconfigured, 0);
  EXPECT_EQ(registry.Get("nic.0.model"), "rtl8139");
  EXPECT_EQ(registry.Get("nic.0.ip"), "10.0.0.10/24");
  EXPECT_EQ(registry.Get("nic.1.ip"), "10.0.0.11/24");
}

TEST(GuestRemediationTest, RemovingTheAdapterAloneDropsItsConfiguration) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  auto report = Remediate(inst, {"remove-network-adapter"}, {"acpi-uniprocessor", "ide", {kRtl}, "vga"});
  ASSERT_TRUE(report.has_value());
  EXPECT_THAT(report->changes, ElementsAre("remove-network-adapter: removed e1000@0000:00:03.0"));
  NicReport nics = EvaluateNics(*ReadRegistry(inst), {kRtl});
  EXPECT_EQ(nics.orphaned, 0);
  EXPECT_EQ(nics.unconfigured, 1);
}

TEST(GuestRemediationTest, WhatTheModelHasNothingOfIsSkippedNeverApplied) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide", "os.filter_drivers=av-filter\n");
  auto report = Remediate(inst, {"reinstall-office", "uninstall-filter-drivers", "verify-rpc-client-protocols",
                                 "reset-profiles-directory", "install-prerequisites"},
                          {"acpi-uniprocessor", "ide", {kE1000}, "vga"});
  ASSERT_TRUE(report.has_value());
  EXPECT_THAT(report->applied, ElementsAre("uninstall-filter-drivers"));
  EXPECT_THAT(report->skipped, ElementsAre("reset-profiles-directory", "install-prerequisites",
                                           "verify-rpc-client-protocols", "reinstall-office"));
  EXPECT_EQ(ReadRegistry(inst)->Get("os.filter_drivers"), "");
}

TEST(GuestRemediationTest, TheDisplayAdapterIsReinstalledForThePresentOne) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  ASSERT_TRUE(DisplaySettingsLost(*ReadRegistry(inst), "qxl"));
  auto report = Remediate(inst, {"remove-display-adapter"}, {"acpi-uniprocessor", "ide", {kE1000}, "qxl"});
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(DisplaySettingsLost(*ReadRegistry(inst), "qxl"));
}

TEST(GuestRemediationTest, AnInstallationThatCannotBeReadFailsTheRemediation) {
  TempRoot root;
  Installation inst = Install(root, "acpi-uniprocessor", "ide");
  ASSERT_TRUE(WriteFile(inst.boot_volume / "boot.ini", "systemroot=C:\\WIN2003\n").has_value());
  auto report = Remediate(inst, {"update-hal"}, {"acpi-multiprocessor", "ide", {kE1000}, "vga"});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().message, "cannot read the installation: C:\\WIN2003\\system32\\ntoskrnl.exe");
}

}  // namespace
}  // namespace restorelab::guest
