#include "harness/run/source_cache.h"

#include <unistd.h>

#include <cstdio>

#include "harness/output/input_file.h"
#include "harness/output/output_file.h"
#include "rules/fnv.h"

namespace restorelab::run {

namespace fs = std::filesystem;

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
}

}  // namespace

fs::path SourceCache::default_root() { return "/var/tmp/restorelab/cache/source"; }

std::string SourceCache::key(const fs::path& artifacts, std::string xml, const std::string& job,
                             const std::vector<std::uint32_t>& disk_sizes_mib, const std::string& domain_name,
                             const fs::path& disk_dir, const fs::path& evidence_dir) {
  replace_all(xml, fs::absolute(disk_dir).string(), "@DISKS@");
  replace_all(xml, fs::absolute(evidence_dir).string(), "@EVIDENCE@");
  replace_all(xml, domain_name, "@NAME@");
  std::string input = read_file_or_empty(artifacts / "stamp") + "\n--\n" + xml + "\n--\n" + job + "\n--\ndisk sizes (MiB):";
  for (const std::uint32_t size : disk_sizes_mib) input += " " + std::to_string(size);
  return Fnv1a().add(input).hex();
}

std::optional<std::string> SourceCache::restore(const std::string& key, const fs::path& system,
                                                const fs::path& backup) const {
  if (!enabled()) return std::nullopt;
  const fs::path dir = root_ / key;
  std::error_code ec;
  if (!fs::exists(dir / "complete", ec)) return std::nullopt;
  fs::copy_file(dir / "system.img", system, fs::copy_options::overwrite_existing, ec);
  if (ec) return std::nullopt;
  fs::copy_file(dir / "backup.img", backup, fs::copy_options::overwrite_existing, ec);
  if (ec) return std::nullopt;
  return read_file_or_empty(dir / "source.serial.log");
}

void SourceCache::store(const std::string& key, const fs::path& system, const fs::path& backup,
                        const std::string& serial) const {
  if (!enabled()) return;
  const fs::path dir = root_ / key;
  const fs::path tmp = root_ / (key + ".tmp" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  fs::copy_file(system, tmp / "system.img", ec);
  if (!ec) fs::copy_file(backup, tmp / "backup.img", ec);
  // An entry is complete only when every file of it was written whole: a
  // serial log cut short by a full disk would be reused as the source's.
  const bool written = !ec && write_output_file(tmp / "source.serial.log", serial).has_value() &&
                 write_output_file(tmp / "complete", "ok\n").has_value();
  if (!written && !ec) ec = std::make_error_code(std::errc::io_error);
  if (!ec) {
    fs::remove_all(dir, ec);
    fs::rename(tmp, dir, ec);
  }
  if (ec) fs::remove_all(tmp, ec);
}

}  // namespace restorelab::run
