// Ids and names of matrix combinations. A combination's id is its matrix's
// name, '/', and one part per axis value joined with '.':
// `hal-by-disk/acpi-uniprocessor.sata`. Different combinations of a matrix
// have different ids, and different ids different scenario names, so
// `matrix expand --out` writes one file per combination and never two to
// the same name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "rules/keys.h"

namespace restorelab {

/// The longest matrix name: a combination's scenario name starts with it and
/// must fit in kMaxNameLength (validate.h) with room for a hash.
inline constexpr std::size_t kMaxMatrixNameLength = 40;

/// A value's part of a combination id. Booleans, numbers, enum values and
/// enum lists are written as in a scenario file (`true`, `2`, `windows-8.1`,
/// `ide+sata`, `none` for an empty list), as ids always were. Text (String,
/// Path) keeps a-z, 0-9 and '-' and writes every other byte as %hh (two
/// lower-case hex digits): 'C:\WINDOWS' is `%43%3a%5c%57%49%4e%44%4f%57%53`.
/// A text list is its items so written, joined with '+'; the empty list is
/// `none`, the list ["none"] `%6eone`. Injective per key: no part holds '/',
/// and '.' only inside an enum name (`windows-8.1`), where no other name
/// of the key is a prefix of it (a test checks the enums), so an id splits
/// back into its values in one way.
std::string id_part(const KeyInfo& key, const Value& value);

/// The scenario name and file stem of the combination `id`: the matrix name,
/// '_', then the values' parts with a-z, 0-9, '.' and '-' kept, "%hh" written
/// `_hh`, '+' `_p` and any other byte `_xhh`; an id made of enum values and
/// numbers keeps its readable form (`hal-by-disk_acpi-uniprocessor.sata`).
/// A valid name (validate.h) for an id from a valid matrix name of at most
/// kMaxMatrixNameLength characters. Over kMaxNameLength characters, the
/// name is cut to its first 46 and `_h` and 16 hex digits of a 64-bit
/// FNV-1a hash of the id are appended: `_h` never occurs in an unshortened
/// name's values, so a shortened name equals no unshortened one, and two
/// shortened names are equal only for ids with equal hashes.
std::string combination_name(std::string_view id);

}  // namespace restorelab
