#include "tools/cli/command_line.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

const std::vector<std::string> kValues = {"--index", "--output"};
const std::vector<std::string> kBools = {"--json", "--quiet"};

TEST(CommandLineTest, FlagsValuesAndPositional) {
  absl::StatusOr<CommandLine> c = ParseCommandLine(
      kValues, kBools,
      {"-i", "k.ksym", "--json", "0x10", "--output=o", "-q", "--", "--json",
       "-"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->values.at("--index"), "k.ksym");
  EXPECT_EQ(c->values.at("--output"), "o");
  EXPECT_TRUE(c->flags.count("--json"));
  EXPECT_TRUE(c->flags.count("--quiet"));
  EXPECT_EQ(c->positional,
            (std::vector<std::string>{"0x10", "--json", "-"}));
  EXPECT_FALSE(c->help);
}

TEST(CommandLineTest, HelpStopsParsing) {
  absl::StatusOr<CommandLine> c =
      ParseCommandLine(kValues, kBools, {"-h", "--bogus"});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->help);
}

TEST(CommandLineTest, Errors) {
  EXPECT_EQ(ParseCommandLine(kValues, kBools, {"-i"}).status().message(),
            "--index needs a value");
  EXPECT_EQ(
      ParseCommandLine(kValues, kBools, {"--bogus=1"}).status().message(),
      "unknown option --bogus=1");
  EXPECT_EQ(
      ParseCommandLine(kValues, kBools, {"--json=yes"}).status().message(),
      "unknown option --json=yes");
  // A short option that is no alias is a positional word ("-1" offsets).
  absl::StatusOr<CommandLine> c = ParseCommandLine(kValues, kBools, {"-x"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->positional, std::vector<std::string>{"-x"});
}

}  // namespace
}  // namespace ksym
