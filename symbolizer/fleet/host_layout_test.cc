#include "symbolizer/fleet/host_layout.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

constexpr char kRecord[] =
    "ksym-layout 1\n"
    "kernel 6.1.0-57-cloud-amd64 3a1f9c0011223344556677889900aabbccddeeff\n"
    "text ffffffff9d000000\n"
    "module virtio_pci 9c02e1aa\n"
    "section .data ffffffffc0385000\n"
    "section .text ffffffffc0381000\n"
    "module fat -\n";

TEST(HostLayoutTest, RoundTrip) {
  absl::StatusOr<HostLayout> l = ParseHostLayout(kRecord, "h");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->release, "6.1.0-57-cloud-amd64");
  EXPECT_EQ(l->build_id, "3a1f9c0011223344556677889900aabbccddeeff");
  EXPECT_TRUE(l->text_known);
  EXPECT_EQ(l->text_address, 0xffffffff9d000000u);
  ASSERT_EQ(l->modules.size(), 2u);
  EXPECT_EQ(l->modules[0].name, "virtio_pci");
  ASSERT_EQ(l->modules[0].sections.size(), 2u);
  EXPECT_EQ(l->modules[0].sections[1].name, ".text");
  EXPECT_EQ(l->modules[0].sections[1].address, 0xffffffffc0381000u);
  EXPECT_EQ(l->modules[1].build_id, "");
  EXPECT_EQ(FormatHostLayout(*l), kRecord);
}

TEST(HostLayoutTest, UnknownsAreDashes) {
  HostLayout l;
  const std::string text = FormatHostLayout(l);
  EXPECT_EQ(text, "ksym-layout 1\nkernel - -\ntext -\n");
  absl::StatusOr<HostLayout> back = ParseHostLayout(text, "h");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->text_known);
  EXPECT_EQ(back->release, "");
}

TEST(HostLayoutTest, Json) {
  const std::string json = HostLayoutJson(*ParseHostLayout(kRecord, "h"));
  EXPECT_TRUE(absl::StrContains(json, "\"version\":1")) << json;
  EXPECT_TRUE(absl::StrContains(json, "\"text\":\"0xffffffff9d000000\""));
  EXPECT_TRUE(absl::StrContains(
      json, "\"sections\":{\".data\":\"0xffffffffc0385000\",\".text\":"));
  EXPECT_TRUE(absl::StrContains(json, "{\"name\":\"fat\",\"build_id\":null"));
}

void ExpectError(const std::string& text, const std::string& expected) {
  absl::StatusOr<HostLayout> l = ParseHostLayout(text, "host.layout");
  ASSERT_FALSE(l.ok()) << text;
  EXPECT_TRUE(absl::StrContains(l.status().message(), expected))
      << l.status();
}

TEST(HostLayoutTest, Errors) {
  ExpectError("ksym-layout 2\n", "host.layout:1: host layout version 2");
  ExpectError("kallsyms\n", "host.layout:1: \"kallsyms\": expected "
                            "\"ksym-layout VERSION\"");
  ExpectError("ksym-layout 1\nkernel r ../../etc\ntext -\n",
              "host.layout:2: \"kernel r ../../etc\": the build-id is not");
  ExpectError("ksym-layout 1\nkernel r ABCD\ntext -\n", "the build-id is not");
  ExpectError("ksym-layout 1\nkernel ../../tmp/x -\ntext -\n",
              "host.layout:2: \"kernel ../../tmp/x -\": kernel release");
  ExpectError("ksym-layout 1\nkernel r abc\ntext -\n", "the build-id is not");
  ExpectError("ksym-layout 1\nkernel r -\ntext 12345678901234567\n",
              "host.layout:3:");
  ExpectError("ksym-layout 1\nkernel r -\ntext -\nsection .text 1\n",
              "host.layout:4: \"section .text 1\": a section before any module");
  ExpectError("ksym-layout 1\nkernel r -\ntext -\nmodule a -\nmodule a -\n",
              "host.layout:5: \"module a -\": module listed twice");
  ExpectError(
      "ksym-layout 1\nkernel r -\ntext -\nmodule a -\nsection .t 1\n"
      "section .t 2\n",
      "host.layout:6: \"section .t 2\": section listed twice");
  ExpectError("ksym-layout 1\nkernel r -\ntext -\nmodule a/b -\n",
              "a module name has no '/'");
  ExpectError("ksym-layout 1\nkernel  r -\n", "separated by one space");
  ExpectError("ksym-layout 1\nkernel r -\n", "truncated host layout");
  ExpectError("", "truncated host layout");
}

TEST(HostLayoutTest, BuildIdHex) {
  EXPECT_TRUE(IsBuildIdHex("ab"));
  EXPECT_TRUE(IsBuildIdHex(std::string(128, 'f')));
  EXPECT_FALSE(IsBuildIdHex(std::string(130, 'f')));
  EXPECT_FALSE(IsBuildIdHex("a"));
  EXPECT_FALSE(IsBuildIdHex(""));
  EXPECT_FALSE(IsBuildIdHex("../x"));
  EXPECT_FALSE(IsBuildIdHex("AB"));
}

}  // namespace
}  // namespace ksym
