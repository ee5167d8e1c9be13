// Escaping text for XML (JUnit reports, libvirt domain XML).
#pragma once

#include <string>
#include <string_view>

namespace restorelab {

/// `s` escaped for XML text and attributes, always well-formed UTF-8 XML
/// 1.0: a byte that is not valid UTF-8 and a code point XML does not allow
/// (controls but tab, newline and carriage return; U+FFFE, U+FFFF) become
/// U+FFFD.
std::string xml_text(std::string_view s);

}  // namespace restorelab
