// Pages as a user sees them: headless Chromium renders an HTML file, runs
// its script, and the tests read back the resulting DOM.
#pragma once

#include <filesystem>
#include <string>

namespace restorelab::testing {

/// Whether /usr/bin/chromium is there. Under CI (CI set) its absence is a
/// test failure, since ci/setup.sh installs it; elsewhere the caller skips.
bool have_chromium();

/// The DOM of `page` after its scripts ran, or "" when Chromium printed
/// nothing. Runs Chromium with an argument vector and a throw-away profile.
std::string chromium_dom(const std::filesystem::path& page);

}  // namespace restorelab::testing
