#include "harness/machines/cleanup.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "harness/output/input_file.h"
#include "harness/output/text.h"

namespace restorelab::machines {

CleanupReport remove_domains(Hypervisor& hypervisor, std::string_view prefix, std::span<const std::string> keep) {
  CleanupReport report;
  if (prefix.empty()) {
    report.problems.push_back(make_error("refusing to remove domains with an empty name prefix"));
    return report;
  }
  auto names = hypervisor.list_domains(prefix);
  if (!names) {
    report.problems.push_back(names.error());
    return report;
  }
  for (const std::string& name : *names) {
    if (std::ranges::any_of(keep, [&](const std::string& k) { return name.starts_with(k); })) continue;
    auto destroyed = hypervisor.destroy(name);
    if (!destroyed && !destroyed.error().no_domain()) {
      report.problems.push_back(destroyed.error());
      continue;
    }
    auto undefined = hypervisor.undefine(name);
    if (!undefined && !undefined.error().no_domain()) {
      report.problems.push_back(undefined.error());
      continue;
    }
    report.removed.push_back(name);
  }
  return report;
}

std::vector<ProcessInfo> ProcProcessTable::list() {
  std::vector<ProcessInfo> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcessInfo p{std::stoi(name), {}};
    std::string arg;
    for (char c : read_file_or_empty(entry.path() / "cmdline")) {
      if (c == '\0') {
        p.argv.push_back(std::move(arg));
        arg.clear();
      } else {
        arg += c;
      }
    }
    if (!arg.empty()) p.argv.push_back(std::move(arg));
    if (!p.argv.empty()) out.push_back(std::move(p));
  }
  return out;
}

bool ProcProcessTable::signal(int pid, int sig) { return ::kill(pid, sig) == 0; }

bool ProcProcessTable::alive(int pid) {
  std::ifstream in(text("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const auto close = stat.rfind(')');  // the state follows the command name
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::string qemu_guest_name(const std::vector<std::string>& argv) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] != "-name") continue;
    std::string_view value = argv[i + 1];
    if (!value.starts_with("guest=")) return std::string(value.substr(0, value.find(',')));
    value.remove_prefix(6);
    // QEMU escapes a ',' inside a value as ",,".
    std::string name;
    for (std::size_t j = 0; j < value.size(); ++j) {
      if (value[j] == ',') {
        if (j + 1 < value.size() && value[j + 1] == ',') {
          name += ',';
          ++j;
          continue;
        }
        break;
      }
      name += value[j];
    }
    return name;
  }
  return {};
}

bool is_stray_qemu(const std::vector<std::string>& argv, const std::filesystem::path& embed_root,
                   std::string_view prefix) {
  if (argv.empty() || prefix.empty()) return false;
  const std::string program = std::filesystem::path(argv[0]).filename().string();
  if (!program.starts_with("qemu-system-") && program != "qemu-kvm") return false;
  if (!qemu_guest_name(argv).starts_with(prefix)) return false;
  std::string root = std::filesystem::absolute(embed_root).lexically_normal().string();
  if (!root.ends_with('/')) root += '/';
  for (const std::string& arg : argv)
    if (arg.find(root) != std::string::npos) return true;
  return false;
}

CleanupReport kill_stray_qemu(ProcessTable& processes, const std::filesystem::path& embed_root,
                              std::string_view prefix, std::chrono::milliseconds grace,
                              std::span<const std::string> keep) {
  CleanupReport report;
  if (prefix.empty()) {
    report.problems.push_back(make_error("refusing to kill QEMU processes with an empty name prefix"));
    return report;
  }
  std::vector<int> targets;
  for (const ProcessInfo& p : processes.list()) {
    if (!is_stray_qemu(p.argv, embed_root, prefix)) continue;
    const std::string guest = qemu_guest_name(p.argv);
    if (std::ranges::any_of(keep, [&](const std::string& k) { return guest.starts_with(k); })) continue;
    if (processes.signal(p.pid, SIGTERM)) targets.push_back(p.pid);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (int pid : targets) {
    while (processes.alive(pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (processes.alive(pid)) processes.signal(pid, SIGKILL);
    report.killed.push_back(pid);
  }
  return report;
}

}  // namespace restorelab::machines
