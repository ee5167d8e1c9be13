// The files a command reads, so that none of its outputs replaces one
// (`results show --db S --html S`, `rules test --junit F F`): every output
// goes through write_output_file or check_output_path, and both refuse a
// path that is, through any symlinks, the same file (device and inode) as
// an input noted here.
//
// Inputs are noted where they are opened: DiskReader reports every file it
// reads (set_read_observer), the results store every store file it opens.
// The set belongs to the process and lives while an InputFilesScope does
// (run_cli makes one per command): outside one nothing is noted, so a
// library used on its own (a test) never finds a stale input. Thread-safe.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace restorelab {

/// Remembers the file at `path` (followed through symlinks) as an input of
/// this command, named `path` in messages. A path that does not exist (yet)
/// or is not a regular file (a device is written in place, never replaced)
/// is ignored.
void note_input(const std::filesystem::path& path);
/// The same for a file already opened, with its device and inode.
void note_input(const std::string& path, dev_t device, ino_t inode);

/// The name of the input that is the same file as `path` (through
/// symlinks), or nothing when `path` is no input or does not exist.
std::optional<std::string> input_at(const std::filesystem::path& path);

/// While one exists, inputs are noted; the outermost starts and ends with
/// none: one command's inputs.
class InputFilesScope {
 public:
  InputFilesScope();
  ~InputFilesScope();
  InputFilesScope(const InputFilesScope&) = delete;
  InputFilesScope& operator=(const InputFilesScope&) = delete;
};

}  // namespace restorelab
