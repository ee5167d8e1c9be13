#include "images/guest/kv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace restorelab::guest {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string item = Trim(text.substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

Result<std::string> ReadFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail("cannot open " + file.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Fail("cannot read " + file.string());
  return content.str();
}

Status WriteFile(const std::filesystem::path& file, std::string_view content) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return Fail("cannot create " + file.string());
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.flush();
  if (!out) return Fail("cannot write " + file.string());
  return {};
}

Result<KeyValues> KeyValues::Parse(std::string_view text, std::string_view origin) {
  KeyValues kv;
  int line_number = 0;
  for (std::string_view rest = text; !rest.empty();) {
    size_t newline = rest.find('\n');
    std::string line = Trim(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    std::string where = std::string(origin) + ":" + std::to_string(line_number) + ": ";
    if (eq == std::string::npos) return Fail(where + "expected key=value, got '" + line + "'");
    std::string key = Trim(std::string_view(line).substr(0, eq));
    if (key.empty() || !std::ranges::all_of(key, IsKeyChar)) {
      return Fail(where + "bad key '" + key + "' (expected [a-z0-9._-]+)");
    }
    kv.entries_[key] = Trim(std::string_view(line).substr(eq + 1));
  }
  return kv;
}

Result<KeyValues> KeyValues::Load(const std::filesystem::path& file) {
  auto text = ReadFile(file);
  if (!text) return std::unexpected(text.error());
  return Parse(*text, file.string());
}

bool KeyValues::Has(std::string_view key) const { return entries_.find(key) != entries_.end(); }

std::string KeyValues::Get(std::string_view key, std::string_view fallback) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> KeyValues::GetList(std::string_view key) const {
  return Split(Get(key), ',');
}

bool KeyValues::GetBool(std::string_view key, bool fallback) const {
  std::string value = ToLower(Get(key));
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return fallback;
}

int64_t KeyValues::GetInt(std::string_view key, int64_t fallback) const {
  return ParseInt(Get(key), fallback);
}

int64_t ParseInt(std::string_view text, int64_t fallback) {
  std::string value = Trim(text);
  if (value.empty()) return fallback;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  return ec == std::errc() && end == value.data() + value.size() ? n : fallback;
}

void KeyValues::Set(std::string_view key, std::string_view value) {
  entries_[std::string(key)] = std::string(value);
}

void KeyValues::SetList(std::string_view key, const std::vector<std::string>& values) {
  Set(key, Join(values, ","));
}

void KeyValues::Erase(std::string_view key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) entries_.erase(it);
}

std::vector<std::string> KeyValues::KeysWithPrefix(std::string_view prefix) const {
  std::vector<std::string> keys;
  for (const auto& [key, value] : entries_) {
    if (key.starts_with(prefix)) keys.push_back(key);
  }
  return keys;
}

std::string KeyValues::Serialize() const {
  std::string out;
  for (const auto& [key, value] : entries_) out += key + "=" + value + "\n";
  return out;
}

Status KeyValues::Save(const std::filesystem::path& file) const { return WriteFile(file, Serialize()); }

}  // namespace restorelab::guest
