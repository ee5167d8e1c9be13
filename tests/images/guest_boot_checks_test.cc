#include "images/guest/boot_checks.h"

#include <gtest/gtest.h>

namespace restorelab::guest {
namespace {

KeyValues Registry(std::string_view text) { return *KeyValues::Parse(text, "registry"); }

BootFacts Booted(std::string_view registry, std::string machine_hal) {
  BootFacts facts;
  facts.system_volume_found = true;
  facts.disk_bus = "ide";
  facts.registry = Registry(registry);
  // The harness gives a machine ACPI tables exactly when its HAL has ACPI.
  facts.firmware_acpi = machine_hal.starts_with("acpi-");
  facts.machine_hal = std::move(machine_hal);
  facts.cpus_online = 1;
  facts.cpus_present = 1;
  facts.nics = {{"e1000", "0000:00:03.0", "52:54:00:00:00:01"}};
  facts.display = "vga";
  return facts;
}

constexpr std::string_view kWs2003Up =
    "os.version=windows-server-2003\nhal=acpi-uniprocessor\nnic.count=1\nnic.0.model=e1000\n"
    "nic.0.slot=0000:00:03.0\nnic.0.mac=52:54:00:00:00:01\ndisplay.model=vga\n";

TEST(GuestBootChecksTest, UnreachableSystemDiskIsStop7B) {
  BootFacts facts;
  facts.drivers_loaded = {"ide"};
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "stop-0x7b");
  EXPECT_EQ(StopText(result), "*** STOP: 0x0000007B (INACCESSIBLE_BOOT_DEVICE)");
}

TEST(GuestBootChecksTest, MissingSystemFileIsBootFileMissing) {
  BootFacts facts = Booted(kWs2003Up, "acpi-uniprocessor");
  facts.registry = Fail("C:\\WINNT\\system32\\ntoskrnl.exe");
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "boot-file-missing");
  EXPECT_EQ(result.detail, "C:\\WINNT\\system32\\ntoskrnl.exe");
}

TEST(GuestBootChecksTest, SameHardwareBoots) {
  BootResult result = DecideBoot(Booted(kWs2003Up, "acpi-uniprocessor"));
  EXPECT_EQ(result.outcome, "boots");
  EXPECT_EQ(result.hal_check, "identical");
  EXPECT_EQ(result.nics.configured, 1);
}

TEST(GuestBootChecksTest, UniprocessorHalOnMoreCpusIsDegraded) {
  BootFacts facts = Booted(kWs2003Up, "acpi-multiprocessor");
  facts.cpus_present = 4;
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "boots-degraded");
  EXPECT_EQ(result.degraded, std::vector<std::string>{"uniprocessor-hal"});
}

TEST(GuestBootChecksTest, AcpiHalOnFirmwareWithoutAcpiIsStopA5) {
  BootResult result = DecideBoot(Booted(kWs2003Up, "mps-uniprocessor"));
  EXPECT_EQ(result.outcome, "stop-0xa5");
  EXPECT_EQ(result.stop_code, "0x000000A5");
}

TEST(GuestBootChecksTest, MpsHalOnAcpiFirmwareHangs) {
  BootFacts facts = Booted("os.version=windows-2000\nhal=mps-multiprocessor\n", "acpi-multiprocessor");
  EXPECT_EQ(DecideBoot(facts).outcome, "hang");
}

TEST(GuestBootChecksTest, TheFirmwaresTablesNotTheDeclaredHalDecideBetweenA5AndAHang) {
  BootFacts no_tables = Booted(kWs2003Up, "acpi-multiprocessor");
  no_tables.firmware_acpi = false;
  BootResult a5 = DecideBoot(no_tables);
  EXPECT_EQ(a5.outcome, "stop-0xa5");
  EXPECT_EQ(a5.detail, "installed acpi-uniprocessor, machine acpi-multiprocessor, firmware ACPI tables none");

  BootFacts tables = Booted("os.version=windows-2000\nhal=mps-uniprocessor\n", "mps-multiprocessor");
  tables.firmware_acpi = true;
  EXPECT_EQ(DecideBoot(tables).outcome, "hang");

  // The names differ in ACPI, the firmware agrees with the installed HAL.
  BootFacts agrees = Booted(kWs2003Up, "mps-uniprocessor");
  agrees.firmware_acpi = true;
  EXPECT_EQ(DecideBoot(agrees).outcome, "stop-0x79");
}

TEST(GuestBootChecksTest, AcpiPcOnAcpiUniprocessorIsStop79) {
  BootFacts facts = Booted("os.version=windows-xp\nhal=acpi-pc\n", "acpi-uniprocessor");
  EXPECT_EQ(DecideBoot(facts).outcome, "stop-0x79");
}

TEST(GuestBootChecksTest, VistaAndLaterIgnoreTheHalRules) {
  BootFacts facts = Booted("os.version=windows-7\nhal=acpi-x64\n", "mps-uniprocessor");
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "boots");
  EXPECT_EQ(result.hal_check, "not-applicable");
}

TEST(GuestBootChecksTest, MissingDirectoryDataIsRoleFails) {
  BootFacts facts = Booted(kWs2003Up, "acpi-uniprocessor");
  facts.missing_ad_files = {"D:\\NTDS\\ntds.dit"};
  EXPECT_EQ(DecideBoot(facts).outcome, "role-fails");
}

TEST(GuestBootChecksTest, AnotherNicModelOrphansTheConfiguration) {
  BootFacts facts = Booted(kWs2003Up, "acpi-uniprocessor");
  facts.nics = {{"rtl8139", "0000:00:03.0", "52:54:00:00:00:01"}};
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "boots-degraded");
  EXPECT_EQ(result.nics.orphaned, 1);
  EXPECT_EQ(result.nics.unconfigured, 1);
  EXPECT_EQ(result.nics.orphaned_bindings, std::vector<std::string>{"e1000@0000:00:03.0"});
}

// restore-rules.md, outcome 6: the NIC count differs. The restored
// configuration has no entry for the added adapter, which comes up
// unconfigured.
TEST(GuestBootChecksTest, AnAddedAdapterTheConfigurationLacksIsDegraded) {
  BootFacts facts = Booted(kWs2003Up, "acpi-uniprocessor");
  facts.nics.push_back({"e1000", "0000:00:04.0", "52:54:00:00:00:02"});
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "boots-degraded");
  EXPECT_EQ(result.nics.orphaned, 0);
  EXPECT_EQ(result.nics.unconfigured, 1);
  EXPECT_EQ(result.degraded, std::vector<std::string>{"nic-unconfigured"});
  // A source without any adapter configured nothing: a new one is not a loss.
  BootFacts bare = Booted("os.version=windows-server-2003\nhal=acpi-uniprocessor\ndisplay.model=vga\n",
                          "acpi-uniprocessor");
  EXPECT_EQ(DecideBoot(bare).outcome, "boots");
}

TEST(GuestBootChecksTest, LostDisplaySettingsAreDegraded) {
  BootFacts facts = Booted(kWs2003Up, "acpi-uniprocessor");
  facts.display = "cirrus";
  BootResult result = DecideBoot(facts);
  EXPECT_EQ(result.outcome, "boots-degraded");
  EXPECT_TRUE(result.display_settings_lost);
}

}  // namespace
}  // namespace restorelab::guest
