#include "harness/store/store_rows.h"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

namespace restorelab::store::rows {

const std::string kSelectRuns =
    "SELECT r.id, r.global_id, r.started, r.finished, r.duration_s, r.status, r.version, r.source_commit, "
    "r.rulebook_hash, r.image_hash, r.accelerator, r.host, r.shard, r.campaign, r.argv, "
    "count(*) FILTER (WHERE s.verdict = 'agree'), count(*) FILTER (WHERE s.verdict = 'disagree'), "
    "count(*) FILTER (WHERE s.verdict = 'known-deviation'), count(*) FILTER (WHERE s.verdict = 'flaky'), "
    "count(*) FILTER (WHERE s.verdict = 'error') "
    "FROM runs r LEFT JOIN results s ON s.run_id = r.id ";
const std::string kRunsGroup = " GROUP BY r.id ORDER BY r.started DESC, r.id DESC";
const char* const kInsertRun =
    "INSERT INTO runs (global_id, started, finished, duration_s, status, version, source_commit, rulebook_hash, "
    "image_hash, accelerator, host, shard, campaign, argv) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

const std::string kSelectResults =
    "SELECT s.run_id, s.scenario_id, s.scenario, s.observation_key, s.axes, s.predicted, s.observed, s.verdict, "
    "s.deviation, s.differences, s.attempts, s.reused, s.reused_from, s.accelerator, s.timings, s.evidence, "
    "s.error, s.json_line, s.remediation, s.scenario_toml FROM results s ";
const char* const kInsertResult =
    "INSERT INTO results (run_id, scenario_id, scenario, observation_key, axes, predicted, observed, verdict, "
    "deviation, differences, attempts, reused, reused_from, accelerator, timings, evidence, error, json_line, "
    "remediation, scenario_toml) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

const std::string kSelectAttempts =
    "SELECT a.scenario_id, a.attempt, a.observation_key, a.observed, a.error, a.evidence, a.timings "
    "FROM attempts a ";
const char* const kInsertAttempt =
    "INSERT INTO attempts (run_id, scenario_id, attempt, observation_key, observed, error, evidence, timings) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

RunRecord read_run(const sqlite::Statement& s) {
  RunRecord r;
  r.id = s.integer(0);
  r.info.global_id = s.text(1);
  r.info.started = s.text(2);
  r.finished = s.text(3);
  r.duration_s = s.optional_real(4);
  r.status = parse_status(s.text(5)).value_or(RunStatus::Running);
  r.info.version = s.text(6);
  r.info.source_commit = s.text(7);
  r.info.rulebook_hash = s.text(8);
  r.info.image_hash = s.text(9);
  r.info.accelerator = s.text(10);
  r.info.host = s.text(11);
  r.info.shard = s.text(12);
  r.info.campaign = s.text(13);
  r.info.argv_json = s.text(14);
  for (std::size_t v = 0; v < kVerdictCount; ++v) r.verdicts.counts[v] = static_cast<int>(s.integer(15 + int(v)));
  return r;
}

ResultRecord read_result(const sqlite::Statement& s) {
  ResultRecord r;
  r.run_id = s.integer(0);
  r.id = s.text(1);
  r.scenario = s.text(2);
  r.observation_key = s.text(3);
  r.axes_json = s.optional_text(4);
  r.predicted_json = s.text(5);
  r.observed_json = s.optional_text(6);
  r.verdict = parse_verdict(s.text(7)).value_or(Verdict::Error);  // the schema CHECKs the name
  r.deviation = s.text(8);
  r.differences_json = s.text(9);
  r.attempts = static_cast<int>(s.integer(10));
  r.reused = s.integer(11) != 0;
  r.reused_from = s.optional_integer(12);
  r.accelerator = s.text(13);
  r.timings_json = s.text(14);
  r.evidence = s.text(15);
  r.error = s.text(16);
  r.json_line = s.text(17);
  r.remediation_json = s.optional_text(18);
  r.scenario_toml = s.text(19);
  return r;
}

AttemptRecord read_attempt(const sqlite::Statement& s) {
  AttemptRecord a;
  a.attempt = static_cast<int>(s.integer(1));
  a.observation_key = s.text(2);
  a.observed_json = s.optional_text(3);
  a.error = s.text(4);
  a.evidence = s.text(5);
  a.timings_json = s.text(6);
  return a;
}

void bind_run(sqlite::Statement& s, const RunRecord& run) {
  const RunInfo& i = run.info;
  s.bind(1, i.global_id).bind(2, i.started);
  s.bind(3, run.finished.empty() ? std::nullopt : std::optional<std::string>(run.finished));
  s.bind(4, run.duration_s);
  s.bind(5, status_name(run.status)).bind(6, i.version).bind(7, i.source_commit).bind(8, i.rulebook_hash);
  s.bind(9, i.image_hash).bind(10, i.accelerator).bind(11, i.host).bind(12, i.shard).bind(13, i.campaign);
  s.bind(14, i.argv_json);
}

void bind_result(sqlite::Statement& s, std::int64_t run_id, const ResultRecord& r) {
  s.bind(1, run_id).bind(2, r.id).bind(3, r.scenario).bind(4, r.observation_key).bind(5, r.axes_json);
  s.bind(6, r.predicted_json).bind(7, r.observed_json).bind(8, verdict_name(r.verdict)).bind(9, r.deviation);
  s.bind(10, r.differences_json).bind(11, std::int64_t{r.attempts}).bind(12, std::int64_t{r.reused ? 1 : 0});
  s.bind(13, r.reused_from).bind(14, r.accelerator).bind(15, r.timings_json).bind(16, r.evidence);
  s.bind(17, r.error).bind(18, r.json_line).bind(19, r.remediation_json).bind(20, r.scenario_toml);
}

void bind_attempt(sqlite::Statement& s, std::int64_t run_id, std::string_view scenario_id, const AttemptRecord& a) {
  s.bind(1, run_id).bind(2, scenario_id).bind(3, std::int64_t{a.attempt}).bind(4, a.observation_key);
  s.bind(5, a.observed_json).bind(6, a.error).bind(7, a.evidence).bind(8, a.timings_json);
}

namespace {

enum class Shape : std::uint8_t { Object, Array };

bool is_json(std::string_view text, Shape shape) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != (shape == Shape::Object ? '{' : '[')) return false;
  return nlohmann::json::accept(text);
}

// "field is not a JSON object", or nullopt.
std::optional<std::string> check_json(std::string_view field, std::string_view text, Shape shape) {
  if (is_json(text, shape)) return std::nullopt;
  return std::string(field) + (shape == Shape::Object ? " is not a JSON object" : " is not a JSON array");
}

std::optional<std::string> first_of(std::initializer_list<std::optional<std::string>> problems) {
  for (const auto& p : problems)
    if (p) return p;
  return std::nullopt;
}

bool is_shard(std::string_view shard) {
  const auto slash = shard.find('/');
  if (slash == std::string_view::npos) return false;
  int k = 0, n = 0;
  const char* end = shard.data() + shard.size();
  auto [after_k, e1] = std::from_chars(shard.data(), shard.data() + slash, k);
  auto [after_n, e2] = std::from_chars(shard.data() + slash + 1, end, n);
  return e1 == std::errc() && e2 == std::errc() && after_k == shard.data() + slash && after_n == end &&
         std::isdigit(static_cast<unsigned char>(shard[slash + 1])) && k >= 1 && k <= n;
}

}  // namespace

std::optional<std::string> check_run(const RunInfo& info) {
  if (!is_utc_iso8601(info.started))
    return "started \"" + info.started + "\" is not a UTC ISO 8601 time such as 2026-11-25T18:00:00Z";
  if (!info.shard.empty() && !is_shard(info.shard))
    return "shard \"" + info.shard + "\" is not K/N with 1 <= K <= N, such as 2/4";
  if (!is_json(info.argv_json, Shape::Array)) return "argv_json is not a JSON array";
  for (const auto& arg : nlohmann::json::parse(info.argv_json))
    if (!arg.is_string()) return "argv_json is not an array of strings";
  return std::nullopt;
}

std::optional<std::string> check_result(const ResultRecord& r) {
  if (r.id.empty()) return "the scenario id is empty";
  if (r.attempts < 0) return "attempts is negative";
  if (r.reused_from && !r.reused) return "reused_from is set but reused is false";
  return first_of({r.axes_json ? check_json("axes_json", *r.axes_json, Shape::Object) : std::nullopt,
                   check_json("predicted_json", r.predicted_json, Shape::Object),
                   r.observed_json ? check_json("observed_json", *r.observed_json, Shape::Object) : std::nullopt,
                   check_json("differences_json", r.differences_json, Shape::Array),
                   check_json("timings_json", r.timings_json, Shape::Object),
                   check_json("json_line", r.json_line, Shape::Object),
                   r.remediation_json ? check_json("remediation_json", *r.remediation_json, Shape::Object)
                                      : std::nullopt});
}

std::optional<std::string> check_attempt(std::string_view scenario_id, const AttemptRecord& a) {
  if (scenario_id.empty()) return "the scenario id is empty";
  if (a.attempt < 1) return "the attempt number " + std::to_string(a.attempt) + " is below 1";
  return first_of({a.observed_json ? check_json("observed_json", *a.observed_json, Shape::Object) : std::nullopt,
                   check_json("timings_json", a.timings_json, Shape::Object)});
}

Result<std::int64_t> insert_run(sqlite::Connection& c, const RunRecord& run, std::string_view doing) {
  auto insert = c.prepare(kInsertRun, doing);
  if (!insert) return std::unexpected(insert.error());
  bind_run(**insert, run);
  if (auto s = c.run(**insert, doing); !s) {
    auto last = c.single_integer(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'runs'), 0), "
        "coalesce((SELECT max(id) FROM runs), 0))",
        doing);
    if (last && *last == std::numeric_limits<std::int64_t>::max())
      return std::unexpected(c.make_error(
          StoreError::Kind::BadInput,
          "the store has used every run id (the last is " + std::to_string(*last) + ", and ids are never reused) (" +
              std::string(doing) + "); nothing of it was recorded: merge it into a new store, which numbers the "
                                   "runs from 1 (restorelab results merge --db NEW " + c.path() + ")"));
    return std::unexpected(s.error());
  }
  return sqlite3_last_insert_rowid(c.db());
}

std::string random_global_id() {
  std::random_device device;
  std::array<unsigned char, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); i += 4) {
    const unsigned int word = device();
    for (std::size_t j = 0; j < 4; ++j) bytes[i + j] = static_cast<unsigned char>(word >> (8 * j));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // variant 1
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0f];
  }
  return out;
}

}  // namespace restorelab::store::rows
