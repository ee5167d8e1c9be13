#include "harness/run/kept_runs.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/output/input_file.h"
#include "harness/output/output_file.h"
#include "harness/output/text.h"
#include "harness/run/run_session.h"
#include "rules/validate.h"

namespace restorelab::run {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

/// A record written whole or not at all (output_file's temporary and
/// rename): a half-written record would be read as no record, and the
/// next run's cleanup would remove what the user kept.
machines::Status write_record(const fs::path& file, std::string_view text) {
  if (auto w = write_output_file(file, text); !w) return std::unexpected(machines::make_error(w.error().message));
  return {};
}

}  // namespace

std::string shell_quote(std::string_view text) {
  const bool safe = !text.empty() && std::ranges::all_of(text, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_./:,+@%=").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

KeptAccess way_in(std::string uri, std::vector<std::string> domains) {
  KeptAccess a{std::move(uri), std::move(domains), {}};
  if (a.domains.empty()) return a;
  const std::string virsh = "virsh -c " + shell_quote(a.uri);
  const std::string& last = a.domains.back();
  a.commands.push_back(virsh + " list --all");
  a.commands.push_back(virsh + " start --console " + shell_quote(last));
  a.commands.push_back(virsh + " screenshot " + shell_quote(last) + " " + shell_quote(last + ".png"));
  a.commands.push_back(virsh + " destroy " + shell_quote(last));
  return a;
}

std::string way_in_text(std::string_view id, const KeptAccess& access) {
  std::string out = text("restorelab run: kept the machines of {} (stopped; disks and NVRAM kept): ", id);
  for (std::size_t i = 0; i < access.domains.size(); ++i) out += (i ? ", " : "") + access.domains[i];
  out += "\n  the way in (one command at a time, while no restorelab run uses the connection; Ctrl+] leaves the "
         "console):\n";
  for (const std::string& c : access.commands) out += "    " + c + "\n";
  out += "  `restorelab kept` lists what is kept, `restorelab kept --remove RUN|all` removes it\n";
  return out;
}

machines::Status write_kept(const KeptRun& run) {
  json scenarios = json::array();
  for (const KeptScenario& s : run.scenarios)
    scenarios.push_back({{"id", s.id}, {"scenario", s.scenario}, {"evidence", s.evidence}, {"domains", s.domains}});
  const json record = {{"run", run.run},           {"prefix", run.prefix},       {"uri", run.uri},
                       {"kept_at", run.kept_at},   {"store_run", run.store_run}, {"scenarios", std::move(scenarios)}};
  return write_record(run.folder / kKeptFile, record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

namespace {

/// A value of the record as it is written in it (JSON, control characters
/// escaped), for messages.
std::string as_json(const std::string& value) {
  return json(value).dump(-1, ' ', false, json::error_handler_t::replace);
}

bool has_control(std::string_view value) {
  return std::ranges::any_of(value, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

/// What is wrong with the values of `run` read from `folder`, or "": every
/// name becomes a path or the name of a domain that `kept --remove` destroys.
std::string record_problem(const KeptRun& run, const fs::path& folder) {
  if (run.run != folder.filename().string())
    return text("\"run\" is {}, not the name of its folder {}", as_json(run.run), as_json(folder.filename().string()));
  if (!valid_domain_prefix(run.prefix))
    return text("\"prefix\" is {}; expected a run's domain prefix such as \"rl-ab12cd-\" (rl-, 6 lower-case letters "
                "or digits, -)",
                as_json(run.prefix));
  if (has_control(run.uri)) return text("\"uri\" is {}, with control characters", as_json(run.uri));
  for (const KeptScenario& s : run.scenarios) {
    if (!s.scenario.empty() && !valid_name(s.scenario))
      return text("the scenario {} of {}: {}", as_json(s.scenario), as_json(s.id), name_problem(s.scenario));
    for (const std::string& d : s.domains)
      if (!d.starts_with(run.prefix) || d.size() == run.prefix.size() || !valid_name(d.substr(kDomainPrefix.size()), 255))
        return text("the domain {} of {} is not one of this run's (expected a name starting with its prefix {})",
                    as_json(d), as_json(s.id), as_json(run.prefix));
  }
  return {};
}

}  // namespace

machines::Result<KeptRun> read_kept(const fs::path& folder) {
  const fs::path file = folder / kKeptFile;
  auto content = read_regular_file(file, kMaxKeptRecordBytes);
  if (!content) return std::unexpected(machines::make_error(content.error().message));
  const json j = json::parse(*content, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string_view why) {
    return std::unexpected(machines::make_error(file.string() + ": " + std::string(why)));
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  KeptRun run;
  run.folder = folder;
  for (auto [key, field] : {std::pair{"run", &run.run}, std::pair{"prefix", &run.prefix}, std::pair{"uri", &run.uri},
                            std::pair{"kept_at", &run.kept_at}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return bad(text("no \"{}\" text", key));
    *field = it->get<std::string>();
  }
  if (auto it = j.find("store_run"); it != j.end() && it->is_number_integer()) run.store_run = it->get<std::int64_t>();
  auto scenarios = j.find("scenarios");
  if (scenarios == j.end() || !scenarios->is_array()) return bad("no \"scenarios\" array");
  for (const json& s : *scenarios) {
    if (!s.is_object() || !s.contains("id") || !s["id"].is_string() || !s.contains("domains") || !s["domains"].is_array())
      return bad("a scenario without \"id\" and \"domains\"");
    KeptScenario k;
    k.id = s["id"].get<std::string>();
    if (s.contains("scenario") && s["scenario"].is_string()) k.scenario = s["scenario"].get<std::string>();
    if (s.contains("evidence") && s["evidence"].is_string()) k.evidence = s["evidence"].get<std::string>();
    for (const json& d : s["domains"])
      if (d.is_string()) k.domains.push_back(d.get<std::string>());
    run.scenarios.push_back(std::move(k));
  }
  if (std::string problem = record_problem(run, folder); !problem.empty()) return bad(problem);
  return run;
}

namespace {

fs::path note_of(const fs::path& embed_root, std::string_view prefix) {
  return embed_root / "restorelab-kept" / std::string(prefix);
}

}  // namespace

machines::Status note_kept_in_root(const fs::path& embed_root, const KeptRun& run) {
  const fs::path note = note_of(embed_root, run.prefix);
  std::error_code ec;
  fs::create_directories(note.parent_path(), ec);
  return write_record(note, fs::absolute(run.folder).string() + "\n");
}

void forget_kept_in_root(const fs::path& embed_root, std::string_view prefix) {
  if (!valid_domain_prefix(prefix)) return;  // never a path of its own: rl-xxxxxx- is one file name
  std::error_code ec;
  fs::remove(note_of(embed_root, prefix), ec);
}

bool noted_in_root(const fs::path& embed_root, const KeptRun& run) {
  if (!valid_domain_prefix(run.prefix)) return false;
  auto note = read_regular_file(note_of(embed_root, run.prefix), 64 * 1024);
  if (!note) return false;
  std::error_code ec;
  return fs::equivalent(note->substr(0, note->find('\n')), run.folder, ec);
}

std::vector<std::string> kept_prefixes_in_root(const fs::path& embed_root) {
  std::vector<std::string> prefixes;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(embed_root / "restorelab-kept", ec)) {
    const std::string prefix = entry.path().filename().string();
    // A note is a line naming a folder; anything else (a FIFO, a huge file)
    // is no note of restorelab's and is not read.
    auto note = read_regular_file(entry.path(), 64 * 1024);
    const std::string folder = note ? note->substr(0, note->find('\n')) : std::string();
    if (valid_domain_prefix(prefix) && !folder.empty() && is_kept(folder)) {
      prefixes.push_back(prefix);
    } else if (note || note.error().missing) {
      std::error_code rm;
      fs::remove(entry.path(), rm);
    }
  }
  std::ranges::sort(prefixes);
  return prefixes;
}

bool is_kept(const fs::path& folder) {
  std::error_code ec;
  return fs::exists(folder / kKeptFile, ec);
}

KeptListing list_kept(const fs::path& work_root) {
  KeptListing listing;
  std::vector<fs::path> folders;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(work_root, ec))
    if (fs::is_directory(entry.symlink_status(ec)) && is_kept(entry.path())) folders.push_back(entry.path());
  std::ranges::sort(folders);
  for (const fs::path& folder : folders) {
    auto run = read_kept(folder);
    if (run) listing.runs.push_back(std::move(*run));
    else listing.problems.push_back(run.error().message);
  }
  return listing;
}

std::uintmax_t allocated_bytes(const fs::path& path) {
  std::uintmax_t total = 0;
  auto add = [&](const fs::path& p) {
    struct stat st{};
    if (::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::uintmax_t>(st.st_blocks) * 512;
  };
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    add(path);
    return total;
  }
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    add(it->path());
  }
  return total;
}

namespace {

std::optional<std::time_t> parse_utc(std::string_view iso) {
  std::tm tm{};
  std::istringstream in{std::string(iso)};
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  return timegm(&tm);
}

}  // namespace

std::string human_age(std::string_view since, std::string_view now) {
  const auto a = parse_utc(since);
  const auto b = parse_utc(now);
  if (!a || !b) return "?";
  const long long s = std::max<long long>(0, static_cast<long long>(*b - *a));
  if (s < 120) return text("{} s", s);
  if (s < 2 * 3600) return text("{} min", s / 60);
  if (s < 2 * 86400) return text("{} h", s / 3600);
  return text("{} d", s / 86400);
}

}  // namespace restorelab::run
