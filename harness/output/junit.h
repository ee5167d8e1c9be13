// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters):
// one writer for every command that reports test cases.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace restorelab {

/// One test case. At most one of failure and error is set: a failure is a
/// wrong answer (a disagreement, a missed expectation), an error a case that
/// could not be judged (a run that failed, a file that did not load).
struct JunitCase {
  std::string classname;
  std::string name;
  std::string file;                 ///< optional `file` attribute
  double seconds = 0;
  std::string failure_type, failure_message, failure_text;
  std::string error_type, error_message, error_text;
  /// Shown as `<system-out>`: where the evidence is, what was observed.
  std::string output;
};

struct JunitSuite {
  std::string name;                 ///< e.g. "restorelab run"
  double seconds = 0;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<JunitCase> cases;
};

/// The whole document: `<testsuites><testsuite tests= failures= errors= time=>`.
std::string junit_xml(const JunitSuite& suite);

}  // namespace restorelab
