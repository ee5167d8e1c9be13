// A small, fast JSON writer for restorelab's line-oriented output (JSON Lines
// of predictions can run to a million lines, so no DOM is built).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace restorelab {

/// Appends JSON to a string. The caller writes keys and values in order;
/// commas are placed automatically. What it writes is valid UTF-8 whatever
/// bytes the strings held (append_json_string).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(bool v);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& null();
  /// An already-serialised JSON value (from a store: data), inserted as
  /// one line of valid UTF-8: an invalid byte becomes U+FFFD, a control
  /// character a space (both leave valid JSON valid).
  JsonWriter& raw(std::string_view json);
  JsonWriter& strings(const std::vector<std::string>& values);
  JsonWriter& strings(const std::vector<std::string_view>& values);

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

/// `s` as a JSON string literal, quotes included, always valid UTF-8: a byte
/// that is not part of a well-formed UTF-8 sequence becomes U+FFFD; control
/// characters (C0, DEL, C1) are \u escapes.
void append_json_string(std::string& out, std::string_view s);

}  // namespace restorelab
