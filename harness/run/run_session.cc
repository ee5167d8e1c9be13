#include "harness/run/run_session.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>

#include "harness/output/output_file.h"
#include "harness/output/text.h"
#include "harness/run/kept_runs.h"

namespace restorelab::run {

namespace fs = std::filesystem;

fs::path default_embed_root() { return "/var/tmp/restorelab/embed"; }
fs::path default_work_root() { return "/var/tmp/restorelab/work"; }

std::string new_run_id(const fs::path& taken) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H-%M-%S", &tm);
  std::string id = buf;
  std::error_code ec;
  for (int n = 2; fs::exists(taken / id, ec); ++n) id = text("{}-{}", buf, n);
  return id;
}

std::string run_domain_prefix() {
  const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
  const unsigned v = static_cast<unsigned>(getpid()) * 2654435761u ^ static_cast<unsigned>(t);
  static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id;
  unsigned x = v;
  for (int i = 0; i < 6; ++i, x /= 36) id += digits[x % 36];
  return std::string(kDomainPrefix) + id + "-";
}

machines::Status claim_work_dir(const fs::path& dir, std::string_view domain_prefix) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(machines::make_error(text("creating {}: {}", dir.string(), ec.message())));
  auto written = write_output_file(dir / "owner", text("{}\n{}\n", getpid(), domain_prefix));
  if (!written) return std::unexpected(machines::make_error(written.error().message));
  return {};
}

machines::CleanupReport remove_leftovers(machines::Hypervisor& hypervisor, const std::optional<fs::path>& embed_root,
                                        machines::ProcessTable& processes, const fs::path& work_root) {
  // Folders of live runs name the domain prefixes that must stay.
  std::vector<std::string> live_prefixes;
  std::vector<fs::path> dead_folders;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(work_root, ec)) {
    if (!entry.is_directory()) continue;
    int pid = 0;
    std::string prefix;
    std::ifstream owner(entry.path() / "owner");
    owner >> pid >> prefix;
    const bool alive = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
    // A kept run stays until `restorelab kept --remove`; a killed one goes.
    if (!alive && !is_kept(entry.path())) dead_folders.push_back(entry.path());
    else if (prefix.starts_with(kDomainPrefix) && prefix.size() > kDomainPrefix.size()) live_prefixes.push_back(prefix);
  }
  // Runs kept on this embedded root with another work folder.
  if (embed_root)
    for (std::string& prefix : kept_prefixes_in_root(*embed_root))
      if (prefix.starts_with(kDomainPrefix) && prefix.size() > kDomainPrefix.size()) live_prefixes.push_back(std::move(prefix));
  machines::CleanupReport report = machines::remove_domains(hypervisor, kDomainPrefix, live_prefixes);
  if (embed_root) {
    auto killed = machines::kill_stray_qemu(processes, *embed_root, kDomainPrefix, std::chrono::milliseconds(2000),
                                            live_prefixes);
    report.killed = killed.killed;
    for (auto& p : killed.problems) report.problems.push_back(std::move(p));
  }
  for (const fs::path& folder : dead_folders) {
    std::error_code rm;
    fs::remove_all(folder, rm);
    if (rm) report.problems.push_back(machines::make_error("removing " + folder.string() + ": " + rm.message()));
    else report.removed.push_back(folder.string());
  }
  return report;
}

}  // namespace restorelab::run
