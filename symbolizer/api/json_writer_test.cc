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
  AppendJsonString(&out, std::string("a\"b\\c\td\ne\x01\xff", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\td\\ne\\u0001\\u00ff\"");
}

TEST(JsonLineTest, EmptyObject) { EXPECT_EQ(JsonLine().Finish(), "{}"); }

}  // namespace
}  // namespace ksym
