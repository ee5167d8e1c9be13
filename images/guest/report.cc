#include "images/guest/report.h"

#include <cstdio>

namespace restorelab::guest {

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

Event::Event(std::string_view name) { body_ = JsonString(vocabulary::kFieldEvent) + ":" + JsonString(name); }

void Event::AddKey(std::string_view key) { body_ += "," + JsonString(key) + ":"; }

Event& Event::Add(std::string_view key, std::string_view value) {
  AddKey(key);
  body_ += JsonString(value);
  return *this;
}

Event& Event::Add(std::string_view key, int64_t value) {
  AddKey(key);
  body_ += std::to_string(value);
  return *this;
}

Event& Event::Add(std::string_view key, bool value) {
  AddKey(key);
  body_ += value ? "true" : "false";
  return *this;
}

Event& Event::Add(std::string_view key, const std::vector<std::string>& values) {
  std::string array = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) array += ",";
    array += JsonString(values[i]);
  }
  return AddRaw(key, array + "]");
}

Event& Event::AddRaw(std::string_view key, std::string_view json) {
  AddKey(key);
  body_ += json;
  return *this;
}

std::string Event::Json() const { return "{" + body_ + "}"; }

std::string Event::Line() const { return std::string(kReportPrefix) + Json() + "\n"; }

}  // namespace restorelab::guest
