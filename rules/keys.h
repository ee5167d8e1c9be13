// The one table of scenario keys. The scenario loader, matrix axes and the
// rulebook's condition language all read keys through it, so a key exists,
// has a type and a range in exactly one place.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rules/model.h"

namespace restorelab {

enum class ValueType : std::uint8_t {
  Bool,
  Int,
  Enum,        ///< a string from a fixed list, held as its index
  String,      ///< compared exactly
  Path,        ///< a Windows path: compared without regard to letter case
  StringList,
  EnumList,    ///< a set of enum values, held as a bit mask
};

/// "a boolean", "an integer", ...
std::string_view describe(ValueType type);

/// A key's value, already checked against its KeyInfo. Enum values hold
/// their index, enum lists a bit mask in `std::int64_t`.
using Value = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

struct KeyInfo {
  std::string path;          ///< full dotted path: "source.os.version"
  ValueType type;
  std::vector<std::string_view> enum_names;  ///< for Enum and EnumList
  std::int64_t min = 0, max = 0;             ///< for Int
  bool derived = false;      ///< computed from other keys: readable by conditions, never set

  /// Sets the key on a scenario and marks it as no longer defaulted. Only for
  /// keys that are not derived; `v` must already match `type`.
  void (*set)(Scenario&, const Value& v) = nullptr;
  /// Where a Bool/Int/Enum/EnumList value lies in a Scenario, for readers that
  /// cannot afford a call per read (the engine): byte offset and width (1 or
  /// 4), or -1 when only `scalar` can read it (derived and optional keys).
  std::int32_t offset = -1;
  std::uint8_t width = 0;
  /// Readers for conditions; which one is set depends on `type`.
  std::int64_t (*scalar)(const Scenario&) = nullptr;           ///< Bool, Int, Enum, EnumList
  std::string_view (*text)(const Scenario&) = nullptr;          ///< String, Path
  const std::vector<std::string>& (*list)(const Scenario&) = nullptr;  ///< StringList
};

/// Every key, in a stable order (scenario, source, destination, backup,
/// restore, prepare, then derived keys).
std::span<const KeyInfo> all_keys();

/// The key with this full path, or nullptr.
const KeyInfo* find_key(std::string_view path);

/// The paths of all keys, for suggestions.
std::vector<std::string_view> key_paths(bool include_derived);

/// Checks a text value against an Enum/EnumList key; the index, or -1.
int enum_index(const KeyInfo& key, std::string_view name);

/// The value `key.scalar(s)` returns, read at `key.offset` (which must be set).
inline std::int64_t read_scalar_at(const Scenario& s, std::int32_t offset, std::uint8_t width) {
  const auto* at = reinterpret_cast<const unsigned char*>(&s) + offset;
  if (width == 1) return *at;
  std::int32_t v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

/// Applies `value` to `s` through `key.set`, then resolve_defaults(s).
void set_key(Scenario& s, const KeyInfo& key, const Value& value);

}  // namespace restorelab
