#include "harness/libvirt/libvirt_hypervisor.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <span>
#include <system_error>

#include "harness/libvirt/event_loop.h"
#include "harness/libvirt/handles.h"
#include "harness/output/output_file.h"
#include "harness/output/png.h"
#include "harness/libvirt/qemu_reaper.h"
#include "harness/output/text.h"

namespace restorelab::libvirt {
namespace {

constexpr std::string_view kEmbedPrefix = "qemu:///embed?root=";
constexpr std::size_t kMaxQueuedEvents = 256;  // per domain; the oldest are dropped

/// `names[i]` when i is in range, "unknown" otherwise.
template <std::size_t N>
std::string pick(const std::array<std::string_view, N>& names, int i) {
  return std::string(i >= 0 && static_cast<std::size_t>(i) < N ? names[static_cast<std::size_t>(i)]
                                                               : "unknown");
}

std::string reason_name(int state, int reason) {
  static constexpr std::array<std::string_view, 11> running = {
      "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
      "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy"};
  static constexpr std::array<std::string_view, 14> paused = {
      "unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
      "from snapshot", "shutting down", "creating snapshot", "panicked", "starting up",
      "post-copy", "post-copy failed"};
  static constexpr std::array<std::string_view, 2> shutdown = {"unknown", "user"};
  static constexpr std::array<std::string_view, 9> shutoff = {
      "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
      "from snapshot", "daemon"};
  static constexpr std::array<std::string_view, 2> crashed = {"unknown", "panicked"};
  switch (state) {
    case VIR_DOMAIN_RUNNING: return pick(running, reason);
    case VIR_DOMAIN_PAUSED: return pick(paused, reason);
    case VIR_DOMAIN_SHUTDOWN: return pick(shutdown, reason);
    case VIR_DOMAIN_SHUTOFF: return pick(shutoff, reason);
    case VIR_DOMAIN_CRASHED: return pick(crashed, reason);
    default: return "unknown";
  }
}

LifecycleEvent make_event(const char* domain, int event, int detail) {
  static constexpr std::array<std::string_view, 9> events = {
      "defined", "undefined", "started", "suspended", "resumed", "stopped", "shutdown",
      "pmsuspended", "crashed"};
  static constexpr std::array<std::string_view, 4> defined = {"added", "updated", "renamed",
                                                              "from snapshot"};
  static constexpr std::array<std::string_view, 2> undefined = {"removed", "renamed"};
  static constexpr std::array<std::string_view, 5> started = {"booted", "migrated", "restored",
                                                              "from snapshot", "wakeup"};
  static constexpr std::array<std::string_view, 9> suspended = {
      "paused", "migrated", "I/O error", "watchdog", "restored", "from snapshot", "API error",
      "post-copy", "post-copy failed"};
  static constexpr std::array<std::string_view, 4> resumed = {"unpaused", "migrated",
                                                              "from snapshot", "post-copy"};
  static constexpr std::array<std::string_view, 7> stopped = {
      "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot"};
  static constexpr std::array<std::string_view, 3> shutdown = {"finished", "guest", "host"};
  static constexpr std::array<std::string_view, 2> pmsuspended = {"memory", "disk"};
  static constexpr std::array<std::string_view, 2> crashed = {"panicked", "crashloaded"};
  LifecycleEvent e{domain ? domain : "", pick(events, event), "unknown"};
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: e.detail = pick(defined, detail); break;
    case VIR_DOMAIN_EVENT_UNDEFINED: e.detail = pick(undefined, detail); break;
    case VIR_DOMAIN_EVENT_STARTED: e.detail = pick(started, detail); break;
    case VIR_DOMAIN_EVENT_SUSPENDED: e.detail = pick(suspended, detail); break;
    case VIR_DOMAIN_EVENT_RESUMED: e.detail = pick(resumed, detail); break;
    case VIR_DOMAIN_EVENT_STOPPED: e.detail = pick(stopped, detail); break;
    case VIR_DOMAIN_EVENT_SHUTDOWN: e.detail = pick(shutdown, detail); break;
    case VIR_DOMAIN_EVENT_PMSUSPENDED: e.detail = pick(pmsuspended, detail); break;
    case VIR_DOMAIN_EVENT_CRASHED: e.detail = pick(crashed, detail); break;
    default: break;
  }
  return e;
}

DomainState to_state(int s) {
  switch (s) {
    case VIR_DOMAIN_RUNNING: return DomainState::Running;
    case VIR_DOMAIN_BLOCKED: return DomainState::Blocked;
    case VIR_DOMAIN_PAUSED: return DomainState::Paused;
    case VIR_DOMAIN_SHUTDOWN: return DomainState::Shutdown;
    case VIR_DOMAIN_SHUTOFF: return DomainState::Shutoff;
    case VIR_DOMAIN_CRASHED: return DomainState::Crashed;
    case VIR_DOMAIN_PMSUSPENDED: return DomainState::PmSuspended;
    default: return DomainState::NoState;
  }
}

/// Lifecycle events by domain, filled on the event loop thread.
struct EventQueue {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::deque<LifecycleEvent>, std::less<>> by_domain;

  void push(LifecycleEvent e) {
    {
      std::lock_guard lock(mutex);
      auto& q = by_domain[e.domain];
      q.push_back(std::move(e));
      if (q.size() > kMaxQueuedEvents) q.pop_front();
    }
    changed.notify_all();
  }
};

int on_lifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque) {
  auto& queue = **static_cast<std::shared_ptr<EventQueue>*>(opaque);
  queue.push(make_event(virDomainGetName(dom), event, detail));
  return 0;
}

void free_queue_ref(void* opaque) { delete static_cast<std::shared_ptr<EventQueue>*>(opaque); }

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' || c == '-';
    if (plain) out += static_cast<char>(c);
    else out += text("%{:02X}", c);
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned value = 0;
    if (s[i] == '%' && i + 2 < s.size() &&
        std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16).ptr == s.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string embed_uri(const std::filesystem::path& root) {
  return std::string(kEmbedPrefix) + percent_encode(std::filesystem::absolute(root).string());
}

std::optional<std::filesystem::path> embed_root_of(std::string_view uri) {
  if (!uri.starts_with(kEmbedPrefix)) return std::nullopt;
  std::string_view root = uri.substr(kEmbedPrefix.size());
  root = root.substr(0, root.find('&'));
  return std::filesystem::path(percent_decode(root));
}

bool cgroups_writable(const std::filesystem::path& mount) {
  auto writable = [](const std::filesystem::path& p) {
    struct statvfs fs {};
    return statvfs(p.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) == 0;
  };
  if (!writable(mount)) return false;
  // cgroup v1 (or hybrid): MOUNT is a writable tmpfs and each controller is
  // its own mount below it, read-only in a container. One level suffices.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(mount, ec))
    if (entry.is_directory(ec) && !writable(entry.path())) return false;
  return true;
}

Status write_embed_qemu_conf(const std::filesystem::path& root, bool cgroups) {
  std::error_code ec;
  std::filesystem::create_directories(root / "etc", ec);
  if (ec) return std::unexpected(make_error(text("creating {}: {}", (root / "etc").string(), ec.message())));
  const auto path = root / "etc" / "qemu.conf";
  std::string conf =
      "# Written by restorelab for libvirt's embedded QEMU driver; rewritten at every start.\n"
      "stdio_handler = \"file\"\n"
      "user = \"root\"\n"
      "group = \"root\"\n"
      "dynamic_ownership = 0\n"
      "remember_owner = 0\n"
      "security_driver = \"none\"\n";
  if (!cgroups)
    conf += "# The cgroup file system is read-only here (a container): no controllers.\n"
            "cgroup_controllers = [ ]\n";
  auto written = write_output_file(path, conf);
  if (!written) return std::unexpected(make_error(written.error().message));
  return {};
}

struct LibvirtHypervisor::Impl {
  std::string uri;
  ConnectHandle conn;
  std::shared_ptr<EventQueue> events = std::make_shared<EventQueue>();
  int callback_id = -1;

  Result<DomainHandle> lookup(std::string_view name, std::string_view doing) {
    DomainHandle dom(virDomainLookupByName(conn.get(), std::string(name).c_str()));
    if (!dom) return std::unexpected(last_libvirt_error(text("{} \"{}\"", doing, name)));
    return dom;
  }
};

LibvirtHypervisor::LibvirtHypervisor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LibvirtHypervisor::~LibvirtHypervisor() {
  if (impl_->callback_id >= 0)
    virConnectDomainEventDeregisterAny(impl_->conn.get(), impl_->callback_id);
}

const std::string& LibvirtHypervisor::uri() const { return impl_->uri; }

Result<std::unique_ptr<LibvirtHypervisor>> LibvirtHypervisor::open(std::string_view uri) {
  if (auto root = embed_root_of(uri)) {
    if (auto conf = write_embed_qemu_conf(*root); !conf) return std::unexpected(conf.error());
    // The embedded driver logs warnings to stderr unless told otherwise; read
    // once, when libvirt initialises, so only the first root's log is used.
    std::error_code ec;
    std::filesystem::create_directories(*root / "log", ec);
    const std::string outputs = "3:file:" + (*root / "log" / "libvirt.log").string();
    setenv("LIBVIRT_LOG_OUTPUTS", outputs.c_str(), /*overwrite=*/0);
    // Embedded QEMUs are orphans; reap them as soon as they exit (qemu_reaper.h).
    if (auto reaper = start_qemu_reaper(); !reaper) return std::unexpected(reaper.error());
  }
  if (auto loop = ensure_event_loop(); !loop) return std::unexpected(loop.error());
  auto impl = std::make_unique<Impl>();
  impl->uri = std::string(uri);
  impl->conn.reset(virConnectOpen(impl->uri.c_str()));
  if (!impl->conn)
    return std::unexpected(last_libvirt_error(text("connecting to {}", impl->uri)));
  auto* ref = new std::shared_ptr<EventQueue>(impl->events);
  impl->callback_id = virConnectDomainEventRegisterAny(
      impl->conn.get(), nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
      VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), ref, free_queue_ref);
  if (impl->callback_id < 0) {
    delete ref;
    return std::unexpected(last_libvirt_error("registering for domain lifecycle events"));
  }
  return std::unique_ptr<LibvirtHypervisor>(new LibvirtHypervisor(std::move(impl)));
}

Result<std::string> LibvirtHypervisor::define(std::string_view xml) {
  // Replacing an inactive domain: libvirt refuses a definition of the same
  // name with another UUID, and an XML without one gets a new one. Keep the
  // old UUID (a kept machine is redefined with its console on a pty; a
  // retry of a kept run defines its names again).
  std::string definition(xml);
  const auto open = definition.find("<name>");
  const auto close = definition.find("</name>");
  if (definition.find("<uuid>") == std::string::npos && open != std::string::npos && close != std::string::npos &&
      open < close) {
    const std::string name = definition.substr(open + 6, close - open - 6);
    if (auto old = impl_->lookup(name, "looking up domain")) {
      char uuid[VIR_UUID_STRING_BUFLEN] = {};
      if (virDomainGetUUIDString(old->get(), uuid) == 0)
        definition.insert(close + 7, std::string("\n  <uuid>") + uuid + "</uuid>");
    }
  }
  DomainHandle dom(virDomainDefineXMLFlags(impl_->conn.get(), definition.c_str(), VIR_DOMAIN_DEFINE_VALIDATE));
  if (!dom) return std::unexpected(last_libvirt_error("defining a domain"));
  const char* name = virDomainGetName(dom.get());
  return std::string(name ? name : "");
}

Status LibvirtHypervisor::start(std::string_view name) {
  auto dom = impl_->lookup(name, "starting domain");
  if (!dom) return std::unexpected(dom.error());
  if (virDomainCreate(dom->get()) < 0)
    return std::unexpected(last_libvirt_error(text("starting domain \"{}\"", name)));
  return {};
}

Result<DomainStatus> LibvirtHypervisor::status(std::string_view name) {
  auto dom = impl_->lookup(name, "reading the state of domain");
  if (!dom) return std::unexpected(dom.error());
  int state = 0, reason = 0;
  if (virDomainGetState(dom->get(), &state, &reason, 0) < 0)
    return std::unexpected(last_libvirt_error(text("reading the state of domain \"{}\"", name)));
  return DomainStatus{to_state(state), reason_name(state, reason)};
}

Result<std::optional<LifecycleEvent>> LibvirtHypervisor::next_event(
    std::string_view name, std::chrono::milliseconds timeout) {
  EventQueue& q = *impl_->events;
  std::unique_lock lock(q.mutex);
  auto has_event = [&] {
    auto it = q.by_domain.find(name);
    return it != q.by_domain.end() && !it->second.empty();
  };
  if (!q.changed.wait_for(lock, timeout, has_event)) return std::optional<LifecycleEvent>();
  auto& queue = q.by_domain.find(name)->second;
  LifecycleEvent e = std::move(queue.front());
  queue.pop_front();
  return std::optional<LifecycleEvent>(std::move(e));
}

Status LibvirtHypervisor::destroy(std::string_view name) {
  auto dom = impl_->lookup(name, "destroying domain");
  if (!dom) return std::unexpected(dom.error());
  if (virDomainIsActive(dom->get()) == 0) return {};
  if (virDomainDestroy(dom->get()) < 0) {
    Error e = last_libvirt_error(text("destroying domain \"{}\"", name));
    if (e.operation_invalid()) return {};  // it stopped meanwhile
    return std::unexpected(std::move(e));
  }
  return {};
}

Status LibvirtHypervisor::undefine(std::string_view name) {
  auto dom = impl_->lookup(name, "undefining domain");
  if (!dom) return std::unexpected(dom.error());
  const unsigned flags = VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                         VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                         VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
  if (virDomainUndefineFlags(dom->get(), flags) < 0)
    return std::unexpected(last_libvirt_error(text("undefining domain \"{}\"", name)));
  return {};
}

Result<std::vector<std::string>> LibvirtHypervisor::list_domains(std::string_view prefix) {
  virDomainPtr* raw = nullptr;
  const int n = virConnectListAllDomains(impl_->conn.get(), &raw, 0);
  if (n < 0) return std::unexpected(last_libvirt_error("listing domains"));
  std::vector<DomainHandle> doms;
  for (int i = 0; i < n; ++i) doms.emplace_back(raw[i]);
  std::free(raw);
  std::vector<std::string> names;
  for (const DomainHandle& d : doms) {
    const char* name = virDomainGetName(d.get());
    if (name != nullptr && std::string_view(name).starts_with(prefix)) names.emplace_back(name);
  }
  std::ranges::sort(names);
  return names;
}

Status LibvirtHypervisor::screenshot(std::string_view name, const std::filesystem::path& png) {
  auto dom = impl_->lookup(name, "taking a screenshot of domain");
  if (!dom) return std::unexpected(dom.error());
  const std::string doing = text("taking a screenshot of domain \"{}\"", name);
  StreamHandle stream(virStreamNew(impl_->conn.get(), 0));
  if (!stream) return std::unexpected(last_libvirt_error(doing));
  char* mime = virDomainScreenshot(dom->get(), stream.get(), 0, 0);
  if (mime == nullptr) return std::unexpected(last_libvirt_error(doing));
  const std::string mime_type = mime;
  std::free(mime);
  std::vector<std::uint8_t> data;
  auto sink = [](virStreamPtr, const char* bytes, size_t n, void* opaque) -> int {
    auto* out = static_cast<std::vector<std::uint8_t>*>(opaque);
    out->insert(out->end(), bytes, bytes + n);
    return static_cast<int>(n);
  };
  if (virStreamRecvAll(stream.get(), sink, &data) < 0) {
    Error e = last_libvirt_error(doing);
    virStreamAbort(stream.get());
    return std::unexpected(std::move(e));
  }
  if (virStreamFinish(stream.get()) < 0) return std::unexpected(last_libvirt_error(doing));

  std::vector<std::uint8_t> png_bytes;
  if (is_png(data)) {
    png_bytes = std::move(data);
  } else {
    // An older QEMU (before 7.1) hands out PPM.
    auto image = parse_ppm(data);
    auto encoded = image ? encode_png(*image) : std::unexpected(image.error());
    if (!encoded)
      return std::unexpected(make_error(text("{}: got {} ({} bytes): {}", doing, mime_type, data.size(), encoded.error())));
    png_bytes = std::move(*encoded);
  }
  const std::string_view bytes(reinterpret_cast<const char*>(png_bytes.data()), png_bytes.size());
  if (auto written = write_output_file(png, bytes); !written)
    return std::unexpected(make_error(text("{}: {}", doing, written.error().message)));
  return {};
}

Status LibvirtHypervisor::save(std::string_view name, const std::filesystem::path& file) {
  auto dom = impl_->lookup(name, "saving domain");
  if (!dom) return std::unexpected(dom.error());
  if (virDomainSaveFlags(dom->get(), file.c_str(), nullptr, 0) < 0)
    return std::unexpected(last_libvirt_error(text("saving domain \"{}\" to {}", name, file.string())));
  return {};
}

Status LibvirtHypervisor::restore(const std::filesystem::path& file, std::string_view xml, bool paused) {
  const std::string definition(xml);
  const unsigned flags = paused ? VIR_DOMAIN_SAVE_PAUSED : VIR_DOMAIN_SAVE_RUNNING;
  if (virDomainRestoreFlags(impl_->conn.get(), file.c_str(), definition.c_str(), flags) < 0)
    return std::unexpected(last_libvirt_error(text("restoring a domain from {}", file.string())));
  return {};
}

Status LibvirtHypervisor::resume(std::string_view name) {
  auto dom = impl_->lookup(name, "resuming domain");
  if (!dom) return std::unexpected(dom.error());
  if (virDomainResume(dom->get()) < 0) return std::unexpected(last_libvirt_error(text("resuming domain \"{}\"", name)));
  return {};
}

Result<std::string> LibvirtHypervisor::versions() {
  unsigned long library = 0, hypervisor = 0;
  if (virConnectGetLibVersion(impl_->conn.get(), &library) < 0)
    return std::unexpected(last_libvirt_error("reading libvirt's version"));
  if (virConnectGetVersion(impl_->conn.get(), &hypervisor) < 0)
    return std::unexpected(last_libvirt_error("reading the hypervisor's version"));
  return text("libvirt {}, hypervisor {}", library, hypervisor);
}

}  // namespace restorelab::libvirt
