#include "harness/cli/campaign_inputs.h"

#include <filesystem>
#include <map>
#include <ostream>

#include "harness/cli/matrix_selection.h"
#include "rules/matrix.h"
#include "rules/matrix_limits.h"
#include "rules/combination_id.h"
#include "rules/scenario_loader.h"
#include "rules/toml_source.h"

namespace restorelab {

namespace {

bool expand_matrix(const std::string& file, const Rulebook& book, const SelectionOptions& selection,
                   std::vector<CampaignInput>& out, Streams& io, std::vector<BehaviourPlan>* plans) {
  auto m = load_matrix_file(DiskReader{}, file, book.compiler);
  if (!m) {
    io.err << format_diagnostics(m.error());
    return false;
  }
  if (auto refused = check_matrix_work(*m, MatrixWork{selection.strength, true, selection.behaviours})) {
    io.err << refused->to_string() << "\n";
    return false;
  }
  const Selection sel = select_combinations(*m, book, selection, io);
  MatrixExpander expander(*m);
  std::size_t valid = 0, refused = 0;
  Scenario s;
  BehaviourPlan plan;
  std::size_t row = 0;
  for_each_selected(expander, sel, Shard{}, [&](const Choice& c) {
    const std::size_t position = row++;
    if (expander.build(c, s) != MatrixExpander::Status::Valid) {
      ++refused;
      return;
    }
    CampaignInput in;
    in.id = expander.id(c);
    if (selection.behaviours)
      plan.rows.push_back(run::CampaignRow{sel.row_class[position], in.id, c, run::ClassStatus::Unobserved});
    ++valid;
    in.scenario = s;
    in.scenario.name = combination_name(in.id);
    in.scenario.file.clear();
    in.axes_json = axes_json(*m, c);
    out.push_back(std::move(in));
  });
  if (valid == 0) {
    io.err << file << ": error: nothing of the matrix is left to run (" << refused
           << " combinations refused by the validation or excluded by constraints)\n";
    return false;
  }
  if (refused) io.err << file << ": " << refused << " combinations refused by the validation or constraints\n";
  if (selection.behaviours && plans) {
    plan.classes = sel.classes;
    plan.pairs_held = sel.pairs_held;
    plan.matrix = std::move(*m);
    plans->push_back(std::move(plan));
  }
  return true;
}

}  // namespace

bool is_matrix_file(const std::string& path) {
  if (path == kStdinPath) return false;
  auto text = DiskReader{}.read(path);
  if (!text) return false;
  auto table = parse_toml(*text, path);
  return table && file_kind(*table) == FileKind::Matrix;
}

std::optional<std::vector<CampaignInput>> load_campaign_inputs(const std::vector<std::string>& paths,
                                                                const Rulebook& book,
                                                                const SelectionOptions& selection, Streams& io,
                                                                std::vector<BehaviourPlan>* plans) {
  std::vector<CampaignInput> inputs;
  std::vector<std::string> scenario_paths;
  bool ok = true;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec) && is_matrix_file(path)) {
      ok = expand_matrix(path, book, selection, inputs, io, plans) && ok;
      continue;
    }
    scenario_paths.push_back(path);
  }
  if (!scenario_paths.empty()) {
    auto scenarios = load_scenarios_or_report(expand_scenario_paths(scenario_paths), io, "nothing was run");
    if (!scenarios) return std::nullopt;
    for (Scenario& s : *scenarios) inputs.push_back(CampaignInput{s.name, std::move(s), ""});
  }
  if (!ok) return std::nullopt;
  std::map<std::string, std::string> seen;  // name -> id
  for (const CampaignInput& in : inputs) {
    if (auto [it, fresh] = seen.emplace(in.scenario.name, in.id); !fresh) {
      io.err << "restorelab run: \"" << in.id << "\" and \"" << it->second
             << "\" would share the name and evidence folder \"" << in.scenario.name
             << "\"; ids and names must be unique in a run\n";
      return std::nullopt;
    }
  }
  return inputs;
}

}  // namespace restorelab
