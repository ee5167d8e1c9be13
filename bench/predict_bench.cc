// Benchmarks for the engine and the loaders (see bench/README.md):
//   BM_Predict*         predictions per second over a mix of distinct valid
//                       scenarios generated through set_key
//   BM_LoadScenario*    ScenarioLoader::load_text on realistic scenario texts
//   BM_Rulebook*        parsing and compiling rules/kb249694.toml
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rules/diagnostic.h"
#include "rules/engine.h"
#include "rules/keys.h"
#include "rules/model.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/toml_source.h"
#include "rules/validate.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "restorelab_bench: %s\n", message.c_str());
  std::exit(2);
}

const std::string kRulebookPath = restorelab::source_path("/rules/kb249694.toml");

const std::string& rulebook_text() {
  static const std::string text = [] {
    auto read = DiskReader().read(kRulebookPath);
    if (!read) die(kRulebookPath + ": " + read.error());
    return *read;
  }();
  return text;
}

const Rulebook& rulebook() {
  static const Rulebook book = [] {
    auto loaded = load_rulebook_text(rulebook_text(), kRulebookPath);
    if (!loaded) die(format_diagnostics(loaded.error()));
    return std::move(*loaded);
  }();
  return book;
}

// ---- the scenario mix ----------------------------------------------------------

/// Draws scenarios from a fixed seed, so every run predicts the same mix.
class ScenarioGenerator {
 public:
  Scenario next(int serial) {
    Scenario s;
    set(s, "scenario.name", Value(std::string("gen-") + std::to_string(serial)));
    const Machine source = machine(s, "source");
    os(s, "source", source.hal);
    destination(s, source);
    restore(s);
    return s;
  }

 private:
  static const KeyInfo& key(std::string_view path) {
    const KeyInfo* k = find_key(path);
    if (!k) die("no scenario key \"" + std::string(path) + "\"");
    return *k;
  }
  static void set(Scenario& s, const std::string& path, const Value& v) { set_key(s, key(path), v); }
  template <class E>
  static void set_enum(Scenario& s, const std::string& path, E value) {
    set(s, path, Value(static_cast<std::int64_t>(value)));
  }
  static void set_int(Scenario& s, const std::string& path, std::int64_t v) { set(s, path, Value(v)); }
  static void set_bool(Scenario& s, const std::string& path, bool v) { set(s, path, Value(v)); }
  static void set_list(Scenario& s, const std::string& path, std::vector<std::string> v) {
    set(s, path, Value(std::move(v)));
  }

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class E>
  E pick_enum() { return static_cast<E>(pick(enum_count<E>())); }
  template <class T, std::size_t N>
  const T& pick_of(const std::array<T, N>& items) { return items[pick(N)]; }

  int cpus_for(Hal hal) {
    if (hal_is_uniprocessor(hal)) return 1;
    if (hal_is_multiprocessor(hal)) return pick_of(std::array{2, 4, 8});
    return pick_of(std::array{1, 2, 4, 8, 16});
  }

  /// Random hardware for one side, mostly consistent with itself (validate() is
  /// the judge; inconsistent draws are dropped by the caller).
  Machine machine(Scenario& s, const std::string& side) {
    const Hal hal = pick_enum<Hal>();
    set_enum(s, side + ".hal", hal);
    set_enum(s, side + ".firmware", chance(0.2) ? Firmware::Uefi : Firmware::Bios);
    set_int(s, side + ".cpus", cpus_for(hal));
    set_int(s, side + ".nics", static_cast<std::int64_t>(pick(4)));
    set_enum(s, side + ".nic_model", pick_enum<NicModel>());
    set_enum(s, side + ".display", pick_enum<Display>());
    const DiskBus bus = pick_enum<DiskBus>();
    set_enum(s, side + ".disk_bus", bus);
    if (chance(0.5)) {
      DiskBusSet drivers{bus};
      drivers |= DiskBusSet::from_bits(static_cast<std::uint32_t>(pick(16)));
      set_int(s, side + ".storage_drivers", drivers.bits());
    }
    if (chance(0.2)) set(s, side + ".model", Value(std::string(pick_of(std::array{"dl380-g5", "r720"}))));
    return side == "source" ? s.source : s.destination;
  }

  /// A consistent OS for a machine of HAL type `hal`.
  void os(Scenario& s, const std::string& side, Hal hal) {
    const std::string p = side + ".os.";
    OsVersion version = pick_enum<OsVersion>();
    if (!hal_has_acpi(hal) && !is_nt5(version)) version = static_cast<OsVersion>(pick(4));
    set_enum(s, p + "version", version);
    const auto editions = editions_of(version);
    set_enum(s, p + "edition", editions[pick(editions.size())]);
    set_enum(s, p + "channel", chance(0.7) ? Channel::Retail : pick_enum<Channel>());
    set_int(s, p + "service_pack", static_cast<std::int64_t>(pick(4)));
    if (version == OsVersion::W2000 && chance(0.5)) set_list(s, p + "hotfixes", {"810161"});
    if (chance(0.15)) set(s, p + "systemdrive", Value(std::string("D:")));
    if (chance(0.15))
      set(s, p + "systemroot", Value(std::string(pick_of(std::array{"C:\\WINDOWS", "D:\\WINNT", "c:\\windows"}))));
    if (chance(0.1)) set_list(s, p + "filter_drivers", {"mfehidk"});
    if (chance(0.1)) set_list(s, p + "apps", {"office"});
    if (version > OsVersion::Nt4 && chance(0.15))
      set_enum(s, p + "upgraded_from", static_cast<OsVersion>(pick(static_cast<std::size_t>(version))));
    const std::size_t roles = pick(4);
    if (roles == 1) set_list(s, p + "roles", {"domain-controller"});
    if (roles == 2) set_list(s, p + "roles", {"file-server", "domain-controller"});
    if (roles >= 1 && chance(0.3)) set(s, p + "ad.database", Value(std::string("D:\\NTDS")));
    if (roles >= 1 && chance(0.2)) set(s, p + "ad.frs_logs", Value(std::string("E:\\ntfrs\\log")));
  }

  void copy_hardware(Scenario& s, const Machine& m) {
    set_enum(s, "destination.hal", m.hal);
    set_enum(s, "destination.firmware", m.firmware);
    set_int(s, "destination.cpus", m.cpus);
    set_int(s, "destination.nics", m.nics);
    set_enum(s, "destination.nic_model", m.nic_model);
    set_enum(s, "destination.display", m.display);
    set_enum(s, "destination.disk_bus", m.disk_bus);
    set_int(s, "destination.storage_drivers", m.storage_drivers.bits());
    set(s, "destination.model", Value(m.model));
  }

  void copy_os(Scenario& s, const Os& o) {
    set_enum(s, "destination.os.version", o.version);
    set_enum(s, "destination.os.edition", o.edition);
    set_enum(s, "destination.os.channel", o.channel);
    set_int(s, "destination.os.service_pack", o.service_pack);
    set_list(s, "destination.os.hotfixes", o.hotfixes);
    set(s, "destination.os.systemdrive", Value(o.systemdrive));
    set(s, "destination.os.systemroot", Value(o.systemroot));
    set(s, "destination.os.ad.database", Value(o.ad.database));
  }

  void destination(Scenario& s, const Machine& source) {
    const std::size_t hardware = pick(10);
    if (hardware < 2) return;  // no [destination]: a copy of the source
    if (hardware < 5) {
      copy_hardware(s, source);
      // Same make and model, one thing changed now and then.
      if (chance(0.3)) set_int(s, "destination.nics", static_cast<std::int64_t>(pick(4)));
      if (chance(0.2)) set_enum(s, "destination.display", pick_enum<Display>());
    } else {
      machine(s, "destination");
    }
    const std::size_t os_mode = pick(10);
    if (os_mode < 2) return;  // no [destination.os]: a copy of the source's
    if (os_mode < 8) {
      copy_os(s, s.source.os);
      if (chance(0.15)) set_int(s, "destination.os.service_pack", static_cast<std::int64_t>(pick(4)));
    } else {
      os(s, "destination", s.destination.hal);
    }
  }

  void restore(Scenario& s) {
    const bool pbr_possible = s.source.os.version == OsVersion::Win81 || s.source.os.version == OsVersion::Win10;
    if (pbr_possible && chance(0.3)) {
      set_enum(s, "restore.kind", RestoreKind::PushButtonReset);  // no [backup]
    } else {
      const std::size_t r = pick(20);
      const RestoreKind kind = r < 10 ? RestoreKind::SystemState : r < 16 ? RestoreKind::Bmr : RestoreKind::FullServer;
      set_enum(s, "restore.kind", kind);
      const auto lowest = static_cast<std::size_t>(kind);
      set_enum(s, "backup.kind", static_cast<BackupKind>(lowest + pick(3 - lowest)));
      if (kind == RestoreKind::SystemState && chance(0.3))
        set_enum(s, "restore.after", chance(0.5) ? PriorRestore::Bmr : PriorRestore::FullServer);
    }
    if (chance(0.3)) set_bool(s, "restore.asr", true);
    if (chance(0.2)) set_bool(s, "restore.offline", chance(0.5));
    if (chance(0.2)) set_bool(s, "restore.to_same_computer", true);
    if (chance(0.2)) set_bool(s, "prepare.uninstalled_filter_drivers", true);
    if (chance(0.2)) set_bool(s, "prepare.disabled_extra_nics", true);
  }

  std::mt19937_64 rng_{0x5eed'2496'94ULL};
};

/// Every settable key's value as text: two scenarios with the same
/// fingerprint are the same scenario.
std::string fingerprint(const Scenario& s) {
  std::string out;
  for (const KeyInfo& k : all_keys()) {
    if (k.derived || k.path == "scenario.name") continue;
    if (k.scalar) out += std::to_string(k.scalar(s));
    else if (k.text) out += k.text(s);
    else for (const std::string& item : k.list(s)) out += item + ",";
    out += '|';
  }
  return out;
}

struct Mix {
  std::vector<Scenario> scenarios;
  std::size_t drawn = 0;           ///< how many were generated to find them
  std::size_t rules_fired = 0;     ///< distinct rules that fired over the mix
  std::size_t outcomes = 0;        ///< distinct outcomes predicted over the mix
};

constexpr std::size_t kMixSize = 12'000;

const Mix& mix() {
  static const Mix m = [] {
    Mix out;
    ScenarioGenerator gen;
    std::unordered_set<std::string> seen;
    while (out.scenarios.size() < kMixSize) {
      Scenario s = gen.next(static_cast<int>(out.drawn++));
      if (!validate(s).empty()) continue;
      if (!seen.insert(fingerprint(s)).second) continue;
      out.scenarios.push_back(std::move(s));
      if (out.drawn > 50 * kMixSize) die("the generator finds too few valid distinct scenarios");
    }
    const Engine engine(rulebook());
    std::set<std::uint16_t> rules;
    std::set<Outcome> outcomes;
    for (const Scenario& s : out.scenarios) {
      const Prediction p = engine.predict(s);
      rules.insert(p.fired.begin(), p.fired.end());
      outcomes.insert(p.outcome);
    }
    out.rules_fired = rules.size();
    out.outcomes = outcomes.size();
    return out;
  }();
  return m;
}

void mix_counters(benchmark::State& state, std::size_t used) {
  const Mix& m = mix();
  state.counters["scenarios"] = static_cast<double>(used);
  state.counters["rules_hit"] = static_cast<double>(m.rules_fired);
  state.counters["rules"] = static_cast<double>(rulebook().rules.size());
  state.counters["outcomes_hit"] = static_cast<double>(m.outcomes);
}

// Predictions per second, reusing the Prediction (the matrix runner's loop).
// Arg: how many scenarios of the mix to cycle through (working-set size).
void BM_Predict(benchmark::State& state) {
  const auto& scenarios = mix().scenarios;
  const std::size_t n = std::min(scenarios.size(), static_cast<std::size_t>(state.range(0)));
  const Engine engine(rulebook());
  Prediction p;
  std::size_t i = 0;
  for (auto _ : state) {
    engine.predict(scenarios[i], p);
    benchmark::DoNotOptimize(p);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  mix_counters(state, n);
}
BENCHMARK(BM_Predict)->Arg(static_cast<std::int64_t>(kMixSize))->Arg(256);

// The same with a fresh Prediction each time (`engine.predict(s)`).
void BM_PredictFresh(benchmark::State& state) {
  const auto& scenarios = mix().scenarios;
  const Engine engine(rulebook());
  std::size_t i = 0;
  for (auto _ : state) {
    Prediction p = engine.predict(scenarios[i]);
    benchmark::DoNotOptimize(p);
    if (++i == scenarios.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  mix_counters(state, scenarios.size());
}
BENCHMARK(BM_PredictFresh);

// validate() over the mix: what a matrix expansion pays per scenario besides
// the prediction.
void BM_Validate(benchmark::State& state) {
  const auto& scenarios = mix().scenarios;
  std::size_t i = 0;
  for (auto _ : state) {
    auto problems = validate(scenarios[i]);
    benchmark::DoNotOptimize(problems);
    if (++i == scenarios.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Validate);

// ---- scenario loading ----------------------------------------------------------

struct Text {
  const char* name;
  const char* text;
};

// From scenarios/examples, plus one that uses `extends` and one with errors.
constexpr Text kScenarioTexts[] = {
    {"xp-ide-to-sata", R"([scenario]
name = "xp-ide-to-sata"
description = "Windows XP restored onto an AHCI controller it has no boot driver for"

[source]
hal = "acpi-uniprocessor"
disk_bus = "ide"

[source.os]
version = "windows-xp"
edition = "professional"
service_pack = 2

[destination]
hal = "acpi-uniprocessor"
disk_bus = "sata"

[destination.os]
version = "windows-xp"
edition = "professional"
service_pack = 2

[backup]
kind = "system-state"

[restore]
kind = "system-state"

[expect]
supported = false
outcome = "stop-0x7b"
actions = ["in-place-upgrade", "verify-rpc-client-protocols"]
)"},
    {"bmr-asr-different-hardware", R"([scenario]
name = "bmr-asr-different-hardware"
description = "Server migration: BMR with ASR onto different hardware"

[source]
hal = "acpi-x64"
disk_bus = "sata"
cpus = 2

[source.os]
version = "windows-server-2008-r2"
edition = "enterprise"
service_pack = 1

[destination]
hal = "acpi-x64"
disk_bus = "scsi"
cpus = 8

[destination.os]
version = "windows-server-2008-r2"
edition = "enterprise"
service_pack = 1

[backup]
kind = "bmr"

[restore]
kind = "bmr"
asr = true

[expect]
supported = true
outcome = "boots"
actions = ["reconfigure-hardware-bound-apps"]
cpus_used = 8
)"},
    {"dc-ntds-elsewhere", R"([scenario]
name = "dc-ntds-elsewhere"
description = "Domain controller whose AD database lives on another path at the destination"

[source]
hal = "acpi-uniprocessor"

[source.os]
version = "windows-server-2003"
edition = "standard"
service_pack = 2
roles = ["domain-controller"]

[source.os.ad]
database = 'D:\NTDS'
logs = 'D:\NTDS'

[destination]
hal = "acpi-uniprocessor"

[destination.os]
version = "windows-server-2003"
edition = "standard"
service_pack = 2

[destination.os.ad]
database = 'C:\WINDOWS\NTDS'
logs = 'D:\NTDS'

[backup]
kind = "system-state"

[restore]
kind = "system-state"

[expect]
supported = false
outcome = "role-fails"
actions = []
)"},
    {"push-button-reset-office", R"([scenario]
name = "push-button-reset-office"
description = "Windows Recovery (Push Button Reset) on a PC with Office installed"

[source]
hal = "acpi-x64"
firmware = "uefi"
disk_bus = "sata"

[source.os]
version = "windows-10"
edition = "pro"
apps = ["office"]

[restore]
kind = "push-button-reset"

[expect]
supported = true
outcome = "boots"
cpus_used = 2
actions = ["reinstall-office"]
)"},
    {"extends", R"([scenario]
name = "ws2003-up-to-mp-from-machine-files"
description = "Both machines come from machine files; the scenario overrides a few keys"

[source]
extends = "machines/ws2003-dl380.toml"

[destination]
extends = "machines/ws2003-r720.toml"
cpus = 4

[backup]
kind = "system-state"

[restore]
kind = "system-state"

[expect]
supported = false
outcome = "boots-degraded"
cpus_used = 1
)"},
    {"errors", R"([scenario]
name = "Has Errors"

[source]
hal = "acpi-uniproccessor"
firmwre = "bios"

[source.os]
version = "windows-server-2003"
edition = "standard"

[destination]
hal = "acpi-multiprocessor"
cpus = 1
nics = 9

[backup]
kind = "system-state"

[restore]
kind = "system-state"
)"},
};

const MapReader& machine_files() {
  static const MapReader reader({
      {"machines/ws2003-base.toml", R"(firmware = "bios"
disk_bus = "scsi"
storage_drivers = ["scsi", "ide"]
nics = 2
nic_model = "e1000"

[os]
version = "windows-server-2003"
edition = "enterprise"
service_pack = 2
roles = ["domain-controller", "file-server"]
filter_drivers = ["mfehidk"]
)"},
      {"machines/ws2003-dl380.toml", R"(extends = "ws2003-base.toml"
hal = "acpi-uniprocessor"
model = "dl380-g5"
)"},
      {"machines/ws2003-r720.toml", R"(extends = "ws2003-base.toml"
hal = "acpi-multiprocessor"
model = "dl380-g5"
cpus = 2
)"},
  });
  return reader;
}

void BM_LoadScenario(benchmark::State& state) {
  const Text& t = kScenarioTexts[state.range(0)];
  const ScenarioLoader loader(machine_files());
  const std::string path = std::string(t.name) + ".toml";
  const bool expect_ok = std::string_view(t.name) != "errors";
  {
    auto check = loader.load_text(t.text, path);
    if (check.has_value() != expect_ok) {
      state.SkipWithError(check ? "loaded a text with errors" : format_diagnostics(check.error()).c_str());
      return;
    }
  }
  for (auto _ : state) {
    auto s = loader.load_text(t.text, path);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(std::string_view(t.text).size()));
  state.SetLabel(t.name);
}
BENCHMARK(BM_LoadScenario)->DenseRange(0, std::size(kScenarioTexts) - 1);

// ---- the rulebook ----------------------------------------------------------------

// TOML parsing alone, to tell it from the rulebook's own checks and compiling.
void BM_RulebookParseToml(benchmark::State& state) {
  for (auto _ : state) {
    auto table = parse_toml(rulebook_text(), kRulebookPath);
    benchmark::DoNotOptimize(table);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(rulebook_text().size()));
}
BENCHMARK(BM_RulebookParseToml)->Unit(benchmark::kMicrosecond);

// What `restorelab` pays at start: parse, check and compile every condition.
void BM_RulebookLoad(benchmark::State& state) {
  for (auto _ : state) {
    auto book = load_rulebook_text(rulebook_text(), kRulebookPath);
    if (!book) {
      state.SkipWithError("the rulebook does not load");
      return;
    }
    benchmark::DoNotOptimize(book);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(rulebook_text().size()));
  state.counters["rules"] = static_cast<double>(rulebook().rules.size());
}
BENCHMARK(BM_RulebookLoad)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace restorelab

BENCHMARK_MAIN();
