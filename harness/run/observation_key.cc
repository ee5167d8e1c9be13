#include "harness/run/observation_key.h"

#include <cstdint>
#include <cstdio>

#include "rules/fnv.h"
#include "rules/scenario_writer.h"

namespace restorelab::run {

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
  return fnv128_hex(text);
}

}  // namespace restorelab::run
