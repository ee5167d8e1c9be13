#include "harness/run/observation_key.h"

#include <cstdint>
#include <cstdio>

#include "rules/scenario_writer.h"

namespace restorelab::run {

namespace {

std::uint64_t fnv1a(std::string_view text, std::uint64_t basis) {
  std::uint64_t h = basis;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string observation_key_text(const Scenario& s, const KeyInputs& inputs) {
  Scenario bare = s;
  bare.name = "observation";
  bare.description.clear();
  bare.expect.reset();
  bare.file.clear();
  std::string text = scenario_to_toml(bare);
  // The name is a placeholder every key shares; [scenario] does not count.
  text += "\n# image " + inputs.image_hash + "\n# " + std::string(kVmPathVersion) + "\n# silence_ms " +
          std::to_string(inputs.silence.count()) + "\n";
  return text;
}

std::string observation_key(const Scenario& s, const KeyInputs& inputs) {
  const std::string text = observation_key_text(s, inputs);
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(text, 14695981039346656037ull)),
                static_cast<unsigned long long>(fnv1a(text, 0x6c62272e07bb0142ull)));
  return hex;
}

}  // namespace restorelab::run
