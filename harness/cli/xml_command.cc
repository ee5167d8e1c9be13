// `restorelab xml`: the domain XML `restorelab run` defines for one machine.
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/machines/accelerator.h"
#include "harness/cli/cli.h"
#include "harness/run/orchestrator.h"
#include "harness/run/run_session.h"

namespace restorelab {

int xml_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Print the libvirt domain XML of a scenario's source or destination machine, as\n"
               "`restorelab run` defines it (paths below --work and --evidence, run id \"xml\").\n"
               "Exit: 0 printed, 2 bad input or a machine that cannot be built as a VM.",
               "restorelab xml");
  std::string file, side = "destination", work, evidence = "runs", images, accel = "tcg";
  app.add_option("file", file, "scenario file")->required();
  app.add_option("--side", side, "which machine")->check(CLI::IsMember({"source", "destination"}));
  app.add_option("--work", work, "disk folder (default /var/tmp/restorelab/work)")->check(non_empty_folder());
  app.add_option("--evidence", evidence, "evidence folder (default runs)")->check(non_empty_folder());
  app.add_option("--accel", accel, "the accelerator the domain is for, as `run` reports it (it probes; xml does not)")
      ->check(CLI::IsMember({"kvm", "tcg"}));
  app.add_option("--images", images, "model guest artifacts folder (default /var/tmp/restorelab/images/<hash>)");
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto scenarios = load_scenarios_or_report({file}, io);
  if (!scenarios) return static_cast<int>(ExitCode::BadInput);

  run::RunSettings settings;
  settings.work_dir = std::filesystem::absolute((work.empty() ? run::default_work_root() : std::filesystem::path(work)) / "xml");
  settings.evidence_dir = std::filesystem::absolute(std::filesystem::path(evidence) / "xml");
  settings.domain_prefix = std::string(run::kDomainPrefix) + "xml-";
  settings.artifacts = images.empty() ? run::default_artifacts_dir(run::images_source_dir()) : std::filesystem::path(images);
  // Printing starts nothing: no accelerator probe, no file written.
  settings.type = machines::domain_type_for(accel == "kvm" ? machines::Accelerator::Kvm : machines::Accelerator::Tcg);
  const Scenario& s = scenarios->front();
  const run::RunPlan plan = run::plan_run(s, run::plan_paths(s, settings));
  if (!plan.refused.empty()) {
    io.err << format_diagnostics(plan.refused);
    return static_cast<int>(ExitCode::BadInput);
  }
  auto xmls = run::plan_xmls(plan, settings.type);
  if (!xmls) {
    io.err << file << ": cannot be run on VMs: " << xmls.error().message << "\n";
    return static_cast<int>(ExitCode::BadInput);
  }
  io.out << (side == "destination" ? xmls->back() : xmls->front());
  return 0;
}

}  // namespace restorelab
