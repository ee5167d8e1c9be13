// JSON and XML out are valid whatever bytes went in (issue 23: a file name
// or a store value with 0xFF or U+FFFE made XML that xmllint refused and
// JSON that was not UTF-8).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/output/json_writer.h"
#include "harness/output/junit.h"
#include "harness/output/xml_text.h"

namespace restorelab {
namespace {

TEST(JsonWriterTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  std::string out;
  JsonWriter(out).strings(std::vector<std::string>{"a\xff" "b", "\xc3", "caf\xc3\xa9 \xef\xbf\xbe"});
  EXPECT_EQ(out, "[\"a\xef\xbf\xbd" "b\",\"\xef\xbf\xbd\",\"caf\xc3\xa9 \xef\xbf\xbe\"]");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(JsonWriterTest, ControlCharactersAreEscapesC1AndDelIncluded) {
  std::string out;
  JsonWriter(out).value("\x1b[31m\x7f\xc2\x9b\x07");
  EXPECT_EQ(out, "\"\\u001b[31m\\u007f\\u009b\\u0007\"");
}

TEST(JsonWriterTest, RawJsonFromAStoreIsOneLineOfValidUtf8) {
  std::string out;
  JsonWriter(out).raw("{\"id\":\n\"a\xff\"}");
  EXPECT_EQ(out, "{\"id\": \"a\xef\xbf\xbd\"}");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(XmlTextTest, EveryCodePointXmlCannotHoldBecomesAReplacementCharacter) {
  EXPECT_EQ(xml_text("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
  EXPECT_EQ(xml_text("x\xff" "y"), "x\xef\xbf\xbd" "y");
  EXPECT_EQ(xml_text("\xef\xbf\xbe\xef\xbf\xbf"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(xml_text("\x1b[0m\x01"), "\xef\xbf\xbd[0m\xef\xbf\xbd");
  EXPECT_EQ(xml_text("tab\tline\ncr\r"), "tab\tline\ncr&#13;");
  EXPECT_EQ(xml_text("\xf0\x9f\x98\x80 \xc2\x85"), "\xf0\x9f\x98\x80 \xc2\x85");
}

TEST(XmlTextTest, AJunitReportOfHostileNamesHasOnlyXmlCharacters) {
  JunitCase c;
  c.classname = "restorelab";
  c.name = "bad\xff\xef\xbf\xbe";
  c.file = "dir/\xef\xbf\xbf.toml";
  c.failure_type = "disagree";
  c.failure_message = "\x1b[31mred";
  const std::string xml = junit_xml(JunitSuite{"suite\x07", 0, {}, {c}});
  EXPECT_NE(xml.find("name=\"bad\xef\xbf\xbd\xef\xbf\xbd\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("file=\"dir/\xef\xbf\xbd.toml\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_EQ(xml.find('\x07'), std::string::npos);
}

}  // namespace
}  // namespace restorelab
