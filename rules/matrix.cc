#include "rules/matrix.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "rules/combination_id.h"
#include "rules/scenario_loader.h"
#include "rules/validate.h"

namespace restorelab {

std::uint64_t Matrix::size() const {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  if (std::any_of(axes.begin(), axes.end(), [](const Axis& a) { return a.values.empty(); })) return 0;
  std::uint64_t n = 1;
  for (const Axis& a : axes) {
    if (n > kMax / a.values.size()) return kMax;
    n *= a.values.size();
  }
  return n;
}

int Matrix::axis_index(std::string_view key) const {
  for (std::size_t i = 0; i < axes.size(); ++i)
    if (axes[i].key == key) return static_cast<int>(i);
  return -1;
}

namespace {

constexpr std::size_t kMaxAxisValues = 255;  // a Choice holds one byte per axis

const std::vector<std::string_view> kMatrixKeys = {"name", "base", "description"};
const std::vector<std::string_view> kTopLevel = {"matrix", "axes", "base", "constraints"};
const std::vector<std::string_view> kConstraintKeys = {"exclude", "require"};

/// Nodes of a table in the order they appear in the file.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [key, node] : t) out.emplace_back(&key, &node);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return out;
}

class MatrixLoad {
 public:
  MatrixLoad(const FileReader& reader, std::string file, const ConditionCompiler& compiler)
      : reader_(reader), file_(std::move(file)), compiler_(compiler) {
    m_.file = file_;
  }

  std::expected<Matrix, Diagnostics> run(const toml::table& root) {
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (std::find(kTopLevel.begin(), kTopLevel.end(), name) == kTopLevel.end())
        error(key.source(), "unknown key \"" + name + "\" at the top level of a matrix; expected [matrix], [base], "
                            "[axes] or [constraints]", did_you_mean(name, kTopLevel));
    }
    matrix_table(root);
    base(root);
    axes(root);
    constraints(root);
    if (!diags_.empty()) {
      std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
      });
      return std::unexpected(std::move(diags_));
    }
    if (m_.base.name.empty()) m_.base.name = m_.name;
    return std::move(m_);
  }

 private:
  void error(const toml::source_region& where, std::string message, std::string suggestion = {}) {
    diags_.push_back(diagnostic_at(where, file_, std::move(message), std::move(suggestion)));
  }

  void matrix_table(const toml::table& root) {
    const toml::table* t = root["matrix"].as_table();
    if (!t) {
      diags_.push_back({file_, 0, 0, "missing [matrix] table with name = \"...\"", ""});
      return;
    }
    for (auto&& [key, node] : *t) {
      const std::string name(key.str());
      if (std::find(kMatrixKeys.begin(), kMatrixKeys.end(), name) == kMatrixKeys.end()) {
        error(key.source(), "unknown key \"" + name + "\" in [matrix]", did_you_mean(name, kMatrixKeys));
      } else if (!node.is_string()) {
        error(node.source(), "matrix." + name + ": expected a string, found " + std::string(describe_node(node)));
      } else if (name == "name") {
        m_.name = *node.value<std::string>();
        if (auto problem = name_problem(m_.name, kMaxMatrixNameLength); !problem.empty())
          error(node.source(), "matrix.name: " + problem);
      } else if (name == "description") {
        m_.description = *node.value<std::string>();
      }
    }
    if (!t->contains("name")) error(t->source(), "missing key \"name\" in [matrix]; expected a name like \"hal-by-disk\"");
  }

  void base(const toml::table& root) {
    const toml::node* file_node = root["matrix"]["base"].node();
    const toml::node* inline_node = root.get("base");
    if (file_node && inline_node) {
      error(inline_node->source(), "both matrix.base and a [base] table; expected one of them");
      return;
    }
    ScenarioLoader loader(reader_);
    std::expected<Scenario, Diagnostics> base;
    if (file_node && file_node->is_string()) {
      const std::string path = resolve_relative(file_, *file_node->value<std::string>());
      auto text = reader_.read(path);
      if (!text) {
        error(file_node->source(), "matrix.base: cannot load \"" + path + "\": " + text.error());
        return;
      }
      auto table = parse_toml(*text, path);
      if (!table) {
        diags_.insert(diags_.end(), table.error().begin(), table.error().end());
        return;
      }
      base = loader.load_table(*table, path, "", false);
    } else if (inline_node && inline_node->is_table()) {
      base = loader.load_table(*inline_node->as_table(), file_, "base.", false);
    } else if (inline_node) {
      error(inline_node->source(), "base: expected a table, found " + std::string(describe_node(*inline_node)));
      return;
    } else if (!file_node) {
      diags_.push_back({file_, 0, 0, "the matrix has no base; expected matrix.base = \"file.toml\" or a [base] table", ""});
      return;
    } else {
      return;  // matrix_table() reported the wrong type
    }
    if (!base) {
      diags_.insert(diags_.end(), base.error().begin(), base.error().end());
      return;
    }
    m_.base = std::move(*base);
  }

  void axes(const toml::table& root) {
    const toml::node* node = root.get("axes");
    if (!node) {
      diags_.push_back({file_, 0, 0, "missing [axes] table; expected \"key\" = [values] lines such as "
                                     "\"source.hal\" = [\"acpi-pc\", \"acpi-uniprocessor\"]", ""});
      return;
    }
    const toml::table* t = node->as_table();
    if (!t) return error(node->source(), "axes: expected a table, found " + std::string(describe_node(*node)));
    m_.axes_where = t->source();
    for (auto [key, value] : in_file_order(*t)) axis(*key, *value);
  }

  void axis(const toml::key& key, const toml::node& node) {
    Axis a;
    a.key = std::string(key.str());
    a.where = key.source();
    const KeyInfo* info = find_key(a.key);
    if (!info || info->derived || a.key.starts_with("scenario.")) {
      std::vector<std::string_view> names;
      for (auto p : key_paths(false))
        if (!p.starts_with("scenario.")) names.push_back(p);
      error(key.source(), "unknown axis key \"" + a.key + "\"; expected a scenario key such as \"source.hal\"",
            did_you_mean(a.key, names));
      return;
    }
    if (m_.axis_index(a.key) >= 0) return error(key.source(), "axis \"" + a.key + "\" is given twice");
    a.keys.push_back(info);
    const toml::array* values = node.as_array();
    if (const toml::table* t = node.as_table()) {
      values = (*t)["values"].as_array();
      for (auto&& [k, v] : *t) {
        const std::string name(k.str());
        if (name == "values") continue;
        if (name != "same") {
          error(k.source(), "unknown key \"" + name + "\" in axis \"" + a.key + "\"; expected values or same",
                did_you_mean(name, {"values", "same"}));
        } else if (!v.is_boolean()) {
          error(v.source(), "same: expected true or false, found " + std::string(describe_node(v)));
        } else if (*v.value<bool>()) {
          const KeyInfo* other = other_side(a.key);
          if (!other) return error(v.source(), "same = true needs a source.* or destination.* key, not \"" + a.key + "\"");
          a.keys.push_back(other);
        }
      }
      if (!values) return error(node.source(), "axis \"" + a.key + "\": expected values = [...]");
    }
    if (!values) {
      error(node.source(), "axis \"" + a.key + "\": expected an array of values, found " + std::string(describe_node(node)));
      return;
    }
    if (values->empty()) return error(node.source(), "axis \"" + a.key + "\" has no values; expected at least one");
    if (values->size() > kMaxAxisValues)
      return error(node.source(), "axis \"" + a.key + "\" has more than " + std::to_string(kMaxAxisValues) + " values");
    for (const toml::node& item : *values) {
      auto v = node_to_value(item, *info, file_);
      if (!v) {
        diags_.push_back(v.error());
        continue;
      }
      // Equal parts mean equal values (id_part() is injective).
      std::string part = id_part(*info, *v);
      std::string label = value_to_text(*info, *v);
      if (std::find(a.id_parts.begin(), a.id_parts.end(), part) != a.id_parts.end()) {
        error(item.source(), "axis \"" + a.key + "\": value \"" + label + "\" is listed twice");
        continue;
      }
      a.values.push_back(std::move(*v));
      a.labels.push_back(std::move(label));
      a.id_parts.push_back(std::move(part));
    }
    m_.axes.push_back(std::move(a));
  }

  static const KeyInfo* other_side(const std::string& key) {
    if (key.starts_with("source.")) return find_key("destination." + key.substr(7));
    if (key.starts_with("destination.")) return find_key("source." + key.substr(12));
    return nullptr;
  }

  void constraints(const toml::table& root) {
    const toml::node* node = root.get("constraints");
    if (!node) return;
    const toml::table* t = node->as_table();
    if (!t) return error(node->source(), "constraints: expected a table, found " + std::string(describe_node(*node)));
    m_.constraints_where = t->source();
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      if (std::find(kConstraintKeys.begin(), kConstraintKeys.end(), name) == kConstraintKeys.end()) {
        error(key.source(), "unknown key \"" + name + "\" in [constraints]; expected exclude or require",
              did_you_mean(name, kConstraintKeys));
        continue;
      }
      const toml::array* list = value.as_array();
      if (!list) {
        error(value.source(), "constraints." + name + ": expected an array of conditions, found " +
                                  std::string(describe_node(value)));
        continue;
      }
      for (const toml::node& item : *list) {
        if (!item.is_string()) {
          error(item.source(), "constraints." + name + ": expected a condition string, found " +
                                   std::string(describe_node(item)));
          continue;
        }
        auto c = compiler_.compile(*item.value<std::string_view>());
        if (!c) {
          diags_.push_back(diagnostic_at_offset(item, file_, c.error().offset, "constraint: " + c.error().message, c.error().suggestion));
        } else if (c->reads_prediction()) {
          error(item.source(), "constraint: reads the prediction (outcome, supported or boots); constraints choose "
                               "scenarios, before anything is predicted");
        } else {
          (name == "exclude" ? m_.exclude : m_.require).push_back(std::move(*c));
        }
      }
    }
  }

  const FileReader& reader_;
  std::string file_;
  const ConditionCompiler& compiler_;
  Matrix m_;
  Diagnostics diags_;
};

}  // namespace

std::expected<Matrix, Diagnostics> load_matrix_text(const FileReader& reader, std::string_view text,
                                                    const std::string& path, const ConditionCompiler& compiler) {
  static constexpr std::string_view kConditions[] = {"constraints.exclude", "constraints.require"};
  auto table = parse_toml(text, path, kConditions);
  if (!table) return std::unexpected(std::move(table.error()));
  return MatrixLoad(reader, path, compiler).run(*table);
}

std::expected<Matrix, Diagnostics> load_matrix_file(const FileReader& reader, const std::string& path,
                                                    const ConditionCompiler& compiler) {
  const std::string name = input_name(path);
  auto text = reader.read(path);
  if (!text) return std::unexpected(Diagnostics{{name, 0, 0, text.error(), ""}});
  return load_matrix_text(reader, *text, name, compiler);
}

MatrixExpander::Status MatrixExpander::build(const Choice& choice, Scenario& out) const {
  out = matrix_.base;
  // Source keys first, so a destination copied from the source copies the
  // combination's source, not the base's.
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < matrix_.axes.size(); ++i) {
      const Axis& axis = matrix_.axes[i];
      for (const KeyInfo* key : axis.keys)
        if (key->path.starts_with("source.") == (pass == 0)) key->set(out, axis.values[choice[i]]);
    }
  resolve_defaults(out);
  if (!is_valid(out)) return Status::Invalid;
  EvalContext ctx{&out, Outcome::Boots, true};
  for (const Condition& c : matrix_.exclude)
    if (c.eval(ctx)) return Status::Excluded;
  for (const Condition& c : matrix_.require)
    if (!c.eval(ctx)) return Status::Excluded;
  return Status::Valid;
}

std::string MatrixExpander::id(const Choice& choice) const {
  std::string out = matrix_.name + "/";
  for (std::size_t i = 0; i < choice.size(); ++i) {
    if (i) out += '.';
    out += matrix_.axes[i].id_parts[choice[i]];
  }
  return out;
}

}  // namespace restorelab
