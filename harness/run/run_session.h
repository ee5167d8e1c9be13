// What a `restorelab run` process sets up around the scenarios: where things
// live, a run id, and the removal of whatever a killed earlier run left
// behind (its domains, QEMU processes and disks).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/machines/cleanup.h"
#include "harness/machines/hypervisor.h"

namespace restorelab::run {

/// Every restorelab domain name starts with this; a run's own prefix adds its id.
inline constexpr std::string_view kDomainPrefix = "rl-";

/// /var/tmp/restorelab/embed: the one persistent embedded-driver root (its
/// first use probes QEMU for ~47 s; later ones reuse the cache).
std::filesystem::path default_embed_root();
/// /var/tmp/restorelab/work: disks of running runs, one folder per run.
std::filesystem::path default_work_root();

/// A run id usable in file and domain names: the local time as
/// 2026-11-25T18-00-00, plus "-N" when `taken` already holds a folder of that name.
std::string new_run_id(const std::filesystem::path& taken);
/// The domain prefix of a run: "rl-" + 6 characters unique to the process and time.
std::string run_domain_prefix();

/// True for a prefix run_domain_prefix() can make: "rl-", 6 lower-case
/// letters or digits, "-". A prefix read back from a file is used only then.
bool valid_domain_prefix(std::string_view prefix);

/// Marks `dir` as belonging to this process and its domains: an `owner` file
/// with the pid and the run's domain prefix. A run that cannot write it must
/// not start: another run would take its domains for a killed run's.
machines::Status claim_work_dir(const std::filesystem::path& dir, std::string_view domain_prefix);

/// What claim_work_dir wrote in a run folder: the proof that restorelab
/// made it. Nothing when `dir` is not a folder (a symlink is not), has no
/// `owner` regular file, or the file is not exactly "PID\nPREFIX\n" with a
/// valid_domain_prefix().
struct RunFolderOwner {
  int pid = 0;
  std::string prefix;
};
std::optional<RunFolderOwner> run_folder_owner(const std::filesystem::path& dir);

/// Removes what killed runs left: every domain starting with "rl-" except
/// those of runs still alive and of kept runs (their `owner` files under
/// `work_root` name their prefix: on a shared connection such as
/// qemu:///system another run may be using the same libvirt; a kept run's
/// folder holds kept.json, and an embedded root notes its kept runs of
/// other work folders: kept_runs.h), stray QEMU processes of `embed_root` (not those
/// of kept domains), and the run folders under `work_root` (those with a
/// run_folder_owner(), and only those: --work may hold other folders) whose
/// owner process is gone and that are not kept.
machines::CleanupReport remove_leftovers(machines::Hypervisor& hypervisor,
                                        const std::optional<std::filesystem::path>& embed_root,
                                        machines::ProcessTable& processes,
                                        const std::filesystem::path& work_root);

}  // namespace restorelab::run
