#include "tests/support/chromium.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>

#include "harness/machines/process.h"

namespace restorelab::testing {

namespace fs = std::filesystem;

bool have_chromium() {
  if (fs::exists("/usr/bin/chromium")) return true;
  if (std::getenv("CI")) ADD_FAILURE() << "chromium is not installed (ci/setup.sh installs it)";
  return false;
}

std::string chromium_dom(const fs::path& page) {
  char pattern[] = "/tmp/restorelab-chromium-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return {};
  const fs::path profile = pattern;
  machines::ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  options.separate_stderr = true;  // Chromium's own chatter is not the page
  auto result = machines::run_process(
      {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + profile.string(), "--dump-dom", "file://" + fs::absolute(page).string()},
      options);
  std::error_code ec;
  fs::remove_all(profile, ec);
  return result ? result->output : std::string{};
}

}  // namespace restorelab::testing
