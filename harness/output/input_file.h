// Reading a file that restorelab itself wrote but that anyone with access to
// the folder could have replaced: a kept run's record, an owner file, the
// note of a kept run, the first bytes of a results store.
//
// restorelab runs as root, and such a path may name a FIFO (opening it
// blocks until a writer comes), a character device (/dev/zero never ends),
// or a sparse file of many GiB. The rules:
//  - only a regular file is read (a symlink to one is followed); anything
//    else is refused with what it is ("a FIFO, not a regular file");
//  - the file is opened with O_NONBLOCK, so that a FIFO swapped in after the
//    check cannot block the open, and checked again on the descriptor;
//  - at most `max_bytes` are read: a larger file is refused, never loaded.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>

namespace restorelab {

/// Why a file could not be read: `PATH: a FIFO, not a regular file`,
/// `PATH: 3.0 GiB; expected at most 1 MiB`, `PATH: cannot be read: No such
/// file or directory`. `missing` is set when nothing is at the path.
struct InputError {
  std::string message;
  bool missing = false;
};

/// What the file type of `mode` (a stat st_mode) is, in words: "a FIFO",
/// "a character device", "a folder", "a regular file".
std::string file_kind(unsigned mode);

/// The whole content of the regular file at `path`, of at most `max_bytes`
/// bytes; an InputError otherwise, as the file comment says.
std::expected<std::string, InputError> read_regular_file(const std::filesystem::path& path, std::size_t max_bytes);

/// Everything the file at `path` holds now, or "" when it cannot be read. For
/// what restorelab and its own children write or the kernel shows, and may
/// be absent or still growing (a VM's serial log, a stamp, /proc/PID/stat);
/// never for a file someone else could have put there (read_regular_file).
std::string read_file_or_empty(const std::filesystem::path& path);

/// The first `bytes` bytes (fewer when the file is shorter) of the regular
/// file at `path`, of any size; refuses what is not a regular file as
/// read_regular_file() does.
std::expected<std::string, InputError> read_file_start(const std::filesystem::path& path, std::size_t bytes);

}  // namespace restorelab
