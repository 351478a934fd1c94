// The fast address paths against the plain ones on a real kernel's index
// (the Debian 6.1 cloud kernel's vmlinux, System.map and modules.builtin*,
// fetched by tools/fetch-debian-kernel.sh), around every one of its
// symbols: FindNear, Locate, LookupBatch and LocateBatch (sorted and not)
// answer as the plain search and Lookup do (testing/lookup_oracle.h).
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/query:debian_locate_test
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/index_testing.h"
#include "symbolizer/testing/lookup_oracle.h"

namespace ksym {
namespace {

TEST(DebianLocateTest, FastPathsAnswerAsThePlainOnes) {
  absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(
      "//symbolizer/query:debian_locate_test");
  ASSERT_TRUE(k.ok()) << k.status().message();
  BuildInputs in;
  in.vmlinux_path = k->vmlinux;
  in.system_map_path = k->system_map;
  in.modules_dir = k->modules_dir;
  in.lines = false;  // not asked here
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::unique_ptr<Symbolizer> built =
      testutil::SymbolizerOfBuilt(out->catalog);
  const Symbolizer& s = *built;
  // Properties of any vmlinux index: a locate table, exact sizes that
  // nest (the overlap structure) and aliases.
  ASSERT_TRUE(s.index().has_locate_table());
  EXPECT_TRUE(s.index().has_overlaps());
  std::vector<uint64_t> addresses = testutil::AddressesAroundSymbols(s);
  ASSERT_GT(addresses.size(), 5 * s.index().symbol_count());
  std::shuffle(addresses.begin(), addresses.end(), std::mt19937_64(1));
  EXPECT_EQ(testutil::CheckFastPaths(s, addresses), "");
}

}  // namespace
}  // namespace ksym
