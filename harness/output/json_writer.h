// A small, fast JSON writer for restorelab's line-oriented output (JSON Lines
// of predictions can run to a million lines, so no DOM is built).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace restorelab {

/// Appends JSON to a string. The caller writes keys and values in order;
/// commas are placed automatically.
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
  /// An already-serialised JSON value, inserted as is.
  JsonWriter& raw(std::string_view json);
  JsonWriter& strings(const std::vector<std::string>& values);
  JsonWriter& strings(const std::vector<std::string_view>& values);

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

/// `s` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace restorelab
