#include "harness/cli/matrix_selection.h"

#include <chrono>
#include <ostream>

namespace restorelab {

Selection select_combinations(const Matrix& m, int strength, std::uint64_t seed, Streams& io) {
  Selection sel;
  if (strength <= 0) return sel;
  MatrixExpander expander(m);
  std::vector<std::size_t> sizes;
  for (const Axis& a : m.axes) sizes.push_back(a.values.size());
  Scenario scratch;
  const auto start = std::chrono::steady_clock::now();
  sel.covering = build_covering_array(sizes, {.strength = strength, .seed = seed}, [&](const Choice& c) {
    return expander.build(c, scratch) == MatrixExpander::Status::Valid;
  });
  sel.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sel.rows = sel.covering.rows;
  sel.all = false;
  const auto& c = sel.covering;
  io.err << m.name << ": covering array of strength " << strength << ": " << c.rows.size() << " rows of " << m.size()
         << " combinations; " << c.tuples_covered << " of " << c.tuples_total << " " << strength << "-tuples covered"
         << (c.tuples_unreachable ? " (" + std::to_string(c.tuples_unreachable) + " excluded by validation or constraints)"
                                  : "")
         << "; built in " << static_cast<int>(sel.seconds * 1000) << " ms\n";
  return sel;
}

void write_axes(JsonWriter& json, const Matrix& m, const Choice& choice) {
  json.key("axes").begin_object();
  for (std::size_t i = 0; i < m.axes.size(); ++i) {
    const Axis& a = m.axes[i];
    json.key(a.key);
    const Value& v = a.values[choice[i]];
    const std::string& label = a.labels[choice[i]];
    switch (a.keys[0]->type) {
      case ValueType::Bool: json.value(std::get<bool>(v)); break;
      case ValueType::Int: json.value(std::get<std::int64_t>(v)); break;
      case ValueType::StringList: json.strings(std::get<std::vector<std::string>>(v)); break;
      case ValueType::EnumList: {
        // Enum names hold no '+': the label joins them with it.
        json.begin_array();
        for (std::size_t at = 0; label != "none" && at <= label.size();) {
          std::size_t plus = label.find('+', at);
          if (plus == std::string::npos) plus = label.size();
          json.value(std::string_view(label).substr(at, plus - at));
          at = plus + 1;
        }
        json.end_array();
        break;
      }
      default: json.value(label);
    }
  }
  json.end_object();
}

std::string axes_json(const Matrix& m, const Choice& choice) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_axes(json, m, choice);
  json.end_object();
  // {"axes":{...}} -> {...}
  return out.substr(8, out.size() - 9);
}

}  // namespace restorelab
