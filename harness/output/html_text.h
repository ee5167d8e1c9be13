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

/// `page` (page_templates.h) with its `{{data}}` replaced by
/// json_for_script(json); the data is not read for markers.
std::string page_with_data(std::string_view page, std::string_view json);

/// `path` percent-encoded for the path of a URL: every byte but RFC 3986's
/// unreserved characters and '/' ("a b:c" -> "a%20b%3Ac").
std::string url_path(std::string_view path);

/// Whether a report may make `href` a link: a relative path written `./…`
/// or `../…`, or an http(s) URL. Anything else (`javascript:`, `data:`, an
/// absolute path, `//host`) is shown as text. The page's script asks the
/// same question before it makes a link (link() in templates/run_report.js).
bool is_safe_href(std::string_view href);

/// `bytes` in base64 (RFC 4648, with padding), for data: URIs.
std::string base64(std::string_view bytes);

}  // namespace restorelab
