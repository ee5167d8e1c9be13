#include "rules/model.h"

#include <algorithm>
#include <cctype>

namespace restorelab {

std::vector<Edition> editions_of(OsVersion version) {
  using E = Edition;
  switch (version) {
    case OsVersion::Nt4: return {E::Workstation, E::Server, E::Enterprise};
    case OsVersion::W2000:
      return {E::Professional, E::Server, E::AdvancedServer, E::DatacenterServer};
    case OsVersion::Xp: return {E::Home, E::Professional};
    case OsVersion::Ws2003: return {E::Web, E::Standard, E::Enterprise, E::Datacenter};
    case OsVersion::Vista:
    case OsVersion::Win7: return {E::HomePremium, E::Professional, E::Enterprise, E::Ultimate};
    case OsVersion::Ws2008:
    case OsVersion::Ws2008R2:
    case OsVersion::Ws2012:
    case OsVersion::Ws2012R2: return {E::Standard, E::Enterprise, E::Datacenter};
    case OsVersion::Win81:
    case OsVersion::Win10: return {E::Home, E::Pro, E::Enterprise, E::Education};
  }
  return {};
}

bool version_has_edition(OsVersion version, Edition edition) {
  // Called for every matrix combination: a bit mask per version, no allocation.
  static const auto masks = [] {
    std::array<std::uint32_t, enum_count<OsVersion>()> m{};
    for (std::size_t v = 0; v < m.size(); ++v)
      for (Edition e : editions_of(static_cast<OsVersion>(v))) m[v] |= 1u << static_cast<unsigned>(e);
    return m;
  }();
  return (masks[static_cast<std::size_t>(version)] >> static_cast<unsigned>(edition)) & 1u;
}

namespace {

/// 'C:\WINNT' for windows-2000 and windows-nt4, 'C:\WINDOWS' otherwise.
std::string_view default_systemroot(OsVersion version) {
  return version == OsVersion::Nt4 || version == OsVersion::W2000 ? "C:\\WINNT" : "C:\\WINDOWS";
}

void resolve_machine(Machine& m, const Defaulted::Side& d) {
  if (d.cpus) m.cpus = default_cpus(m.hal);
  if (d.storage_drivers) m.storage_drivers = DiskBusSet{m.disk_bus};
  // assign/append reuse the strings' storage: the matrix resolves millions.
  if (d.systemroot) m.os.systemroot.assign(default_systemroot(m.os.version));
  const std::string& root = m.os.systemroot;
  if (d.ad[0]) m.os.ad.database.assign(root).append("\\NTDS");
  if (d.ad[1]) m.os.ad.logs.assign(root).append("\\NTDS");
  if (d.ad[2]) m.os.ad.frs_database.assign(root).append("\\ntfrs\\jet");
  if (d.ad[3]) m.os.ad.frs_logs.assign(root).append("\\ntfrs\\jet\\log");
}

}  // namespace

void resolve_defaults(Scenario& s) {
  resolve_machine(s.source, s.defaulted.source);
  if (s.defaulted.destination_machine) {
    s.destination = s.source;
  } else {
    resolve_machine(s.destination, s.defaulted.destination);
    // A copied [source.os] keeps the source's paths, defaulted or not.
    if (s.defaulted.destination_os) s.destination.os = s.source.os;
  }
  if (s.defaulted.offline) s.restore.offline = s.restore.kind == RestoreKind::Bmr;
}

bool same_hardware(const Machine& a, const Machine& b) {
  return a.hal == b.hal && a.firmware == b.firmware && a.cpus == b.cpus && a.nics == b.nics &&
         a.nic_model == b.nic_model && a.display == b.display && a.disk_bus == b.disk_bus &&
         a.model == b.model;
}

bool same_path(std::string_view a, std::string_view b) {
  // ASCII case folding, as Windows' path comparison of drive letters and
  // folder names in these scenarios needs; no locale lookups per character.
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return x == y || lower(x) == lower(y); });
}

}  // namespace restorelab
