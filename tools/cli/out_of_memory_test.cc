// ReportOutOfMemory: a failed allocation is a message and an exit code,
// not an uncaught std::bad_alloc (SIGABRT). Not run under ASan, whose
// allocator reports an impossible size itself.
#include <cstddef>
#include <new>

#include "gtest/gtest.h"
#include "tools/cli/process_output.h"

namespace ksym {
namespace {

TEST(ReportOutOfMemoryTest, AFailedAllocationExitsWithTheMessage) {
  EXPECT_EXIT(
      {
        ReportOutOfMemory(3);
        // 1 TiB: more than any machine running this test can map.
        volatile size_t size = size_t{1} << 40;
        char* p = new char[size];
        p[0] = 1;
      },
      ::testing::ExitedWithCode(3),
      "ksym: out of memory \\(an address-space limit, or an input too large "
      "for this machine\\)");
}

}  // namespace
}  // namespace ksym
