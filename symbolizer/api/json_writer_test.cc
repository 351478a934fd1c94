#include "symbolizer/api/json_writer.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(JsonLineTest, FieldsOfEveryKind) {
  JsonLine j;
  j.Field("name", "init_once").Field("size", 64).Bool("found", true)
      .Null("object").Strings("modules", {"liquidio", "liquidio_vf"})
      .Raw("nested", "[1,2]");
  EXPECT_EQ(j.Finish(),
            "{\"name\":\"init_once\",\"size\":64,\"found\":true,"
            "\"object\":null,\"modules\":[\"liquidio\",\"liquidio_vf\"],"
            "\"nested\":[1,2]}");
}

TEST(JsonLineTest, EscapesEverythingJsonRequires) {
  std::string out;
  AppendJsonString(&out, std::string("a\"b\\c\td\ne\x01\x7f", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\td\\ne\\u0001\\u007f\"");
}

// Valid UTF-8 is kept (it used to become \u00c3\u00bc..., which decodes
// as other characters); every byte that is not valid UTF-8 is U+FFFD.
TEST(JsonLineTest, Utf8IsKeptInvalidBytesAreReplaced) {
  std::string out;
  AppendJsonString(&out, "f\xc3\xbcnf_\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(out, "\"f\xc3\xbcnf_\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80\"");
  out.clear();
  // Lone continuation, truncated sequence, overlong '/', surrogate, > U+10FFFF.
  AppendJsonString(&out, std::string("\x80|\xc3|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80", 15));
  EXPECT_EQ(out,
            "\"\\ufffd|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
            "\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

// C1 controls (U+0080..U+009F, 0xc2 0x80..0x9f in UTF-8) are escaped like
// C0: some terminals obey U+009B as ESC [. U+00A0 and later are kept.
TEST(JsonLineTest, C1ControlsAreEscaped) {
  std::string out;
  AppendJsonString(&out, "csi\xc2\x9b" "2J|\xc2\x80|\xc2\x9f|\xc2\xa0");
  EXPECT_EQ(out, "\"csi\\u009b2J|\\u0080|\\u009f|\xc2\xa0\"");
}

TEST(JsonLineTest, EmptyObject) { EXPECT_EQ(JsonLine().Finish(), "{}"); }

}  // namespace
}  // namespace ksym
