#include "harness/output/junit.h"

#include <cstdio>

#include "harness/output/xml_text.h"

namespace restorelab {

namespace {

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
  return buffer;
}

std::string attribute(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + xml_text(value) + "\"";
}

void outcome(std::string& out, const char* element, const std::string& type, const std::string& message,
             const std::string& text) {
  out += std::string("      <") + element + attribute("type", type) + attribute("message", message);
  if (text.empty()) {
    out += "/>\n";
    return;
  }
  out += ">" + xml_text(text) + "</" + element + ">\n";
}

}  // namespace

std::string junit_xml(const JunitSuite& suite) {
  std::size_t failures = 0, errors = 0;
  for (const JunitCase& c : suite.cases) {
    failures += !c.failure_message.empty();
    errors += !c.error_message.empty();
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  out += "  <testsuite" + attribute("name", suite.name) + attribute("tests", std::to_string(suite.cases.size())) +
         attribute("failures", std::to_string(failures)) + attribute("errors", std::to_string(errors)) +
         attribute("time", seconds_text(suite.seconds)) + ">\n";
  if (!suite.properties.empty()) {
    out += "    <properties>\n";
    for (const auto& [name, value] : suite.properties)
      out += "      <property" + attribute("name", name) + attribute("value", value) + "/>\n";
    out += "    </properties>\n";
  }
  for (const JunitCase& c : suite.cases) {
    out += "    <testcase" + attribute("classname", c.classname) + attribute("name", c.name);
    if (!c.file.empty()) out += attribute("file", c.file);
    out += attribute("time", seconds_text(c.seconds));
    if (c.failure_message.empty() && c.error_message.empty() && c.output.empty()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (!c.failure_message.empty()) outcome(out, "failure", c.failure_type, c.failure_message, c.failure_text);
    if (!c.error_message.empty()) outcome(out, "error", c.error_type, c.error_message, c.error_text);
    if (!c.output.empty()) out += "      <system-out>" + xml_text(c.output) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace restorelab
