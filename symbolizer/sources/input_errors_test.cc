#include "symbolizer/sources/input_errors.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(QuoteInputTest, EscapesEveryByteThatDoesNotPrint) {
  EXPECT_EQ(QuoteInput("init_once"), "\"init_once\"");
  EXPECT_EQ(QuoteInput("a\tb\n"), "\"a\\tb\\n\"");
  EXPECT_EQ(QuoteInput(std::string("\xff\0q\"", 4)), "\"\\xff\\x00q\\\"\"");
  EXPECT_EQ(QuoteInput(""), "\"\"");
}

TEST(QuoteInputTest, CutsLongInputAndSaysSo) {
  const std::string exact(kMaxQuotedInput, 'x');
  EXPECT_EQ(QuoteInput(exact), "\"" + exact + "\"");
  EXPECT_EQ(QuoteInput(exact + "yz"), "\"" + exact + "\"...");
}

TEST(LineErrorTest, NamesFileAndLine) {
  EXPECT_EQ(LineError("System.map", 7, "what"),
            absl::InvalidArgumentError("System.map:7: what"));
}

}  // namespace
}  // namespace ksym
