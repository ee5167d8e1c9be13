#include "images/guest/installation.h"

#include <gtest/gtest.h>

#include "images/guest/boot_config.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using testing::TempRoot;

KeyValues Job(std::string_view text) { return *KeyValues::Parse(text, "job"); }

InstallHardware IdeMachine(std::string hal) {
  InstallHardware hw;
  hw.firmware = "bios";
  hw.hal = std::move(hal);
  hw.storage_drivers = {"ide"};
  hw.nics = {{"e1000", "0000:00:03.0", "52:54:00:00:00:01"}};
  return hw;
}

TEST(GuestInstallationTest, MapsWindowsPathsOnTheVolumeDrive) {
  EXPECT_EQ(MapWindowsPath("C:\\WINDOWS\\NTDS", "C:").value(), std::filesystem::path("WINDOWS/NTDS"));
  EXPECT_EQ(MapWindowsPath("c:\\winnt", "C:").value(), std::filesystem::path("winnt"));
  EXPECT_FALSE(MapWindowsPath("D:\\NTDS", "C:").has_value());
  EXPECT_FALSE(MapWindowsPath("NTDS", "C:").has_value());
}

TEST(GuestInstallationTest, FillsTheScenarioDefaults) {
  KeyValues os = OsIdentity(Job("os.version=windows-2000\nos.edition=server\n"));
  EXPECT_EQ(os.Get("os.systemroot"), "C:\\WINNT");
  EXPECT_EQ(os.Get("os.systemdrive"), "C:");
  EXPECT_EQ(os.Get("os.ad.database"), "C:\\WINNT\\NTDS");
  EXPECT_EQ(os.Get("os.ad.frs_logs"), "C:\\WINNT\\ntfrs\\jet\\log");
}

TEST(GuestInstallationTest, WritesAnInstallationTheLoaderCanRead) {
  TempRoot root;
  Installation inst{root.path() / "sys", root.path() / "boot"};
  KeyValues registry = BuildRegistry(OsIdentity(Job("os.version=windows-xp\nos.edition=professional\n")),
                                     IdeMachine("acpi-uniprocessor"));
  ASSERT_TRUE(WriteInstallation(inst, registry).has_value());
  auto read = ReadRegistry(inst);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->Get("hal"), "acpi-uniprocessor");
  EXPECT_EQ(read->Get("storage.boot_start"), "ide");
  EXPECT_EQ(read->Get("nic.0.slot"), "0000:00:03.0");
  EXPECT_EQ(ReadFile(inst.boot_volume / "syslinux.cfg").value(),
            "DEFAULT restorelab\nPROMPT 0\nTIMEOUT 0\nLABEL restorelab\n"
            "  LINUX /C/WINDOWS/system32/vmlinuz\n"
            "  INITRD /C/WINDOWS/system32/base.img,/C/WINDOWS/system32/drivers/ide.img\n"
            "  APPEND console=ttyS0,115200 quiet loglevel=0 rl.disk=system nosmp\n");
}

TEST(GuestInstallationTest, ReadsPathsWithoutRegardToCase) {
  TempRoot root;
  Installation inst{root.path() / "sys", root.path() / "boot"};
  KeyValues registry = BuildRegistry(OsIdentity(Job("os.version=windows-xp\n")), IdeMachine("acpi-pc"));
  ASSERT_TRUE(WriteInstallation(inst, registry).has_value());
  root.Write("boot/boot.ini", "systemroot=c:\\windows\n");
  EXPECT_TRUE(ReadRegistry(inst).has_value());
}

TEST(GuestInstallationTest, AnotherSystemRootNamesTheMissingFile) {
  TempRoot root;
  Installation inst{root.path() / "sys", root.path() / "boot"};
  KeyValues registry = BuildRegistry(OsIdentity(Job("os.version=windows-2000\n")), IdeMachine("acpi-pc"));
  ASSERT_TRUE(WriteInstallation(inst, registry).has_value());
  root.Write("boot/boot.ini", "systemroot=C:\\WINDOWS\n");
  auto read = ReadRegistry(inst);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().message, "C:\\WINDOWS\\system32\\ntoskrnl.exe");
  root.Write("boot/boot.ini", "systemroot=D:\\WINNT\n");
  EXPECT_EQ(ReadRegistry(inst).error().message, "D:\\WINNT\\system32\\ntoskrnl.exe");
}

TEST(GuestInstallationTest, VistaAndLaterNeverGetNosmp) {
  KeyValues registry = BuildRegistry(OsIdentity(Job("os.version=windows-7\n")), IdeMachine("acpi-uniprocessor"));
  EXPECT_FALSE(BootConfigFor(registry).uniprocessor);
}

TEST(GuestBootConfigTest, RendersSystemdBootEntriesForUefi) {
  BootConfig config;
  config.firmware = "uefi";
  config.drivers = {"virtio", "sata", "bogus"};
  auto files = RenderBootConfig(config);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "loader/loader.conf");
  EXPECT_EQ(files[1].content,
            "title restorelab\nlinux /C/WINDOWS/system32/vmlinuz\ninitrd /C/WINDOWS/system32/base.img\n"
            "initrd /C/WINDOWS/system32/drivers/sata.img\ninitrd /C/WINDOWS/system32/drivers/virtio.img\n"
            "options console=ttyS0,115200 quiet loglevel=0 rl.disk=system\n");
}

TEST(GuestBootConfigTest, TheLoaderFolderIsTheSystemrootsSystem32BelowItsDrive) {
  EXPECT_EQ(LoaderFolder("C:\\WINDOWS"), "/C/WINDOWS/system32");
  EXPECT_EQ(LoaderFolder("d:\\WINNT"), "/D/WINNT/system32");
  EXPECT_EQ(LoaderFolder("C:\\Windows\\Server\\"), "/C/Windows/Server/system32");
  EXPECT_EQ(LoaderFolder("C:\\"), "/C/system32");
  EXPECT_EQ(LoaderFolder("\\WINDOWS"), "/WINDOWS/system32");
}

// Setup put the loader's files below C:\WINDOWS; an installation under
// another systemroot has them moved there, and its loader names them there.
TEST(GuestInstallationTest, InstallMovesTheLoaderFilesBelowItsSystemroot) {
  TempRoot root;
  root.Write("boot/C/WINDOWS/system32/vmlinuz", "kernel");
  root.Write("boot/C/WINDOWS/system32/drivers/ide.img", "ide");
  Installation inst{root.path() / "sys", root.path() / "boot"};
  KeyValues registry = BuildRegistry(OsIdentity(Job("os.version=windows-2000\n")), IdeMachine("acpi-pc"));
  ASSERT_TRUE(WriteInstallation(inst, registry).has_value());
  EXPECT_EQ(ReadFile(inst.boot_volume / "C/WINNT/system32/vmlinuz").value_or(""), "kernel");
  EXPECT_EQ(ReadFile(inst.boot_volume / "C/WINNT/system32/drivers/ide.img").value_or(""), "ide");
  EXPECT_FALSE(std::filesystem::exists(inst.boot_volume / "C/WINDOWS"));
  const std::string config = ReadFile(inst.boot_volume / "syslinux.cfg").value();
  EXPECT_NE(config.find("  LINUX /C/WINNT/system32/vmlinuz\n"), std::string::npos) << config;
  // Installing again under the same systemroot (any case) moves nothing.
  ASSERT_TRUE(MoveLoaderFiles(inst.boot_volume, "c:\\winnt").has_value());
  EXPECT_TRUE(std::filesystem::exists(inst.boot_volume / "C/WINNT/system32/vmlinuz"));
}

}  // namespace
}  // namespace restorelab::guest
