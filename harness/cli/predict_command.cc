// `restorelab predict` and `restorelab check`.
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/run/prediction_report.h"
#include "rules/engine.h"

namespace restorelab {

int predict_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Predict the outcome of restoring each scenario, from the rulebook.\n"
               "Exit: 0 all [expect] met, 1 an expectation missed, 2 a file could not be loaded.",
               "restorelab predict");
  bool json = false;
  std::string rules;
  std::vector<std::string> files;
  app.add_flag("--json", json, "one JSON object per scenario (JSON Lines), in input order");
  app.add_option("--rules", rules, "rulebook to use instead of rules/kb249694.toml");
  app.add_option("files", files, "scenario files, or folders to search for them; - for standard input")->required();
  if (auto exit = parse_args(app, args, io)) return *exit;

  auto book = load_rulebook_or_report(rules, io);
  if (!book) return static_cast<int>(ExitCode::BadInput);
  auto scenarios = load_scenarios_or_report(files, io, "nothing was predicted");
  if (!scenarios) return static_cast<int>(ExitCode::BadInput);

  Engine engine(*book);
  int missed = 0;
  for (const Scenario& s : *scenarios) {
    Prediction p = engine.predict(s);
    if (s.expect && !expect_diff(*s.expect, p).empty()) ++missed;
    if (json) io.out << prediction_json_line(s, p, *book);
    else io.out << prediction_text(s, p, *book) << '\n';
  }
  if (!json || missed)
    io.err << scenarios->size() << " scenario" << (scenarios->size() == 1 ? "" : "s") << " predicted"
           << (missed ? ", " + std::to_string(missed) + " missed their [expect]" : std::string()) << '\n';
  return static_cast<int>(missed ? ExitCode::Mismatch : ExitCode::Ok);
}

int check_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Validate scenario files (every key, type and cross-key rule) without predicting.\n"
               "Exit: 0 all valid, 2 any file has errors (all of them are listed).",
               "restorelab check");
  std::vector<std::string> files;
  app.add_option("files", files, "scenario files, or folders to search for them; - for standard input")->required();
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto scenarios = load_scenarios_or_report(files, io);
  if (!scenarios) return static_cast<int>(ExitCode::BadInput);
  io.err << scenarios->size() << " scenario file" << (scenarios->size() == 1 ? "" : "s") << " valid\n";
  return 0;
}

}  // namespace restorelab
