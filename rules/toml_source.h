// Reading TOML input: files through a narrow reader seam, toml++ parse errors
// and node values turned into Diagnostics that point at the text.
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "rules/diagnostic.h"
#include "rules/keys.h"

namespace restorelab {

/// The most a scenario, machine, matrix or rulebook file may hold: 4 MiB
/// (the bundled rulebook is 20 KiB, a scenario about 1 KiB).
inline constexpr std::size_t kMaxInputBytes = std::size_t{4} << 20;

/// The path that stands for standard input, and its name in diagnostics.
inline constexpr std::string_view kStdinPath = "-";
inline constexpr std::string_view kStdinName = "<stdin>";

/// The name of `path` in diagnostics and results: "<stdin>" for "-", else the path.
std::string input_name(const std::string& path);

/// Where input files come from. Tests give a map of texts; the CLI the disk.
class FileReader {
 public:
  virtual ~FileReader() = default;
  /// The whole file, or a message saying why it could not be read (the
  /// caller puts the file name in front).
  virtual std::expected<std::string, std::string> read(const std::string& path) const = 0;
};

/// Called with the path, device and inode of every file a DiskReader has
/// opened to read, when set (the CLI notes them as inputs that no output may
/// replace). Set it before any thread reads; nullptr: none.
using ReadObserver = void (*)(const std::string& path, unsigned long device, unsigned long inode);
void set_read_observer(ReadObserver observer);

/// Reads from the file system: regular files only (a FIFO, device, socket or
/// directory is refused without a blocking open: it is looked at first, then
/// opened with O_NONBLOCK and looked at again), of at most kMaxInputBytes.
/// "-" is standard input (a pipe or file), bounded the same way; read it
/// once only.
class DiskReader final : public FileReader {
 public:
  /// `stdin_fd`: what "-" reads (tests give a pipe); not closed.
  explicit DiskReader(int stdin_fd = 0) : stdin_fd_(stdin_fd) {}
  std::expected<std::string, std::string> read(const std::string& path) const override;

 private:
  int stdin_fd_;
};

/// Reads from an in-memory map of path to text (tests, fuzzers).
class MapReader final : public FileReader {
 public:
  explicit MapReader(std::map<std::string, std::string> files) : files_(std::move(files)) {}
  std::expected<std::string, std::string> read(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

/// `dir/of/base` + `relative`, unless `relative` is absolute. Relative to
/// the current folder for "<stdin>". Never "-" (a file named "-" is "./-").
std::string resolve_relative(const std::string& base_file, const std::string& relative);

/// The values of a file that may hold a line break: dotted key paths,
/// array items under their array's path, `*` for any one key
/// ("rule.when", "helpers.*"). Condition texts, where a break is white space.
using MultilinePaths = std::span<const std::string_view>;

/// Parses TOML text. A syntax error becomes a Diagnostic at its position;
/// then every key and string value that holds a control character (see
/// printable.h; a line break is allowed only in `multiline` values) is one,
/// so nothing that reads a table can see one.
std::expected<toml::table, Diagnostics> parse_toml(std::string_view text, const std::string& path,
                                                   MultilinePaths multiline = {});

/// A Diagnostic at the start of `region` (file from the region, else `fallback_file`).
Diagnostic diagnostic_at(const toml::source_region& region, const std::string& fallback_file,
                         std::string message, std::string suggestion = {});

/// A Diagnostic at byte `offset` of a string value's text (an error inside
/// a condition), for one-line and multi-line strings alike.
Diagnostic diagnostic_at_offset(const toml::node& node, const std::string& file, std::size_t offset,
                                std::string message, std::string suggestion = {});

/// "a string", "an integer", ... for a node as it is in the file.
std::string_view describe_node(const toml::node& node);

/// Converts a node to the value of `key`, checking type, enum membership
/// (with a suggestion) and range. Diagnostic messages start with the key path.
std::expected<Value, Diagnostic> node_to_value(const toml::node& node, const KeyInfo& key,
                                               const std::string& file);

/// The text form of a value for reports and ids: enum names, numbers, lists
/// joined with '+'.
std::string value_to_text(const KeyInfo& key, const Value& value);

}  // namespace restorelab
