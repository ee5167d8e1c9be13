// Writing an output file the user named (--junit, --html, --out, the store's
// exports): whole or not at all, and never by replacing what is not a
// regular file.
//
// restorelab runs as root. An output path may be a device node (/dev/null,
// /dev/full, /dev/stdout), a FIFO, a symlink, or a folder that someone else
// can write to. The rules:
//  - a path that does not exist, or a regular file (also through symlinks):
//    the text goes to a new temporary file made with mkstemp (O_EXCL) in the
//    target's own folder, is flushed to disk and renamed over the target, so
//    a reader sees the old file or the new one, never half of one. A symlink
//    at PATH is kept and its target replaced; nothing at PATH.tmp is read,
//    followed or replaced.
//  - anything else that exists (a character device, a FIFO, a socket, a
//    /proc/self/fd link to a pipe): written directly, never replaced.
//  - a folder, a dangling symlink, a missing parent folder: refused.
//  - the same file (through links) as an input of the command: refused
//    (input_files.h), so no report replaces the store or scenario it read.
// Every write, fsync and close is checked; the temporary file is removed on
// every failure.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace restorelab {

/// Why an output could not be written, and whose fault it is.
struct OutputError {
  enum class Kind {
    BadPath,  ///< the path given cannot be an output (a folder, no such folder, no permission): exit 2
    Failed,   ///< writing failed on the way (disk full, I/O error): exit 3
  };
  Kind kind = Kind::Failed;
  /// `PATH: cannot write: No space left on device` (the path, what failed, the system's reason).
  std::string message;
  /// The exit code a command returns for this error (2 or 3).
  int exit_code() const;
};

using OutputStatus = std::expected<void, OutputError>;

/// Writes `text` to `path` as the file comment says.
OutputStatus write_output_file(const std::filesystem::path& path, std::string_view text);

/// Checks, without writing anything, that write_output_file(path) can
/// succeed as far as the path goes (a long run checks before it starts).
OutputStatus check_output_path(const std::filesystem::path& path);

/// Makes `dir` (and its parents) a folder to write files into; refuses a path
/// that exists and is not a folder.
OutputStatus make_output_folder(const std::filesystem::path& dir);

/// Renames `from` to `to` unless `to` exists and is not a regular file (a
/// device node, a folder, a symlink: never replaced). "" or what failed.
std::string rename_onto_regular(const std::filesystem::path& from, const std::filesystem::path& to);

/// Writes `text` to a file descriptor, retrying short writes and EINTR.
/// `what` names the destination in the message ("standard output").
OutputStatus write_all(int fd, std::string_view text, std::string_view what);

}  // namespace restorelab
