#include "rules/toml_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <tuple>

#include "rules/printable.h"
#include "rules/unique_fd.h"

namespace restorelab {

std::string input_name(const std::string& path) { return path == kStdinPath ? std::string(kStdinName) : path; }

namespace {

std::string size_text(std::uint64_t bytes) {
  // Close to the limit, MiB with one decimal would read "4.0 MiB is more than 4 MiB".
  if (bytes < kMaxInputBytes + (std::uint64_t{1} << 20) / 10) return std::to_string(bytes) + " bytes";
  char out[32];
  std::snprintf(out, sizeof out, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return out;
}

std::string too_large(std::string_view size) {
  return std::string(size) + " is more than the " + std::to_string(kMaxInputBytes >> 20) +
         " MiB a scenario, matrix or rulebook file may have";
}

/// Why a file of this mode cannot be read as text, or nothing for a regular file.
std::optional<std::string> not_regular(mode_t mode) {
  if (S_ISREG(mode)) return std::nullopt;
  const char* what = S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device"
                     : S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" : "not a file";
  return "cannot read: it is " + std::string(what) + ", not a regular file";
}

/// Everything `fd` holds, up to kMaxInputBytes.
std::expected<std::string, std::string> read_bounded(int fd) {
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected("cannot read: " + std::string(std::strerror(errno)));
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > kMaxInputBytes) return std::unexpected(too_large("the input"));
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

ReadObserver read_observer = nullptr;

}  // namespace

std::expected<std::string, std::string> DiskReader::read(const std::string& path) const {
  if (path == kStdinPath) return read_bounded(stdin_fd_);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected("cannot open: " + std::string(std::strerror(errno)));
  if (auto why = not_regular(st.st_mode)) return std::unexpected(*why);
  // Not a FIFO a moment ago; O_NONBLOCK keeps an open from waiting should it be one now.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::unexpected("cannot open: " + std::string(std::strerror(errno)));
  const UniqueFd closer(fd);
  if (::fstat(fd, &st) != 0) return std::unexpected("cannot read: " + std::string(std::strerror(errno)));
  if (auto why = not_regular(st.st_mode)) return std::unexpected(*why);
  if (read_observer != nullptr) read_observer(path, st.st_dev, st.st_ino);
  if (static_cast<std::uint64_t>(st.st_size) > kMaxInputBytes)
    return std::unexpected(too_large(size_text(static_cast<std::uint64_t>(st.st_size))));
  return read_bounded(fd);
}

void set_read_observer(ReadObserver observer) { read_observer = observer; }

std::expected<std::string, std::string> MapReader::read(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return std::unexpected("cannot open: No such file or directory");
  return it->second;
}

std::string resolve_relative(const std::string& base_file, const std::string& relative) {
  std::filesystem::path rel(relative);
  if (rel.is_absolute()) return relative;
  const std::filesystem::path base =
      base_file == kStdinName ? std::filesystem::path() : std::filesystem::path(base_file);
  const std::string out = (base.parent_path() / rel).lexically_normal().string();
  return out == kStdinPath ? "./-" : out;
}

Diagnostic diagnostic_at(const toml::source_region& region, const std::string& fallback_file,
                         std::string message, std::string suggestion) {
  Diagnostic d;
  d.file = region.path ? *region.path : fallback_file;
  d.line = static_cast<int>(region.begin.line);
  d.column = static_cast<int>(region.begin.column);
  d.message = std::move(message);
  d.suggestion = std::move(suggestion);
  return d;
}

namespace {

/// A key as it would be written in a dotted path: bare when it can be, else quoted.
std::string shown_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : "\"" + escape_control_characters(key) + "\"";
}

/// Finds the keys and string values of a parsed file that hold a control character.
class ControlCharacterCheck {
 public:
  ControlCharacterCheck(const std::string& file, MultilinePaths multiline) : file_(file), multiline_(multiline) {}

  Diagnostics run(const toml::table& root) {
    table(root);
    std::stable_sort(found_.begin(), found_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return std::move(found_);
  }

 private:
  void table(const toml::table& t) {
    for (auto&& [key, node] : t) {
      path_.push_back(key.str());
      if (auto c = find_control_character(key.str()))
        found_.push_back(diagnostic_at(key.source(), file_,
                                       shown_path() + ": control character " + code_point_name(c->code) +
                                           " in a key; expected printable text"));
      else
        value(node);
      path_.pop_back();
    }
  }

  void value(const toml::node& node) {
    if (const toml::table* t = node.as_table()) return table(*t);
    if (const toml::array* a = node.as_array()) {
      for (const toml::node& item : *a) value(item);
      return;
    }
    const auto text = node.value<std::string_view>();
    if (!text) return;
    const bool multiline = allows_newline();
    if (auto c = find_control_character(*text, multiline))
      found_.push_back(diagnostic_at(node.source(), file_,
                                     shown_path() + ": control character " + code_point_name(c->code) +
                                         " in a value; expected printable text",
                                     multiline && c->code == '\t' ? "indent with spaces" : ""));
  }

  bool allows_newline() const {
    for (std::string_view pattern : multiline_) {
      std::size_t i = 0;
      for (; i < path_.size() && !pattern.empty(); ++i) {
        const std::string_view part = pattern.substr(0, pattern.find('.'));
        if (part != "*" && part != path_[i]) break;
        pattern.remove_prefix(std::min(pattern.size(), part.size() + 1));
      }
      if (i == path_.size() && pattern.empty()) return true;
    }
    return false;
  }

  std::string shown_path() const {
    std::string out;
    for (std::string_view part : path_) out += (out.empty() ? "" : ".") + shown_key(part);
    return out;
  }

  const std::string& file_;
  MultilinePaths multiline_;
  std::vector<std::string_view> path_;
  Diagnostics found_;
};

}  // namespace

std::expected<toml::table, Diagnostics> parse_toml(std::string_view text, const std::string& path,
                                                   MultilinePaths multiline) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    return std::unexpected(Diagnostics{diagnostic_at(e.source(), path, "invalid TOML: " + what)});
  }
  if (Diagnostics found = ControlCharacterCheck(path, multiline).run(root); !found.empty())
    return std::unexpected(std::move(found));
  return root;
}

std::string_view describe_node(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    default: return "nothing";
  }
}

namespace {

std::expected<Value, Diagnostic> wrong_type(const toml::node& node, const KeyInfo& key,
                                            const std::string& file) {
  std::string suggestion;
  if (key.type == ValueType::EnumList && node.is_string())
    suggestion = "write a list: [\"" + std::string(*node.value<std::string_view>()) + "\"]";
  else if (key.type == ValueType::Int && node.is_string())
    suggestion = "remove the quotes";
  else if (key.type == ValueType::Bool && node.is_string())
    suggestion = "write true or false without quotes";
  return std::unexpected(diagnostic_at(node.source(), file,
                                       key.path + ": expected " + std::string(describe(key.type)) +
                                           ", found " + std::string(describe_node(node)),
                                       suggestion));
}

std::expected<std::int64_t, Diagnostic> enum_value(const toml::node& node, const KeyInfo& key,
                                                   const std::string& file) {
  std::string_view name = *node.value<std::string_view>();
  int index = enum_index(key, name);
  if (index >= 0) return index;
  return std::unexpected(diagnostic_at(
      node.source(), file,
      key.path + ": \"" + std::string(name) + "\" is not a valid value; expected one of " +
          join_names(key.enum_names),
      did_you_mean(name, key.enum_names)));
}

}  // namespace

std::expected<Value, Diagnostic> node_to_value(const toml::node& node, const KeyInfo& key,
                                               const std::string& file) {
  switch (key.type) {
    case ValueType::Bool:
      if (!node.is_boolean()) return wrong_type(node, key, file);
      return Value(*node.value<bool>());
    case ValueType::Int: {
      if (!node.is_integer()) return wrong_type(node, key, file);
      std::int64_t v = *node.value<std::int64_t>();
      if (v < key.min || v > key.max)
        return std::unexpected(diagnostic_at(node.source(), file,
                                             key.path + ": " + std::to_string(v) +
                                                 " is out of range; expected " +
                                                 std::to_string(key.min) + " to " +
                                                 std::to_string(key.max)));
      return Value(v);
    }
    case ValueType::Enum: {
      if (!node.is_string()) return wrong_type(node, key, file);
      auto v = enum_value(node, key, file);
      if (!v) return std::unexpected(v.error());
      return Value(*v);
    }
    case ValueType::String:
    case ValueType::Path:
      if (!node.is_string()) return wrong_type(node, key, file);
      return Value(std::string(*node.value<std::string_view>()));
    case ValueType::StringList:
    case ValueType::EnumList: {
      const toml::array* array = node.as_array();
      if (!array) return wrong_type(node, key, file);
      std::vector<std::string> items;
      std::int64_t bits = 0;
      for (const toml::node& item : *array) {
        if (!item.is_string())
          return std::unexpected(diagnostic_at(item.source(), file,
                                               key.path + ": expected a string in the array, found " +
                                                   std::string(describe_node(item))));
        if (key.type == ValueType::EnumList) {
          auto v = enum_value(item, key, file);
          if (!v) return std::unexpected(v.error());
          bits |= std::int64_t{1} << *v;
        } else {
          std::string text(*item.value<std::string_view>());
          // "KB810161" and "810161" name the same hotfix.
          if (key.path.ends_with(".hotfixes") && (text.starts_with("KB") || text.starts_with("kb")))
            text.erase(0, 2);
          items.push_back(std::move(text));
        }
      }
      if (key.type == ValueType::EnumList) return Value(bits);
      return Value(std::move(items));
    }
  }
  return wrong_type(node, key, file);
}

std::string value_to_text(const KeyInfo& key, const Value& value) {
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const std::string* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    std::string out;
    for (const auto& item : *list) out += (out.empty() ? "" : "+") + item;
    return out.empty() ? "none" : out;
  }
  std::int64_t v = std::get<std::int64_t>(value);
  if (key.type == ValueType::Enum) return std::string(key.enum_names.at(static_cast<std::size_t>(v)));
  if (key.type == ValueType::EnumList) {
    std::string out;
    for (std::size_t i = 0; i < key.enum_names.size(); ++i)
      if (v & (std::int64_t{1} << i)) out += (out.empty() ? "" : "+") + std::string(key.enum_names[i]);
    return out.empty() ? "none" : out;
  }
  return std::to_string(v);
}

Diagnostic diagnostic_at_offset(const toml::node& node, const std::string& file, std::size_t offset,
                                std::string message, std::string suggestion) {
  Diagnostic d = diagnostic_at(node.source(), file, std::move(message), std::move(suggestion));
  const std::string_view text = *node.value<std::string_view>();
  offset = std::min(offset, text.size());
  if (node.source().begin.line == node.source().end.line) {
    d.column += 1 + static_cast<int>(offset);  // past the opening quote
    return d;
  }
  // A multi-line string. TOML drops a newline right after the opening
  // quotes: then the text starts a line further down, else beside the quotes.
  const auto total_newlines = std::count(text.begin(), text.end(), '\n');
  const bool starts_below =
      static_cast<long>(node.source().end.line - node.source().begin.line) > total_newlines;
  const std::string_view before = text.substr(0, offset);
  const auto newlines = std::count(before.begin(), before.end(), '\n');
  const std::size_t line_start = before.rfind('\n');
  d.line += (starts_below ? 1 : 0) + static_cast<int>(newlines);
  if (line_start != std::string_view::npos) d.column = static_cast<int>(offset - line_start);
  else d.column = starts_below ? static_cast<int>(offset + 1) : d.column + 3 + static_cast<int>(offset);
  return d;
}

}  // namespace restorelab
