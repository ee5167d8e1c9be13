// Escaping text for XML (JUnit reports, libvirt domain XML).
#pragma once

#include <string>
#include <string_view>

namespace restorelab {

/// `s` escaped for XML text and attributes; control characters XML 1.0 does
/// not allow (all below 0x20 but tab and newline) are dropped.
std::string xml_text(std::string_view s);

}  // namespace restorelab
