#include "images/guest/recovery.h"

#include <gtest/gtest.h>

#include "images/guest/backup.h"
#include "images/guest/boot_checks.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using testing::TempRoot;

KeyValues Job(std::string_view text) { return *KeyValues::Parse(text, "job"); }

/// An installed machine in `root`/<name>/{sys,boot}.
Installation Install(const TempRoot& root, std::string_view name, std::string_view job, std::string hal,
                     std::string bus = "ide") {
  Installation inst{root.path() / name / "sys", root.path() / name / "boot"};
  InstallHardware hw;
  hw.hal = std::move(hal);
  hw.storage_drivers = {std::move(bus)};
  hw.nics = {{"e1000", "0000:00:03.0", "52:54:00:00:00:01"}};
  EXPECT_TRUE(WriteInstallation(inst, BuildRegistry(OsIdentity(Job(job)), hw)).has_value());
  return inst;
}

constexpr std::string_view kWs2003 = "os.version=windows-server-2003\nos.edition=standard\nos.service_pack=1\n";

Backup SystemStateBackup(const TempRoot& root, const Installation& source) {
  std::filesystem::path volume = root.path() / "backup";
  auto registry = ReadRegistry(source);
  EXPECT_TRUE(registry.has_value());
  EXPECT_TRUE(CreateSystemStateBackup(source, *registry, volume, "t").has_value());
  auto backup = OpenBackup(volume);
  EXPECT_TRUE(backup.has_value()) << backup.error().message;
  return *backup;
}

TEST(GuestRecoveryTest, SystemStateRestoreReplacesTheConfiguration) {
  TempRoot root;
  Installation source = Install(root, "src", kWs2003, "acpi-uniprocessor");
  Installation dest = Install(root, "dst", kWs2003, "acpi-multiprocessor", "sata");
  Backup backup = SystemStateBackup(root, source);
  auto running = ReadRegistry(dest).value();
  EXPECT_EQ(SystemStateRefusal(backup.manifest, running), "");
  auto result = RestoreSystemState(backup, dest, running);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_TRUE(result->skipped.empty());
  auto restored = ReadRegistry(dest).value();
  EXPECT_EQ(restored.Get("hal"), "acpi-uniprocessor");
  EXPECT_EQ(restored.Get("storage.boot_start"), "ide");
  // The loader now loads the source's boot-start driver and one processor.
  std::string config = ReadFile(dest.boot_volume / "syslinux.cfg").value();
  EXPECT_NE(config.find("INITRD /C/WINDOWS/system32/base.img,/C/WINDOWS/system32/drivers/ide.img\n"), std::string::npos);
  EXPECT_NE(config.find(" nosmp"), std::string::npos);
}

TEST(GuestRecoveryTest, SystemStateRestoreRefusesAnotherVersionOrEdition) {
  TempRoot root;
  Installation source = Install(root, "src", kWs2003, "acpi-uniprocessor");
  Backup backup = SystemStateBackup(root, source);
  KeyValues running = Job("os.version=windows-server-2003\nos.edition=enterprise\n");
  EXPECT_EQ(SystemStateRefusal(backup.manifest, running),
            "the backup's OS edition is standard and this computer runs enterprise");
  running = Job("os.version=windows-xp\nos.edition=standard\n");
  EXPECT_EQ(SystemStateRefusal(backup.manifest, running),
            "the backup's OS version is windows-server-2003 and this computer runs windows-xp");
}

TEST(GuestRecoveryTest, SystemStateOntoAnotherSystemRootLeavesTheLoaderWithoutFiles) {
  TempRoot root;
  Installation source = Install(root, "src", kWs2003, "acpi-uniprocessor");
  Installation dest = Install(root, "dst", std::string(kWs2003) + "os.systemroot=C:\\WINNT\n", "acpi-uniprocessor");
  Backup backup = SystemStateBackup(root, source);
  ASSERT_TRUE(RestoreSystemState(backup, dest, ReadRegistry(dest).value()).has_value());
  auto registry = ReadRegistry(dest);
  ASSERT_FALSE(registry.has_value());
  EXPECT_EQ(registry.error().message, "C:\\WINDOWS\\system32\\ntoskrnl.exe");
  // The loader itself is sent to the source's systemroot (boot.ini came with
  // the system state), where the destination's boot volume has no kernel.
  std::string config = ReadFile(dest.boot_volume / "syslinux.cfg").value();
  EXPECT_NE(config.find("  LINUX /C/WINDOWS/system32/vmlinuz\n"), std::string::npos) << config;
}

TEST(GuestRecoveryTest, DirectoryDataGoesWhereTheDestinationKeepsIt) {
  TempRoot root;
  std::string dc = std::string(kWs2003) + "os.roles=domain-controller\n";
  Installation source = Install(root, "src", dc + "os.ad.database=C:\\NTDS\n", "acpi-uniprocessor");
  Installation dest = Install(root, "dst", dc, "acpi-uniprocessor");
  Backup backup = SystemStateBackup(root, source);
  auto result = RestoreSystemState(backup, dest, ReadRegistry(dest).value());
  ASSERT_TRUE(result.has_value());
  // The restored registry points at C:\NTDS; the data went to C:\WINDOWS\NTDS.
  EXPECT_EQ(ReadRegistry(dest)->Get("os.ad.database"), "C:\\NTDS");
  EXPECT_FALSE(std::filesystem::exists(dest.system_volume / "NTDS/ntds.dit"));
  EXPECT_TRUE(std::filesystem::exists(dest.system_volume / "WINDOWS/NTDS/ntds.dit"));
}

TEST(GuestRecoveryTest, ImageRestoreRefusesWhatWindowsReRefuses) {
  KeyValues manifest = Job("backup.kind=bmr\nsource.firmware=uefi\ndisk.size_bytes=1000\n");
  RestoreRequest bmr{"bmr", false, true};
  EXPECT_EQ(ImageRestoreRefusal(manifest, bmr, "uefi", 1000), "");
  EXPECT_EQ(ImageRestoreRefusal(manifest, bmr, "bios", 1000),
            "the image was taken on uefi firmware and this computer started with bios firmware");
  EXPECT_EQ(ImageRestoreRefusal(manifest, RestoreRequest{"bmr", false, false}, "uefi", 1000),
            "a bare-metal recovery must run offline (from Windows RE)");
  EXPECT_NE(ImageRestoreRefusal(manifest, bmr, "uefi", 999).find("smaller"), std::string::npos);
  EXPECT_EQ(ImageRestoreRefusal(Job("backup.kind=system-state\n"), bmr, "bios", 1000),
            "a system-state backup holds no volumes for a bmr restore");
  EXPECT_EQ(ImageRestoreRefusal(manifest, RestoreRequest{"full-server", false, false}, "uefi", 1000),
            "a bmr backup holds no volumes for a full-server restore");
}

TEST(GuestRecoveryTest, RestoreRequestDefaultsOfflineForBmrOnly) {
  EXPECT_TRUE(RestoreRequestFrom(Job("restore.kind=bmr\n")).offline);
  EXPECT_FALSE(RestoreRequestFrom(Job("restore.kind=full-server\n")).offline);
  EXPECT_TRUE(RestoreRequestFrom(Job("restore.kind=bmr\nrestore.asr=true\n")).asr);
}

TEST(GuestRecoveryTest, ImageBackupRestoresTheSameBytesAtTheSameOffsets) {
  TempRoot root;
  std::string disk(4 << 20, '\0');
  for (size_t i = 0; i < disk.size(); i += 4096) disk[i] = static_cast<char>(i / 4096);
  root.Write("source.img", disk);
  root.Write("target.img", std::string(4 << 20, '\0'));
  KeyValues registry = Job("firmware=bios\nhal=acpi-uniprocessor\nos.version=windows-xp\n");
  auto regions = ImageRegions(disk.size(), {{1 << 20, 2 << 20}});
  ASSERT_TRUE(CreateImageBackup(root.path() / "source.img", disk.size(), regions, {}, registry, "bmr",
                                root.path() / "backup", "t").has_value());
  auto backup = OpenBackup(root.path() / "backup");
  ASSERT_TRUE(backup.has_value()) << backup.error().message;
  EXPECT_EQ(backup->manifest.Get("source.firmware"), "bios");
  ASSERT_TRUE(RestoreImage(*backup, root.path() / "target.img").has_value());
  EXPECT_EQ(ReadFile(root.path() / "target.img").value(), disk);
}

// Only the chunks in use go into the image, as Windows Server Backup copies
// only used blocks; what the target held in the rest of a region is zeroed,
// so a file system's empty tables arrive empty.
TEST(GuestRecoveryTest, AnImageHoldsOnlyTheChunksInUseAndTheRestoreZeroesTheRest) {
  TempRoot root;
  constexpr size_t kMiB = 1 << 20;
  std::string disk(8 * kMiB, '\0');
  disk[0] = 'M';                                          // the MBR in the head
  std::fill_n(disk.begin() + 2 * kMiB, 100 << 10, 'a');   // data at the start of the partition
  std::fill_n(disk.begin() + 5 * kMiB + 7, 3, 'b');       // a few bytes in its middle
  root.Write("source.img", disk);
  root.Write("target.img", std::string(8 * kMiB, '\xAA'));
  KeyValues registry = Job("firmware=bios\nhal=acpi-uniprocessor\nos.version=windows-xp\n");
  ASSERT_TRUE(CreateImageBackup(root.path() / "source.img", disk.size(), ImageRegions(disk.size(), {{2 * kMiB, 5 * kMiB}}),
                                {}, registry, "bmr", root.path() / "backup", "t").has_value());
  const auto archive = fs::file_size(root.path() / "backup/WindowsImageBackup/backup.tar");
  EXPECT_LT(archive, 400u << 10) << "zero chunks were imaged";
  auto backup = OpenBackup(root.path() / "backup");
  ASSERT_TRUE(backup.has_value()) << backup.error().message;
  EXPECT_EQ(backup->manifest.GetInt("member.count", 0), 3);  // head chunk, partition start, the few bytes
  EXPECT_EQ(backup->manifest.Get("member.1.region"), "part1");
  ASSERT_TRUE(RestoreImage(*backup, root.path() / "target.img").has_value());
  const std::string target = ReadFile(root.path() / "target.img").value();
  // The regions (head, partition, tail) read as the source; the gap between
  // the head and the partition is no region and keeps what it held.
  EXPECT_EQ(target.substr(0, kMiB), disk.substr(0, kMiB));
  EXPECT_EQ(target.substr(2 * kMiB, 5 * kMiB), disk.substr(2 * kMiB, 5 * kMiB));
  EXPECT_EQ(target.substr(7 * kMiB), disk.substr(7 * kMiB));
  EXPECT_EQ(target.substr(kMiB, kMiB), std::string(kMiB, '\xAA'));
}

TEST(GuestRecoveryTest, TheGapsOfAnImageAreItsRegionsLessItsMembers) {
  KeyValues manifest = Job(
      "region.count=2\nregion.0.offset=0\nregion.0.size=100\nregion.1.offset=200\nregion.1.size=100\n"
      "member.count=3\nmember.0.disk_offset=10\nmember.0.size=20\nmember.1.disk_offset=200\nmember.1.size=100\n"
      "member.2.size=5\n");
  using Gaps = std::vector<std::pair<uint64_t, uint64_t>>;
  EXPECT_EQ(ImageGaps(manifest), (Gaps{{0, 10}, {30, 70}}));
}

/// Flips one byte of the last member of the backup on `volume`.
void TamperWithTheLastMember(const TempRoot& root, const fs::path& volume) {
  const fs::path tar = volume / "WindowsImageBackup/backup.tar";
  auto members = ListTar(tar);
  ASSERT_TRUE(members.has_value() && !members->empty());
  std::string bytes = ReadFile(tar).value();
  bytes[members->back().data_offset] ^= 1;
  root.Write(fs::relative(tar, root.path()), bytes);
}

// A damaged backup is refused before the restore writes anything: no file
// of the system state is half restored.
TEST(GuestRecoveryTest, ASystemStateRestoreChecksEveryFileBeforeItWritesOne) {
  TempRoot root;
  Installation source = Install(root, "src", kWs2003, "acpi-uniprocessor");
  Installation dest = Install(root, "dst", kWs2003, "acpi-multiprocessor", "sata");
  SystemStateBackup(root, source);
  TamperWithTheLastMember(root, root.path() / "backup");
  auto backup = OpenBackup(root.path() / "backup");
  ASSERT_TRUE(backup.has_value()) << backup.error().message;
  const std::string boot_ini = ReadFile(dest.boot_volume / "boot.ini").value();
  const KeyValues registry = ReadRegistry(dest).value();
  auto result = RestoreSystemState(*backup, dest, registry);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "member " + backup->members.back().name + " fails its checksum");
  EXPECT_EQ(ReadFile(dest.boot_volume / "boot.ini").value(), boot_ini);
  EXPECT_EQ(ReadRegistry(dest).value().Get("hal"), "acpi-multiprocessor");
}

TEST(GuestRecoveryTest, AnImageRestoreChecksEveryMemberBeforeItTouchesTheDisk) {
  TempRoot root;
  std::string disk(4 << 20, '\0');
  for (size_t i = 0; i < disk.size(); i += 4096) disk[i] = static_cast<char>(1 + i / 4096 % 200);
  root.Write("source.img", disk);
  const std::string before(4 << 20, '\xAA');
  root.Write("target.img", before);
  KeyValues registry = Job("firmware=bios\nhal=acpi-uniprocessor\nos.version=windows-xp\n");
  ASSERT_TRUE(CreateImageBackup(root.path() / "source.img", disk.size(), ImageRegions(disk.size(), {{1 << 20, 2 << 20}}),
                                {}, registry, "bmr", root.path() / "backup", "t").has_value());
  TamperWithTheLastMember(root, root.path() / "backup");
  auto backup = OpenBackup(root.path() / "backup");
  ASSERT_TRUE(backup.has_value()) << backup.error().message;
  auto restored = RestoreImage(*backup, root.path() / "target.img");
  ASSERT_FALSE(restored.has_value());
  EXPECT_NE(restored.error().message.find("fails its checksum"), std::string::npos) << restored.error().message;
  EXPECT_EQ(ReadFile(root.path() / "target.img").value(), before) << "nothing written, nothing zeroed";
}

// A full-server restore keeps the destination's boot.ini: the loader then
// looks below the destination's systemroot, with the source's drivers.
TEST(GuestRecoveryTest, AFullServerRestoreKeepsTheDestinationsBootIni) {
  TempRoot root;
  Installation restored = Install(root, "dst", kWs2003, "acpi-uniprocessor", "ide");
  ASSERT_TRUE(KeepBootIni(restored, "systemroot=C:\\WIN2003\n").has_value());
  EXPECT_EQ(ReadBootIni(restored.boot_volume).value(), "C:\\WIN2003");
  const std::string config = ReadFile(restored.boot_volume / "syslinux.cfg").value();
  EXPECT_NE(config.find("  LINUX /C/WIN2003/system32/vmlinuz\n"), std::string::npos) << config;
  EXPECT_NE(config.find("  INITRD /C/WIN2003/system32/base.img,/C/WIN2003/system32/drivers/ide.img\n"), std::string::npos)
      << config;
}

TEST(GuestRecoveryTest, AsrRedetectsHalAndStorageDriver) {
  TempRoot root;
  Installation restored = Install(root, "dst", kWs2003, "acpi-uniprocessor", "ide");
  ASSERT_TRUE(ApplyAsr(restored, "acpi-multiprocessor", "virtio").has_value());
  auto registry = ReadRegistry(restored).value();
  EXPECT_EQ(registry.Get("hal"), "acpi-multiprocessor");
  EXPECT_EQ(registry.Get("storage.boot_start"), "virtio");
  std::string config = ReadFile(restored.boot_volume / "syslinux.cfg").value();
  EXPECT_NE(config.find("INITRD /C/WINDOWS/system32/base.img,/C/WINDOWS/system32/drivers/virtio.img\n"), std::string::npos);
  EXPECT_EQ(config.find("nosmp"), std::string::npos);
}

}  // namespace
}  // namespace restorelab::guest
