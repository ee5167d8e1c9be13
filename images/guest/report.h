// The structured lines the guest prints on the serial console.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "images/guest/job_vocabulary.h"

namespace restorelab::guest {

/// Every report line starts with this prefix, then one JSON object, then '\n'.
using vocabulary::kReportPrefix;

/// Builds one event: `RESTORELAB {"event":"boot-ok","cpus_online":1}`.
/// Fields keep insertion order; "event" is always first.
class Event {
 public:
  explicit Event(std::string_view name);

  Event& Add(std::string_view key, std::string_view value);
  Event& Add(std::string_view key, const char* value) { return Add(key, std::string_view(value)); }
  Event& Add(std::string_view key, const std::string& value) { return Add(key, std::string_view(value)); }
  Event& Add(std::string_view key, int64_t value);
  Event& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  Event& Add(std::string_view key, bool value);
  Event& Add(std::string_view key, const std::vector<std::string>& values);
  /// Adds an already-serialized JSON value (object or array) verbatim.
  Event& AddRaw(std::string_view key, std::string_view json);

  /// The whole line including prefix and trailing newline.
  std::string Line() const;
  /// Only the JSON object.
  std::string Json() const;

 private:
  void AddKey(std::string_view key);
  std::string body_;
};

/// JSON string literal with escapes for quotes, backslashes and controls.
std::string JsonString(std::string_view text);

}  // namespace restorelab::guest
