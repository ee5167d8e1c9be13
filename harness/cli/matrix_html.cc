#include "harness/cli/matrix_html.h"

#include "harness/output/json_writer.h"
#include "harness/output/html_text.h"
#include "harness/output/page_templates.h"

namespace restorelab {

namespace {

// The page's data: what its script (templates/matrix.js) renders.
std::string data_json(const MatrixSummary& s, const Matrix& m, const std::vector<MatrixRow>& rows,
                      const std::string& rulebook_name) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json.key("matrix").value(m.name);
  json.key("description").value(m.description);
  json.key("rulebook").value(rulebook_name);
  json.key("combinations").value(static_cast<std::int64_t>(s.combinations));
  json.key("valid").value(static_cast<std::int64_t>(s.counts.valid));
  json.key("invalid").value(static_cast<std::int64_t>(s.counts.invalid));
  json.key("excluded").value(static_cast<std::int64_t>(s.counts.excluded));
  json.key("supported").value(static_cast<std::int64_t>(s.supported));
  json.key("outcomes").begin_array();
  for (std::size_t i = 0; i < enum_count<Outcome>(); ++i) {
    const Outcome o = static_cast<Outcome>(i);
    json.begin_object().key("name").value(name_of(o)).key("code").value(outcome_code(o));
    json.key("count").value(static_cast<std::int64_t>(s.outcomes[i])).end_object();
  }
  json.end_array();
  json.key("pivots").begin_array();
  for (const Pivot& p : s.pivots) {
    const Axis& r = m.axes[static_cast<std::size_t>(p.row_axis)];
    const Axis& c = m.axes[static_cast<std::size_t>(p.col_axis)];
    json.begin_object().key("rows").value(r.key).key("cols").value(c.key);
    json.key("row_labels").strings(r.labels).key("col_labels").strings(c.labels);
    json.key("cells").begin_array();
    for (const OutcomeCounts& cell : p.cells) {
      json.begin_array();
      for (auto n : cell) json.value(static_cast<std::int64_t>(n));
      json.end_array();
    }
    json.end_array().end_object();
  }
  json.end_array();
  json.key("rows").begin_array();
  for (const MatrixRow& row : rows) {
    json.begin_array().value(row.id).value(row.supported).value(name_of(row.outcome));
    json.value(row.cpus_used).value(row.actions).value(row.rules).end_array();
  }
  json.end_array();
  json.key("rows_truncated").value(s.counts.valid > rows.size());
  json.end_object();
  return out;
}

}  // namespace

std::string matrix_html(const MatrixSummary& summary, const Matrix& matrix, const std::vector<MatrixRow>& rows,
                        const std::string& rulebook_name) {
  return page_with_data(pages::matrix, data_json(summary, matrix, rows, rulebook_name));
}

}  // namespace restorelab
