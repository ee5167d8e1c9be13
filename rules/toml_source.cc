#include "rules/toml_source.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace restorelab {

std::expected<std::string, std::string> DiskReader::read(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot open: " + std::string(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected("cannot read: " + std::string(std::strerror(errno)));
  return text.str();
}

std::expected<std::string, std::string> MapReader::read(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return std::unexpected("cannot open: No such file or directory");
  return it->second;
}

std::string resolve_relative(const std::string& base_file, const std::string& relative) {
  std::filesystem::path rel(relative);
  if (rel.is_absolute()) return relative;
  return (std::filesystem::path(base_file).parent_path() / rel).lexically_normal().string();
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

std::expected<toml::table, Diagnostic> parse_toml(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    return std::unexpected(diagnostic_at(e.source(), path, "invalid TOML: " + what));
  }
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

}  // namespace restorelab
