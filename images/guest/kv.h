// Key=value text: the job, the "registry", boot.ini and backup manifests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "images/guest/result.h"

namespace restorelab::guest {

/// An ordered set of `key=value` lines. Parsing skips blank lines and lines
/// starting with '#'; a key is [a-z0-9._-]+; the value is the rest of the line
/// after the first '=' with surrounding blanks removed. A repeated key keeps
/// the last value.
class KeyValues {
 public:
  /// Parses text; `origin` names the input in error messages
  /// ("job:3: expected key=value, got 'phase'").
  static Result<KeyValues> Parse(std::string_view text, std::string_view origin);
  static Result<KeyValues> Load(const std::filesystem::path& file);

  bool Has(std::string_view key) const;
  /// The value, or `fallback` when the key is absent.
  std::string Get(std::string_view key, std::string_view fallback = "") const;
  /// A comma-separated list; absent or empty value gives an empty list.
  std::vector<std::string> GetList(std::string_view key) const;
  /// "true"/"false"/"1"/"0"; anything else (or absence) gives `fallback`.
  bool GetBool(std::string_view key, bool fallback) const;
  /// A decimal integer; absence or a malformed value gives `fallback`.
  int64_t GetInt(std::string_view key, int64_t fallback) const;

  void Set(std::string_view key, std::string_view value);
  void SetList(std::string_view key, const std::vector<std::string>& values);
  void Erase(std::string_view key);
  /// Every key that starts with `prefix`, in sorted order.
  std::vector<std::string> KeysWithPrefix(std::string_view prefix) const;

  std::string Serialize() const;
  Status Save(const std::filesystem::path& file) const;

  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

/// Joins `items` with `separator`.
std::string Join(const std::vector<std::string>& items, std::string_view separator);
/// Splits on `separator`, trimming blanks and dropping empty items.
std::vector<std::string> Split(std::string_view text, char separator);
std::string Trim(std::string_view text);
/// A whole decimal integer (blanks around it allowed); else `fallback`.
int64_t ParseInt(std::string_view text, int64_t fallback);
std::string ToLower(std::string_view text);

/// Whole-file helpers; errors name the path.
Result<std::string> ReadFile(const std::filesystem::path& file);
Status WriteFile(const std::filesystem::path& file, std::string_view content);

}  // namespace restorelab::guest
