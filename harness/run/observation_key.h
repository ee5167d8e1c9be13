// The content address of an observation (results-format.md, "Observations
// are reused, verdicts never are"): what reaches the VMs, never the rulebook.
// Two scenarios with equal keys boot the same machines with the same guest
// and are observed the same way, so a stored observation can stand in.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "rules/model.h"

namespace restorelab::run {

/// The version of the harness's VM path: what the plan builds, the domain XML,
/// the guest's job and how the observer reads the result. Bump it whenever a
/// change could make the same scenario observe differently; every stored
/// observation then stops matching.
inline constexpr std::string_view kVmPathVersion = "vm-path-2";

/// What the key is made of besides the scenario.
struct KeyInputs {
  std::string image_hash;                  ///< the guest image's inputs hash (disk_tool.h)
  std::chrono::milliseconds silence{0};    ///< the hang limit: it decides what counts as a hang
};

/// The text that is hashed: the resolved scenario as a scenario file without
/// [scenario] (name, description) and [expect], then the inputs. Shown by
/// tests and by `results show --json` readers who want to know why two keys differ.
std::string observation_key_text(const Scenario& s, const KeyInputs& inputs);

/// 32 hexadecimal digits: two independent 64-bit FNV-1a hashes of the key
/// text. A content address, not a cryptographic one: a store is trusted by
/// whoever points a run at it.
std::string observation_key(const Scenario& s, const KeyInputs& inputs);

}  // namespace restorelab::run
