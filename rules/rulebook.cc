#include "rules/rulebook.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>
#include "rules/source_dir.h"

namespace restorelab {

int Rulebook::find(std::string_view id) const {
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rules[i].id == id) return static_cast<int>(i);
  return -1;
}

std::string default_rulebook_path() {
  if (const char* env = std::getenv("RESTORELAB_RULES"); env && *env) return env;
  return std::string(restorelab::source_dir()) + "/rules/kb249694.toml";
}

namespace {

const std::vector<std::string_view> kTopLevel = {"rulebook", "helpers", "rule"};
const std::vector<std::string_view> kRulebookKeys = {"name", "description", "source"};
const std::vector<std::string_view> kRuleKeys = {"id", "when", "supported", "outcome", "precedence",
                                                 "cpus_used", "actions", "cures", "cite", "doc"};

bool valid_identifier(std::string_view s, bool allow_dash) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_' || (allow_dash && (c == '-' || c == '.'));
  });
}

class RulebookLoad {
 public:
  RulebookLoad(std::string file) : file_(std::move(file)) { book_.file = file_; }

  std::expected<Rulebook, Diagnostics> run(const toml::table& root) {
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (name == "rulebook") rulebook_table(node);
      else if (name == "helpers") helpers_table(node);
      else if (name == "rule") rules_array(node);
      else error(key.source(), "unknown key \"" + name + "\" at the top level of a rulebook; expected [rulebook], [helpers] or [[rule]]",
                 did_you_mean(name, kTopLevel));
    }
    if (!root.contains("rule")) diags_.push_back({file_, 0, 0, "the rulebook has no [[rule]] tables", ""});
    if (!diags_.empty()) return std::unexpected(std::move(diags_));
    return std::move(book_);
  }

 private:
  void error(const toml::source_region& where, std::string message, std::string suggestion = {}) {
    diags_.push_back(diagnostic_at(where, file_, std::move(message), std::move(suggestion)));
  }
  void wrong_type(const toml::node& node, const std::string& what, const std::string& expected) {
    error(node.source(), what + ": expected " + expected + ", found " + std::string(describe_node(node)));
  }

  void rulebook_table(const toml::node& node) {
    const toml::table* t = node.as_table();
    if (!t) return wrong_type(node, "rulebook", "a table");
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      if (std::find(kRulebookKeys.begin(), kRulebookKeys.end(), name) == kRulebookKeys.end()) {
        error(key.source(), "unknown key \"" + name + "\" in [rulebook]", did_you_mean(name, kRulebookKeys));
      } else if (!value.is_string()) {
        wrong_type(value, "rulebook." + name, "a string");
      } else if (name == "name") {
        book_.name = *value.value<std::string>();
      }
    }
  }

  void helpers_table(const toml::node& node) {
    const toml::table* t = node.as_table();
    if (!t) return wrong_type(node, "helpers", "a table of name = \"condition\"");
    // Helpers may use helpers defined above them (in file order).
    std::vector<std::pair<std::string, const toml::node*>> ordered;
    for (auto&& [key, value] : *t) ordered.emplace_back(std::string(key.str()), &value);
    std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
      const auto& pa = a.second->source().begin;
      const auto& pb = b.second->source().begin;
      return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    for (const auto& [name, value] : ordered) {
      if (!valid_identifier(name, false)) {
        error(value->source(), "helper name \"" + name + "\" must be lower-case letters, digits and '_'");
        continue;
      }
      if (!value->is_string()) {
        wrong_type(*value, "helpers." + name, "a condition string");
        continue;
      }
      auto condition = book_.compiler.compile(*value->value<std::string_view>());
      if (!condition) {
        const auto& e = condition.error();
        diags_.push_back(diagnostic_at_offset(*value, file_, e.offset, "helper \"" + name + "\": " + e.message, e.suggestion));
        continue;
      }
      book_.helpers.push_back({name, std::string(*value->value<std::string_view>()), value->source()});
      book_.compiler.define_helper(name, std::move(*condition));
    }
  }

  void rules_array(const toml::node& node) {
    const toml::array* rules = node.as_array();
    if (!rules || !rules->is_array_of_tables()) return wrong_type(node, "rule", "an array of [[rule]] tables");
    std::set<std::string> ids;
    for (const toml::node& item : *rules) {
      Rule rule;
      if (parse_rule(*item.as_table(), rule)) {
        if (!ids.insert(rule.id).second)
          error(item.source(), "rule id \"" + rule.id + "\" is used twice; ids must be unique");
        book_.rules.push_back(std::move(rule));
      }
    }
  }

  bool parse_rule(const toml::table& t, Rule& rule) {
    const std::size_t errors_before = diags_.size();
    rule.where = t.source();
    const toml::node* when_node = nullptr;
    const toml::node* precedence_node = nullptr;
    for (auto&& [key, value] : t) {
      const std::string name(key.str());
      if (std::find(kRuleKeys.begin(), kRuleKeys.end(), name) == kRuleKeys.end()) {
        error(key.source(), "unknown key \"" + name + "\" in [[rule]]", did_you_mean(name, kRuleKeys));
      } else if (name == "id" || name == "when" || name == "cite" || name == "doc" || name == "outcome") {
        if (!value.is_string()) { wrong_type(value, "rule." + name, "a string"); continue; }
        const std::string text = *value.value<std::string>();
        if (name == "id") rule.id = text;
        if (name == "when") when_node = &value;
        if (name == "cite") rule.cite = text;
        if (name == "doc") rule.doc = text;
        if (name == "outcome") {
          if (auto o = parse_enum<Outcome>(text)) rule.outcome = *o;
          else error(value.source(), "rule.outcome: \"" + text + "\" is not an outcome; expected one of " +
                                         join_names({EnumNames<Outcome>::names.begin(), EnumNames<Outcome>::names.end()}),
                     did_you_mean(text, {EnumNames<Outcome>::names.begin(), EnumNames<Outcome>::names.end()}));
        }
      } else if (name == "supported") {
        if (!value.is_boolean()) { wrong_type(value, "rule.supported", "false"); continue; }
        if (*value.value<bool>())
          error(value.source(), "rule.supported: a rule can only take support away; expected false",
                "a restore is supported unless some rule says supported = false");
        else rule.supported = false;
      } else if (name == "precedence" || name == "cpus_used") {
        if (!value.is_integer()) { wrong_type(value, "rule." + name, "an integer"); continue; }
        const auto v = *value.value<std::int64_t>();
        if (v < (name == "precedence" ? 0 : 1) || v > 1000) {
          error(value.source(), "rule." + name + ": " + std::to_string(v) + " is out of range; expected " +
                                    (name == "precedence" ? "0 to 1000" : "1 to 1000"));
          continue;
        }
        if (name == "precedence") { rule.precedence = static_cast<int>(v); precedence_node = &value; }
        else rule.cpus_used = static_cast<int>(v);
      } else if (name == "actions") {
        parse_actions(value, rule);
      } else if (name == "cures") {
        parse_cures(value, rule);
      }
    }
    if (!rule.cures.empty() && rule.actions.empty())
      error(t.get("cures")->source(), "rule \"" + rule.id + "\" names what it cures but has no actions",
            "add actions = [...] or remove cures");
    if (rule.id.empty()) error(t.source(), "[[rule]] without an id; expected id = \"a-short-name\"");
    else if (!valid_identifier(rule.id, true))
      error(t.get("id")->source(), "rule id \"" + rule.id + "\" must be lower-case letters, digits, '-', '_' and '.'");
    if (rule.outcome && !precedence_node)
      error(t.get("outcome")->source(), "rule \"" + rule.id + "\" sets an outcome without a precedence; expected precedence = N (lower wins)");
    if (!rule.outcome && precedence_node)
      error(precedence_node->source(), "rule \"" + rule.id + "\": precedence without an outcome has no effect; expected outcome = \"...\"");
    if (!when_node) {
      error(t.source(), "rule \"" + rule.id + "\" has no condition; expected when = \"...\"");
    } else {
      auto condition = book_.compiler.compile(*when_node->value<std::string_view>());
      if (!condition) {
        const auto& e = condition.error();
        diags_.push_back(diagnostic_at_offset(*when_node, file_, e.offset, "rule \"" + rule.id + "\": " + e.message, e.suggestion));
      } else {
        rule.when = std::move(*condition);
        rule.when_where = when_node->source();
        if (rule.when.reads_prediction() && (rule.outcome || rule.supported || rule.cpus_used))
          error(when_node->source(), "rule \"" + rule.id + "\" reads outcome, supported or boots, so it may only add actions",
                "split it into a rule that decides and a rule that adds actions");
      }
    }
    return diags_.size() == errors_before;
  }

  void parse_actions(const toml::node& value, Rule& rule) {
    const toml::array* list = value.as_array();
    if (!list) return wrong_type(value, "rule.actions", "an array of action names");
    const std::vector<std::string_view> names(EnumNames<Action>::names.begin(), EnumNames<Action>::names.end());
    for (const toml::node& item : *list) {
      if (!item.is_string()) { wrong_type(item, "rule.actions", "an action name"); continue; }
      const std::string text = *item.value<std::string>();
      if (auto a = parse_enum<Action>(text)) rule.actions.insert(*a);
      else error(item.source(), "rule.actions: \"" + text + "\" is not an action; expected one of " + join_names(names),
                 did_you_mean(text, names));
    }
  }

  void parse_cures(const toml::node& value, Rule& rule) {
    const toml::array* list = value.as_array();
    if (!list) return wrong_type(value, "rule.cures", "an array of symptom names");
    const std::vector<std::string_view>& names = symptom_names();
    for (const toml::node& item : *list) {
      if (!item.is_string()) { wrong_type(item, "rule.cures", "a symptom name"); continue; }
      const std::string text = *item.value<std::string>();
      if (std::ranges::find(names, text) != names.end()) rule.cures.push_back(text);
      else error(item.source(), "rule.cures: \"" + text + "\" is not a symptom; expected one of " + join_names(names),
                 did_you_mean(text, names));
    }
  }

  std::string file_;
  Rulebook book_;
  Diagnostics diags_;
};

}  // namespace

const std::vector<std::string_view>& symptom_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (std::string_view o : EnumNames<Outcome>::names)
      if (o != name_of(Outcome::Boots)) out.push_back(o);
    out.push_back("cpus_used");
    out.push_back("nics_orphaned");
    return out;
  }();
  return names;
}

std::expected<Rulebook, Diagnostics> load_rulebook_text(std::string_view text, const std::string& path) {
  // A condition may span lines; a citation or a note is one line of text.
  static constexpr std::string_view kConditions[] = {"rule.when", "helpers.*"};
  auto table = parse_toml(text, path, kConditions);
  if (!table) return std::unexpected(std::move(table.error()));
  return RulebookLoad(path).run(*table);
}

std::expected<Rulebook, Diagnostics> load_rulebook_file(const FileReader& reader, const std::string& path) {
  const std::string name = input_name(path);
  auto text = reader.read(path);
  if (!text) return std::unexpected(Diagnostics{{name, 0, 0, "cannot load the rulebook: " + text.error(), ""}});
  return load_rulebook_text(*text, name);
}

}  // namespace restorelab
