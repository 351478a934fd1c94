#include "tools/cli/process_output.h"

#include <cstdio>

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(FlushOutputTest, AFullDeviceIsAnError) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  std::fputs("x", full);
  const absl::Status s = FlushOutput(full);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "cannot write standard output: No space left on device");
  std::fclose(full);
  std::FILE* null = std::fopen("/dev/null", "w");
  ASSERT_NE(null, nullptr);
  std::fputs("x", null);
  EXPECT_TRUE(FlushOutput(null).ok());
  std::fclose(null);
}

TEST(ReportSigbusTest, ExitsWithTheMessage) {
  EXPECT_EXIT(
      {
        ReportSigbusAsChangedIndex(3);
        raise(SIGBUS);
      },
      ::testing::ExitedWithCode(3),
      "the index file changed while it was read");
}

}  // namespace
}  // namespace ksym
