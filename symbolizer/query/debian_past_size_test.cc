// Lookups in the padding after a nested label, on a real kernel's index
// (the Debian 6.1 cloud kernels' vmlinux and System.map, amd64 and arm64,
// fetched by tools/fetch-debian-kernel.sh [--arch arm64]), against the kernel's own rule computed
// from System.map: %pS names the nearest symbol at or below the address
// (kernel/kallsyms.c get_symbol_pos). Around every symbol of the index:
// each found answer starts at the nearest System.map text symbol at or
// below (where the index has that symbol); an answer past its ELF size is
// exactly one where only enclosing symbols cover the address, and its
// frame says so; every other answer lies within its size.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) \
//   KSYM_DEBIAN_ARM64_KERNEL=$(tools/fetch-debian-kernel.sh --arch arm64) \
//   bazel test --test_env=KSYM_DEBIAN_KERNEL \
//     --test_env=KSYM_DEBIAN_ARM64_KERNEL //symbolizer/query:debian_past_size_test
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/past_size.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/index_testing.h"
#include "symbolizer/testing/lookup_oracle.h"

namespace ksym {
namespace {

// The text symbols' addresses of System.map, sorted, distinct.
std::vector<uint64_t> SystemMapText(const std::string& path) {
  std::ifstream in(path);
  std::vector<uint64_t> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string address, type, name;
    if (!(f >> address >> type >> name) || type.size() != 1) continue;
    if (std::string("tTwW").find(type[0]) == std::string::npos) continue;
    out.push_back(std::stoull(address, nullptr, 16));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void CheckKernel(const testutil::DebianKernelSource& source) {
  absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(
      "//symbolizer/query:debian_past_size_test", source);
  ASSERT_TRUE(k.ok()) << k.status().message();
  BuildInputs in;
  in.vmlinux_path = k->vmlinux;
  in.system_map_path = k->system_map;
  in.lines = false;  // not asked here
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::unique_ptr<Symbolizer> built =
      testutil::SymbolizerOfBuilt(out->catalog);
  const Symbolizer& s = *built;
  const std::vector<uint64_t> map = SystemMapText(k->system_map);
  ASSERT_GT(map.size(), 1000u);

  size_t text = 0, compared = 0, past = 0, outside_map = 0;
  std::vector<SymbolInfo> all;
  for (uint64_t a : testutil::AddressesAroundSymbols(s)) {
    const LookupResult r = s.Lookup(a);
    if (!r.found || !IsTextType(r.symbol.type)) continue;
    ++text;
    SCOPED_TRACE(AddressLine(a, FrameText(s, r)));
    // The kernel's rule on System.map: the nearest text symbol at or below.
    auto it = std::upper_bound(map.begin(), map.end(), a);
    ASSERT_NE(it, map.begin());
    const uint64_t kernel = *std::prev(it);
    const std::optional<uint32_t> p = s.index().Predecessor(kernel);
    if (p.has_value() && s.index().Address(*p) == kernel) {
      ++compared;
      EXPECT_EQ(r.symbol.address, kernel);
    } else {
      ++outside_map;  // a symbol the index leaves out, as kallsyms does
    }
    // The kernel's length reaches the address: `+0xOFF/0xLEN` is sound.
    EXPECT_LT(r.offset, s.KernelLength(r.symbol));
    s.LookupAll(a, &all);
    ASSERT_FALSE(all.empty());
    const bool past_size = Symbolizer::PastSize(r.symbol, r.offset);
    // Past its size exactly where only enclosing symbols cover the address.
    EXPECT_EQ(past_size, all[0].address < r.symbol.address);
    const std::string frame = FrameText(s, r);
    EXPECT_EQ(frame.find(": named as the kernel names it") != std::string::npos,
              past_size);
    if (past_size) {
      ++past;
      EXPECT_TRUE(r.symbol.size_exact);
      EXPECT_LT(all[0].address, r.symbol.address);
      EXPECT_GT(all[0].address + all[0].size, a);
      std::optional<SymbolInfo> outer =
          EnclosingPastSize(s, r.symbol, r.offset);
      ASSERT_TRUE(outer.has_value());
      EXPECT_EQ(outer->index, all[0].index);
    } else {
      EXPECT_TRUE(r.offset < r.symbol.size || r.offset == 0);
    }
    if (::testing::Test::HasFailure()) return;
  }
  // Nearly every answer's start is a System.map symbol the index has.
  EXPECT_GT(compared, text * 9 / 10);
  std::printf("%zu text answers, %zu compared with System.map's nearest "
              "symbol below (%zu at symbols the index leaves out), %zu past "
              "a nested label's size\n",
              text, compared, outside_map, past);
}

TEST(DebianPastSizeTest, NamesThePaddingAfterNestedLabelsAsTheKernel) {
  CheckKernel(testutil::kDebianAmd64);
}

// arm64: trans_pgd_stub_vectors (0x800 bytes) holds labels of exact size
// 0x80 with padding after them (hyp_stub_32b_el1_error_invalid+0xec/0xfc).
TEST(DebianPastSizeTest, Arm64) { CheckKernel(testutil::kDebianArm64); }

}  // namespace
}  // namespace ksym
