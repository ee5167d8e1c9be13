// The GUID partition table of a restored disk image (UEFI specification,
// "GUID Partition Table (GPT) Disk Layout"). A block-level image restore
// writes the source disk's bytes at their offsets, so on a larger target the
// primary table still describes the source's disk: its backup copy sits where
// the source disk ended and its last usable block is the source's. Windows'
// image restore (like `sgdisk -e`) moves the backup table to the end of the
// target and lets the usable area grow to it: the partitions stay as they
// were and the extra space is unallocated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "images/guest/result.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

/// CRC-32 as the GPT headers and entry arrays use it (IEEE 802.3,
/// reflected, initial value and final XOR 0xFFFFFFFF).
uint32_t Crc32(std::string_view bytes);

/// What FitGptToDisk did.
enum class GptFit : std::uint8_t {
  kNotGpt,      ///< no "EFI PART" header at LBA 1 (an MBR disk): nothing to do
  kAlreadyFits, ///< the backup header is already the disk's last block
  kMoved,       ///< the backup table was written at the disk's end
};

/// On a disk of `disk_size` bytes (512-byte blocks) whose primary GPT
/// header is valid: writes the backup entry array and header at the end of
/// the disk and points the primary header at them (AlternateLBA,
/// LastUsableLBA), with both CRCs recomputed. Fails on a primary header whose
/// CRC is wrong or that describes a disk larger than this one (an image
/// restore refuses a smaller target before it writes anything), and on I/O
/// errors, naming the device.
Result<GptFit> FitGptToDisk(const fs::path& device, uint64_t disk_size);

}  // namespace restorelab::guest
