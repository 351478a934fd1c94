#include "symbolizer/names/qualified_name.h"

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::HasSubstr;

TEST(ModuleNameTest, KbuildNameFix) {
  EXPECT_EQ(NormalizeModuleName("crc32c-intel"), "crc32c_intel");
  EXPECT_EQ(NormalizeModuleName("foo,bar"), "foo_bar");
  EXPECT_EQ(NormalizeModuleName("ext4"), "ext4");
}

TEST(ModuleNameTest, OfFile) {
  EXPECT_EQ(ModuleNameOfPath("kernel/drivers/nls/nls_iso8859-1.ko"),
            "nls_iso8859_1");
  EXPECT_EQ(ModuleNameOfPath("kernel/fs/ext4/ext4.ko"), "ext4");
  EXPECT_EQ(ModuleNameOfPath("a/b/nls_iso8859-1.ko.gz"), "nls_iso8859_1");
  EXPECT_EQ(ModuleNameOfPath("fat.ko.debug"), "fat");
  EXPECT_EQ(ModuleNameOfPath("x.ko.xz"), "x");
  EXPECT_EQ(ModuleNameOfPath("x.ko.zst"), "x");
  EXPECT_EQ(ModuleNameOfPath("fs/nls/nls_iso8859-1.o"), "nls_iso8859_1");
  EXPECT_EQ(ModuleNameOfPath("fs/nls/nls_iso8859-1"), "nls_iso8859_1");
  EXPECT_EQ(ModuleNameOfPath("drivers/net/foo,bar.ko"), "foo_bar");
  EXPECT_EQ(ModuleNameOfPath("ext4"), "ext4");
}

TEST(ModuleNameTest, IsModuleFileName) {
  EXPECT_TRUE(IsModuleFileName("a/fat.ko"));
  EXPECT_TRUE(IsModuleFileName("fat.ko.zst"));
  EXPECT_FALSE(IsModuleFileName("a/.ko"));
  EXPECT_FALSE(IsModuleFileName("fat.o"));
  EXPECT_FALSE(IsModuleFileName("fat.ko/x"));
}

TEST(ModuleNameTest, Chars) {
  EXPECT_TRUE(IsModuleNameText("crc32c-intel"));
  EXPECT_FALSE(IsModuleNameText(""));
  EXPECT_FALSE(IsModuleNameText("a b"));
  EXPECT_FALSE(IsModuleNameText("a,b"));
}

TEST(QualifierWriterTest, Forms) {
  std::vector<std::string> mods = {"fat", "vfat"};
  EXPECT_EQ(FormatQualifiedName("init_once", mods, "fs/inode.o"),
            "init_once [fat] [vfat] {fs/inode.o}");
  EXPECT_EQ(FormatQualifiedName("f", std::vector<std::string>{}, ""), "f");
  std::string line = "ffffffff81000000 t f";
  AppendQualifiers(mods, "", &line, "\t");
  EXPECT_EQ(line, "ffffffff81000000 t f\t[fat] [vfat]");
  std::string only_object = "f";
  AppendQualifiers(std::vector<std::string>{}, "core.o", &only_object, "\t");
  EXPECT_EQ(only_object, "f\t{core.o}");
}

TEST(QualifierWriterTest, AnySink) {
  char buf[64];
  size_t len = 0;
  QualifierWriter w([&](absl::string_view s) {
    std::memcpy(buf + len, s.data(), s.size());
    len += s.size();
  });
  w.Module("ext4");
  w.Object("super.o");
  EXPECT_EQ(absl::string_view(buf, len), " [ext4] {super.o}");
}

TEST(ScanTest, ModuleBracketToken) {
  auto b = ScanModuleBracket("[ext4] rest");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->size, 6u);
  EXPECT_EQ(b->module, "ext4");
  EXPECT_EQ(b->build_id, "");
  b = ScanModuleBracket("[ext4 8b2c2a]");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->build_id, "8b2c2a");
  EXPECT_FALSE(ScanModuleBracket("[]").has_value());
  EXPECT_FALSE(ScanModuleBracket("[ext4 ]").has_value());
  EXPECT_FALSE(ScanModuleBracket("[ext4").has_value());
  EXPECT_FALSE(ScanModuleBracket("[a.b]").has_value());
}

TEST(ScanTest, ObjectBraceToken) {
  auto o = ScanObjectBrace("{fs/inode.o}x");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->object, "fs/inode.o");
  EXPECT_EQ(o->size, 12u);
  EXPECT_FALSE(ScanObjectBrace("{}").has_value());
  EXPECT_FALSE(ScanObjectBrace("{a b}").has_value());
  EXPECT_FALSE(ScanObjectBrace("{a{b}").has_value());
  EXPECT_TRUE(IsObjectPathSuffix("sched/core"));
  EXPECT_FALSE(IsObjectPathSuffix("sched//core"));
  EXPECT_FALSE(IsObjectPathSuffix("a[b"));
}

TEST(ParseQualifiedNameTest, Errors) {
  EXPECT_THAT(ParseQualifiedName("").status().message(),
              HasSubstr("expected a symbol name"));
  EXPECT_THAT(ParseQualifiedName("f [a").status().message(),
              HasSubstr("at byte 2: expected [module] or {object}"));
  EXPECT_THAT(ParseQualifiedName("f {a} [b]").status().message(),
              HasSubstr("expected nothing after {object}"));
  EXPECT_THAT(ParseQualifiedName("f  [a]").status().message(),
              HasSubstr("at byte 2"));
}

// Every printed form parses back to the same parts: random names, module
// sets and objects drawn from the grammar's alphabets (fixed seed).
TEST(ParseQualifiedNameTest, RoundTrip) {
  std::mt19937 rng(16);
  const std::string name_chars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$";
  const std::string module_chars = "abcdefghijklmnopqrstuvwxyz0123456789_-";
  const std::string object_chars = "abcdefghijklmnopqrstuvwxyz0123456789_-./,+";
  auto word = [&](const std::string& alphabet, int max_len) {
    std::string w;
    const int n = 1 + static_cast<int>(rng() % max_len);
    for (int i = 0; i < n; ++i) w += alphabet[rng() % alphabet.size()];
    return w;
  };
  for (int i = 0; i < 20000; ++i) {
    QualifiedNameParts parts;
    parts.name = word(name_chars, 40);
    const int modules = static_cast<int>(rng() % 4);
    for (int m = 0; m < modules; ++m) parts.modules.push_back(word(module_chars, 20));
    if (rng() % 2) parts.object = word(object_chars, 30);
    const std::string printed =
        FormatQualifiedName(parts.name, parts.modules, parts.object);
    absl::StatusOr<QualifiedNameParts> back = ParseQualifiedName(printed);
    ASSERT_TRUE(back.ok()) << printed << ": " << back.status();
    EXPECT_EQ(*back, parts) << printed;

    std::string kallmodsyms = parts.name;
    AppendQualifiers(parts.modules, parts.object, &kallmodsyms, "\t");
    back = ParseQualifiedName(kallmodsyms);
    ASSERT_TRUE(back.ok()) << kallmodsyms << ": " << back.status();
    EXPECT_EQ(*back, parts) << kallmodsyms;

    // Each qualifier alone scans back to what was printed.
    for (const std::string& m : parts.modules) {
      std::string bracket;
      AppendQualifiers(std::vector<std::string>{m}, "", &bracket);
      auto b = ScanModuleBracket(absl::string_view(bracket).substr(1));
      ASSERT_TRUE(b.has_value()) << bracket;
      EXPECT_EQ(b->module, m);
      EXPECT_EQ(b->size, bracket.size() - 1);
    }
  }
}

}  // namespace
}  // namespace ksym
