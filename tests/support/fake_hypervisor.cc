#include "tests/support/fake_hypervisor.h"

#include <algorithm>
#include <fstream>
#include <thread>

#include "harness/output/text.h"

#include "harness/output/png.h"

namespace restorelab::machines {

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
  Behaviour behaviour = Behaviour::Hang;
  if (auto b = behaviours_.find(name); b != behaviours_.end()) behaviour = b->second;
  const int start_number = starts_[std::string(name)]++;
  if (auto sc = scripts_.find(name); sc != scripts_.end() && !sc->second.empty()) {
    const Boot& boot = sc->second[std::min<std::size_t>(static_cast<std::size_t>(start_number), sc->second.size() - 1)];
    behaviour = boot.behaviour;
    // The guest writes its console to the file the domain XML names.
    const std::string& xml = (*d)->xml;
    const auto serial = xml.find("<serial type='file'>");
    const auto path = xml.find("<source path='", serial);
    if (serial != std::string::npos && path != std::string::npos) {
      const auto begin = path + 14;
      std::ofstream(xml.substr(begin, xml.find('\'', begin) - begin), std::ios::binary) << boot.serial;
    }
  }
  switch (behaviour) {
    case Behaviour::Hang:
      (*d)->status = {DomainState::Running, "booted"};
      emit(name, "started", "booted");
      return {};
    case Behaviour::PowerOff:
      (*d)->status = {DomainState::Shutoff, "shutdown"};
      emit(name, "started", "booted");
      emit(name, "shutdown", "guest");
      emit(name, "stopped", "shutdown");
      return {};
    case Behaviour::Crash:
      (*d)->status = {DomainState::Shutoff, "crashed"};
      emit(name, "started", "booted");
      emit(name, "crashed", "panicked");
      emit(name, "stopped", "crashed");
      return {};
    case Behaviour::FailStart:
      (*d)->status = {DomainState::Shutoff, "failed"};
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

}  // namespace restorelab::machines
