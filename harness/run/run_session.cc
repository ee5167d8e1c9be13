#include "harness/run/run_session.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <algorithm>

#include "harness/output/input_file.h"
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

bool valid_domain_prefix(std::string_view prefix) {
  if (prefix.size() != kDomainPrefix.size() + 7 || !prefix.starts_with(kDomainPrefix) || !prefix.ends_with('-'))
    return false;
  return std::ranges::all_of(prefix.substr(kDomainPrefix.size(), 6),
                             [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

machines::Status claim_work_dir(const fs::path& dir, std::string_view domain_prefix) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(machines::make_error(text("creating {}: {}", dir.string(), ec.message())));
  auto written = write_output_file(dir / "owner", text("{}\n{}\n", getpid(), domain_prefix));
  if (!written) return std::unexpected(machines::make_error(written.error().message));
  return {};
}

std::optional<RunFolderOwner> run_folder_owner(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return std::nullopt;
  auto owner = read_regular_file(dir / "owner", 256);
  if (!owner) return std::nullopt;
  // Exactly what claim_work_dir writes: "PID\nrl-xxxxxx-\n".
  const std::string_view content = *owner;
  const std::size_t eol = content.find('\n');
  if (eol == std::string_view::npos || eol == 0 || eol > 9 || !content.ends_with('\n')) return std::nullopt;
  const std::string_view pid = content.substr(0, eol);
  const std::string_view prefix = content.substr(eol + 1, content.size() - eol - 2);
  if (!std::ranges::all_of(pid, [](char c) { return c >= '0' && c <= '9'; }) || !valid_domain_prefix(prefix))
    return std::nullopt;
  return RunFolderOwner{std::stoi(std::string(pid)), std::string(prefix)};
}

machines::CleanupReport remove_leftovers(machines::Hypervisor& hypervisor, const std::optional<fs::path>& embed_root,
                                        machines::ProcessTable& processes, const fs::path& work_root) {
  // Folders of live runs name the domain prefixes that must stay. Only
  // folders that restorelab made (run_folder_owner) are looked at: --work
  // may be a folder that holds other things too.
  std::vector<std::string> live_prefixes;
  std::vector<fs::path> dead_folders;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(work_root, ec)) {
    const std::optional<RunFolderOwner> owner = run_folder_owner(entry.path());
    if (!owner) continue;
    const bool alive = owner->pid > 0 && (kill(owner->pid, 0) == 0 || errno == EPERM);
    // A kept run stays until `restorelab kept --remove`; a killed one goes.
    if (!alive && !is_kept(entry.path())) dead_folders.push_back(entry.path());
    else live_prefixes.push_back(owner->prefix);
  }
  // Runs kept on this embedded root with another work folder.
  if (embed_root)
    for (std::string& prefix : kept_prefixes_in_root(*embed_root))
      live_prefixes.push_back(std::move(prefix));
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
