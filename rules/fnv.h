#pragma once
// FNV-1a, 64 bits: the one hash restorelab names things with (combination
// ids, observation keys, image and source-cache keys, rulebook hashes). It
// is stable across builds and machines, which stored keys need; it is not
// cryptographic and never protects anything.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace restorelab {

class Fnv1a {
 public:
  static constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;

  explicit constexpr Fnv1a(std::uint64_t basis = kOffsetBasis) : hash_(basis) {}

  /// Mixes `bytes` in; `add(a).add(b)` hashes the concatenation a + b.
  constexpr Fnv1a& add(std::string_view bytes) {
    for (const char c : bytes) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 1099511628211ull;
    }
    return *this;
  }

  constexpr std::uint64_t value() const { return hash_; }

  /// The value as 16 lower-case hex digits.
  std::string hex() const {
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(hash_));
    return digits;
  }

 private:
  std::uint64_t hash_;
};

/// The second basis of the 128-bit names below: two 64-bit FNV-1a hashes of
/// the same bytes from different bases, so that an accidental collision
/// between stored keys is negligible.
inline constexpr std::uint64_t kFnvSecondBasis = 0x6c62272e07bb0142ull;

/// 32 hexadecimal digits: Fnv1a() and Fnv1a(kFnvSecondBasis) of `text`.
inline std::string fnv128_hex(std::string_view text) {
  return Fnv1a().add(text).hex() + Fnv1a(kFnvSecondBasis).add(text).hex();
}

}  // namespace restorelab
