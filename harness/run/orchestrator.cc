#include "harness/run/orchestrator.h"

#include <algorithm>
#include <future>
#include <thread>

#include "harness/output/json_writer.h"
#include "harness/output/output_file.h"
#include "harness/output/text.h"
#include "harness/run/serial_log.h"
#include "harness/run/source_cache.h"
#include "images/guest/job_vocabulary.h"

namespace restorelab::run {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

RunSettings scaled_for(RunSettings settings, bool kvm) {
  if (kvm) {
    settings.chain_limits.total /= 3;
    settings.destination_limits.total /= 3;
  }
  return settings;
}

PlanPaths plan_paths(const Scenario& s, const RunSettings& settings, int attempt) {
  PlanPaths paths{settings.work_dir / s.name, settings.evidence_dir / s.name, settings.domain_prefix, settings.type,
                  settings.artifacts};
  if (attempt > 1) {
    paths.disk_dir = settings.work_dir / (s.name + ".attempt-" + std::to_string(attempt));
    paths.evidence_dir /= "attempt-" + std::to_string(attempt);
  }
  return paths;
}

machines::Result<std::vector<std::string>> plan_xmls(const RunPlan& plan, machines::DomainType type) {
  std::vector<std::string> xmls;
  for (const PlannedVm& vm : plan.vms) {
    machines::VmSpec spec = vm.spec;
    spec.type = type;
    auto xml = machines::domain_xml(spec);
    if (!xml) return std::unexpected(machines::make_error(std::string(phase_name(vm.phase)) + " VM: " + xml.error().message));
    xmls.push_back(std::move(*xml));
  }
  return xmls;
}

namespace {

/// Evidence goes through output_file like every other file restorelab
/// writes: whole or not at all, and a failed write or close is seen.
bool write_file(const fs::path& p, const std::string& content) { return write_output_file(p, content).has_value(); }

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// The guest's own steps from its `done` line (step_ms), integers only, in
/// its order; nothing when the guest did not get that far.
void write_guest_steps(JsonWriter& json, const std::string& serial) {
  const auto events = parse_serial(serial);
  const SerialEvent* done = last_event(events, vocabulary::kEventDone);
  if (!done || done->cut || !done->fields.contains(vocabulary::kFieldStepMs)) return;
  const auto& steps = done->fields[std::string(vocabulary::kFieldStepMs)];
  if (!steps.is_object()) return;
  json.key("guest_step_ms").begin_object();
  for (const auto& [name, ms] : steps.items())
    if (ms.is_number_integer()) json.key(name).value(ms.get<std::int64_t>());
  json.end_object();
}

void write_timings(const ScenarioRun& run) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  for (const auto& [k, v] : run.timings) json.key(k).value(v);
  json.key("vms").begin_array();
  for (const VmRecord& r : run.records) {
    json.begin_object();
    json.key("phase").value(phase_name(r.phase));
    json.key("seconds").value(r.seconds);
    json.key("stop_seconds").value(r.stop_seconds);
    json.key("end").value(end_name(r.end));
    if (r.cached) json.key("cached").value(true);
    json.key("start").value(r.cached ? "cached" : r.warm_state.empty() ? "cold" : "warm");
    if (!r.warm_state.empty()) {
      json.key("warm_state").value(r.warm_state);
      json.key("warm_build_seconds").value(r.warm_build_seconds);
    }
    if (r.prepared_seconds > 0) json.key("prepared_seconds").value(r.prepared_seconds);
    write_guest_steps(json, r.serial);
    json.key("domain_state").value(r.domain_state);
    json.key("lifecycle").strings(r.lifecycle);
    if (!r.error.empty()) json.key("error").value(r.error);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  out += '\n';
  write_file(run.evidence / "timings.json", out);
}

/// A chain VM readied before its turn: restored paused (Chain::prepare_ahead),
/// and resumed or, cold, started at the `done` of the VM before it
/// (Chain::hand_over).
struct Prepared {
  std::string domain;             ///< the paused domain; empty: none was restored
  std::filesystem::path serial_log;  ///< the log its QEMU opened (empty until its guest runs)
  std::optional<WarmStart> warm;  ///< the state it was restored from (holds its slot)
  double seconds = 0;             ///< waiting for its disks, building the state, restoring it
  bool boots_cold = false;        ///< it boots cold in its turn
  std::string cold;               ///< why, as a note; empty when the campaign chose it (WarmDemand)
  std::optional<EarlyResume> early;  ///< resumed at the `done` of the VM before it (Chain::hand_over)
  std::optional<EarlyStart> started;  ///< a cold VM started at that `done` (Chain::hand_over)
};

/// One scenario's chain as it runs, phase by phase (Orchestrator::run reads
/// them in order): the evidence, the source cache, the disks, each VM started
/// warm or cold and observed, the remediation, and keeping or removing the
/// machines. It carries what one phase leaves for the next; every phase after
/// a failure or an interrupt does only what cleaning up needs.
class Chain {
 public:
  Chain(machines::Hypervisor& hypervisor, DiskTool& disks, const std::atomic<int>& interrupt,
        const PhaseProgressFn& progress, const RunPlan& run_plan, const RunSettings& run_settings)
      : hypervisor_(hypervisor), disks_(disks), interrupt_(interrupt), progress_(progress), plan(run_plan),
        settings(run_settings), disk_dir(run_plan.disk_dir), cache(run_settings.source_cache) {
    result.evidence = plan.evidence_dir;
    std::error_code ec;
    fs::create_directories(result.evidence, ec);
    fs::create_directories(disk_dir, ec);
  }

  /// Evidence first: XMLs and jobs are written before anything runs.
  void write_evidence() {
    if (!plan.refused.empty()) {
      // Callers check before any VM; a refused job never reaches a guest.
      failed("the guest's job refuses a value: " + plan.refused.front().to_string());
    } else if (auto rendered = plan_xmls(plan, settings.type); !rendered) {
      failed(rendered.error().message);
    } else {
      xmls = std::move(*rendered);
      for (std::size_t i = 0; i < plan.vms.size(); ++i) {
        if (!write_file(plan.vms[i].xml_file, xmls[i]) || !write_file(plan.vms[i].job_file, plan.vms[i].job)) {
          failed("cannot write the evidence in " + result.evidence.string());
          break;
        }
      }
    }
  }

  /// The source cache: on a hit the source VM's disks come from it.
  void look_up_source_cache() {
    cacheable = !plan.vms.empty() && plan.vms.front().phase == Phase::Source && plan.vms.front().disks.size() >= 2;  // system, backup (, initrd)
    if (!result.observation.failed() && cache.enabled() && cacheable) {
      const PlannedVm& src = plan.vms.front();
      std::vector<std::uint32_t> sizes;
      for (const std::size_t d : src.disks) sizes.push_back(plan.disks[d].size_mib);
      cache_key = SourceCache::key(settings.artifacts, xmls.front(), src.job, sizes, src.spec.name, disk_dir,
                                   result.evidence);
      cached_serial = cache.restore(cache_key, plan.disks[src.disks[0]].path, plan.disks[src.disks[1]].path);
    }
  }

  /// Disks: made in the background; each VM waits for its own. The first
  /// VM's disks are made first and the others once those are in: on two
  /// cores, five disk scripts at once delay the first VM.
  void make_disks() {
    if (result.observation.failed() || plan.vms.empty()) return;
    const auto& first_disks = plan.vms.front().disks;
    const auto for_first = [&](std::size_t d) { return std::ranges::find(first_disks, d) != first_disks.end(); };
    made.resize(plan.disks.size());
    std::vector<std::shared_future<machines::Status>> first;
    for (std::size_t d = 0; d < plan.disks.size(); ++d) {
      if (!for_first(d)) continue;
      if (cached_serial) {
        // On a hit the source VM does not run: its disks come from the cache
        // and its initramfs is not needed.
        std::promise<machines::Status> done;
        done.set_value({});
        made[d] = done.get_future().share();
      } else {
        made[d] = std::async(std::launch::async, [this, request = plan.disks[d]] {
                    return disks_.make_disk(settings.artifacts, request);
                  }).share();
      }
      first.push_back(made[d]);
    }
    for (std::size_t d = 0; d < plan.disks.size(); ++d) {
      if (for_first(d)) continue;
      made[d] = std::async(std::launch::async, [this, request = plan.disks[d], first] {
                  for (const auto& f : first) f.wait();
                  return disks_.make_disk(settings.artifacts, request);
                }).share();
    }
  }

  /// The chain's VMs one after the other, each started (or taken from the
  /// source cache) and observed, until one decides the observation.
  void run_vms() {
    for (std::size_t i = 0; i < plan.vms.size() && !result.observation.failed(); ++i) {
      const PlannedVm& vm = plan.vms[i];
      const auto waiting = Clock::now();
      std::optional<Prepared> prepared = take_prepared();
      const double prepared_wait = since(waiting);
      if (i + 1 < plan.vms.size()) prepare_ahead(plan.vms[i + 1], i == 0 && cached_serial ? nullptr : &vm);
      const std::string disk_error = wait_for_disks(vm);
      // An interrupt also stops the disk tools; that is the interrupt, not a failure.
      if (interrupt_.load() != 0) {
        result.interrupted = true;
        break;
      }
      if (!disk_error.empty()) {
        failed("the disks could not be made: " + disk_error);
        break;
      }
      if (i == 0 && cached_serial) {
        take_cached_source(vm);
      } else {
        DoneFn hand = [this, i](const std::string& serial) { hand_over(i, serial); };
        VmRecord record = start(vm, xmls[i], std::move(prepared), std::move(hand));
        // A state built for this VM is part of what the VM cost, unless it
        // was built ahead of its turn (then the wait for it is).
        const double build = record.prepared_seconds > 0 ? 0 : record.warm_build_seconds;
        result.timings[std::string(timing_key(vm.phase))] += record.seconds + build + prepared_wait;
        if (record.end == VmEnd::Interrupted) result.interrupted = true;
        result.records.push_back(std::move(record));
        if (result.interrupted) break;
      }
      if (observe_vm(i)) break;
    }
    drop_prepared();
    if (result.interrupted) failed("interrupted");
    else if (!result.observation.final()) failed("the chain ended without an outcome");
  }

  /// --remediate: the actions, then the destination's boot again.
  void remediate() {
    if (!plan.remediation || result.observation.failed() || !result.observation.outcome) return;
    const RemediationPlan& rp = *plan.remediation;
    const Outcome first = *result.observation.outcome;
    RemediationRun rr;
    auto remediation_failed = [&](std::string why) {
      rr.observation = Observation{};
      rr.observation.error = std::move(why);
    };
    if (first == Outcome::RestoreRefused) {
      rr.not_run = "the restore was refused: nothing was restored to remediate";
    } else {
      // From installation media when the destination did not start.
      const bool started = boots(first) || first == Outcome::RoleFails;
      remediation_vms = {started ? &rp.in_system : &rp.from_media, &rp.boot};
    }
    for (const PlannedVm* vm : remediation_vms) {
      machines::VmSpec spec = vm->spec;
      spec.type = settings.type;
      auto xml = machines::domain_xml(spec);
      const std::string phase(phase_name(vm->phase));
      if (!xml) {
        remediation_failed(phase + " VM: " + xml.error().message);
        break;
      }
      if (!write_file(vm->xml_file, *xml) || !write_file(vm->job_file, vm->job)) {
        remediation_failed("cannot write the evidence in " + result.evidence.string());
        break;
      }
      if (const std::string disk_error = wait_for_disks(*vm); !disk_error.empty()) {
        remediation_failed("the disks could not be made: " + disk_error);
        break;
      }
      if (interrupt_.load() != 0) {
        result.interrupted = true;
        break;
      }
      VmRecord record = start(*vm, *xml, std::nullopt);
      rr.timings[vm->phase == Phase::Remediate ? "remediate" : "boot"] = record.seconds + record.warm_build_seconds;
      if (record.end == VmEnd::Interrupted) result.interrupted = true;
      if (vm->phase == Phase::Remediate) rr.line = read_remediated(record.serial);
      rr.records.push_back(std::move(record));
      if (result.interrupted) break;
      rr.observation = observe(rr.records);
      if (rr.observation.final()) break;
    }
    if (!result.interrupted && rr.not_run.empty() && !rr.observation.final())
      remediation_failed("the remediation ended without an outcome");
    if (!result.interrupted) result.remediation = std::move(rr);
  }

  /// Keeps the machines (`settings.keep`, or `keep_if` says so; never after
  /// an interrupt) or removes them with their disks; the remediation VMs go
  /// either way. Then the timings, and the run is done.
  ScenarioRun keep_or_remove(const KeepIfFn& keep_if) {
    // Never leave a disk job running behind the cleanup (run_vms() has
    // dropped a VM prepared for a turn that did not come).
    for (auto& f : made) f.wait();

    const bool keep = !result.interrupted && (settings.keep || (keep_if && keep_if(result.observation)));
    // The remediation VMs are evidence, never kept: they are removed either way.
    for (const PlannedVm* vm : remediation_vms) remove_domain(vm->spec.name);
    if (!keep) {
      for (const PlannedVm& vm : plan.vms) remove_domain(vm.spec.name);
      std::error_code ec;
      fs::remove_all(disk_dir, ec);
      if (ec) result.cleanup_problems.push_back("removing " + disk_dir.string() + ": " + ec.message());
    } else {
      keep_machines();
    }
    result.timings["disks"] = disk_wait;
    result.timings["total"] = since(start_time);
    write_timings(result);
    return std::move(result);
  }

 private:
  void failed(std::string why) {
    result.observation = Observation{};
    result.observation.error = std::move(why);
  }

  const VmLimits& limits_for(const PlannedVm& vm) const {
    const bool boot = vm.phase == Phase::Destination || vm.phase == Phase::Remediated;
    return boot ? settings.destination_limits : settings.chain_limits;
  }

  /// Waits for the disks `vm` attaches; the first error making one, or "".
  std::string wait_for_disks(const PlannedVm& vm) {
    const auto wait_start = Clock::now();
    std::string disk_error;
    for (std::size_t index : vm.disks) {
      while (made[index].wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (progress_) progress_("disks", since(wait_start));
      }
      if (auto st = made[index].get(); !st && disk_error.empty()) disk_error = st.error().message;
    }
    disk_wait += since(wait_start);
    return disk_error;
  }

  /// The source VM's record from the cache: it does not run.
  void take_cached_source(const PlannedVm& vm) {
    VmRecord record;
    record.phase = vm.phase;
    record.end = VmEnd::GuestDone;
    record.cached = true;
    record.serial = *cached_serial;
    write_file(vm.spec.serial_log, record.serial);
    result.source_cached = true;
    result.timings[std::string(timing_key(vm.phase))] += 0;
    result.records.push_back(std::move(record));
  }

  /// Observes the chain after its VM `i`; true when the observation is final.
  /// A source VM that booted and decided nothing goes to the cache.
  bool observe_vm(std::size_t i) {
    result.observation = observe(result.records);
    if (i == 0 && !result.records.back().cached && !result.observation.final())
      store_source(result.records.back().serial);
    return result.observation.final();
  }

  /// Starts one VM: warm from a saved state when it can (warm_start.h), cold
  /// otherwise. A warm start that cannot be had or does not restore is a
  /// note and a cold boot, never an outcome.
  /// `done`: what to do at the guest's `done` line.
  VmRecord start(const PlannedVm& vm, const std::string& xml, std::optional<Prepared> prepared, DoneFn done = {}) {
    const std::string phase(phase_name(vm.phase));
    const VmLimits& limits = limits_for(vm);
    VmRunner runner(hypervisor_, interrupt_);
    runner.on_done(std::move(done));
    auto progress = [&](double seconds) {
      if (progress_) progress_(phase, seconds);
    };
    if (prepared && interrupt_.load() == 0 && !prepared->cold.empty()) result.notes.push_back(prepared->cold);
    if (prepared && prepared->warm) {
      // The evidence holds the definition that really ran.
      write_file(vm.xml_file, prepared->warm->xml);
      VmRecord record = runner.run_resumed(vm.phase, prepared->domain, vm.spec.serial_log, vm.screenshot,
                                           limits, progress, prepared->early);
      record.prepared_seconds = prepared->seconds;
      if (std::optional<VmRecord> kept = settle_warm(vm, *prepared->warm, xml, std::move(record)))
        return std::move(*kept);
    } else if (prepared && prepared->started) {
      return runner.run_started(vm.phase, vm.spec.name, vm.spec.serial_log, vm.screenshot, limits, progress,
                                *prepared->started);
    } else if (!(prepared && prepared->boots_cold) && settings.warm && WarmStates::warmable(vm.spec)) {
      if (std::optional<VmRecord> record = start_warm(runner, vm, xml, limits, progress)) return std::move(*record);
    }
    return runner.run(vm.phase, vm.spec.name, xml, vm.spec.serial_log, vm.screenshot, limits, progress);
  }

  /// The VM restored from a saved state; nothing when it must boot cold
  /// (then the evidence holds `xml` again, and a note says why).
  std::optional<VmRecord> start_warm(VmRunner& runner, const PlannedVm& vm, const std::string& xml,
                                     const VmLimits& limits, const ProgressFn& progress) {
    const std::string phase(phase_name(vm.phase));
    machines::VmSpec spec = vm.spec;
    spec.type = settings.type;
    auto warm = settings.warm->prepare(spec, hypervisor_, interrupt_, limits, may_build(vm));
    if (!warm) {
      if (interrupt_.load() == 0 && !WarmStates::declined(warm.error()))
        result.notes.push_back(text("{} VM: no warm start ({}); booted cold", phase, warm.error().message));
      return std::nullopt;
    }
    // The evidence holds the definition that really ran.
    write_file(vm.xml_file, warm->xml);
    VmRecord record = runner.run_restored(vm.phase, warm->name, warm->state, warm->xml, vm.spec.serial_log,
                                          vm.screenshot, limits, progress);
    return settle_warm(vm, *warm, xml, std::move(record));
  }

  /// What a warm start's record stands for: the VM's run, or nothing when
  /// the state is to blame and the VM must boot cold (then the evidence
  /// holds `xml` again, and a note says why).
  std::optional<VmRecord> settle_warm(const PlannedVm& vm, const WarmStart& warm, const std::string& xml,
                                      VmRecord record) {
    const std::string phase(phase_name(vm.phase));
    // Past kernel-start the guest runs its job as a cold one would; a
    // restored VM that ends before it (refused, dead, silent) says
    // nothing about the scenario, only about the state. A QEMU that died
    // under it (killed from outside, or crashed) is the run's failure,
    // as under a cold boot; the state goes all the same, in case it was
    // the cause.
    const bool went_on =
        record.end == VmEnd::Interrupted || (record.end != VmEnd::StartFailed && record.kernel_started);
    const bool died = record.end != VmEnd::StartFailed && qemu_died(record);
    if (went_on || died) {
      if (!went_on) {
        settings.warm->discard(warm);
        result.notes.push_back(text("{} VM: its QEMU process died after the saved state {} was restored; the "
                                    "state was discarded",
                                    phase, warm.state.string()));
      }
      record.warm_state = warm.state.string();
      record.warm_build_seconds = warm.build_seconds;
      return record;
    }
    settings.warm->discard(warm);
    const std::string why = record.end == VmEnd::StartFailed ? record.error
                            : text("it ended ({}) before its kernel-start line", end_name(record.end));
    result.notes.push_back(text("{} VM: the saved state {} did not restore ({}); it was discarded and the VM booted cold",
                                phase, warm.state.string(), why));
    write_file(vm.xml_file, xml);
    return std::nullopt;
  }

  /// Whether a missing state may be built for `vm`: always, unless the
  /// campaign counts shapes and starts no other VM of `vm`'s. Counts `vm` as
  /// started; asked once per VM that asks for a warm start.
  bool may_build(const PlannedVm& vm) { return !settings.warm_demand || settings.warm_demand->take(plan, vm); }

  /// Restores the chain's next VM from its warm state ahead of its turn, in
  /// the background, and leaves it paused: while the VM before it runs,
  /// QEMU starts and reads the state in (about a second here). Its turn only
  /// resumes it. The two share disks (<shareable/>, run_plan.cc); the paused
  /// guest reads none before its turn, and the disks' identity it knows
  /// (IDENTIFY data) comes with the state, as in a restore in its turn.
  /// A VM that boots cold is not started ahead: QEMU reads a disk's first
  /// sector when it starts (the CHS geometry of IDE and SATA disks), which
  /// would then be the sector before the VM ahead of it wrote it.
  /// `before`: the VM that runs meanwhile (null: none does).
  void prepare_ahead(const PlannedVm& vm, const PlannedVm* before) {
    if (!settings.warm || !WarmStates::warmable(vm.spec)) return;
    next_ = std::async(std::launch::async, [this, &vm, before] { return prepare(vm, before); });
  }

  /// Whether `a` and `b` start warm from states of one shape (a restore VM
  /// on the source's own hardware): then the second takes the state the
  /// first leaves, instead of a second slot that would have to be built.
  bool same_shape(const PlannedVm& a, const PlannedVm& b) {
    if (!WarmStates::warmable(a.spec)) return false;
    for (std::size_t index : a.disks)
      if (!made[index].get()) return false;
    machines::VmSpec sa = a.spec, sb = b.spec;
    sa.type = sb.type = settings.type;
    auto ka = settings.warm->key(sa, hypervisor_), kb = settings.warm->key(sb, hypervisor_);
    return ka && kb && *ka == *kb;
  }

  Prepared prepare(const PlannedVm& vm, const PlannedVm* before) {
    Prepared p;
    const auto started = Clock::now();
    // A disk that could not be made is reported in the VM's turn.
    for (std::size_t index : vm.disks)
      if (!made[index].get()) return p;
    if (interrupt_.load() != 0 || stop_preparing_.load()) return p;
    if (before && same_shape(*before, vm)) return p;
    machines::VmSpec spec = vm.spec;
    spec.type = settings.type;
    auto warm = settings.warm->prepare(spec, hypervisor_, interrupt_, limits_for(vm), may_build(vm));
    if (!warm) {
      p.boots_cold = true;
      if (!WarmStates::declined(warm.error()))
        p.cold = text("{} VM: no warm start ({}); booted cold", phase_name(vm.phase), warm.error().message);
      return p;
    }
    if (stop_preparing_.load()) return p;
    VmRunner runner(hypervisor_, interrupt_);
    if (auto restored = runner.restore_paused(warm->name, warm->state, warm->xml); !restored) {
      (void)hypervisor_.destroy(warm->name);
      settings.warm->discard(*warm);
      p.boots_cold = true;
      p.cold = text("{} VM: the saved state {} did not restore ({}); it was discarded and the VM booted cold",
                    phase_name(vm.phase), warm->state.string(), restored.error().message);
      return p;
    }
    p.domain = warm->name;
    p.serial_log = vm.spec.serial_log;
    p.warm.emplace(std::move(*warm));
    p.seconds = since(started);
    return p;
  }

  /// The VM prepare_ahead() prepared, once it is ready; nothing when none was.
  std::optional<Prepared> take_prepared() {
    std::optional<Prepared> p = take_next();
    if (p && p->domain.empty() && !p->boots_cold) return std::nullopt;
    return p;
  }

  /// The next VM as hand_over() left it, else as prepare_ahead() makes it
  /// (waiting for that); nothing when neither has one.
  std::optional<Prepared> take_next() {
    std::optional<Prepared> p = std::move(handed_over_);
    handed_over_.reset();
    if (!p && next_.valid()) p.emplace(next_.get());
    return p;
  }

  /// At the `done` line of VM `i`, once its screenshot is taken: the next VM
  /// goes on at once, while VM `i` powers off (about half a second). One restored
  /// ahead is resumed; one that boots cold (the destination's test boot, or
  /// a chain VM with no warm start) is defined and started in the background, its disks shared with VM
  /// `i`'s QEMU for that while (<shareable/>, run_plan.cc). VM `i`'s guest
  /// has unmounted and synced its disks before `done`, so the next VM reads
  /// what it would read in its turn, QEMU's look at a disk's first sector
  /// as it starts included. Not when the chain ends with VM `i` (its log
  /// so far decides the observation). The source's disks go to the source
  /// cache first, before the next VM can touch them.
  void hand_over(std::size_t i, const std::string& serial) {
    if (i + 1 >= plan.vms.size() || interrupt_.load() != 0) return;
    VmRecord so_far;
    so_far.phase = plan.vms[i].phase;
    so_far.end = VmEnd::GuestDone;
    so_far.serial = serial;
    std::vector<VmRecord> chain = result.records;
    chain.push_back(std::move(so_far));
    if (observe(chain).final()) return;
    if (i == 0) store_source(serial);
    if (!next_.valid()) {
      start_cold_early(i + 1, "");
      return;
    }
    Prepared next = next_.get();
    // No warm start for it: it boots cold, started now as a test boot is.
    if (next.boots_cold && start_cold_early(i + 1, next.cold)) return;
    handed_over_.emplace(std::move(next));
    if (handed_over_->domain.empty() || !handed_over_->warm) return;
    handed_over_->early = EarlyResume{Clock::now(), {}};
    handed_over_->early->status = hypervisor_.resume(handed_over_->domain);
  }

  /// hand_over() for a next VM `n` that boots cold: when its disks are made
  /// and all shareable, it is started in the background now (true), with
  /// `note` saying why it is cold (empty: nothing to say).
  bool start_cold_early(std::size_t n, const std::string& note) {
    const PlannedVm& vm = plan.vms[n];
    for (std::size_t d : vm.disks)
      if (made[d].wait_for(std::chrono::seconds(0)) != std::future_status::ready || !made[d].get()) return false;
    if (!std::ranges::all_of(vm.spec.disks, &machines::DiskSpec::shareable)) return false;
    Prepared p;
    p.domain = vm.spec.name;
    p.serial_log = vm.spec.serial_log;
    p.cold = note;
    p.started = EarlyStart{Clock::now(), std::async(std::launch::async, [this, &vm, &xml = xmls[n]] {
                                           return VmRunner(hypervisor_, interrupt_).define_and_start(vm.spec.name, xml);
                                         }).share()};
    handed_over_.emplace(std::move(p));
    return true;
  }

  /// The source VM's disks and log to the source cache (when it applies), once.
  void store_source(const std::string& serial) {
    if (source_stored_ || !cacheable || !cache.enabled()) return;
    source_stored_ = true;
    cache.store(cache_key, plan.disks[plan.vms[0].disks[0]].path, plan.disks[plan.vms[0].disks[1]].path, serial);
  }

  /// A VM prepared for a turn that does not come: destroyed, its state's
  /// slot free again.
  void drop_prepared() {
    stop_preparing_ = true;
    std::optional<Prepared> taken = take_next();
    if (!taken || taken->domain.empty()) return;
    const Prepared& p = *taken;
    if (p.started) p.started->started.wait();
    // A VM whose turn never came leaves nothing: a restored domain is
    // transient, a defined one goes with the rest (keep_or_remove), and the
    // serial log its QEMU created goes from the evidence.
    (void)hypervisor_.destroy(p.domain);
    std::error_code ec;
    fs::remove(p.serial_log, ec);
  }

  /// Destroys and undefines a domain; one that does not exist is no problem.
  void remove_domain(const std::string& name) {
    if (auto d = hypervisor_.destroy(name); !d && !d.error().no_domain())
      result.cleanup_problems.push_back(d.error().message);
    if (auto u = hypervisor_.undefine(name); !u && !u.error().no_domain())
      result.cleanup_problems.push_back(u.error().message);
  }

  /// Stopped, so that what the researcher starts again boots from the disk
  /// as the scenario left it. The VMs that never ran were never defined.
  /// Redefined with the serial port on a pseudo-terminal (`virsh console`
  /// attaches) logged beside the disks, so a boot by hand leaves the
  /// run's evidence as it was.
  void keep_machines() {
    for (std::size_t i = 0; i < plan.vms.size(); ++i) {
      const PlannedVm& vm = plan.vms[i];
      (void)hypervisor_.destroy(vm.spec.name);
      if (i >= result.records.size() || result.records[i].cached) continue;
      machines::VmSpec spec = vm.spec;
      spec.type = settings.type;
      spec.serial_pty = true;
      spec.serial_log = (disk_dir / (std::string(phase_name(vm.phase)) + ".console.log")).string();
      auto xml = machines::domain_xml(spec);
      if (!xml) result.cleanup_problems.push_back("keeping " + vm.spec.name + ": " + xml.error().message);
      else if (auto defined = hypervisor_.define(*xml); !defined)
        result.cleanup_problems.push_back("keeping " + vm.spec.name + ": " + defined.error().message);
      result.kept_domains.push_back(vm.spec.name);
    }
  }

  const Clock::time_point start_time = Clock::now();
  machines::Hypervisor& hypervisor_;
  DiskTool& disks_;
  const std::atomic<int>& interrupt_;
  const PhaseProgressFn& progress_;
  const RunPlan& plan;
  const RunSettings& settings;
  const fs::path disk_dir;
  ScenarioRun result;
  std::vector<std::string> xmls;  ///< of plan.vms, in order, once the evidence is written
  const SourceCache cache;
  bool cacheable = false;  ///< the chain starts with a source VM the cache can hold
  std::string cache_key;
  std::optional<std::string> cached_serial;  ///< the source VM's serial log, on a cache hit
  std::vector<std::shared_future<machines::Status>> made;  ///< one per plan.disks
  double disk_wait = 0;  ///< seconds the VMs waited for their disks
  std::vector<const PlannedVm*> remediation_vms;  ///< the ones that were due to run
  std::future<Prepared> next_;               ///< the next VM, being prepared ahead of its turn
  std::optional<Prepared> handed_over_;      ///< the next VM, taken from next_ at a `done` (hand_over)
  bool source_stored_ = false;               ///< the source's disks went to the cache
  std::atomic<bool> stop_preparing_ = false;  ///< the chain ended: prepare nothing more
};

}  // namespace

ScenarioRun Orchestrator::run(const RunPlan& plan, const RunSettings& settings, const KeepIfFn& keep_if) {
  Chain chain(hypervisor_, disks_, interrupt_, progress_, plan, settings);
  chain.write_evidence();
  chain.look_up_source_cache();
  chain.make_disks();
  chain.run_vms();
  chain.remediate();
  return chain.keep_or_remove(keep_if);
}

}  // namespace restorelab::run
