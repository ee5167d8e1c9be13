#include "images/guest/hardware.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using testing::AddPci;
using testing::TempRoot;

TEST(GuestHardwareTest, CountsCpuLists) {
  EXPECT_EQ(CountCpuList("0"), 1);
  EXPECT_EQ(CountCpuList("0-3"), 4);
  EXPECT_EQ(CountCpuList("0-3,6"), 5);
  EXPECT_EQ(CountCpuList("x"), 0);
}

TEST(GuestHardwareTest, EnablesDisabledPiixIdeChannelsOnly) {
  TempRoot root;
  auto config_with = [&](std::string_view address, std::string_view device, unsigned char primary,
                         unsigned char secondary) {
    const auto dir = std::filesystem::relative(AddPci(root, address, "0x8086", device, "0x010180"), root.path());
    std::string config(256, '\0');
    config[0x41] = static_cast<char>(primary);
    config[0x43] = static_cast<char>(secondary);
    root.Write(dir / "config", config);
    return root.path() / dir / "config";
  };
  const auto off = config_with("0000:00:01.1", "0x7010", 0x00, 0x00);   // as OVMF leaves it
  const auto on = config_with("0000:00:02.1", "0x7010", 0x80, 0x80);    // as SeaBIOS leaves it
  AddPci(root, "0000:00:04.0", "0x8086", "0x2922", "0x010601");         // AHCI: needs nothing
  EXPECT_EQ(EnableIdeChannels(root.path()), std::vector<std::string>{"0000:00:01.1"});
  auto byte = [](const std::filesystem::path& file, std::streamoff at) {
    std::ifstream in(file, std::ios::binary);
    in.seekg(at);
    return static_cast<unsigned char>(in.get());
  };
  EXPECT_EQ(byte(off, 0x41), 0x80);
  EXPECT_EQ(byte(off, 0x43), 0x80);
  EXPECT_EQ(byte(off, 0x40), 0x00);
  EXPECT_EQ(std::filesystem::file_size(off), 256u);
  EXPECT_EQ(byte(on, 0x41), 0x80);
  EXPECT_TRUE(EnableIdeChannels(root.path()).empty());  // nothing left to do
}

TEST(GuestHardwareTest, FindsNicsByModelSlotAndMac) {
  TempRoot root;
  std::filesystem::path e1000 = AddPci(root, "0000:00:03.0", "0x8086", "0x100e", "0x020000", "e1000");
  root.Write(std::filesystem::relative(e1000, root.path()) / "net/eth0/address", "52:54:00:00:00:01\n");
  AddPci(root, "0000:00:04.0", "0x10ec", "0x8139", "0x020000");
  AddPci(root, "0000:00:02.0", "0x1234", "0x1111", "0x030000");
  auto nics = ScanNetAdapters(root.path());
  ASSERT_EQ(nics.size(), 2u);
  EXPECT_EQ(nics[0].model, "e1000");
  EXPECT_EQ(nics[0].pci_slot, "0000:00:03.0");
  EXPECT_EQ(nics[0].mac, "52:54:00:00:00:01");
  EXPECT_EQ(nics[1].model, "rtl8139");
  EXPECT_EQ(nics[1].mac, "");
  EXPECT_EQ(ScanDisplay(root.path()), "vga");
}

TEST(GuestHardwareTest, FindsTheVirtioNetMacBelowItsVirtioDevice) {
  TempRoot root;
  std::filesystem::path dir = AddPci(root, "0000:00:03.0", "0x1af4", "0x1000", "0x020000", "virtio-pci");
  root.Write(std::filesystem::relative(dir, root.path()) / "virtio0/net/eth0/address", "52:54:00:00:00:09\n");
  auto nics = ScanNetAdapters(root.path());
  ASSERT_EQ(nics.size(), 1u);
  EXPECT_EQ(nics[0].model, "virtio");
  EXPECT_EQ(nics[0].mac, "52:54:00:00:00:09");
}

TEST(GuestHardwareTest, ReadsAcpiApicAndProcessors) {
  TempRoot root;
  root.Write("sys/firmware/acpi/tables/FACP", "x");
  root.Write("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu apic sse\n");
  root.Write("sys/devices/system/cpu/present", "0-1\n");
  root.Write("sys/devices/system/cpu/online", "0\n");
  PlatformFacts facts = ScanPlatform(root.path());
  EXPECT_TRUE(facts.acpi);
  EXPECT_TRUE(facts.apic);
  EXPECT_EQ(facts.processors, 2);
  EXPECT_EQ(CpusOnline(root.path()), 1);
  EXPECT_EQ(ScanFirmware(root.path()), "bios");
}

TEST(GuestHardwareTest, CountsProcessorsHiddenByNosmpFromTheMadt) {
  TempRoot root;
  std::string madt(44, '\0');
  for (int cpu = 0; cpu < 4; ++cpu) madt += std::string{'\0', '\x08', static_cast<char>(cpu), static_cast<char>(cpu), '\x01', '\0', '\0', '\0'};
  madt += std::string{'\0', '\x08', '\x04', '\x04', '\0', '\0', '\0', '\0'};  // disabled
  root.Write("sys/firmware/acpi/tables/APIC", madt);
  root.Write("sys/devices/system/cpu/present", "0\n");
  EXPECT_EQ(ScanPlatform(root.path()).processors, 4);
}

TEST(GuestHardwareTest, NoAcpiTablesMeansNoAcpi) {
  TempRoot root;
  root.Write("proc/cpuinfo", "flags\t: fpu sse\n");
  PlatformFacts facts = ScanPlatform(root.path());
  EXPECT_FALSE(facts.acpi);
  EXPECT_FALSE(facts.apic);
  EXPECT_EQ(facts.processors, 1);
}

TEST(GuestHardwareTest, UefiFirmwareFromSysFirmwareEfi) {
  TempRoot root;
  root.Write("sys/firmware/efi/systab", "x");
  EXPECT_EQ(ScanFirmware(root.path()), "uefi");
}

}  // namespace
}  // namespace restorelab::guest
