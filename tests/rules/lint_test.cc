#include "rules/lint.h"

#include <chrono>
#include <gtest/gtest.h>

namespace restorelab {
namespace {

TEST(LintTest, Smoke) {
  for (const char* name : {"shadowed", "never_fires", "conflict", "no_citation", "syntax_error"}) {
    auto book = load_rulebook_file(DiskReader(), std::string(RESTORELAB_TEST_DATA) + "/rulebooks/" + name + ".toml");
    if (!book) { std::printf("%s", format_diagnostics(book.error()).c_str()); continue; }
    auto t0 = std::chrono::steady_clock::now();
    auto findings = lint_rulebook(*book);
    auto t1 = std::chrono::steady_clock::now();
    std::printf("lint %s: %.1f ms\n", name, std::chrono::duration<double, std::milli>(t1 - t0).count());
    for (auto& f : findings) std::printf("%s\n", f.where.to_string().c_str());
  }
}

}  // namespace
}  // namespace restorelab
