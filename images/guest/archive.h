// A POSIX ustar archive, written and read by streaming so that volume images
// of many megabytes never sit in memory. Every member's SHA-256 is computed
// while it is written and checked while it is read back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
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
  /// Writes the two zero end blocks and flushes; the writer is unusable after.
  Status Finish();

 private:
  explicit TarWriter(const fs::path& file);
  Status WriteHeader(const std::string& name, uint64_t size);
  fs::path file_;
  std::ofstream out_;
};

/// Lists the regular-file members of `file`.
Result<std::vector<TarMember>> ListTar(const fs::path& file);

/// Copies member bytes to `out` and returns their SHA-256 (hex).
Result<std::string> ExtractMember(const fs::path& file, const TarMember& member, std::ostream& out);

/// The member's bytes, for small members.
Result<std::string> ReadMember(const fs::path& file, const TarMember& member);

/// SHA-256 (hex) of a whole file.
Result<std::string> HashFile(const fs::path& file);

}  // namespace restorelab::guest
