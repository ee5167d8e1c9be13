// A POSIX ustar archive, written and read by streaming so that volume images
// of many megabytes never sit in memory. Every member's SHA-256 is computed
// while it is written; a reader hashes a member once, before it uses it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "images/guest/result.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

struct TarMember {
  std::string name;
  uint64_t size = 0;
  uint64_t data_offset = 0;  ///< where the member's bytes start in the archive
};

/// Writes an archive. Member names are at most 99 bytes (ustar name field).
class TarWriter {
 public:
  /// Creates (truncates) `file`.
  static Result<TarWriter> Create(const fs::path& file);

  /// Adds a member holding `content`; returns its SHA-256 (hex).
  Result<std::string> AddBytes(const std::string& name, std::string_view content);
  /// Adds `size` bytes read from `in`; fails if `in` ends early.
  Result<std::string> AddStream(const std::string& name, std::istream& in, uint64_t size);
  /// Writes the two zero end blocks and closes the file; the writer is
  /// unusable after.
  Status Finish();

 private:
  explicit TarWriter(const fs::path& file);
  Status WriteHeader(const std::string& name, uint64_t size);
  /// Writes `size` bytes.
  bool Put(const char* data, size_t size);
  fs::path file_;
  std::ofstream out_;
};

/// Lists the regular-file members of `file`.
Result<std::vector<TarMember>> ListTar(const fs::path& file);

/// Copies member bytes to `out` and returns their SHA-256 (hex).
Result<std::string> ExtractMember(const fs::path& file, const TarMember& member, std::ostream& out);

/// Copies member bytes to `out` without hashing them (a member already
/// verified with HashMember).
Status CopyMember(const fs::path& file, const TarMember& member, std::ostream& out);

/// The SHA-256 (hex) of a member's bytes.
Result<std::string> HashMember(const fs::path& file, const TarMember& member);

/// The member's bytes and their SHA-256 (hex), for small members.
struct MemberContent {
  std::string bytes;
  std::string sha256;
};
Result<MemberContent> ReadMember(const fs::path& file, const TarMember& member);

}  // namespace restorelab::guest
