// Shared by the fuzz targets: promises every loader keeps about what it
// returns, whatever the input.
#pragma once

#include <cstdio>
#include <string_view>

#include "rules/diagnostic.h"
#include "rules/keys.h"
#include "rules/printable.h"

namespace restorelab::fuzz {

[[noreturn]] inline void fail(const char* target, const char* what) {
  std::fprintf(stderr, "%s: broken promise: %s\n", target, what);
  __builtin_trap();
}

/// A load that failed says why: diagnostics with messages, no negative
/// positions, each printed on one line with no raw control character.
inline void check_diagnostics(const char* target, const Diagnostics& diagnostics) {
  if (diagnostics.empty()) fail(target, "a failed load has no diagnostic");
  for (const Diagnostic& d : diagnostics) {
    if (d.line < 0 || d.column < 0) fail(target, "a diagnostic has a negative line or column");
    if (d.message.empty()) fail(target, "a diagnostic has no message");
    if (find_control_character(d.to_string())) fail(target, "a diagnostic prints a control character");
  }
}

/// A loaded scenario holds printable text only: its values reach job files,
/// file names and HTML.
inline void check_printable(const char* target, const Scenario& s) {
  if (find_control_character(s.name) || find_control_character(s.description))
    fail(target, "a loaded scenario's name or description holds a control character");
  for (const KeyInfo& key : all_keys()) {
    if (key.text && find_control_character(key.text(s))) fail(target, "a loaded text value holds a control character");
    if (key.list)
      for (const std::string& item : key.list(s))
        if (find_control_character(item)) fail(target, "a loaded list item holds a control character");
  }
}

}  // namespace restorelab::fuzz
