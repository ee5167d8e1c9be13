// A block-level image restored onto a larger disk: the partitions arrive as
// they were, the rest is unallocated, and a GPT's backup table moves to the
// end of the new disk (images/guest/gpt.h).
#include "images/guest/gpt.h"

#include <gtest/gtest.h>

#include <fstream>

#include "images/guest/backup.h"
#include "images/guest/recovery.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using testing::TempRoot;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kLba = 512;

uint64_t Field(const std::string& b, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

void SetField(std::string& b, size_t at, size_t width, uint64_t v) {
  for (size_t i = 0; i < width; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// The CRC a header must carry: over its 92 bytes with the CRC field zero.
uint32_t ExpectedHeaderCrc(std::string header) {
  SetField(header, 16, 4, 0);
  return Crc32(std::string_view(header).substr(0, 92));
}

/// A disk of `size` bytes laid out as sgdisk lays out make-disk.sh's UEFI
/// disk: protective MBR, header at LBA 1, 128 entries of 128 bytes at LBA
/// 2..33, one partition (1 MiB .. 2 MiB), the backup at the end.
std::string GptDisk(uint64_t size) {
  std::string disk(size, '\0');
  const uint64_t last = size / kLba - 1;
  std::string entries(128 * 128, '\0');
  entries.replace(0, 16, std::string(16, '\xAF'));  // type GUID
  entries.replace(16, 16, std::string(16, '\x52'));  // unique GUID
  SetField(entries, 32, 8, kMiB / kLba);
  SetField(entries, 40, 8, 2 * kMiB / kLba - 1);
  auto header = [&](uint64_t my, uint64_t alternate, uint64_t entries_lba) {
    std::string h(kLba, '\0');
    h.replace(0, 8, "EFI PART");
    SetField(h, 8, 4, 0x00010000);
    SetField(h, 12, 4, 92);
    SetField(h, 24, 8, my);
    SetField(h, 32, 8, alternate);
    SetField(h, 40, 8, 34);
    SetField(h, 48, 8, last - 33);
    h.replace(56, 16, std::string(16, '\x11'));
    SetField(h, 72, 8, entries_lba);
    SetField(h, 80, 4, 128);
    SetField(h, 84, 4, 128);
    SetField(h, 88, 4, Crc32(entries));
    SetField(h, 16, 4, ExpectedHeaderCrc(h));
    return h;
  };
  disk[510] = '\x55';
  disk[511] = '\xAA';
  disk.replace(kLba, kLba, header(1, last, 2));
  disk.replace(2 * kLba, entries.size(), entries);
  disk.replace((last - 32) * kLba, entries.size(), entries);
  disk.replace(last * kLba, kLba, header(last, 1, last - 32));
  for (uint64_t i = kMiB; i < 2 * kMiB; i += 4096) disk[i] = 'P';  // the partition's contents
  return disk;
}

std::string Read(const std::filesystem::path& p) { return ReadFile(p).value(); }

TEST(GuestGptTest, Crc32IsTheIeeeCrc) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926U);
  EXPECT_EQ(Crc32(""), 0U);
}

TEST(GuestGptTest, ABlockImageRestoredOntoALargerDiskKeepsThePartitionsAndMovesTheBackupTable) {
  TempRoot root;
  const std::string source = GptDisk(4 * kMiB);
  root.Write("source.img", source);
  root.Write("target.img", std::string(8 * kMiB, '\0'));
  KeyValues registry = *KeyValues::Parse("firmware=uefi\nos.version=windows-server-2012\n", "r");
  ASSERT_TRUE(CreateImageBackup(root.path() / "source.img", source.size(),
                                ImageRegions(source.size(), {{kMiB, kMiB}}), {}, registry, "full-server",
                                root.path() / "backup", "t").has_value());
  auto backup = OpenBackup(root.path() / "backup");
  ASSERT_TRUE(backup.has_value()) << backup.error().message;
  ASSERT_TRUE(RestoreImage(*backup, root.path() / "target.img").has_value());

  auto fit = FitGptToDisk(root.path() / "target.img", 8 * kMiB);
  ASSERT_TRUE(fit.has_value()) << fit.error().message;
  EXPECT_EQ(*fit, GptFit::kMoved);

  const std::string target = Read(root.path() / "target.img");
  ASSERT_EQ(target.size(), 8 * kMiB);
  const uint64_t last = 8 * kMiB / kLba - 1;
  // Boot sector, entries and the partition: block for block.
  EXPECT_EQ(target.substr(0, kLba), source.substr(0, kLba));
  EXPECT_EQ(target.substr(2 * kLba, kMiB - 2 * kLba), source.substr(2 * kLba, kMiB - 2 * kLba));
  EXPECT_EQ(target.substr(kMiB, kMiB), source.substr(kMiB, kMiB));
  // The primary header now names the backup at the disk's end and lets the
  // usable area reach it; nothing else of it changed.
  const std::string primary = target.substr(kLba, kLba);
  EXPECT_EQ(Field(primary, 32, 8), last);
  EXPECT_EQ(Field(primary, 48, 8), last - 33);
  EXPECT_EQ(Field(primary, 16, 4), ExpectedHeaderCrc(primary));
  EXPECT_EQ(primary.substr(56, 16), source.substr(kLba + 56, 16));  // disk GUID
  // The backup: entries right before the last block, the header in it.
  const std::string backup_header = target.substr(last * kLba, kLba);
  EXPECT_EQ(backup_header.substr(0, 8), "EFI PART");
  EXPECT_EQ(Field(backup_header, 24, 8), last);
  EXPECT_EQ(Field(backup_header, 32, 8), 1u);
  EXPECT_EQ(Field(backup_header, 72, 8), last - 32);
  EXPECT_EQ(Field(backup_header, 48, 8), last - 33);
  EXPECT_EQ(Field(backup_header, 16, 4), ExpectedHeaderCrc(backup_header));
  EXPECT_EQ(target.substr((last - 32) * kLba, 128 * 128), source.substr(2 * kLba, 128 * 128));
  // Run again: it fits now.
  EXPECT_EQ(FitGptToDisk(root.path() / "target.img", 8 * kMiB).value(), GptFit::kAlreadyFits);
}

TEST(GuestGptTest, AnMbrDiskIsLeftAsItIs) {
  TempRoot root;
  std::string disk(2 * kMiB, '\0');
  disk[446] = '\x80';  // an active partition entry
  disk[510] = '\x55';
  disk[511] = '\xAA';
  root.Write("mbr.img", disk);
  EXPECT_EQ(FitGptToDisk(root.path() / "mbr.img", 4 * kMiB).value(), GptFit::kNotGpt);
  EXPECT_EQ(Read(root.path() / "mbr.img"), disk);
}

TEST(GuestGptTest, RefusesATableOfALargerDiskAndABrokenHeader) {
  TempRoot root;
  root.Write("gpt.img", GptDisk(4 * kMiB));
  auto smaller = FitGptToDisk(root.path() / "gpt.img", 2 * kMiB);
  ASSERT_FALSE(smaller.has_value());
  EXPECT_EQ(smaller.error().message, (root.path() / "gpt.img").string() +
                                         ": the GPT describes a disk of 4194304 bytes, larger than this one "
                                         "(2097152 bytes)");
  std::string broken = GptDisk(4 * kMiB);
  broken[kLba + 40] ^= 1;  // FirstUsableLBA, without a new CRC
  root.Write("broken.img", broken);
  auto bad = FitGptToDisk(root.path() / "broken.img", 8 * kMiB);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, (root.path() / "broken.img").string() + ": the primary GPT header fails its CRC");
}

}  // namespace
}  // namespace restorelab::guest
