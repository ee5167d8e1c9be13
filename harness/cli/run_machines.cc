#include "harness/cli/run_machines.h"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "harness/machines/accelerator.h"
#include "harness/machines/cleanup.h"
#include "harness/output/text.h"
#include "harness/run/run_session.h"
#include "harness/store/store_records.h"

namespace restorelab {

namespace fs = std::filesystem;

RunMachines::RunMachines(run::RunSettings settings, std::string uri, fs::path work_root,
                         const std::atomic<int>& interrupt, Streams& io, bool verbose)
    : settings_(std::move(settings)), uri_(std::move(uri)), work_root_(std::move(work_root)),
      interrupt_(interrupt), io_(io), verbose_(verbose) {}

RunMachines::~RunMachines() = default;

machines::Result<run::Machines> RunMachines::get() {
  std::lock_guard lock(mutex_);
  if (!result_) result_ = set_up();
  return *result_;
}

machines::Result<run::Machines> RunMachines::set_up() {
  run::Machines m;
  // The accelerator, from the real probe.
  auto accel = machines::detect_accelerator();
  if (!accel) return std::unexpected(accel.error());
  const bool kvm = accel->accelerator == machines::Accelerator::Kvm;
  m.accelerator = std::string(machines::accelerator_name(accel->accelerator));
  m.settings = run::scaled_for(settings_, kvm);
  m.settings.type = machines::domain_type_for(accel->accelerator);
  // Which one runs, plainly; why KVM did not (the probes) only when asked.
  io_.err << "restorelab run: accelerator " << accel->plain();
  if (verbose_) io_.err << "\nrestorelab run: accelerator probes: " << accel->probes_text();
  else if (accel->kvm_refused()) io_.err << " (-v says why)";
  io_.err << "\n";

  // The model guest's artifacts (built on first use).
  disks_ = std::make_unique<run::ScriptDiskTool>(run::images_source_dir(), &interrupt_);
  auto artifacts = disks_->build_artifacts(m.settings.artifacts);
  if (!artifacts) return std::unexpected(artifacts.error());
  if (artifacts->rebuilt) io_.err << text("restorelab run: built the model guest in {} s\n", static_cast<int>(artifacts->seconds));

  // The hypervisor, and whatever killed runs left in it.
  if (auto root = machines::embed_root_of_uri(uri_)) {
    if (auto locked = lock_.take(*root, "restorelab run", interrupt_, io_); !locked)
      return std::unexpected(locked.error());
  }
  auto backend = machines::open_backend(uri_);
  if (!backend) return std::unexpected(backend.error());
  backend_ = std::move(*backend);
  machines::ProcProcessTable processes;
  auto leftovers = run::remove_leftovers(*backend_->hypervisor, backend_->embed_root, processes, work_root_);
  if (!leftovers.removed.empty() || !leftovers.killed.empty())
    io_.err << "restorelab run: removed what an earlier run left: " << leftovers.removed.size()
            << " domain(s)/folder(s), " << leftovers.killed.size() << " QEMU process(es)\n";
  for (const auto& p : leftovers.problems) io_.err << "warning: " << p.message << "\n";
  if (auto claimed = run::claim_work_dir(m.settings.work_dir, m.settings.domain_prefix); !claimed)
    return std::unexpected(claimed.error());
  m.hypervisor = backend_->hypervisor.get();
  m.disks = disks_.get();
  m.uri = uri_;
  return m;
}

void RunMachines::clean_up(bool interrupted, const std::vector<run::KeptScenario>& kept, std::int64_t store_run) {
  std::lock_guard lock(mutex_);
  if (!backend_) return;
  std::vector<std::string> keep_domains;
  if (!interrupted)
    for (const run::KeptScenario& k : kept) keep_domains.insert(keep_domains.end(), k.domains.begin(), k.domains.end());
  // The domains of this run that are not kept (a kept scenario's are
  // listed by name: the prefix of one scenario may begin another's name).
  auto names = backend_->hypervisor->list_domains(settings_.domain_prefix);
  if (!names) io_.err << "warning: cleanup: " << names.error().message << "\n";
  for (const std::string& name : names.value_or(std::vector<std::string>{})) {
    if (std::ranges::find(keep_domains, name) != keep_domains.end()) continue;
    machines::Hypervisor& hv = *backend_->hypervisor;
    if (auto d = hv.destroy(name); !d && !d.error().no_domain()) io_.err << "warning: cleanup: " << d.error().message << "\n";
    if (auto u = hv.undefine(name); !u && !u.error().no_domain()) io_.err << "warning: cleanup: " << u.error().message << "\n";
  }
  std::error_code ec;
  if (keep_domains.empty()) {
    fs::remove_all(settings_.work_dir, ec);
    return;
  }
  run::KeptRun record;
  record.run = settings_.work_dir.filename().string();
  record.folder = settings_.work_dir;
  record.prefix = settings_.domain_prefix;
  record.uri = uri_;
  record.kept_at = store::utc_iso8601(std::chrono::system_clock::now());
  record.store_run = store_run;
  record.scenarios = kept;
  auto written = run::write_kept(record);
  if (written && backend_->embed_root) written = run::note_kept_in_root(*backend_->embed_root, record);
  if (!written)
    io_.err << "warning: " << written.error().message << ": the next run will remove what this one kept\n";
}

}  // namespace restorelab
