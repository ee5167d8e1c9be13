#include "tests/support/fake_hypervisor.h"

#include <algorithm>
#include <fstream>
#include <thread>

#include "harness/output/text.h"
#include "images/guest/job_vocabulary.h"

#include "harness/output/png.h"

namespace restorelab::machines {

namespace {

/// The value of attribute `attribute` of the first element after `after` in `xml`.
std::string attribute_after(const std::string& xml, std::string_view after, std::string_view attribute) {
  const auto at = xml.find(after);
  if (at == std::string::npos) return "";
  const std::string quoted = std::string(attribute) + "='";
  const auto begin = xml.find(quoted, at);
  if (begin == std::string::npos) return "";
  const auto value = begin + quoted.size();
  return xml.substr(value, xml.find('\'', value) - value);
}

/// QEMU creates the serial log when it starts (also paused). A log a test
/// wrote beforehand stands for the guest's output and is left as it is.
void create_serial_log(const std::string& xml) {
  const std::filesystem::path log = attribute_after(xml, "<serial type='file'>", "path");
  if (!log.empty() && !std::filesystem::exists(log)) std::ofstream(log, std::ios::binary);
}

}  // namespace

void FakeHypervisor::fail_next(std::string op, Error error) {
  std::lock_guard lock(mutex_);
  faults_[std::move(op)].push_back(std::move(error));
}

void FakeHypervisor::set_behaviour(std::string name, Behaviour behaviour) {
  std::lock_guard lock(mutex_);
  behaviours_[std::move(name)] = behaviour;
}

void FakeHypervisor::script(std::string name, std::vector<Boot> boots) {
  std::lock_guard lock(mutex_);
  scripts_[std::move(name)] = std::move(boots);
}

int FakeHypervisor::starts(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = starts_.find(name);
  return it == starts_.end() ? 0 : it->second;
}

std::vector<std::string> FakeHypervisor::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::map<std::string, FakeHypervisor::Domain, std::less<>> FakeHypervisor::domains() const {
  std::lock_guard lock(mutex_);
  return domains_;
}

void FakeHypervisor::add_leftover(std::string name, bool running) {
  std::lock_guard lock(mutex_);
  Domain d;
  d.xml = text("<domain type='qemu'><name>{}</name></domain>", name);
  if (running) d.status = {DomainState::Running, "booted"};
  domains_[std::move(name)] = std::move(d);
}

std::optional<Error> FakeHypervisor::record(std::string_view op, std::string_view args) {
  calls_.push_back(args.empty() ? std::string(op) : text("{} {}", op, args));
  auto it = faults_.find(op);
  if (it == faults_.end() || it->second.empty()) return std::nullopt;
  Error e = std::move(it->second.front());
  it->second.pop_front();
  return e;
}

Result<FakeHypervisor::Domain*> FakeHypervisor::find(std::string_view name, std::string_view doing) {
  auto it = domains_.find(name);
  if (it == domains_.end())
    return std::unexpected(Error{
        text("{} \"{}\": Domain not found: no domain with matching name '{}'", doing, name, name), ErrorKind::NoDomain});
  return &it->second;
}

void FakeHypervisor::emit(std::string_view name, std::string event, std::string detail) {
  events_[std::string(name)].push_back({std::string(name), std::move(event), std::move(detail)});
}

Result<std::string> FakeHypervisor::define(std::string_view xml) {
  std::lock_guard lock(mutex_);
  const auto open = xml.find("<name>"), close = xml.find("</name>");
  std::string name;
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    name = std::string(xml.substr(open + 6, close - open - 6));
  if (auto fault = record("define", name)) return std::unexpected(*fault);
  if (name.empty())
    return std::unexpected(Error{"defining a domain: XML error: missing domain name", ErrorKind::Other});
  Domain& d = domains_[name];
  if (d.status.active())
    return std::unexpected(Error{text("defining a domain: domain '{}' is already running", name), ErrorKind::OperationInvalid});
  d.xml = std::string(xml);
  d.persistent = true;
  emit(name, "defined", "added");
  return name;
}

Status FakeHypervisor::start(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("start", name)) return std::unexpected(*fault);
  auto d = find(name, "starting domain");
  if (!d) return std::unexpected(d.error());
  if ((*d)->status.active())
    return std::unexpected(Error{text("starting domain \"{}\": domain is already running", name), ErrorKind::OperationInvalid});
  return boot(name, **d, "booted");
}

Status FakeHypervisor::boot(std::string_view name, Domain& d, const std::string& how) {
  // The model guest's ready point: given the warm-start wait job, it says
  // `ready` and waits (runs) until it is saved.
  const std::string job = attribute_after(d.xml, "<entry name='opt/org.restorelab/job'", "file");
  std::ifstream job_in(job, std::ios::binary);
  if (!job.empty() && std::string(std::istreambuf_iterator<char>(job_in), {}) == vocabulary::kWarmWaitJob) {
    std::ofstream(attribute_after(d.xml, "<serial type='file'>", "path"), std::ios::binary)
        << "RESTORELAB {\"event\":\"ready\"}\n";
    ++starts_[std::string(name)];
    d.status = {DomainState::Running, how};
    emit(name, "started", how);
    return {};
  }
  Behaviour behaviour = Behaviour::Hang;
  if (auto b = behaviours_.find(name); b != behaviours_.end()) behaviour = b->second;
  // A name ending in '*' sets the behaviour of every domain it begins.
  for (const auto& [pattern, b] : behaviours_)
    if (pattern.ends_with('*') && name.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1))) behaviour = b;
  const int start_number = starts_[std::string(name)]++;
  if (auto sc = scripts_.find(name); sc != scripts_.end() && !sc->second.empty()) {
    const Boot& boot = sc->second[std::min<std::size_t>(static_cast<std::size_t>(start_number), sc->second.size() - 1)];
    behaviour = boot.behaviour;
    // The guest writes its console to the file the domain XML names.
    if (const std::string log = attribute_after(d.xml, "<serial type='file'>", "path"); !log.empty())
      std::ofstream(log, std::ios::binary) << boot.serial;
  }
  switch (behaviour) {
    case Behaviour::Hang:
      d.status = {DomainState::Running, how};
      emit(name, "started", how);
      return {};
    case Behaviour::PowerOff:
      d.status = {DomainState::Shutoff, "shutdown"};
      emit(name, "started", how);
      emit(name, "shutdown", "guest");
      emit(name, "stopped", "shutdown");
      return {};
    case Behaviour::Crash:
      d.status = {DomainState::Shutoff, "crashed"};
      emit(name, "started", how);
      emit(name, "crashed", "panicked");
      emit(name, "stopped", "crashed");
      return {};
    case Behaviour::Die:
      d.status = {DomainState::Shutoff, "failed"};
      emit(name, "started", how);
      emit(name, "stopped", "failed");
      return {};
    case Behaviour::FailStart:
      d.status = {DomainState::Shutoff, "failed"};
      return std::unexpected(Error{
          text("starting domain \"{}\": internal error: qemu unexpectedly closed the "
                      "monitor (injected)", name), ErrorKind::Internal});
  }
  return {};
}

Result<DomainStatus> FakeHypervisor::status(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("status", name)) return std::unexpected(*fault);
  auto d = find(name, "reading the state of domain");
  if (!d) return std::unexpected(d.error());
  return (*d)->status;
}

Result<std::optional<LifecycleEvent>> FakeHypervisor::next_event(std::string_view name,
                                                                 std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (auto fault = record("next_event", name)) return std::unexpected(*fault);
  auto it = events_.find(name);
  if (it == events_.end() || it->second.empty()) {
    lock.unlock();  // others go on while this one waits, as with the real one
    std::this_thread::sleep_for(timeout);
    return std::optional<LifecycleEvent>();
  }
  LifecycleEvent e = std::move(it->second.front());
  it->second.pop_front();
  return std::optional<LifecycleEvent>(std::move(e));
}

Status FakeHypervisor::destroy(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("destroy", name)) return std::unexpected(*fault);
  auto d = find(name, "destroying domain");
  if (!d) return std::unexpected(d.error());
  if (!(*d)->status.active()) return {};
  (*d)->status = {DomainState::Shutoff, "destroyed"};
  emit(name, "stopped", "destroyed");
  if (!(*d)->persistent) domains_.erase(domains_.find(name));
  return {};
}

Status FakeHypervisor::undefine(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("undefine", name)) return std::unexpected(*fault);
  auto d = find(name, "undefining domain");
  if (!d) return std::unexpected(d.error());
  emit(name, "undefined", "removed");
  if ((*d)->status.active()) (*d)->persistent = false;
  else domains_.erase(domains_.find(name));
  return {};
}

Result<std::vector<std::string>> FakeHypervisor::list_domains(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("list_domains", prefix)) return std::unexpected(*fault);
  std::vector<std::string> names;
  for (const auto& [name, d] : domains_)
    if (name.starts_with(prefix)) names.push_back(name);
  return names;  // std::map keeps them sorted
}

Status FakeHypervisor::screenshot(std::string_view name, const std::filesystem::path& png) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("screenshot", text("{} {}", name, png.string())))
    return std::unexpected(*fault);
  auto d = find(name, "taking a screenshot of domain");
  if (!d) return std::unexpected(d.error());
  if (!(*d)->status.active())
    return std::unexpected(Error{text("taking a screenshot of domain \"{}\": Requested "
                                             "operation is not valid: domain is not running", name), ErrorKind::OperationInvalid});
  const auto bytes = encode_png(RgbImage{1, 1, {0, 0, 0}});
  std::ofstream out(png, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  if (!out) return std::unexpected(make_error("writing " + png.string()));
  return {};
}

Status FakeHypervisor::save(std::string_view name, const std::filesystem::path& file) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("save", text("{} {}", name, file.string()))) return std::unexpected(*fault);
  auto d = find(name, "saving domain");
  if (!d) return std::unexpected(d.error());
  if (!(*d)->status.active())
    return std::unexpected(Error{text("saving domain \"{}\": domain is not running", name), ErrorKind::OperationInvalid});
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << kStateMagic << (*d)->xml;
  out.close();
  if (!out) return std::unexpected(Error{text("saving domain \"{}\": cannot write {}", name, file.string()), ErrorKind::Other});
  (*d)->status = {DomainState::Shutoff, "saved"};
  emit(name, "stopped", "saved");
  if (!(*d)->persistent) domains_.erase(domains_.find(name));
  return {};
}

Status FakeHypervisor::restore(const std::filesystem::path& file, std::string_view xml, bool paused) {
  std::lock_guard lock(mutex_);
  if (auto fault = record(paused ? "restore-paused" : "restore", file.string())) return std::unexpected(*fault);
  std::ifstream in(file, std::ios::binary);
  std::string magic(kStateMagic.size(), '\0');
  if (!in || !in.read(magic.data(), static_cast<std::streamsize>(magic.size())) || magic != kStateMagic)
    return std::unexpected(Error{text("restoring a domain from {}: operation failed: failed to read qemu header", file.string()),
                                 ErrorKind::Other});
  const auto open = xml.find("<name>"), close = xml.find("</name>");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::unexpected(Error{"restoring a domain: XML error: missing domain name", ErrorKind::Other});
  const std::string name(xml.substr(open + 6, close - open - 6));
  Domain& d = domains_[name];
  if (d.status.active())
    return std::unexpected(Error{text("restoring a domain: domain '{}' is already running", name), ErrorKind::OperationInvalid});
  d.xml = std::string(xml);
  d.persistent = false;
  if (paused) {
    d.status = {DomainState::Paused, "restored"};
    create_serial_log(d.xml);
    return {};
  }
  auto booted = boot(name, d, "restored");
  if (!d.status.active()) domains_.erase(domains_.find(name));
  return booted;
}

Status FakeHypervisor::resume(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto fault = record("resume", name)) return std::unexpected(*fault);
  auto d = find(name, "resuming domain");
  if (!d) return std::unexpected(d.error());
  if ((*d)->status.state != DomainState::Paused)
    return std::unexpected(Error{text("resuming domain \"{}\": domain is not paused", name), ErrorKind::OperationInvalid});
  auto booted = boot(name, **d, "restored");
  if (!(*d)->status.active()) domains_.erase(domains_.find(name));
  return booted;
}

Result<std::string> FakeHypervisor::versions() {
  std::lock_guard lock(mutex_);
  if (auto fault = record("versions", "")) return std::unexpected(*fault);
  return version_;
}

void FakeHypervisor::set_versions(std::string versions) {
  std::lock_guard lock(mutex_);
  version_ = std::move(versions);
}

}  // namespace restorelab::machines
