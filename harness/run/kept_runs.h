// Kept machines: what `run --keep` leaves for a researcher to stand inside
// (the stopped domains with their NVRAM, and the disks), how to get in, and
// the record that makes the next run's start-up cleanup leave them alone.
//
// A kept run is marked by WORK/<run-id>/kept.json, written when the run ends
// (a killed run writes none, so its leftovers are still removed):
//
//   {"run": "2026-12-02T03-10-00", "prefix": "rl-ab12cd-",
//    "uri": "qemu:///embed?root=/var/tmp/restorelab/embed",
//    "kept_at": "2026-12-02T03:11:00Z", "store_run": 4,
//    "scenarios": [{"id": "same-hardware", "scenario": "same-hardware", "evidence": "/…/runs/…/same-hardware",
//                   "domains": ["rl-ab12cd-same-hardware-source", …]}]}
//
// Nothing here opens a hypervisor: listing reads the records; removing is
// the caller's (it needs the connection the record names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/machines/error.h"
#include "harness/output/text.h"

namespace restorelab::run {

/// The way into one scenario's kept machines: the connection and the
/// commands that reach them on this host, as `run` prints them on stderr and
/// in the `kept` object of its JSON line.
struct KeptAccess {
  std::string uri;                    ///< the libvirt URI the commands need
  std::vector<std::string> domains;   ///< in chain order; the last is where the scenario ended
  std::vector<std::string> commands;  ///< shell command lines, each tried on Debian 12's libvirt 9.0
  bool operator==(const KeptAccess&) const = default;
};

/// The way in for `domains` (chain order, not empty) on `uri`: list the
/// domains, start the last one again with its serial console attached
/// (Ctrl+] detaches; the machine runs on), take a screenshot of it while it
/// runs, stop it. Each is its own `virsh` process: an embedded root's QEMU
/// outlives the virsh that started it and the next one finds it again
/// (tried on Debian 12's libvirt 9.0). Every command quotes what the shell
/// would split.
KeptAccess way_in(std::string uri, std::vector<std::string> domains);

/// What `run` prints on stderr for a scenario `id` whose machines were kept:
/// the domains and the commands, one per line, and how to remove them.
std::string way_in_text(std::string_view id, const KeptAccess& access);

/// A shell word for `text`: as is when it holds only safe characters, else
/// in single quotes.
std::string shell_quote(std::string_view text);

/// One scenario of a kept run.
struct KeptScenario {
  std::string id;                    ///< the scenario id of the run
  std::string scenario;              ///< its name: its disks are in <run folder>/NAME (and NAME.attempt-N)
  std::string evidence;              ///< its evidence folder
  std::vector<std::string> domains;  ///< its kept domains, in chain order
  bool operator==(const KeptScenario&) const = default;
};

/// The record of a kept run.
struct KeptRun {
  std::string run;                ///< the run id: the name of its work folder
  std::filesystem::path folder;   ///< WORK/<run>: its disks (set by list_kept())
  std::string prefix;             ///< its domain prefix, "rl-xxxxxx-"
  std::string uri;                ///< the connection its domains live in
  std::string kept_at;            ///< UTC ISO 8601
  std::int64_t store_run = 0;     ///< the results store's run id; 0: none
  std::vector<KeptScenario> scenarios;
  bool operator==(const KeptRun&) const = default;
};

/// The file in a run's work folder that marks it kept.
inline constexpr std::string_view kKeptFile = "kept.json";

/// Writes `run` to `run.folder`/kept.json (replacing it).
machines::Status write_kept(const KeptRun& run);

/// The largest kept.json read (a record of thousands of scenarios is ~1 MiB).
inline constexpr std::size_t kMaxKeptRecordBytes = std::size_t{4} << 20;

/// Reads the record of the work folder `folder`; an error says why it is not
/// one. Only a regular file of at most kMaxKeptRecordBytes is read (never a
/// FIFO or a device). Its values are data that name paths and domains to
/// remove, so a record is refused unless its "run" is the folder's name, its
/// "prefix" a run's domain prefix (valid_domain_prefix), every domain starts
/// with that prefix, every scenario name is a valid name, and the uri holds
/// no control characters.
machines::Result<KeptRun> read_kept(const std::filesystem::path& folder);

/// True when `folder` holds a kept.json (readable or not: a damaged record
/// still protects what it kept from the start-up cleanup).
bool is_kept(const std::filesystem::path& folder);

/// An embedded root is shared by runs with any work folder: a kept run on
/// one is also noted in ROOT/restorelab-kept/<prefix> (the path of its work
/// folder), so that a run with another --work leaves it alone too.
machines::Status note_kept_in_root(const std::filesystem::path& embed_root, const KeptRun& run);
/// Removes the note of the kept run with `prefix` from `embed_root`; a
/// `prefix` that is not valid_domain_prefix() names no note and removes nothing.
void forget_kept_in_root(const std::filesystem::path& embed_root, std::string_view prefix);
/// True when `embed_root` holds the note of `run` (note_kept_in_root) and it
/// names `run.folder`: the proof that the run was kept on that root. Reads,
/// never creates, anything there.
bool noted_in_root(const std::filesystem::path& embed_root, const KeptRun& run);
/// The domain prefixes of the runs kept on `embed_root` whose work folder
/// still holds its record; notes whose record is gone are removed.
std::vector<std::string> kept_prefixes_in_root(const std::filesystem::path& embed_root);

/// The kept runs below `work_root` (its folders, not symlinks to folders),
/// oldest first (by run id), and a message per record that could not be read.
struct KeptListing {
  std::vector<KeptRun> runs;
  std::vector<std::string> problems;
};
KeptListing list_kept(const std::filesystem::path& work_root);

/// Bytes the files below `path` take on disk (allocated blocks, as `du`
/// counts them: a sparse disk image counts what it holds).
std::uintmax_t allocated_bytes(const std::filesystem::path& path);

/// `3.2 GiB`, `210 MiB`, `12 KiB`, `0 B` (harness/output/text.h).
using restorelab::human_bytes;

/// `45 s`, `12 min`, `3 h`, `2 d` between two UTC ISO 8601 times; `?` when
/// either does not parse.
std::string human_age(std::string_view since, std::string_view now);

}  // namespace restorelab::run
