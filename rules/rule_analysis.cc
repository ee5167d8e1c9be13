#include "rules/rule_analysis.h"

#include <algorithm>
#include <set>

namespace restorelab {

namespace {

constexpr std::string_view kBuiltinMatrix = R"(# restorelab's built-in matrix for rules diff and rules coverage.
[matrix]
name = "builtin-full"
description = "HAL x firmware x disk bus x NICs on both sides, every OS version, three restore kinds"

[base.scenario]
name = "builtin-full"
[base.source]
hal = "acpi-uniprocessor"
[base.source.os]
version = "windows-server-2003"
edition = "enterprise"
[base.destination]
hal = "acpi-uniprocessor"
[base.destination.os]
version = "windows-server-2003"
edition = "enterprise"
[base.backup]
kind = "full-server"
[base.restore]
kind = "system-state"

[axes]
"source.hal" = ["standard-pc", "mps-uniprocessor", "mps-multiprocessor", "acpi-pc", "acpi-uniprocessor", "acpi-multiprocessor", "acpi-x64"]
"destination.hal" = ["standard-pc", "mps-uniprocessor", "mps-multiprocessor", "acpi-pc", "acpi-uniprocessor", "acpi-multiprocessor", "acpi-x64"]
"source.firmware" = ["bios", "uefi"]
"destination.firmware" = ["bios", "uefi"]
"source.disk_bus" = ["ide", "sata", "scsi", "virtio"]
"destination.disk_bus" = ["ide", "sata", "scsi", "virtio"]
"source.nics" = [0, 1, 2]
"destination.nics" = [0, 1, 2]
"restore.kind" = ["system-state", "bmr", "full-server"]
"restore.asr" = [false, true]

[axes."source.os.version"]
values = ["windows-nt4", "windows-2000", "windows-xp", "windows-server-2003", "windows-vista", "windows-7",
          "windows-server-2008", "windows-server-2008-r2", "windows-server-2012", "windows-server-2012-r2",
          "windows-8.1", "windows-10"]
same = true
)";

void fingerprint_operand(const Condition::Operand& o, std::string& out) {
  out += std::to_string(static_cast<int>(o.source)) + ':';
  if (o.key) out += o.key->path;
  out += ':' + std::to_string(o.value) + ':' + o.text + (o.case_insensitive ? ":i" : "") + ';';
}

void fingerprint_node(const Condition& c, int index, std::string& out) {
  if (index < 0) return;
  const Condition::Node& n = c.nodes()[static_cast<std::size_t>(index)];
  out += '(' + std::to_string(static_cast<int>(n.op)) + ',' + std::to_string(static_cast<int>(n.cmp)) + ',';
  fingerprint_operand(n.a, out);
  fingerprint_operand(n.b, out);
  for (auto i : n.ints) out += std::to_string(i) + ',';
  for (const auto& t : n.texts) out += t + ',';
  fingerprint_node(c, n.left, out);
  fingerprint_node(c, n.right, out);
  out += ')';
}

std::string action_list(ActionSet a) {
  std::string out;
  for (Action x : a.members()) out += std::string(name_of(x)) + ',';
  return out;
}

}  // namespace

std::expected<Matrix, Diagnostics> builtin_matrix(const ConditionCompiler& compiler) {
  MapReader none({});
  return load_matrix_text(none, kBuiltinMatrix, "<builtin matrix>", compiler);
}

std::string rule_fingerprint(const Rule& r) {
  std::string out;
  fingerprint_node(r.when, r.when.root(), out);
  out += "|s=" + std::string(r.supported ? "f" : "-");
  out += "|o=" + (r.outcome ? std::string(name_of(*r.outcome)) + "@" + std::to_string(r.precedence) : "-");
  out += "|c=" + (r.cpus_used ? std::to_string(*r.cpus_used) : "-");
  out += "|a=" + action_list(r.actions);
  return out;
}

RuleCoverage rule_coverage(const Matrix& matrix, const Rulebook& book) {
  RuleCoverage cov;
  cov.fires.assign(book.rules.size(), 0);
  MatrixExpander expander(matrix);
  Engine engine(book);
  Scenario s;
  Prediction p;
  expander.for_each([&](const Choice& c) {
    if (expander.build(c, s) != MatrixExpander::Status::Valid) return;
    engine.predict(s, p);
    ++cov.scenarios;
    for (auto i : p.fired) ++cov.fires[i];
  });
  return cov;
}

RuleDiff diff_rulebooks(const Matrix& matrix, const Rulebook& base, const Rulebook& changed,
                        std::size_t examples_per_group) {
  RuleDiff diff;
  // Which rule ids differ between the books: only those can cause a change.
  std::map<std::string, std::string> before, after;
  for (const Rule& r : base.rules) before[r.id] = rule_fingerprint(r);
  for (const Rule& r : changed.rules) after[r.id] = rule_fingerprint(r);
  for (const auto& [id, fp] : after) {
    auto it = before.find(id);
    if (it == before.end()) diff.added.push_back(id);
    else if (it->second != fp) diff.modified.push_back(id);
  }
  for (const auto& [id, _] : before)
    if (!after.contains(id)) diff.removed.push_back(id);
  std::set<std::string> suspects(diff.added.begin(), diff.added.end());
  suspects.insert(diff.removed.begin(), diff.removed.end());
  suspects.insert(diff.modified.begin(), diff.modified.end());

  std::map<std::tuple<std::string, std::string, std::string>, ChangeGroup> groups;
  MatrixExpander expander(matrix);
  Engine old_engine(base), new_engine(changed);
  Scenario s;
  Prediction a, b;
  std::vector<std::string> causes;
  expander.for_each([&](const Choice& c) {
    if (expander.build(c, s) != MatrixExpander::Status::Valid) return;
    old_engine.predict(s, a);
    new_engine.predict(s, b);
    ++diff.scenarios;
    if (a.supported == b.supported && a.outcome == b.outcome && a.cpus_used == b.cpus_used && a.actions == b.actions)
      return;
    ++diff.changed;
    causes.clear();
    for (auto i : a.fired)
      if (suspects.contains(base.rules[i].id)) causes.push_back(base.rules[i].id);
    for (auto i : b.fired)
      if (suspects.contains(changed.rules[i].id) &&
          std::find(causes.begin(), causes.end(), changed.rules[i].id) == causes.end())
        causes.push_back(changed.rules[i].id);
    auto record = [&](const std::string& field, const std::string& from, const std::string& to) {
      ChangeGroup& g = groups[{field, from, to}];
      if (g.count++ == 0) {
        g.field = field;
        g.from = from;
        g.to = to;
      }
      if (g.examples.size() < examples_per_group) g.examples.push_back(expander.id(c));
      for (const auto& id : causes) ++g.rules[id];
    };
    if (a.supported != b.supported) {
      ++diff.support;
      record("supported", a.supported ? "true" : "false", b.supported ? "true" : "false");
    }
    if (a.outcome != b.outcome) {
      ++diff.outcome;
      record("outcome", std::string(name_of(a.outcome)), std::string(name_of(b.outcome)));
    }
    if (a.cpus_used != b.cpus_used) {
      ++diff.cpus_used;
      record("cpus_used", a.cpus_used ? std::to_string(*a.cpus_used) : "none",
             b.cpus_used ? std::to_string(*b.cpus_used) : "none");
    }
    if (a.actions != b.actions) {
      ++diff.actions;
      for (std::size_t i = 0; i < enum_count<Action>(); ++i) {
        const Action x = static_cast<Action>(i);
        if (a.actions.contains(x) != b.actions.contains(x))
          record("actions", "", (b.actions.contains(x) ? "+" : "-") + std::string(name_of(x)));
      }
    }
  });
  for (auto& [_, g] : groups) diff.groups.push_back(std::move(g));
  std::stable_sort(diff.groups.begin(), diff.groups.end(),
                   [](const ChangeGroup& x, const ChangeGroup& y) { return x.count > y.count; });
  return diff;
}

}  // namespace restorelab
