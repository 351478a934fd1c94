#include "symbolizer/api/text_policy.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ksym {
namespace {

struct Read {
  std::vector<std::pair<std::string, uint64_t>> lines;
  std::vector<uint64_t> skipped;
  uint64_t skipped_count = 0;
};

Read ReadAll(const std::string& text, size_t max_line) {
  std::FILE* in = tmpfile();
  EXPECT_NE(in, nullptr);
  std::fwrite(text.data(), 1, text.size(), in);
  std::rewind(in);
  Read r;
  r.skipped_count = ForEachInputLine(
      in,
      [&](absl::string_view line, uint64_t n) {
        r.lines.push_back({std::string(line), n});
      },
      [&](uint64_t n) { r.skipped.push_back(n); }, max_line);
  std::fclose(in);
  return r;
}

TEST(ForEachInputLineTest, LinesAndNumbers) {
  const Read r = ReadAll(std::string("a\n\nb\0c\nlast", 11), 100);
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(r.lines[0], std::make_pair(std::string("a"), uint64_t{1}));
  EXPECT_EQ(r.lines[1], std::make_pair(std::string(""), uint64_t{2}));
  EXPECT_EQ(r.lines[2], std::make_pair(std::string("b\0c", 3), uint64_t{3}));
  EXPECT_EQ(r.lines[3], std::make_pair(std::string("last"), uint64_t{4}));
  EXPECT_EQ(r.skipped_count, 0u);
  EXPECT_TRUE(ReadAll("", 100).lines.empty());
}

TEST(ForEachInputLineTest, LongLinesAreSkippedAndCounted) {
  const std::string text = std::string(10, 'x') + "\nok\n" +
                           std::string(11, 'y') + "\n" + std::string(11, 'z');
  const Read r = ReadAll(text, 10);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].first, std::string(10, 'x'));
  EXPECT_EQ(r.lines[1], std::make_pair(std::string("ok"), uint64_t{2}));
  EXPECT_EQ(r.skipped, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(r.skipped_count, 2u);
}

TEST(TextPolicyTest, Messages) {
  EXPECT_EQ(SkippedLineMessage("<stdin>", 3),
            "<stdin>:3: line longer than 1048576 bytes skipped");
  EXPECT_EQ(CopiedLineMessage("<stdin>", 3, 2000000),
            "<stdin>:3: line of 2000000 bytes (longer than 1048576) copied "
            "unchanged");
}

TEST(TextPolicyTest, Addresses) {
  uint64_t a = 0;
  EXPECT_TRUE(ParseAddressText("ffffffff81000000", &a));
  EXPECT_EQ(a, 0xffffffff81000000u);
  EXPECT_TRUE(ParseAddressText("0X10", &a));
  EXPECT_EQ(a, 0x10u);
  for (const char* bad : {"0x0x1", "0x", "", " 1", "+1", "-1", "1 ", "0x-1",
                          "12345678901234567", "xyz"}) {
    EXPECT_FALSE(ParseAddressText(bad, &a)) << bad;
  }
}

TEST(TextPolicyTest, QuoteAndEscape) {
  EXPECT_EQ(QuoteForMessage("a\x1b[2J\"\\"), "a\\x1b[2J\\x22\\x5c");
  const std::string long_text(300, 'x');
  EXPECT_EQ(QuoteForMessage(long_text),
            std::string(200, 'x') + "... (300 bytes)");
  EXPECT_EQ(EscapeControlBytes("ok_name"), "ok_name");
  EXPECT_EQ(EscapeControlBytes(std::string("a\0b\n\t\x7f\\\"", 8)),
            "a\\x00b\\x0a\\x09\\x7f\\x5c\"");
  EXPECT_EQ(EscapeControlBytes("f\xc3\xbcnf"), "f\xc3\xbcnf");
}

}  // namespace
}  // namespace ksym
