#include "harness/run/warm_start.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "harness/output/input_file.h"
#include "harness/output/output_file.h"
#include "harness/output/text.h"
#include "harness/run/run_session.h"
#include "images/guest/job_vocabulary.h"
#include "rules/fnv.h"
#include "rules/unique_fd.h"

namespace restorelab::run {

namespace fs = std::filesystem;
using machines::make_error;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kJobFwCfgName = "opt/org.restorelab/job";
constexpr std::string_view kDeclined = "its shape starts once in this run; a saved state would not be used";
constexpr std::string_view kReadyLine = "RESTORELAB {\"event\":\"ready\"}";

/// "3f2a...": the UUID of slot `slot` of shape `key`.
std::string uuid_of(const std::string& key, int slot) {
  std::string h = fnv128_hex(key + "/" + std::to_string(slot));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

/// `spec`'s domain XML with everything that may differ between two VMs of
/// one shape (names, UUID, the paths of its files) as placeholders.
machines::Result<std::string> placeholder_xml(const machines::VmSpec& spec) {
  machines::VmSpec shape = spec;
  shape.name = "warm";
  shape.uuid.clear();
  shape.serial_log = "/@SERIAL@";
  if (!shape.nvram.empty()) shape.nvram = "/@NVRAM@";
  for (std::size_t i = 0; i < shape.disks.size(); ++i) shape.disks[i].path = text("/@DISK{}@", i);
  for (std::size_t i = 0; i < shape.fw_cfg.size(); ++i) shape.fw_cfg[i].host_file = text("/@FWCFG{}@", i);
  shape.direct.kernel = "/@KERNEL@";
  if (!shape.direct.initrd.empty()) shape.direct.initrd = "/@INITRD@";
  return machines::domain_xml(shape);
}

}  // namespace

WarmStart::WarmStart(WarmStart&& other) noexcept
    : name(std::move(other.name)), xml(std::move(other.xml)), state(std::move(other.state)), built(other.built),
      build_seconds(other.build_seconds), state_bytes(other.state_bytes), owner_(other.owner_),
      key_(std::move(other.key_)), slot_(other.slot_) {
  other.owner_ = nullptr;
}

WarmStart::~WarmStart() {
  if (owner_ != nullptr) owner_->release(key_, slot_);
}

fs::path WarmStates::default_root() { return "/var/tmp/restorelab/cache/warm"; }

bool WarmStates::warmable(const machines::VmSpec& spec) { return !spec.direct.kernel.empty(); }

bool WarmStates::declined(const machines::Error& why) { return why.message == kDeclined; }

std::string WarmStates::slot_name(const std::string& key, int slot) const {
  return text("{}warm-{}-{}", kDomainPrefix, key.substr(0, 12), slot);
}

fs::path WarmStates::slot_file(const std::string& key, int slot, std::string_view suffix) const {
  return options_.dir / text("{}-{}{}", key, slot, suffix);
}

machines::Result<std::string> WarmStates::file_hash(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return std::unexpected(make_error(text("reading {}: {}", file.string(), ec.message())));
  const auto time = fs::last_write_time(file, ec);
  if (ec) return std::unexpected(make_error(text("reading {}: {}", file.string(), ec.message())));
  const std::string id = text("{}|{}|{}", file.string(), size, time.time_since_epoch().count());
  {
    std::lock_guard lock(mutex_);
    if (auto it = hashes_.find(id); it != hashes_.end()) return it->second;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(make_error("reading " + file.string()));
  Fnv1a a, b(kFnvSecondBasis);
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    const std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    a.add(chunk);
    b.add(chunk);
  }
  if (in.bad()) return std::unexpected(make_error("reading " + file.string()));
  const std::string hash = a.hex() + b.hex();
  std::lock_guard lock(mutex_);
  hashes_[id] = hash;
  return hash;
}

machines::Result<std::string> WarmStates::key(const machines::VmSpec& spec, machines::Hypervisor& hypervisor) {
  std::string versions;
  {
    std::lock_guard lock(mutex_);
    if (!versions_) {
      auto v = hypervisor.versions();
      if (!v) return std::unexpected(v.error());
      versions_ = *v;
    }
    versions = *versions_;
  }
  auto xml = placeholder_xml(spec);
  if (!xml) return std::unexpected(xml.error());

  std::string input = "restorelab warm state, format 1\n" + versions + "\n" + *xml;
  auto add_file = [&](std::string_view what, const fs::path& file) -> machines::Status {
    auto h = file_hash(file);
    if (!h) return std::unexpected(h.error());
    input += text("\n{} {}", what, *h);
    return {};
  };
  if (auto s = add_file("kernel", spec.direct.kernel); !s) return std::unexpected(s.error());
  if (!spec.direct.initrd.empty())
    if (auto s = add_file("initrd", spec.direct.initrd); !s) return std::unexpected(s.error());
  if (spec.hardware.firmware == Firmware::Uefi) {
    if (auto s = add_file("ovmf-code", spec.ovmf.code); !s) return std::unexpected(s.error());
    if (auto s = add_file("ovmf-vars", spec.ovmf.vars_template); !s) return std::unexpected(s.error());
  }
  for (const machines::DiskSpec& d : spec.disks) {
    std::error_code ec;
    const auto size = fs::file_size(d.path, ec);
    if (ec) return std::unexpected(make_error(text("reading {}: {}", d.path, ec.message())));
    input += text("\ndisk {}", size);
  }
  std::error_code ec;
  const auto qemu_size = fs::file_size(options_.qemu_binary, ec);
  const auto qemu_time = fs::last_write_time(options_.qemu_binary, ec);
  if (!ec) input += text("\nqemu {} {}", qemu_size, qemu_time.time_since_epoch().count());
  return fnv128_hex(input);
}

void WarmStates::release(const std::string& key, int slot) {
  std::lock_guard lock(mutex_);
  auto it = busy_.find(key);
  if (it == busy_.end()) return;
  it->second.erase(slot);
  if (it->second.empty()) busy_.erase(it);
}

machines::Result<WarmStart> WarmStates::prepare(const machines::VmSpec& spec, machines::Hypervisor& hypervisor,
                                                const std::atomic<int>& interrupt, const VmLimits& limits,
                                                bool may_build) {
  if (!warmable(spec)) return std::unexpected(make_error("its kernel is started by its firmware"));
  auto key = this->key(spec, hypervisor);
  if (!key) return std::unexpected(key.error());
  int slot = -1;
  {
    std::lock_guard lock(mutex_);
    auto& busy = busy_[*key];
    for (int i = 0; i < options_.slots && slot < 0; ++i)
      if (!busy.contains(i)) slot = i;
    if (slot < 0) return std::unexpected(make_error(text("all {} saved states of its shape are in use", options_.slots)));
    busy.insert(slot);
  }
  WarmStart w(this, *key, slot);
  w.name = slot_name(*key, slot);
  w.state = slot_file(*key, slot, ".state");
  machines::VmSpec restored = spec;
  restored.name = w.name;
  restored.uuid = uuid_of(*key, slot);
  auto xml = machines::domain_xml(restored);
  if (!xml) return std::unexpected(xml.error());
  w.xml = std::move(*xml);

  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) return std::unexpected(make_error(text("creating {}: {}", options_.dir.string(), ec.message())));
  // One process builds a slot's state; another one waits for it.
  const fs::path lock_file = slot_file(*key, slot, ".lock");
  UniqueFd lock(open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (lock.get() < 0) return std::unexpected(make_error(text("opening {}: {}", lock_file.string(), std::strerror(errno))));
  const auto waiting = Clock::now();
  while (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return std::unexpected(make_error(text("locking {}: {}", lock_file.string(), std::strerror(errno))));
    if (interrupt.load() != 0) return std::unexpected(make_error("interrupted"));
    if (Clock::now() - waiting > limits.total)
      return std::unexpected(make_error("another run has been building its saved state for too long"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  struct stat st {};
  if (lstat(w.state.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return std::unexpected(make_error(w.state.string() + " is not a regular file"));
    fs::last_write_time(w.state, fs::file_time_type::clock::now(), ec);  // last use, for the eviction
    w.state_bytes = static_cast<std::uint64_t>(st.st_size);
    return w;
  }
  if (!may_build) return std::unexpected(make_error(std::string(kDeclined)));
  const auto building = Clock::now();
  if (auto built = build(spec, w, *key, slot, hypervisor, interrupt, limits); !built) return std::unexpected(built.error());
  w.built = true;
  w.build_seconds = std::chrono::duration<double>(Clock::now() - building).count();
  w.state_bytes = fs::file_size(w.state, ec);
  evict(w.state);
  return w;
}

machines::Status WarmStates::build(const machines::VmSpec& spec, const WarmStart& w, const std::string& key, int slot,
                                   machines::Hypervisor& hypervisor, const std::atomic<int>& interrupt,
                                   const VmLimits& limits) {
  const fs::path job = slot_file(key, slot, ".wait.job");
  const fs::path partial = slot_file(key, slot, ".state.partial");
  machines::VmSpec saving = spec;
  saving.name = w.name;
  saving.uuid = uuid_of(key, slot);
  saving.serial_log = slot_file(key, slot, ".boot.log").string();
  if (!saving.nvram.empty()) saving.nvram = slot_file(key, slot, ".nvram.fd").string();
  auto entry = std::ranges::find(saving.fw_cfg, kJobFwCfgName, &machines::FwCfgEntry::name);
  if (entry == saving.fw_cfg.end()) return std::unexpected(make_error("it has no job to wait for"));
  entry->host_file = job.string();
  auto xml = machines::domain_xml(saving);
  if (!xml) return std::unexpected(xml.error());
  if (auto written = write_output_file(job, vocabulary::kWarmWaitJob); !written)
    return std::unexpected(make_error(written.error().message));

  bool defined = false;
  auto fail = [&](std::string why) -> machines::Status {
    if (defined) {
      (void)hypervisor.destroy(w.name);
      (void)hypervisor.undefine(w.name);
    }
    std::error_code ec;
    fs::remove(partial, ec);
    fs::remove(job, ec);
    return std::unexpected(make_error("building its saved state: " + why));
  };
  if (auto d = hypervisor.define(*xml); !d) return fail(d.error().message);
  defined = true;
  if (auto s = hypervisor.start(w.name); !s) return fail(s.error().message);
  const auto start = Clock::now();
  while (read_file_or_empty(saving.serial_log).find(kReadyLine) == std::string::npos) {
    if (interrupt.load() != 0) return fail("interrupted");
    if (Clock::now() - start > limits.total)
      return fail(text("the guest did not reach its ready point within {} s",
                       std::chrono::duration_cast<std::chrono::seconds>(limits.total).count()));
    auto st = hypervisor.status(w.name);
    if (!st) return fail(st.error().message);
    if (!st->active()) return fail("the VM stopped before its ready point (" + st->to_string() + ")");
    std::this_thread::sleep_for(limits.poll);
  }
  if (auto saved = hypervisor.save(w.name, partial); !saved) return fail(saved.error().message);
  if (auto u = hypervisor.undefine(w.name); !u) return fail(u.error().message);
  defined = false;
  std::error_code ec;
  fs::remove(job, ec);
  if (const std::string moved = rename_onto_regular(partial, w.state); !moved.empty()) return fail(moved);
  return {};
}

void WarmStates::discard(const WarmStart& start) {
  std::error_code ec;
  fs::remove(start.state, ec);
}

void WarmStates::evict(const fs::path& keep) {
  struct Entry {
    fs::path path;
    std::uint64_t bytes;
    fs::file_time_type used;
  };
  std::vector<Entry> states;
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.dir, ec)) {
    if (e.path().extension() != ".state" || !e.is_regular_file(ec)) continue;
    Entry entry{e.path(), e.file_size(ec), e.last_write_time(ec)};
    total += entry.bytes;
    states.push_back(std::move(entry));
  }
  std::ranges::sort(states, {}, &Entry::used);
  for (const Entry& e : states) {
    if (total <= options_.limit_bytes) break;
    if (e.path == keep) continue;
    fs::path log = e.path;
    log.replace_extension(".boot.log");
    fs::remove(e.path, ec);
    fs::remove(log, ec);
    total -= e.bytes;
  }
}

std::string WarmDemand::shape(const RunPlan& plan, const PlannedVm& vm) {
  auto xml = placeholder_xml(vm.spec);
  std::string shape = xml ? *xml : "unplaceable " + vm.spec.name;
  // A disk's request fixes its size and contents; a file of the plan's
  // (the kernel from the artifacts) is named by its path.
  auto describe = [&](std::string_view what, const std::string& path) {
    auto request = std::ranges::find(plan.disks, fs::path(path), &DiskRequest::path);
    if (request == plan.disks.end()) {
      shape += text("\n{} {}", what, path);
      return;
    }
    shape += text("\n{} {} {} {} {} {}", what, kind_name(request->kind), name_of(request->firmware),
                  request->uniprocessor, request->tools, request->size_mib);
    for (DiskBus bus : request->drivers) shape += text(" {}", name_of(bus));
  };
  for (const machines::DiskSpec& disk : vm.spec.disks) describe("disk", disk.path);
  describe("kernel", vm.spec.direct.kernel);
  if (!vm.spec.direct.initrd.empty()) describe("initrd", vm.spec.direct.initrd);
  return shape;
}

void WarmDemand::expect(const RunPlan& plan) {
  std::vector<const PlannedVm*> vms;
  for (const PlannedVm& vm : plan.vms) vms.push_back(&vm);
  if (plan.remediation) vms.insert(vms.end(), {&plan.remediation->in_system, &plan.remediation->from_media});
  for (const PlannedVm* vm : vms) {
    if (!WarmStates::warmable(vm->spec)) continue;
    const std::string key = shape(plan, *vm);
    std::lock_guard lock(mutex_);
    ++remaining_[key];
  }
}

bool WarmDemand::take(const RunPlan& plan, const PlannedVm& vm) {
  const std::string key = shape(plan, vm);
  std::lock_guard lock(mutex_);
  auto it = remaining_.find(key);
  if (it == remaining_.end()) return false;
  if (it->second > 0) --it->second;
  return it->second > 0;
}

}  // namespace restorelab::run
