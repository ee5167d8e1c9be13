// Putting data into a self-contained HTML page safely.
#pragma once

#include <string>
#include <string_view>

namespace restorelab {

/// JSON text made safe inside `<script type="application/json">`: every
/// `<`, `>` and `&` becomes a \u escape (only possible inside JSON strings,
/// where JSON.parse turns it back), so no value such as `<!--<script>` or
/// `</script>` can end the element or change how the browser reads it.
std::string json_for_script(std::string_view json);

/// `bytes` in base64 (RFC 4648, with padding), for data: URIs.
std::string base64(std::string_view bytes);

}  // namespace restorelab
