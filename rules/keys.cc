#include "rules/keys.h"

#include <algorithm>
#include <array>

namespace restorelab {

std::string_view describe(ValueType type) {
  switch (type) {
    case ValueType::Bool: return "a boolean";
    case ValueType::Int: return "an integer";
    case ValueType::Enum: return "a string";
    case ValueType::String: return "a string";
    case ValueType::Path: return "a path string";
    case ValueType::StringList: return "an array of strings";
    case ValueType::EnumList: return "an array of strings";
  }
  return "a value";
}

namespace {

template <class E>
std::vector<std::string_view> names_of() {
  return {EnumNames<E>::names.begin(), EnumNames<E>::names.end()};
}

bool as_bool(const Value& v) { return std::get<bool>(v); }
std::int64_t as_int(const Value& v) { return std::get<std::int64_t>(v); }
const std::string& as_text(const Value& v) { return std::get<std::string>(v); }
const std::vector<std::string>& as_list(const Value& v) { return std::get<std::vector<std::string>>(v); }

// Side 0 is the source, 1 the destination. Setting a destination key first
// turns a defaulted destination (a copy of the source) into a real one.
template <int Side>
Machine& machine_for_write(Scenario& s) {
  if constexpr (Side == 0) {
    return s.source;
  } else {
    if (s.defaulted.destination_machine) {
      s.defaulted.destination_machine = false;
      s.defaulted.destination = s.defaulted.source;
    }
    return s.destination;
  }
}
template <int Side>
Os& os_for_write(Scenario& s) {
  Machine& m = machine_for_write<Side>(s);
  if constexpr (Side == 1) s.defaulted.destination_os = false;
  return m.os;
}
template <int Side>
const Machine& machine(const Scenario& s) {
  return Side == 0 ? s.source : s.destination;
}
template <int Side>
Defaulted::Side& flags(Scenario& s) {
  return Side == 0 ? s.defaulted.source : s.defaulted.destination;
}

// Byte offsets of fields within a Scenario, measured on a probe object.
const Scenario& probe() {
  static const Scenario s{};
  return s;
}
template <class T>
std::int32_t offset_of(const T& field) {
  return static_cast<std::int32_t>(reinterpret_cast<const char*>(&field) - reinterpret_cast<const char*>(&probe()));
}
template <class T>
void place(KeyInfo& k, const T& field) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 4);
  k.offset = offset_of(field);
  k.width = sizeof(T);
}

KeyInfo make(std::string path, ValueType type) {
  KeyInfo k;
  k.path = std::move(path);
  k.type = type;
  return k;
}
KeyInfo make_int(std::string path, std::int64_t min, std::int64_t max) {
  KeyInfo k = make(std::move(path), ValueType::Int);
  k.min = min;
  k.max = max;
  return k;
}
template <class E>
KeyInfo make_enum(std::string path, ValueType type = ValueType::Enum) {
  KeyInfo k = make(std::move(path), type);
  k.enum_names = names_of<E>();
  return k;
}

template <int Side>
void add_machine_keys(std::vector<KeyInfo>& keys, const std::string& side) {
#define M(s) machine<Side>(s)
#define W(s) machine_for_write<Side>(s)
#define O(s) os_for_write<Side>(s)
  {
    auto k = make_enum<Hal>(side + ".hal");
    k.set = [](Scenario& s, const Value& v) { W(s).hal = static_cast<Hal>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).hal); };
    place(k, machine<Side>(probe()).hal);
    keys.push_back(k);
  }
  {
    auto k = make_enum<Firmware>(side + ".firmware");
    k.set = [](Scenario& s, const Value& v) { W(s).firmware = static_cast<Firmware>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).firmware); };
    place(k, machine<Side>(probe()).firmware);
    keys.push_back(k);
  }
  {
    auto k = make_int(side + ".cpus", 1, 256);
    k.set = [](Scenario& s, const Value& v) {
      W(s).cpus = static_cast<int>(as_int(v));
      flags<Side>(s).cpus = false;
    };
    k.scalar = [](const Scenario& s) -> std::int64_t { return M(s).cpus; };
    place(k, machine<Side>(probe()).cpus);
    keys.push_back(k);
  }
  {
    auto k = make_int(side + ".nics", 0, 8);
    k.set = [](Scenario& s, const Value& v) { W(s).nics = static_cast<int>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return M(s).nics; };
    place(k, machine<Side>(probe()).nics);
    keys.push_back(k);
  }
  {
    auto k = make_enum<NicModel>(side + ".nic_model");
    k.set = [](Scenario& s, const Value& v) { W(s).nic_model = static_cast<NicModel>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).nic_model); };
    place(k, machine<Side>(probe()).nic_model);
    keys.push_back(k);
  }
  {
    auto k = make_enum<Display>(side + ".display");
    k.set = [](Scenario& s, const Value& v) { W(s).display = static_cast<Display>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).display); };
    place(k, machine<Side>(probe()).display);
    keys.push_back(k);
  }
  {
    auto k = make_enum<DiskBus>(side + ".disk_bus");
    k.set = [](Scenario& s, const Value& v) { W(s).disk_bus = static_cast<DiskBus>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).disk_bus); };
    place(k, machine<Side>(probe()).disk_bus);
    keys.push_back(k);
  }
  {
    auto k = make_int(side + ".memory_mib", 16, 4 * 1024 * 1024);
    k.set = [](Scenario& s, const Value& v) { W(s).memory_mib = static_cast<int>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return M(s).memory_mib; };
    place(k, machine<Side>(probe()).memory_mib);
    keys.push_back(k);
  }
  {
    // The system disk; the model's installation needs 32 MiB, and a raw
    // image of up to 4 TiB stays a sparse file.
    auto k = make_int(side + ".disk_mib", 32, 4 * 1024 * 1024);
    k.set = [](Scenario& s, const Value& v) { W(s).disk_mib = static_cast<int>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return M(s).disk_mib; };
    place(k, machine<Side>(probe()).disk_mib);
    keys.push_back(k);
  }
  {
    auto k = make(side + ".model", ValueType::String);
    k.set = [](Scenario& s, const Value& v) { W(s).model = as_text(v); };
    k.text = [](const Scenario& s) -> std::string_view { return M(s).model; };
    keys.push_back(k);
  }
  {
    auto k = make_enum<DiskBus>(side + ".storage_drivers", ValueType::EnumList);
    k.set = [](Scenario& s, const Value& v) {
      W(s).storage_drivers = DiskBusSet::from_bits(static_cast<std::uint32_t>(as_int(v)));
      flags<Side>(s).storage_drivers = false;
    };
    k.scalar = [](const Scenario& s) -> std::int64_t { return M(s).storage_drivers.bits(); };
    place(k, machine<Side>(probe()).storage_drivers);
    keys.push_back(k);
  }
  const std::string os = side + ".os.";
  {
    auto k = make_enum<OsVersion>(os + "version");
    k.set = [](Scenario& s, const Value& v) { O(s).version = static_cast<OsVersion>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).os.version); };
    place(k, machine<Side>(probe()).os.version);
    keys.push_back(k);
  }
  {
    auto k = make_enum<Edition>(os + "edition");
    k.set = [](Scenario& s, const Value& v) { O(s).edition = static_cast<Edition>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).os.edition); };
    place(k, machine<Side>(probe()).os.edition);
    keys.push_back(k);
  }
  {
    auto k = make_enum<Channel>(os + "channel");
    k.set = [](Scenario& s, const Value& v) { O(s).channel = static_cast<Channel>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(M(s).os.channel); };
    place(k, machine<Side>(probe()).os.channel);
    keys.push_back(k);
  }
  {
    auto k = make_int(os + "service_pack", 0, 6);
    k.set = [](Scenario& s, const Value& v) { O(s).service_pack = static_cast<int>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return M(s).os.service_pack; };
    place(k, machine<Side>(probe()).os.service_pack);
    keys.push_back(k);
  }
  {
    auto k = make(os + "hotfixes", ValueType::StringList);
    k.set = [](Scenario& s, const Value& v) { O(s).hotfixes = as_list(v); };
    k.list = [](const Scenario& s) -> const std::vector<std::string>& { return M(s).os.hotfixes; };
    keys.push_back(k);
  }
  {
    auto k = make(os + "systemdrive", ValueType::Path);
    k.set = [](Scenario& s, const Value& v) { O(s).systemdrive = as_text(v); };
    k.text = [](const Scenario& s) -> std::string_view { return M(s).os.systemdrive; };
    keys.push_back(k);
  }
  {
    auto k = make(os + "systemroot", ValueType::Path);
    k.set = [](Scenario& s, const Value& v) {
      O(s).systemroot = as_text(v);
      flags<Side>(s).systemroot = false;
    };
    k.text = [](const Scenario& s) -> std::string_view { return M(s).os.systemroot; };
    keys.push_back(k);
  }
  {
    auto k = make(os + "filter_drivers", ValueType::StringList);
    k.set = [](Scenario& s, const Value& v) { O(s).filter_drivers = as_list(v); };
    k.list = [](const Scenario& s) -> const std::vector<std::string>& { return M(s).os.filter_drivers; };
    keys.push_back(k);
  }
  {
    // "none" (index 0 of a one-longer list) stands for "not upgraded".
    auto k = make(os + "upgraded_from", ValueType::Enum);
    k.enum_names = names_of<OsVersion>();
    k.set = [](Scenario& s, const Value& v) {
      O(s).upgraded_from = static_cast<OsVersion>(as_int(v));
    };
    k.scalar = [](const Scenario& s) -> std::int64_t {
      return M(s).os.upgraded_from ? static_cast<int>(*M(s).os.upgraded_from) : -1;
    };
    keys.push_back(k);
  }
  {
    auto k = make(os + "apps", ValueType::StringList);
    k.set = [](Scenario& s, const Value& v) { O(s).apps = as_list(v); };
    k.list = [](const Scenario& s) -> const std::vector<std::string>& { return M(s).os.apps; };
    keys.push_back(k);
  }
  {
    auto k = make(os + "roles", ValueType::StringList);
    k.set = [](Scenario& s, const Value& v) { O(s).roles = as_list(v); };
    k.list = [](const Scenario& s) -> const std::vector<std::string>& { return M(s).os.roles; };
    keys.push_back(k);
  }
  const std::string ad = os + "ad.";
#define AD_KEY(field, index)                                                        \
  {                                                                                 \
    auto k = make(ad + #field, ValueType::Path);                                    \
    k.set = [](Scenario& s, const Value& v) {                                       \
      O(s).ad.field = as_text(v);                                                   \
      flags<Side>(s).ad[index] = false;                                             \
    };                                                                              \
    k.text = [](const Scenario& s) -> std::string_view { return M(s).os.ad.field; }; \
    keys.push_back(k);                                                              \
  }
  AD_KEY(database, 0)
  AD_KEY(logs, 1)
  AD_KEY(frs_database, 2)
  AD_KEY(frs_logs, 3)
#undef AD_KEY
  // Derived keys: facts of the HAL and OS tables, for conditions.
  {
    auto k = make(side + ".acpi", ValueType::Bool);
    k.derived = true;
    k.scalar = [](const Scenario& s) -> std::int64_t { return hal_has_acpi(M(s).hal); };
    keys.push_back(k);
  }
  {
    auto k = make(side + ".apic", ValueType::Bool);
    k.derived = true;
    k.scalar = [](const Scenario& s) -> std::int64_t { return hal_has_apic(M(s).hal); };
    keys.push_back(k);
  }
  {
    auto k = make(side + ".uniprocessor", ValueType::Bool);
    k.derived = true;
    k.scalar = [](const Scenario& s) -> std::int64_t { return hal_is_uniprocessor(M(s).hal); };
    keys.push_back(k);
  }
  {
    auto k = make(os + "nt5", ValueType::Bool);
    k.derived = true;
    k.scalar = [](const Scenario& s) -> std::int64_t { return is_nt5(M(s).os.version); };
    keys.push_back(k);
  }
#undef M
#undef W
#undef O
}

std::vector<KeyInfo> build_keys() {
  std::vector<KeyInfo> keys;
  {
    auto k = make("scenario.name", ValueType::String);
    k.set = [](Scenario& s, const Value& v) { s.name = as_text(v); };
    k.text = [](const Scenario& s) -> std::string_view { return s.name; };
    keys.push_back(k);
  }
  {
    auto k = make("scenario.description", ValueType::String);
    k.set = [](Scenario& s, const Value& v) { s.description = as_text(v); };
    k.text = [](const Scenario& s) -> std::string_view { return s.description; };
    keys.push_back(k);
  }
  add_machine_keys<0>(keys, "source");
  add_machine_keys<1>(keys, "destination");
  {
    auto k = make_enum<BackupKind>("backup.kind");
    k.enum_names.pop_back();  // "none" is the absence of a [backup] table, not a value
    k.set = [](Scenario& s, const Value& v) { s.backup = static_cast<BackupKind>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(s.backup); };
    place(k, probe().backup);
    keys.push_back(k);
  }
  {
    auto k = make_enum<RestoreKind>("restore.kind");
    k.set = [](Scenario& s, const Value& v) { s.restore.kind = static_cast<RestoreKind>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(s.restore.kind); };
    place(k, probe().restore.kind);
    keys.push_back(k);
  }
  {
    auto k = make_enum<PriorRestore>("restore.after");
    k.set = [](Scenario& s, const Value& v) { s.restore.after = static_cast<PriorRestore>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t { return static_cast<int>(s.restore.after); };
    place(k, probe().restore.after);
    keys.push_back(k);
  }
#define BOOL_KEY(path, expr, extra)                                              \
  {                                                                              \
    auto k = make(path, ValueType::Bool);                                        \
    k.set = [](Scenario& s, const Value& v) { expr = as_bool(v); extra; };       \
    k.scalar = [](const Scenario& s) -> std::int64_t { return expr; };           \
    { const Scenario& s = probe(); place(k, expr); }                             \
    keys.push_back(k);                                                           \
  }
  BOOL_KEY("restore.asr", s.restore.asr, )
  BOOL_KEY("restore.offline", s.restore.offline, s.defaulted.offline = false)
  BOOL_KEY("restore.to_same_computer", s.restore.to_same_computer, )
  BOOL_KEY("prepare.uninstalled_filter_drivers", s.prepare.uninstalled_filter_drivers, )
  BOOL_KEY("prepare.disabled_extra_nics", s.prepare.disabled_extra_nics, )
#undef BOOL_KEY
  return keys;
}

}  // namespace

std::span<const KeyInfo> all_keys() {
  static const std::vector<KeyInfo> keys = [] {
    auto k = build_keys();
    std::stable_partition(k.begin(), k.end(), [](const KeyInfo& i) { return !i.derived; });
    return k;
  }();
  return keys;
}

const KeyInfo* find_key(std::string_view path) {
  for (const KeyInfo& k : all_keys())
    if (k.path == path) return &k;
  return nullptr;
}

std::vector<std::string_view> key_paths(bool include_derived) {
  std::vector<std::string_view> out;
  for (const KeyInfo& k : all_keys())
    if (include_derived || !k.derived) out.push_back(k.path);
  return out;
}

int enum_index(const KeyInfo& key, std::string_view name) {
  for (std::size_t i = 0; i < key.enum_names.size(); ++i)
    if (key.enum_names[i] == name) return static_cast<int>(i);
  return -1;
}

void set_key(Scenario& s, const KeyInfo& key, const Value& value) {
  key.set(s, value);
  resolve_defaults(s);
}

}  // namespace restorelab
