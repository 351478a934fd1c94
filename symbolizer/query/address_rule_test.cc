#include "symbolizer/query/address_rule.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

// The low end of a real x86-64 System.map (Debian 6.1.0-57-cloud-amd64):
// per-cpu offsets and absolute values below the kernel text.
constexpr char kSystemMapHead[] =
    "0000000000000000 D __per_cpu_start\n"
    "0000000000000000 D fixed_percpu_data\n"
    "00000000000001ea A kexec_control_code_size\n"
    "0000000000001000 D cpu_debug_store\n"
    "0000000000e01ef2 A text_size\n"
    "0000000001000000 A phys_startup_64\n"
    "ffffffff81000000 T _stext\n"
    "ffffffff81000000 T _text\n"
    "ffffffff81000000 T startup_64\n"
    "ffffffff81000070 T secondary_startup_64\n";

std::unique_ptr<Symbolizer> FromSystemMap(const std::string& text) {
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseSystemMap(text, "System.map");
  EXPECT_TRUE(entries.ok()) << entries.status();
  Catalog c;
  for (const KallsymsEntry& e : *entries) {
    c.symbols.push_back(testutil::MakeSymbol(e.address, e.name, e.type));
  }
  return testutil::SymbolizerFromCatalog(std::move(c));
}

TEST(KernelAddressRuleTest, KernelStartsAtTheLowestTextSymbol) {
  auto s = FromSystemMap(kSystemMapHead);
  const KernelAddressRule rule = KernelAddressRule::ForIndex(s->index());
  EXPECT_EQ(rule.kernel_start(), 0xffffffff81000000u);
  EXPECT_FALSE(rule.IsKernelAddress(0x00007f0012345678));  // user space
  EXPECT_FALSE(rule.IsKernelAddress(0xffff888000000000));  // direct map
  EXPECT_FALSE(rule.IsKernelAddress(0x1000000));           // phys_startup_64
  EXPECT_FALSE(rule.IsKernelAddress(0xffffffff80ffffff));
  EXPECT_TRUE(rule.IsKernelAddress(0xffffffff81000000));
  EXPECT_TRUE(rule.IsKernelAddress(0xffffffffc0000000));  // module space
}

TEST(KernelAddressRuleTest, IndexWithoutTextTakesEveryAddress) {
  auto s = FromSystemMap(
      "0000000000000000 D __per_cpu_start\n"
      "0000000000001000 D cpu_debug_store\n");
  const KernelAddressRule rule = KernelAddressRule::ForIndex(s->index());
  EXPECT_EQ(rule.kernel_start(), 0u);
  EXPECT_TRUE(rule.IsKernelAddress(0));
}

TEST(KernelAddressRuleTest, InferredEndsStopAtAbsurdGaps) {
  constexpr uint64_t a = 0xffffffff83e00000;
  EXPECT_EQ(KernelAddressRule::InferredEnd(a, a + 0x400000), a + 0x400000);
  EXPECT_EQ(KernelAddressRule::InferredEnd(
                a, a + KernelAddressRule::kMaxInferredExtent),
            a + KernelAddressRule::kMaxInferredExtent);
  // vmlinux's last symbol to the first module symbol: ~1 GiB.
  EXPECT_EQ(KernelAddressRule::InferredEnd(a, 0xffffffffc0a01000), a);
  EXPECT_EQ(KernelAddressRule::InferredEnd(a, a), a);  // no next symbol
}

}  // namespace
}  // namespace ksym
