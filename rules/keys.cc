#include "rules/keys.h"

#include <algorithm>
#include <array>
#include <type_traits>

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

// Where a key's field lives, as a pair of accessors: `write` for the setter
// (a destination part turns a defaulted destination into a real one),
// `read` for the readers.
template <int Side>
struct InMachine {
  static Machine& write(Scenario& s) { return machine_for_write<Side>(s); }
  static const Machine& read(const Scenario& s) { return machine<Side>(s); }
};
template <int Side>
struct InOs {
  static Os& write(Scenario& s) { return os_for_write<Side>(s); }
  static const Os& read(const Scenario& s) { return machine<Side>(s).os; }
};
template <int Side>
struct InAd {
  static AdPaths& write(Scenario& s) { return os_for_write<Side>(s).ad; }
  static const AdPaths& read(const Scenario& s) { return machine<Side>(s).os.ad; }
};
struct InScenario {
  static Scenario& write(Scenario& s) { return s; }
  static const Scenario& read(const Scenario& s) { return s; }
};
struct InRestore {
  static Restore& write(Scenario& s) { return s.restore; }
  static const Restore& read(const Scenario& s) { return s.restore; }
};
struct InPrepare {
  static Prepare& write(Scenario& s) { return s.prepare; }
  static const Prepare& read(const Scenario& s) { return s.prepare; }
};

// A value of the key's type into a field, and a scalar field out.
template <class T>
void assign(T& field, const Value& v) {
  if constexpr (std::is_same_v<T, bool>) field = as_bool(v);
  else if constexpr (std::is_same_v<T, int>) field = static_cast<int>(as_int(v));
  else if constexpr (std::is_enum_v<T>) field = static_cast<T>(as_int(v));
  else if constexpr (std::is_same_v<T, DiskBusSet>) field = DiskBusSet::from_bits(static_cast<std::uint32_t>(as_int(v)));
  else if constexpr (std::is_same_v<T, std::string>) field = as_text(v);
  else field = as_list(v);
}
template <class T>
std::int64_t scalar_of(const T& field) {
  if constexpr (std::is_enum_v<T>) return static_cast<int>(field);
  else if constexpr (std::is_same_v<T, DiskBusSet>) return field.bits();
  else return field;
}

// What setting a key does besides its field: the defaults it ends.
void nothing_else(Scenario&) {}
template <int Side>
void cpus_given(Scenario& s) { flags<Side>(s).cpus = false; }
template <int Side>
void storage_drivers_given(Scenario& s) { flags<Side>(s).storage_drivers = false; }
template <int Side>
void systemroot_given(Scenario& s) { flags<Side>(s).systemroot = false; }
template <int Side, int Index>
void ad_given(Scenario& s) { flags<Side>(s).ad[Index] = false; }
void offline_given(Scenario& s) { s.defaulted.offline = false; }

/// `k` made a key stored in `Field` of the part `Where` selects: its setter
/// (then `Then`), its reader for the field's type and, for a scalar, where
/// it lies.
template <class Where, auto Field, void (*Then)(Scenario&) = nothing_else>
KeyInfo field_key(KeyInfo k) {
  using T = std::remove_cvref_t<decltype(Where::read(probe()).*Field)>;
  k.set = [](Scenario& s, const Value& v) {
    assign(Where::write(s).*Field, v);
    Then(s);
  };
  if constexpr (std::is_same_v<T, std::string>) {
    k.text = [](const Scenario& s) -> std::string_view { return Where::read(s).*Field; };
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    k.list = [](const Scenario& s) -> const std::vector<std::string>& { return Where::read(s).*Field; };
  } else {
    k.scalar = [](const Scenario& s) -> std::int64_t { return scalar_of(Where::read(s).*Field); };
    place(k, Where::read(probe()).*Field);
  }
  return k;
}

/// A fact computed from other keys, for conditions: read, never set.
KeyInfo derived_key(std::string path, std::int64_t (*scalar)(const Scenario&)) {
  KeyInfo k = make(std::move(path), ValueType::Bool);
  k.derived = true;
  k.scalar = scalar;
  return k;
}

template <int Side>
void add_machine_keys(std::vector<KeyInfo>& keys, const std::string& side) {
  using M = InMachine<Side>;
  using O = InOs<Side>;
  using Ad = InAd<Side>;
  keys.push_back(field_key<M, &Machine::hal>(make_enum<Hal>(side + ".hal")));
  keys.push_back(field_key<M, &Machine::firmware>(make_enum<Firmware>(side + ".firmware")));
  keys.push_back(field_key<M, &Machine::cpus, cpus_given<Side>>(make_int(side + ".cpus", 1, 256)));
  keys.push_back(field_key<M, &Machine::nics>(make_int(side + ".nics", 0, 8)));
  keys.push_back(field_key<M, &Machine::nic_model>(make_enum<NicModel>(side + ".nic_model")));
  keys.push_back(field_key<M, &Machine::display>(make_enum<Display>(side + ".display")));
  keys.push_back(field_key<M, &Machine::disk_bus>(make_enum<DiskBus>(side + ".disk_bus")));
  keys.push_back(field_key<M, &Machine::memory_mib>(make_int(side + ".memory_mib", 16, 4 * 1024 * 1024)));
  // The system disk; the model's installation needs 32 MiB, and a raw
  // image of up to 4 TiB stays a sparse file.
  keys.push_back(field_key<M, &Machine::disk_mib>(make_int(side + ".disk_mib", 32, 4 * 1024 * 1024)));
  keys.push_back(field_key<M, &Machine::model>(make(side + ".model", ValueType::String)));
  keys.push_back(field_key<M, &Machine::storage_drivers, storage_drivers_given<Side>>(
      make_enum<DiskBus>(side + ".storage_drivers", ValueType::EnumList)));
  const std::string os = side + ".os.";
  keys.push_back(field_key<O, &Os::version>(make_enum<OsVersion>(os + "version")));
  keys.push_back(field_key<O, &Os::edition>(make_enum<Edition>(os + "edition")));
  keys.push_back(field_key<O, &Os::channel>(make_enum<Channel>(os + "channel")));
  keys.push_back(field_key<O, &Os::service_pack>(make_int(os + "service_pack", 0, 6)));
  keys.push_back(field_key<O, &Os::hotfixes>(make(os + "hotfixes", ValueType::StringList)));
  keys.push_back(field_key<O, &Os::systemdrive>(make(os + "systemdrive", ValueType::Path)));
  keys.push_back(field_key<O, &Os::systemroot, systemroot_given<Side>>(make(os + "systemroot", ValueType::Path)));
  keys.push_back(field_key<O, &Os::filter_drivers>(make(os + "filter_drivers", ValueType::StringList)));
  {
    // "none" (index 0 of a one-longer list) stands for "not upgraded".
    auto k = make(os + "upgraded_from", ValueType::Enum);
    k.enum_names = names_of<OsVersion>();
    k.set = [](Scenario& s, const Value& v) { O::write(s).upgraded_from = static_cast<OsVersion>(as_int(v)); };
    k.scalar = [](const Scenario& s) -> std::int64_t {
      return O::read(s).upgraded_from ? static_cast<int>(*O::read(s).upgraded_from) : -1;
    };
    keys.push_back(k);
  }
  keys.push_back(field_key<O, &Os::apps>(make(os + "apps", ValueType::StringList)));
  keys.push_back(field_key<O, &Os::roles>(make(os + "roles", ValueType::StringList)));
  const std::string ad = os + "ad.";
  keys.push_back(field_key<Ad, &AdPaths::database, ad_given<Side, 0>>(make(ad + "database", ValueType::Path)));
  keys.push_back(field_key<Ad, &AdPaths::logs, ad_given<Side, 1>>(make(ad + "logs", ValueType::Path)));
  keys.push_back(field_key<Ad, &AdPaths::frs_database, ad_given<Side, 2>>(make(ad + "frs_database", ValueType::Path)));
  keys.push_back(field_key<Ad, &AdPaths::frs_logs, ad_given<Side, 3>>(make(ad + "frs_logs", ValueType::Path)));
  // Derived keys: facts of the HAL and OS tables, for conditions.
  keys.push_back(derived_key(side + ".acpi", [](const Scenario& s) -> std::int64_t { return hal_has_acpi(M::read(s).hal); }));
  keys.push_back(derived_key(side + ".apic", [](const Scenario& s) -> std::int64_t { return hal_has_apic(M::read(s).hal); }));
  keys.push_back(derived_key(side + ".uniprocessor",
                             [](const Scenario& s) -> std::int64_t { return hal_is_uniprocessor(M::read(s).hal); }));
  keys.push_back(derived_key(os + "nt5", [](const Scenario& s) -> std::int64_t { return is_nt5(O::read(s).version); }));
}

std::vector<KeyInfo> build_keys() {
  std::vector<KeyInfo> keys;
  keys.push_back(field_key<InScenario, &Scenario::name>(make("scenario.name", ValueType::String)));
  keys.push_back(field_key<InScenario, &Scenario::description>(make("scenario.description", ValueType::String)));
  add_machine_keys<0>(keys, "source");
  add_machine_keys<1>(keys, "destination");
  {
    auto k = make_enum<BackupKind>("backup.kind");
    k.enum_names.pop_back();  // "none" is the absence of a [backup] table, not a value
    keys.push_back(field_key<InScenario, &Scenario::backup>(k));
  }
  keys.push_back(field_key<InRestore, &Restore::kind>(make_enum<RestoreKind>("restore.kind")));
  keys.push_back(field_key<InRestore, &Restore::after>(make_enum<PriorRestore>("restore.after")));
  keys.push_back(field_key<InRestore, &Restore::asr>(make("restore.asr", ValueType::Bool)));
  keys.push_back(field_key<InRestore, &Restore::offline, offline_given>(make("restore.offline", ValueType::Bool)));
  keys.push_back(field_key<InRestore, &Restore::to_same_computer>(make("restore.to_same_computer", ValueType::Bool)));
  keys.push_back(field_key<InPrepare, &Prepare::uninstalled_filter_drivers>(
      make("prepare.uninstalled_filter_drivers", ValueType::Bool)));
  keys.push_back(field_key<InPrepare, &Prepare::disabled_extra_nics>(make("prepare.disabled_extra_nics", ValueType::Bool)));
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
