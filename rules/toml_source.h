// Reading TOML input: files through a narrow reader seam, toml++ parse errors
// and node values turned into Diagnostics that point at the text.
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "rules/diagnostic.h"
#include "rules/keys.h"

namespace restorelab {

/// Where input files come from. Tests give a map of texts; the CLI the disk.
class FileReader {
 public:
  virtual ~FileReader() = default;
  /// The whole file, or a message saying why it could not be read.
  virtual std::expected<std::string, std::string> read(const std::string& path) const = 0;
};

/// Reads from the file system.
class DiskReader final : public FileReader {
 public:
  std::expected<std::string, std::string> read(const std::string& path) const override;
};

/// Reads from an in-memory map of path to text (tests, fuzzers).
class MapReader final : public FileReader {
 public:
  explicit MapReader(std::map<std::string, std::string> files) : files_(std::move(files)) {}
  std::expected<std::string, std::string> read(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

/// `dir/of/base` + `relative`, unless `relative` is absolute.
std::string resolve_relative(const std::string& base_file, const std::string& relative);

/// Parses TOML text; a syntax error becomes a Diagnostic at its position.
std::expected<toml::table, Diagnostic> parse_toml(std::string_view text, const std::string& path);

/// A Diagnostic at the start of `region` (file from the region, else `fallback_file`).
Diagnostic diagnostic_at(const toml::source_region& region, const std::string& fallback_file,
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
