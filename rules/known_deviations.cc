#include "rules/known_deviations.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "rules/validate.h"
#include "rules/source_dir.h"

namespace restorelab {

bool glob_match(std::string_view glob, std::string_view text) {
  // Greedy with one backtrack point: the last '*' seen and where in `text`
  // it was tried. A later '*' makes earlier ones irrelevant, so this is exact.
  std::size_t g = 0, t = 0;
  std::size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_text = t;
    } else if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool KnownDeviation::excuses(std::string_view scenario_id, const Scenario& s, Outcome outcome,
                             std::chrono::year_month_day today) const {
  if (expired(today)) return false;
  if (observed && *observed != outcome) return false;
  return applies_to(scenario_id, s);
}

bool KnownDeviation::applies_to(std::string_view scenario_id, const Scenario& s) const {
  if (!scenario.empty() && !glob_match(scenario, scenario_id)) return false;
  if (when && !when->eval(EvalContext{&s})) return false;
  return true;
}

const KnownDeviation* KnownDeviations::match(std::string_view scenario_id, const Scenario& s, Outcome observed,
                                             std::chrono::year_month_day today) const {
  for (const KnownDeviation& entry : entries)
    if (entry.excuses(scenario_id, s, observed, today)) return &entry;
  return nullptr;
}

std::vector<std::size_t> KnownDeviations::excused_counts(std::span<const std::string> excused_ids) const {
  std::map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].id, i);
  std::vector<std::size_t> counts(entries.size(), 0);
  for (const std::string& id : excused_ids)
    if (auto it = index.find(id); it != index.end()) ++counts[it->second];
  return counts;
}

std::vector<const KnownDeviation*> KnownDeviations::stale(std::span<const std::string> excused_ids) const {
  const std::vector<std::size_t> counts = excused_counts(excused_ids);
  std::vector<const KnownDeviation*> out;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (counts[i] == 0) out.push_back(&entries[i]);
  return out;
}

const KnownDeviation* KnownDeviations::excused_all(std::span<const std::string> excused_ids,
                                                  std::size_t disagreements) const {
  if (disagreements < 2) return nullptr;
  const std::vector<std::size_t> counts = excused_counts(excused_ids);
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (counts[i] == disagreements) return &entries[i];
  return nullptr;
}

std::string default_known_deviations_path() {
  return std::string(restorelab::source_dir()) + "/scenarios/known-deviations.toml";
}

namespace {

const std::vector<std::string_view> kTopLevel = {"deviation"};
const std::vector<std::string_view> kEntryKeys = {"id",     "scenario", "when", "observed",
                                                  "reason", "reference", "until"};

/// "2027-06-30" written with quotes.
bool looks_like_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

class KnownLoad {
 public:
  KnownLoad(std::string file, const ConditionCompiler& compiler) : file_(std::move(file)), compiler_(compiler) {
    known_.file = file_;
  }

  std::expected<KnownDeviations, Diagnostics> run(const toml::table& root) {
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (name == "deviation") entries(node);
      else error(key.source(), "unknown key \"" + name + "\" at the top level; expected [[deviation]] tables",
                 did_you_mean(name, kTopLevel));
    }
    if (diags_.empty()) return std::move(known_);
    std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    return std::unexpected(std::move(diags_));
  }

 private:
  void error(const toml::source_region& where, std::string message, std::string suggestion = {}) {
    diags_.push_back(diagnostic_at(where, file_, std::move(message), std::move(suggestion)));
  }
  void wrong_type(const toml::node& node, const std::string& key, const std::string& expected) {
    error(node.source(), "deviation." + key + ": expected " + expected + ", found " + std::string(describe_node(node)));
  }

  void entries(const toml::node& node) {
    const toml::array* list = node.as_array();
    if (!list) {
      error(node.source(), "deviation: expected [[deviation]] tables, found " + std::string(describe_node(node)),
            node.is_table() ? "write [[deviation]] with two brackets" : "");
      return;
    }
    for (const toml::node& item : *list) {
      if (const toml::table* t = item.as_table()) entry(*t);
      else error(item.source(), "deviation: expected a [[deviation]] table, found " + std::string(describe_node(item)));
    }
  }

  void entry(const toml::table& t) {
    KnownDeviation d;
    d.where = t.source();
    const std::size_t errors_before = diags_.size();
    const toml::node* when_node = nullptr;
    for (auto&& [key, value] : t) {
      const std::string name(key.str());
      if (std::find(kEntryKeys.begin(), kEntryKeys.end(), name) == kEntryKeys.end()) {
        error(key.source(), "unknown key \"" + name + "\" in [[deviation]]", did_you_mean(name, kEntryKeys));
      } else if (name == "until") {
        until(value, d);
      } else if (!value.is_string()) {
        wrong_type(value, name, name == "when" ? "a condition string" : "a string");
      } else {
        std::string text = *value.value<std::string>();
        if (name == "id") id(value, text, d);
        else if (name == "scenario") scenario(value, text, d);
        else if (name == "when") when_node = &value;
        else if (name == "observed") observed(value, text, d);
        else if (name == "reason") reason(value, text, d);
        else d.reference = std::move(text);
      }
    }
    const std::string who = d.id.empty() ? "[[deviation]]" : "deviation \"" + d.id + "\"";
    if (when_node) when(*when_node, who, d);
    if (!t.contains("id")) error(t.source(), "[[deviation]] without an id; expected id = \"a-short-name\"");
    if (!t.contains("scenario") && !t.contains("when"))
      error(t.source(), who + " names no scenarios; expected scenario = \"a glob on scenario ids\" or "
                              "when = \"a condition\", or both");
    if (!t.contains("reason"))
      error(t.source(), who + " has no reason; expected reason = \"why the VMs differ from the rulebook\"");
    if (diags_.size() == errors_before) known_.entries.push_back(std::move(d));
  }

  void id(const toml::node& node, const std::string& text, KnownDeviation& d) {
    d.id = text;  // names the entry in its other messages, even when wrong
    if (!valid_name(text)) {
      error(node.source(), "deviation id \"" + text + "\" must be lower-case letters, digits, '-', '_' and '.'");
      return;
    }
    const int line = static_cast<int>(node.source().begin.line);
    if (auto [it, added] = id_lines_.try_emplace(text, line); !added) {
      error(node.source(), "deviation id \"" + text + "\" is used twice (first at line " +
                               std::to_string(it->second) + "); ids must be unique");
    }
  }

  void scenario(const toml::node& node, const std::string& text, KnownDeviation& d) {
    if (text.empty()) {
      error(node.source(), "deviation.scenario: an empty glob matches no scenario id; expected a glob such as "
                           "\"hal-by-disk/*\" (* any run of characters, ? one character)",
            "leave scenario out to match by when alone");
      return;
    }
    d.scenario = text;
  }

  void observed(const toml::node& node, const std::string& text, KnownDeviation& d) {
    const std::vector<std::string_view> names(EnumNames<Outcome>::names.begin(), EnumNames<Outcome>::names.end());
    if (auto o = parse_enum<Outcome>(text)) d.observed = *o;
    else error(node.source(), "deviation.observed: \"" + text + "\" is not an outcome; expected one of " +
                                  join_names(names), did_you_mean(text, names));
  }

  void reason(const toml::node& node, const std::string& text, KnownDeviation& d) {
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }))
      error(node.source(), "deviation.reason: expected a sentence saying why the VMs differ from the rulebook, "
                           "found an empty string");
    else d.reason = text;
  }

  void until(const toml::node& node, KnownDeviation& d) {
    if (const auto* date = node.as_date()) {
      const toml::date& v = date->get();
      d.until = std::chrono::year{v.year} / std::chrono::month{v.month} / std::chrono::day{v.day};
      return;
    }
    std::string suggestion;
    std::string found(describe_node(node));
    if (const auto* text = node.as_string(); text && looks_like_date(text->get()))
      suggestion = "remove the quotes: until = " + text->get();
    if (const auto* when = node.as_date_time()) {
      const toml::date& v = when->get().date;
      std::string day = std::to_string(v.year) + "-" + (v.month < 10 ? "0" : "") + std::to_string(v.month) +
                        "-" + (v.day < 10 ? "0" : "") + std::to_string(v.day);
      found = "a date and time";
      suggestion = "write the date alone: until = " + day;
    } else if (node.is_time()) {
      found = "a time";
    }
    error(node.source(), "deviation.until: expected a date such as 2027-06-30, found " + found,
          std::move(suggestion));
  }

  void when(const toml::node& node, const std::string& who, KnownDeviation& d) {
    auto condition = compiler_.compile(*node.value<std::string_view>());
    if (!condition) {
      const ConditionError& e = condition.error();
      diags_.push_back(diagnostic_at_offset(node, file_, e.offset, who + ": " + e.message, e.suggestion));
      return;
    }
    if (condition->reads_prediction()) {
      error(node.source(), who + ": when reads the prediction (outcome, supported or boots); it may read only "
                                 "the scenario's keys",
            "to excuse one observed outcome, write observed = \"...\"");
      return;
    }
    d.when = std::move(*condition);
  }

  std::string file_;
  const ConditionCompiler& compiler_;
  KnownDeviations known_;
  Diagnostics diags_;
  std::map<std::string, int> id_lines_;  ///< id -> the line that first used it
};

}  // namespace

std::expected<KnownDeviations, Diagnostics> load_known_deviations_text(std::string_view text,
                                                                       const std::string& path,
                                                                       const ConditionCompiler& compiler) {
  // A condition may run over several lines, as in a rulebook.
  static constexpr std::string_view kConditions[] = {"deviation.when"};
  auto table = parse_toml(text, path, kConditions);
  if (!table) return std::unexpected(table.error());
  return KnownLoad(path, compiler).run(*table);
}

std::expected<KnownDeviations, Diagnostics> load_known_deviations(const FileReader& reader,
                                                                  const std::string& path,
                                                                  const ConditionCompiler& compiler) {
  auto text = reader.read(path);
  if (!text) return std::unexpected(Diagnostics{{path, 0, 0, "cannot load the known deviations: " + text.error(), ""}});
  return load_known_deviations_text(*text, path, compiler);
}

}  // namespace restorelab
