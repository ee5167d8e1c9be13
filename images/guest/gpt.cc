#include "images/guest/gpt.h"

#include <array>
#include <cstring>
#include <fstream>
#include <string>

namespace restorelab::guest {
namespace {

constexpr uint64_t kBlock = 512;
constexpr std::string_view kSignature = "EFI PART";

// Header fields (UEFI spec table "GPT Header"), byte offsets.
constexpr size_t kHeaderSizeAt = 12;
constexpr size_t kHeaderCrcAt = 16;
constexpr size_t kMyLbaAt = 24;
constexpr size_t kAlternateLbaAt = 32;
constexpr size_t kLastUsableAt = 48;
constexpr size_t kEntriesLbaAt = 72;
constexpr size_t kEntryCountAt = 80;
constexpr size_t kEntrySizeAt = 84;
constexpr size_t kEntriesCrcAt = 88;

uint64_t Get(const std::string& b, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

void Put(std::string& b, size_t at, size_t width, uint64_t v) {
  for (size_t i = 0; i < width; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// The header's CRC over its first HeaderSize bytes with the CRC field zero.
uint32_t HeaderCrc(std::string header) {
  Put(header, kHeaderCrcAt, 4, 0);
  return Crc32(std::string_view(header).substr(0, Get(header, kHeaderSizeAt, 4)));
}

Result<std::string> ReadAt(std::fstream& disk, uint64_t offset, uint64_t size, const fs::path& device) {
  std::string bytes(size, '\0');
  disk.seekg(static_cast<std::streamoff>(offset));
  if (!disk.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return Fail("cannot read " + std::to_string(size) + " bytes at " + std::to_string(offset) + " of " + device.string());
  }
  return bytes;
}

Status WriteAt(std::fstream& disk, uint64_t offset, const std::string& bytes, const fs::path& device) {
  disk.seekp(static_cast<std::streamoff>(offset));
  if (!disk.write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
    return Fail("cannot write " + std::to_string(bytes.size()) + " bytes at " + std::to_string(offset) + " of " +
                device.string());
  }
  return {};
}

}  // namespace

uint32_t Crc32(std::string_view bytes) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFU;
  for (char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFU;
}

Result<GptFit> FitGptToDisk(const fs::path& device, uint64_t disk_size) {
  std::fstream disk(device, std::ios::binary | std::ios::in | std::ios::out);
  if (!disk) return Fail("cannot open " + device.string() + " for writing");
  auto primary = ReadAt(disk, kBlock, kBlock, device);
  if (!primary) return std::unexpected(primary.error());
  if (primary->compare(0, kSignature.size(), kSignature) != 0) return GptFit::kNotGpt;
  const uint64_t header_size = Get(*primary, kHeaderSizeAt, 4);
  if (header_size < 92 || header_size > kBlock || HeaderCrc(*primary) != Get(*primary, kHeaderCrcAt, 4)) {
    return Fail(device.string() + ": the primary GPT header fails its CRC");
  }
  const uint64_t last = disk_size / kBlock - 1;
  const uint64_t alternate = Get(*primary, kAlternateLbaAt, 8);
  if (alternate > last) {
    return Fail(device.string() + ": the GPT describes a disk of " + std::to_string((alternate + 1) * kBlock) +
                " bytes, larger than this one (" + std::to_string(disk_size) + " bytes)");
  }
  if (alternate == last) return GptFit::kAlreadyFits;
  const uint64_t entries_bytes = Get(*primary, kEntryCountAt, 4) * Get(*primary, kEntrySizeAt, 4);
  const uint64_t entries_blocks = (entries_bytes + kBlock - 1) / kBlock;
  auto entries = ReadAt(disk, Get(*primary, kEntriesLbaAt, 8) * kBlock, entries_blocks * kBlock, device);
  if (!entries) return std::unexpected(entries.error());
  if (Crc32(std::string_view(*entries).substr(0, entries_bytes)) != Get(*primary, kEntriesCrcAt, 4)) {
    return Fail(device.string() + ": the GPT partition entries fail their CRC");
  }
  // Backup: entries right before the last block, the header in it.
  const uint64_t backup_entries = last - entries_blocks;
  Put(*primary, kAlternateLbaAt, 8, last);
  Put(*primary, kLastUsableAt, 8, backup_entries - 1);
  std::string backup = *primary;
  Put(backup, kMyLbaAt, 8, last);
  Put(backup, kAlternateLbaAt, 8, 1);
  Put(backup, kEntriesLbaAt, 8, backup_entries);
  Put(*primary, kHeaderCrcAt, 4, HeaderCrc(*primary));
  Put(backup, kHeaderCrcAt, 4, HeaderCrc(backup));
  // The backup first: until the primary points at it, a reader still finds
  // the old (valid) pair.
  if (auto s = WriteAt(disk, backup_entries * kBlock, *entries, device); !s) return std::unexpected(s.error());
  if (auto s = WriteAt(disk, last * kBlock, backup, device); !s) return std::unexpected(s.error());
  if (auto s = WriteAt(disk, kBlock, *primary, device); !s) return std::unexpected(s.error());
  disk.flush();
  if (!disk) return Fail("cannot write " + device.string());
  return GptFit::kMoved;
}

}  // namespace restorelab::guest
