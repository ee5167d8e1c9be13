// SHA-256 (FIPS 180-4), for the backup archive's checksums.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace restorelab::guest {

/// Incremental SHA-256: Update() any number of times, then HexDigest() once.
class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  /// Lower-case hex of the digest; finishes the hash (call once).
  std::string HexDigest();

 private:
  void Block(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_ = 0;
};

std::string Sha256Hex(std::string_view data);

}  // namespace restorelab::guest
