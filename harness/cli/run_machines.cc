#include "harness/cli/run_machines.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <thread>

#include "harness/machines/accelerator.h"
#include "harness/machines/cleanup.h"
#include "harness/output/text.h"
#include "harness/run/run_session.h"

namespace restorelab {

namespace fs = std::filesystem;

RunMachines::RunMachines(run::RunSettings settings, std::string uri, fs::path work_root,
                         const std::atomic<int>& interrupt, Streams& io)
    : settings_(std::move(settings)), uri_(std::move(uri)), work_root_(std::move(work_root)),
      interrupt_(interrupt), io_(io) {}

RunMachines::~RunMachines() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

machines::Status RunMachines::lock_embed_root(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  const fs::path file = root / "restorelab.lock";
  lock_fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (lock_fd_ < 0) return std::unexpected(machines::make_error(text("{}: {}", file.string(), std::strerror(errno))));
  bool said = false;
  while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return std::unexpected(machines::make_error(text("locking {}: {}", file.string(), std::strerror(errno))));
    if (interrupt_.load() != 0) return std::unexpected(machines::make_error("interrupted while waiting for " + root.string()));
    if (!said) {
      std::ifstream in(file);
      std::string pid;
      in >> pid;
      io_.err << "restorelab run: waiting for another run" << (pid.empty() ? "" : " (pid " + pid + ")")
              << " to finish with " << root.string() << ": an embedded libvirt serves one process at a time\n";
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) == 0) (void)!::pwrite(lock_fd_, pid.data(), pid.size(), 0);
  return {};
}

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
  io_.err << "restorelab run: accelerator " << accel->summary() << "\n";

  // The model guest's artifacts (built on first use).
  disks_ = std::make_unique<run::ScriptDiskTool>(run::images_source_dir(), &interrupt_);
  auto artifacts = disks_->build_artifacts(m.settings.artifacts);
  if (!artifacts) return std::unexpected(artifacts.error());
  if (artifacts->rebuilt) io_.err << text("restorelab run: built the model guest in {} s\n", static_cast<int>(artifacts->seconds));

  // The hypervisor, and whatever killed runs left in it.
  if (auto root = machines::embed_root_of_uri(uri_)) {
    if (auto locked = lock_embed_root(*root); !locked) return std::unexpected(locked.error());
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
  run::claim_work_dir(m.settings.work_dir, m.settings.domain_prefix);
  m.hypervisor = backend_->hypervisor.get();
  m.disks = disks_.get();
  return m;
}

void RunMachines::clean_up() {
  std::lock_guard lock(mutex_);
  if (!backend_ || settings_.keep) return;
  auto rest = machines::remove_domains(*backend_->hypervisor, settings_.domain_prefix);
  for (const auto& p : rest.problems) io_.err << "warning: cleanup: " << p.message << "\n";
  std::error_code ec;
  fs::remove_all(settings_.work_dir, ec);
}

}  // namespace restorelab
