#include "rules/scenario_writer.h"

#include <sstream>

#include <toml++/toml.h>

#include "rules/keys.h"

namespace restorelab {

namespace {

/// The table at a dotted path of `root`, created as needed.
toml::table& table_at(toml::table& root, std::string_view path) {
  toml::table* t = &root;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string part(path.substr(0, dot));
    if (!t->contains(part)) t->insert(part, toml::table{});
    t = (*t)[part].as_table();
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return *t;
}

void write_key(toml::table& root, const KeyInfo& key, const Scenario& s) {
  const auto dot = key.path.rfind('.');
  toml::table& t = table_at(root, std::string_view(key.path).substr(0, dot));
  const std::string name = key.path.substr(dot + 1);
  switch (key.type) {
    case ValueType::Bool: t.insert(name, key.scalar(s) != 0); break;
    case ValueType::Int: t.insert(name, key.scalar(s)); break;
    case ValueType::Enum: {
      const auto v = key.scalar(s);
      if (v >= 0) t.insert(name, std::string(key.enum_names[static_cast<std::size_t>(v)]));
      break;
    }
    case ValueType::String:
    case ValueType::Path: t.insert(name, std::string(key.text(s))); break;
    case ValueType::StringList: {
      toml::array a;
      for (const auto& item : key.list(s)) a.push_back(item);
      t.insert(name, std::move(a));
      break;
    }
    case ValueType::EnumList: {
      toml::array a;
      const auto bits = key.scalar(s);
      for (std::size_t i = 0; i < key.enum_names.size(); ++i)
        if (bits & (std::int64_t{1} << i)) a.push_back(std::string(key.enum_names[i]));
      t.insert(name, std::move(a));
      break;
    }
  }
}

}  // namespace

std::string scenario_to_toml(const Scenario& s) {
  toml::table root;
  for (const KeyInfo& key : all_keys()) {
    if (key.derived) continue;
    if (key.path == "scenario.description" && s.description.empty()) continue;
    if (key.path == "backup.kind" && s.backup == BackupKind::None) continue;
    if (key.path == "restore.after" && s.restore.after == PriorRestore::None) continue;
    if (key.path.starts_with("destination.") && s.defaulted.destination_machine) continue;
    write_key(root, key, s);
  }
  if (s.expect) {
    toml::table& e = table_at(root, "expect");
    if (s.expect->supported) e.insert("supported", *s.expect->supported);
    if (s.expect->outcome) e.insert("outcome", std::string(name_of(*s.expect->outcome)));
    if (s.expect->cpus_used) e.insert("cpus_used", *s.expect->cpus_used);
    if (s.expect->actions) {
      toml::array a;
      for (Action action : s.expect->actions->members()) a.push_back(std::string(name_of(action)));
      e.insert("actions", std::move(a));
    }
  }
  std::ostringstream out;
  out << root << '\n';
  return out.str();
}

}  // namespace restorelab
