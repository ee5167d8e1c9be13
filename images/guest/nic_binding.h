// Network configuration bound to adapters the way Windows binds it: to the
// adapter's model and PCI slot (its PnP instance), not to its MAC address.
// The same model in the same slot keeps its configuration even with a new MAC;
// another model, or an empty slot, leaves the configuration orphaned.
#pragma once

#include <string>
#include <vector>

#include "images/guest/hardware.h"
#include "images/guest/kv.h"

namespace restorelab::guest {

/// One NIC binding of the registry (`nic.N.model`, `.slot`, `.mac`, `.ip`;
/// `nic.count` of them).
struct NicBinding {
  std::string model, slot, mac, ip;
  /// The adapter it belongs to: the same model in the same PCI slot.
  bool BelongsTo(const NetAdapter& adapter) const { return adapter.model == model && adapter.pci_slot == slot; }
};

/// The registry's bindings, in order.
std::vector<NicBinding> ReadNicBindings(const KeyValues& registry);
/// Replaces every `nic.*` key of `registry` with `bindings`.
void WriteNicBindings(KeyValues& registry, const std::vector<NicBinding>& bindings);

struct NicReport {
  int configured = 0;    ///< bindings whose adapter is present
  int orphaned = 0;      ///< bindings whose adapter is gone
  int unconfigured = 0;  ///< present adapters no binding belongs to (new hardware)
  /// "slot old-mac->new-mac" for configured adapters whose MAC differs.
  std::vector<std::string> mac_changed;
  /// "model@slot" of every orphaned binding.
  std::vector<std::string> orphaned_bindings;
};

/// Compares the registry's nic.N.* bindings with the adapters present.
NicReport EvaluateNics(const KeyValues& registry, const std::vector<NetAdapter>& present);

/// Display settings are lost when the installed display model is not the one present.
bool DisplaySettingsLost(const KeyValues& registry, const std::string& present_display);

}  // namespace restorelab::guest
