#include "rules/scenario_loader.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "rules/validate.h"

namespace restorelab {

namespace {

/// Machine files a chain of `extends` may hold (a extends b extends c ...).
constexpr std::size_t kMaxExtendsDepth = 32;

std::string chain_text(const std::vector<std::string>& chain, const std::string& last) {
  std::string out;
  for (const std::string& file : chain) out += file + " -> ";
  return out + last;
}

/// The names directly under `prefix` in the key table ("hal", "os", ...).
std::vector<std::string_view> child_names(const std::string& prefix) {
  std::vector<std::string_view> out;
  for (const KeyInfo& k : all_keys()) {
    if (k.derived) continue;
    std::string_view path = k.path;
    if (!prefix.empty()) {
      if (!path.starts_with(prefix) || path.size() <= prefix.size() || path[prefix.size()] != '.')
        continue;
      path.remove_prefix(prefix.size() + 1);
    }
    std::string_view child = path.substr(0, path.find('.'));
    if (std::find(out.begin(), out.end(), child) == out.end()) out.push_back(child);
  }
  return out;
}

bool is_section(const std::string& path) {
  const std::string dotted = path + ".";
  for (const KeyInfo& k : all_keys())
    if (!k.derived && k.path.starts_with(dotted)) return true;
  return false;
}

std::vector<KeyInfo> expect_keys() {
  std::vector<KeyInfo> keys(4);
  keys[0].path = "expect.supported";
  keys[0].type = ValueType::Bool;
  keys[1].path = "expect.outcome";
  keys[1].type = ValueType::Enum;
  keys[1].enum_names = {EnumNames<Outcome>::names.begin(), EnumNames<Outcome>::names.end()};
  keys[2].path = "expect.cpus_used";
  keys[2].type = ValueType::Int;
  keys[2].min = 1;
  keys[2].max = 256;
  keys[3].path = "expect.actions";
  keys[3].type = ValueType::EnumList;
  keys[3].enum_names = {EnumNames<Action>::names.begin(), EnumNames<Action>::names.end()};
  return keys;
}

/// One load: the scenario being filled, its errors and where each key was set.
class Load {
 public:
  Load(const FileReader& reader, std::string file, std::string prefix)
      : reader_(reader), file_(std::move(file)), prefix_(std::move(prefix)) {}

  std::expected<Scenario, Diagnostics> run(const toml::table& root, bool require_name) {
    switch (file_kind(root)) {
      case FileKind::Machine:
        diags_.push_back({file_, 0, 0, "this is a machine file, not a scenario: it has no [scenario] or [source] table",
                          "use it from a scenario with extends = \"" + file_ + "\" in [source] or [destination]"});
        return failure();
      case FileKind::Matrix:
        diags_.push_back({file_, 0, 0, "this is a matrix file, not a scenario: it has a [matrix] table",
                          "use restorelab matrix predict " + file_});
        return failure();
      case FileKind::Rulebook:
        diags_.push_back({file_, 0, 0, "this is a rulebook, not a scenario: it has [[rule]] or [helpers] tables",
                          "use it with --rules " + file_});
        return failure();
      default: break;
    }
    apply(root, "", file_);
    check_required(require_name);
    resolve_defaults(s_);
    // Cross-key problems too, except in sections whose keys are already
    // wrong (a bad `hal` would make the `cpus` check misleading).
    for (const Problem& p : validate(s_)) {
      auto broken = [&](const std::string& key) { return broken_sections_.contains(key.substr(0, key.find('.'))); };
      if (broken(p.key) || std::any_of(p.also.begin(), p.also.end(), broken)) continue;
      if (p.key == "scenario.name" && !require_name && s_.name.empty()) continue;
      const bool table = p.message.starts_with("missing [");
      error_for_key(p.key, table ? p.message : shown(p.key) + ": " + p.message, p.suggestion);
    }
    if (!diags_.empty()) return failure();
    s_.file = file_;
    return std::move(s_);
  }

 private:
  std::string shown(const std::string& path) const { return prefix_ + path; }

  // Errors in the order of the text, file by file.
  std::unexpected<Diagnostics> failure() {
    std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    return std::unexpected(std::move(diags_));
  }

  void error(const toml::source_region& where, const std::string& file, std::string message,
             std::string suggestion = {}) {
    diags_.push_back(diagnostic_at(where, file, std::move(message), std::move(suggestion)));
  }

  void error_for_key(const std::string& key, const std::string& message,
                     const std::string& suggestion) {
    // The key itself, else the nearest table that holds it, else the file.
    for (std::string path = key; !path.empty();) {
      if (auto it = where_.find(path); it != where_.end()) {
        error(it->second, file_, message, suggestion);
        return;
      }
      auto dot = path.rfind('.');
      path = dot == std::string::npos ? "" : path.substr(0, dot);
    }
    diags_.push_back({file_, 0, 0, message, suggestion});
  }

  void apply(const toml::table& table, const std::string& prefix, const std::string& file) {
    if (!prefix.empty()) enter_table(prefix, table);
    if (prefix == "source" || prefix == "destination") apply_extends(table, prefix, file);
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const std::string path = prefix.empty() ? name : prefix + "." + name;
      if (name == "extends" && (prefix == "source" || prefix == "destination")) continue;
      if (path == "expect") {
        if (const toml::table* t = node.as_table()) apply_expect(*t, file);
        else error(node.source(), file, shown("expect") + ": expected a table, found " +
                                            std::string(describe_node(node)));
        continue;
      }
      if (const KeyInfo* info = find_key(path); info && !info->derived) {
        set(*info, node, file);
      } else if (is_section(path)) {
        if (const toml::table* t = node.as_table()) apply(*t, path, file);
        else error(node.source(), file, shown(path) + ": expected a table, found " +
                                            std::string(describe_node(node)));
      } else {
        unknown_key(key, name, prefix, file);
      }
    }
  }

  void unknown_key(const toml::key& key, const std::string& name, const std::string& prefix,
                   const std::string& file) {
    auto candidates = child_names(prefix);
    if (prefix.empty()) candidates.push_back("expect");
    if (prefix == "source" || prefix == "destination") candidates.push_back("extends");
    std::string where = prefix.empty() ? "at the top level" : "in [" + shown(prefix) + "]";
    error(key.source(), file, "unknown key \"" + name + "\" " + where,
          did_you_mean(name, candidates));
  }

  // An explicit [destination] is a machine of its own, not a copy of the source.
  void enter_table(const std::string& path, const toml::table& table) {
    where_.try_emplace(path, table.source());
    if (path == "destination" && s_.defaulted.destination_machine) {
      s_.defaulted.destination_machine = false;
      s_.defaulted.destination = Defaulted::Side{};
      s_.destination = Machine{};
    } else if (path == "destination.os" && s_.defaulted.destination_os) {
      s_.defaulted.destination_os = false;
      s_.destination.os = Os{};
    }
  }

  void set(const KeyInfo& info, const toml::node& node, const std::string& file) {
    where_[info.path] = node.source();  // given, even when wrong: not "missing"
    auto value = node_to_value(node, info, file);
    if (!value) {
      value.error().message.insert(0, prefix_);
      diags_.push_back(std::move(value.error()));
      broken_sections_.insert(info.path.substr(0, info.path.find('.')));
      return;
    }
    info.set(s_, *value);
  }

  void apply_extends(const toml::table& table, const std::string& side, const std::string& file) {
    const toml::node* node = table.get("extends");
    if (!node) return;
    if (!node->is_string()) {
      error(node->source(), file, shown(side) + ".extends: expected a string (a machine file path), found " +
                                      std::string(describe_node(*node)));
      return;
    }
    const std::string path = resolve_relative(file, std::string(*node->value<std::string_view>()));
    if (auto again = std::find(chain_.begin(), chain_.end(), path); again != chain_.end()) {
      error(node->source(), file,
            shown(side) + ".extends: a cycle: " + chain_text({again, chain_.end()}, path),
            "remove one of these extends");
      failed_extends_.insert(side);
      return;
    }
    if (chain_.size() >= kMaxExtendsDepth) {
      error(node->source(), file,
            shown(side) + ".extends: \"" + path + "\" would be machine file " + std::to_string(chain_.size() + 1) +
                " of the chain " + chain_.front() + " -> ...; expected at most " +
                std::to_string(kMaxExtendsDepth) + " machine files extending one another");
      failed_extends_.insert(side);
      return;
    }
    auto text = reader_.read(path);
    if (!text) {
      error(node->source(), file, shown(side) + ".extends: cannot load \"" + path + "\": " + text.error());
      failed_extends_.insert(side);
      return;
    }
    auto parsed = parse_toml(*text, path);
    if (!parsed) {
      diags_.insert(diags_.end(), parsed.error().begin(), parsed.error().end());
      failed_extends_.insert(side);
      return;
    }
    chain_.push_back(path);
    apply_extends(*parsed, side, path);
    for (auto&& [key, child] : *parsed) {
      const std::string name(key.str());
      if (name == "extends") continue;
      const std::string key_path = side + "." + name;
      if (const KeyInfo* info = find_key(key_path); info && !info->derived) {
        set(*info, child, path);
      } else if (is_section(key_path) && child.is_table()) {
        apply_machine_file_table(*child.as_table(), key_path, path);
      } else {
        error(key.source(), path, "unknown key \"" + name + "\" in a machine file",
              did_you_mean(name, child_names(side)));
      }
    }
    chain_.pop_back();
  }

  // A sub-table ([os], [os.ad]) of a machine file, whose own table header
  // does not count as the scenario's.
  void apply_machine_file_table(const toml::table& table, const std::string& prefix,
                                const std::string& file) {
    if (prefix == "destination.os" && s_.defaulted.destination_os) {
      s_.defaulted.destination_os = false;
      s_.destination.os = Os{};
    }
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const std::string path = prefix + "." + name;
      if (const KeyInfo* info = find_key(path); info && !info->derived) set(*info, node, file);
      else if (is_section(path) && node.is_table()) apply_machine_file_table(*node.as_table(), path, file);
      else error(key.source(), file, "unknown key \"" + name + "\" in a machine file",
                 did_you_mean(name, child_names(prefix)));
    }
  }

  void apply_expect(const toml::table& table, const std::string& file) {
    static const std::vector<KeyInfo> keys = expect_keys();
    where_.try_emplace("expect", table.source());
    Expect expect;
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      auto info = std::find_if(keys.begin(), keys.end(),
                               [&](const KeyInfo& k) { return k.path == "expect." + name; });
      if (info == keys.end()) {
        error(key.source(), file, "unknown key \"" + name + "\" in [" + shown("expect") + "]",
              did_you_mean(name, {"supported", "outcome", "cpus_used", "actions"}));
        continue;
      }
      auto value = node_to_value(node, *info, file);
      if (!value) {
        value.error().message.insert(0, prefix_);
        diags_.push_back(std::move(value.error()));
        continue;
      }
      if (name == "supported") expect.supported = std::get<bool>(*value);
      if (name == "outcome") expect.outcome = static_cast<Outcome>(std::get<std::int64_t>(*value));
      if (name == "cpus_used") expect.cpus_used = static_cast<int>(std::get<std::int64_t>(*value));
      if (name == "actions")
        expect.actions = ActionSet::from_bits(static_cast<std::uint32_t>(std::get<std::int64_t>(*value)));
    }
    s_.expect = expect;
  }

  void require(const std::string& key, const std::string& table, const std::string& what) {
    const std::string section = key.substr(0, key.find('.'));
    if (where_.contains(key) || failed_extends_.contains(section)) return;
    broken_sections_.insert(section);
    const std::string name = key.substr(key.rfind('.') + 1);
    if (auto it = where_.find(table); it != where_.end()) {
      error(it->second, file_, "missing key \"" + name + "\" in [" + shown(table) + "]; expected " + what);
      return;
    }
    // No such table: say so once, at the table that should hold it, if any.
    if (!missing_tables_.insert(table).second) return;
    const std::string message = "missing [" + shown(table) + "] table with " + name + " = " + what;
    const auto dot = table.rfind('.');
    if (auto parent = where_.find(dot == std::string::npos ? "" : table.substr(0, dot)); parent != where_.end())
      error(parent->second, file_, message);
    else
      diags_.push_back({file_, 0, 0, message, ""});
  }

  void check_required(bool require_name) {
    if (require_name) require("scenario.name", "scenario", "a name like \"ws2003-up-to-mp\"");
    const std::string hal = "a HAL type such as \"acpi-uniprocessor\"";
    require("source.hal", "source", hal);
    require("source.os.version", "source.os", "an OS version such as \"windows-server-2003\"");
    require("source.os.edition", "source.os", "an edition such as \"standard\"");
    require("restore.kind", "restore", "\"system-state\", \"bmr\", \"full-server\" or \"push-button-reset\"");
    if (where_.contains("backup")) require("backup.kind", "backup", "\"system-state\", \"bmr\" or \"full-server\"");
    // With a wrong restore.kind, what else the file needs is unknown.
    if (broken_sections_.contains("restore")) return;
    const bool pbr = s_.restore.kind == RestoreKind::PushButtonReset && where_.contains("restore.kind");
    if (!pbr && where_.contains("restore.kind")) require("destination.hal", "destination", hal);
    if (s_.restore.kind == RestoreKind::SystemState && where_.contains("restore.kind") &&
        !where_.contains("destination.os"))
      require("destination.os.version", "destination.os",
              "the OS installed on the destination (a system-state restore needs it)");
    if (where_.contains("destination.os")) {
      require("destination.os.version", "destination.os", "an OS version such as \"windows-server-2003\"");
      require("destination.os.edition", "destination.os", "an edition such as \"standard\"");
    }
  }

  const FileReader& reader_;
  std::string file_;
  std::string prefix_;
  Scenario s_;
  Diagnostics diags_;
  std::map<std::string, toml::source_region> where_;
  std::vector<std::string> chain_;
  std::set<std::string> broken_sections_;  ///< "source", "restore", ... with a key error
  std::set<std::string> failed_extends_;   ///< sides whose machine file could not be read
  std::set<std::string> missing_tables_;   ///< already reported as missing
};

}  // namespace

FileKind file_kind(const toml::table& root) {
  if (root.contains("matrix")) return FileKind::Matrix;
  for (const char* section : {"scenario", "source", "destination", "backup", "restore", "prepare", "expect"})
    if (root.contains(section)) return FileKind::Scenario;
  for (const char* section : {"rule", "helpers", "rulebook"})
    if (root.contains(section)) return FileKind::Rulebook;
  if (root.contains("deviation")) return FileKind::KnownDeviations;
  for (auto&& [key, node] : root)
    if (is_section("source." + std::string(key.str())) || find_key("source." + std::string(key.str())))
      return FileKind::Machine;
  return FileKind::Other;
}

std::string_view describe(FileKind kind) {
  switch (kind) {
    case FileKind::Scenario: return "a scenario file";
    case FileKind::Matrix: return "a matrix file";
    case FileKind::Rulebook: return "a rulebook";
    case FileKind::KnownDeviations: return "a known-deviations registry";
    case FileKind::Machine: return "a machine file";
    case FileKind::Other: break;
  }
  return "not a scenario";
}

std::expected<Scenario, Diagnostics> ScenarioLoader::load_table(const toml::table& root,
                                                               const std::string& path,
                                                               const std::string& prefix,
                                                               bool require_name) const {
  return Load(reader_, path, prefix).run(root, require_name);
}

std::expected<Scenario, Diagnostics> ScenarioLoader::load_text(std::string_view text,
                                                              const std::string& path) const {
  auto table = parse_toml(text, path);
  if (!table) return std::unexpected(std::move(table.error()));
  return load_table(*table, path, "");
}

std::expected<Scenario, Diagnostics> ScenarioLoader::load_file(const std::string& path) const {
  const std::string name = input_name(path);
  auto text = reader_.read(path);
  if (!text) return std::unexpected(Diagnostics{{name, 0, 0, text.error(), ""}});
  return load_text(*text, name);
}

}  // namespace restorelab
