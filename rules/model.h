// The scenario model: the machines, operating systems, backup and restore that
// one scenario file describes (see docs/scenario-format.md). Plain
// values, no I/O; the loader fills them and the engine reads them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace restorelab {

/// Names of an enum's values as the scenario format spells them. Each enum
/// below has a specialisation; index i names the value with underlying i.
template <class E>
struct EnumNames;

#define RESTORELAB_ENUM_NAMES(E, ...)                                   \
  template <>                                                          \
  struct EnumNames<E> {                                                \
    static constexpr std::array<std::string_view,                      \
        std::initializer_list<std::string_view>{__VA_ARGS__}.size()>   \
        names{__VA_ARGS__};                                            \
  }

enum class Hal : std::uint8_t {
  StandardPc, MpsUniprocessor, MpsMultiprocessor, AcpiPc,
  AcpiUniprocessor, AcpiMultiprocessor, AcpiX64,
};
RESTORELAB_ENUM_NAMES(Hal, "standard-pc", "mps-uniprocessor", "mps-multiprocessor",
                      "acpi-pc", "acpi-uniprocessor", "acpi-multiprocessor", "acpi-x64");

enum class Firmware : std::uint8_t { Bios, Uefi };
RESTORELAB_ENUM_NAMES(Firmware, "bios", "uefi");

enum class NicModel : std::uint8_t { E1000, Rtl8139, Virtio };
RESTORELAB_ENUM_NAMES(NicModel, "e1000", "rtl8139", "virtio");

enum class Display : std::uint8_t { Vga, Cirrus, Qxl, Virtio };
RESTORELAB_ENUM_NAMES(Display, "vga", "cirrus", "qxl", "virtio");

enum class DiskBus : std::uint8_t { Ide, Sata, Scsi, Virtio };
RESTORELAB_ENUM_NAMES(DiskBus, "ide", "sata", "scsi", "virtio");

enum class OsVersion : std::uint8_t {
  Nt4, W2000, Xp, Ws2003, Vista, Win7, Ws2008, Ws2008R2, Ws2012, Ws2012R2, Win81, Win10,
};
RESTORELAB_ENUM_NAMES(OsVersion, "windows-nt4", "windows-2000", "windows-xp",
                      "windows-server-2003", "windows-vista", "windows-7",
                      "windows-server-2008", "windows-server-2008-r2",
                      "windows-server-2012", "windows-server-2012-r2", "windows-8.1",
                      "windows-10");

enum class Edition : std::uint8_t {
  Workstation, Server, Enterprise, Professional, AdvancedServer, DatacenterServer,
  Home, Web, Standard, Datacenter, HomePremium, Ultimate, Pro, Education,
};
RESTORELAB_ENUM_NAMES(Edition, "workstation", "server", "enterprise", "professional",
                      "advanced-server", "datacenter-server", "home", "web", "standard",
                      "datacenter", "home-premium", "ultimate", "pro", "education");

enum class Channel : std::uint8_t { Retail, Oem, Volume };
RESTORELAB_ENUM_NAMES(Channel, "retail", "oem", "volume");

enum class BackupKind : std::uint8_t { SystemState, Bmr, FullServer, None };
RESTORELAB_ENUM_NAMES(BackupKind, "system-state", "bmr", "full-server", "none");

enum class RestoreKind : std::uint8_t { SystemState, Bmr, FullServer, PushButtonReset };
RESTORELAB_ENUM_NAMES(RestoreKind, "system-state", "bmr", "full-server", "push-button-reset");

/// The restore that ran on the destination before this one (`restore.after`).
enum class PriorRestore : std::uint8_t { None, Bmr, FullServer };
RESTORELAB_ENUM_NAMES(PriorRestore, "none", "bmr", "full-server");

enum class Outcome : std::uint8_t {
  Boots, BootsDegraded, Stop0x7B, Stop0x79, Stop0xA5, NoBootableDevice,
  RestoreRefused, Hang, BootFileMissing, RoleFails,
};
RESTORELAB_ENUM_NAMES(Outcome, "boots", "boots-degraded", "stop-0x7b", "stop-0x79",
                      "stop-0xa5", "no-bootable-device", "restore-refused", "hang",
                      "boot-file-missing", "role-fails");

enum class Action : std::uint8_t {
  UpdateHal, RemoveDisplayAdapter, RemoveNetworkAdapter, ReconfigureHardwareBoundApps,
  InPlaceUpgrade, VerifyRpcClientProtocols, ResetProfilesDirectory, DisableExtraNics,
  UninstallFilterDrivers, InstallPrerequisites, ReinstallOffice,
};
RESTORELAB_ENUM_NAMES(Action, "update-hal", "remove-display-adapter",
                      "remove-network-adapter", "reconfigure-hardware-bound-apps",
                      "in-place-upgrade", "verify-rpc-client-protocols",
                      "reset-profiles-directory", "disable-extra-nics",
                      "uninstall-filter-drivers", "install-prerequisites",
                      "reinstall-office");

#undef RESTORELAB_ENUM_NAMES

template <class E>
constexpr std::size_t enum_count() { return EnumNames<E>::names.size(); }

/// True for the outcomes in which the restored system starts: `boots` and
/// `boots-degraded` (then `cpus_used` is reported, and the boot-conditioned
/// actions apply).
constexpr bool boots(Outcome o) { return o == Outcome::Boots || o == Outcome::BootsDegraded; }

template <class E>
constexpr std::string_view name_of(E value) {
  return EnumNames<E>::names[static_cast<std::size_t>(value)];
}

/// The value named `name`, or nothing when no value has that name.
template <class E>
constexpr std::optional<E> parse_enum(std::string_view name) {
  for (std::size_t i = 0; i < EnumNames<E>::names.size(); ++i)
    if (EnumNames<E>::names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

/// A set of enum values as a bit mask (at most 32 values per enum).
template <class E>
class EnumSet {
 public:
  constexpr EnumSet() = default;
  constexpr EnumSet(std::initializer_list<E> values) {
    for (E v : values) insert(v);
  }
  static constexpr EnumSet from_bits(std::uint32_t bits) { EnumSet s; s.bits_ = bits; return s; }
  constexpr void insert(E v) { bits_ |= bit(v); }
  constexpr void erase(E v) { bits_ &= ~bit(v); }
  constexpr bool contains(E v) const { return (bits_ & bit(v)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint32_t bits() const { return bits_; }
  constexpr EnumSet& operator|=(EnumSet o) { bits_ |= o.bits_; return *this; }
  constexpr bool operator==(const EnumSet&) const = default;
  /// The members in ascending order of their underlying value.
  std::vector<E> members() const {
    std::vector<E> out;
    for (std::size_t i = 0; i < enum_count<E>(); ++i)
      if (bits_ & (1u << i)) out.push_back(static_cast<E>(i));
    return out;
  }

 private:
  static constexpr std::uint32_t bit(E v) { return 1u << static_cast<unsigned>(v); }
  std::uint32_t bits_ = 0;
};

using ActionSet = EnumSet<Action>;
using DiskBusSet = EnumSet<DiskBus>;

// ---- facts about the enums (from the tables of scenario-format.md) --------

/// True for the HAL types whose table row says "ACPI: yes".
constexpr bool hal_has_acpi(Hal h) {
  return h == Hal::AcpiPc || h == Hal::AcpiUniprocessor ||
         h == Hal::AcpiMultiprocessor || h == Hal::AcpiX64;
}
/// True for the HAL types whose table row says "APIC: yes".
constexpr bool hal_has_apic(Hal h) { return h != Hal::StandardPc && h != Hal::AcpiPc; }
/// True for the HAL types that run on exactly one processor.
constexpr bool hal_is_uniprocessor(Hal h) {
  return h == Hal::StandardPc || h == Hal::MpsUniprocessor || h == Hal::AcpiPc ||
         h == Hal::AcpiUniprocessor;
}
/// True for the HAL types that need two or more processors.
constexpr bool hal_is_multiprocessor(Hal h) {
  return h == Hal::MpsMultiprocessor || h == Hal::AcpiMultiprocessor;
}
/// The `cpus` a machine of this HAL type has when the file does not say.
constexpr int default_cpus(Hal h) { return hal_is_uniprocessor(h) ? 1 : 2; }

/// windows-nt4 to windows-server-2003: the versions the HAL rules apply to and
/// that do not start from UEFI firmware.
constexpr bool is_nt5(OsVersion v) { return v <= OsVersion::Ws2003; }
/// True when `edition` exists for `version` (the editions table).
bool version_has_edition(OsVersion version, Edition edition);
/// The editions of `version`, in the order of the editions table.
std::vector<Edition> editions_of(OsVersion version);

// ---- the model --------------------------------------------------------------

/// Where Active Directory and FRS keep their files.
struct AdPaths {
  std::string database, logs, frs_database, frs_logs;
  bool operator==(const AdPaths&) const = default;
};

/// The operating system installed on a machine.
// Field order is for the engine: what rules read most sits first, so one
// prediction touches few cache lines (a matrix run predicts millions).
struct Os {
  OsVersion version = OsVersion::Ws2003;
  Edition edition = Edition::Standard;
  Channel channel = Channel::Retail;
  std::optional<OsVersion> upgraded_from;
  int service_pack = 0;
  std::string systemdrive = "C:";
  std::string systemroot;
  std::vector<std::string> roles;
  std::vector<std::string> filter_drivers;
  std::vector<std::string> apps;
  std::vector<std::string> hotfixes;
  AdPaths ad;
  bool operator==(const Os&) const = default;
};

/// One machine: hardware plus the OS installed on it.
struct Machine {
  Hal hal = Hal::AcpiUniprocessor;
  Firmware firmware = Firmware::Bios;
  NicModel nic_model = NicModel::E1000;
  Display display = Display::Vga;
  DiskBus disk_bus = DiskBus::Ide;
  int cpus = 1;
  int nics = 1;
  DiskBusSet storage_drivers;
  int memory_mib = 512;
  int disk_mib = 32;  ///< the system disk's size, MiB
  std::string model;
  Os os;
  bool operator==(const Machine&) const = default;
};

struct Restore {
  RestoreKind kind = RestoreKind::SystemState;
  PriorRestore after = PriorRestore::None;
  bool asr = false;
  bool offline = false;
  bool to_same_computer = false;
  bool operator==(const Restore&) const = default;
};

struct Prepare {
  bool uninstalled_filter_drivers = false;
  bool disabled_extra_nics = false;
  bool operator==(const Prepare&) const = default;
};

/// The `[expect]` table: what the author says the prediction must be.
struct Expect {
  std::optional<bool> supported;
  std::optional<Outcome> outcome;
  std::optional<int> cpus_used;
  std::optional<ActionSet> actions;  ///< must be a subset of the predicted actions
  bool operator==(const Expect&) const = default;
};

/// Which defaultable keys the file (or a matrix axis) did not set. Defaults
/// depend on other keys (`cpus` on `hal`, `systemroot` on the version), so
/// they are filled by resolve_defaults() after every change.
struct Defaulted {
  struct Side {
    bool cpus = true, storage_drivers = true, systemroot = true;
    std::array<bool, 4> ad = {true, true, true, true};  ///< database, logs, frs_database, frs_logs
    bool operator==(const Side&) const = default;
  };
  Side source, destination;
  bool destination_machine = true;  ///< no [destination] table: a copy of [source]
  bool destination_os = true;       ///< no [destination.os] table: a copy of [source.os]
  bool offline = true;
  bool operator==(const Defaulted&) const = default;
};

struct Scenario {
  BackupKind backup = BackupKind::None;
  Restore restore;
  Prepare prepare;
  Machine source;
  Machine destination;
  std::string name;
  std::string description;
  std::optional<Expect> expect;
  Defaulted defaulted;
  std::string file;  ///< where it was loaded from; empty for generated scenarios
  bool operator==(const Scenario&) const = default;
};

/// Fills every key that `s.defaulted` marks as unset from the keys it depends
/// on, as scenario-format.md says. Idempotent.
void resolve_defaults(Scenario& s);

/// True when `a` and `b` have the same hardware configuration: hal, firmware,
/// cpus, nics, nic_model, display, disk_bus and model (memory does not count).
bool same_hardware(const Machine& a, const Machine& b);

/// Windows compares paths without regard to letter case.
bool same_path(std::string_view a, std::string_view b);

}  // namespace restorelab
