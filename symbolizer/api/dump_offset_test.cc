#include "symbolizer/api/dump_offset.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

constexpr char kBuildId[] = "5e5ab4c3d1f0a2b3c4d5e6f708192a3b4c5d6e7f";

// A kernel whose _stext links at 0xffffffff81000000; `offset` moves a
// runtime index, `known` says whether the index knows it.
std::unique_ptr<Symbolizer> Kernel(AddressSpace space, uint64_t offset = 0,
                                   bool known = true) {
  Catalog c;
  c.identity.release = "6.1.0-28-cloud-amd64";
  c.identity.build_id = std::string(kBuildId) + "00";  // a longer note
  c.identity.address_space = space;
  c.identity.kaslr_offset = static_cast<int64_t>(offset);
  c.identity.kaslr_offset_known = known;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000 + offset, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100 + offset, "f", 't'));
  return SymbolizerFromCatalog(std::move(c));
}

Vmcoreinfo Dump(std::optional<uint64_t> kerneloffset,
                std::optional<uint64_t> stext) {
  Vmcoreinfo v;
  v.osrelease = "6.1.0-28-cloud-amd64";
  v.build_id = kBuildId;
  v.kernel_offset = kerneloffset;
  v.stext = stext;
  return v;
}

TEST(DumpOffsetTest, KernelOffsetCheckedAgainstStext) {
  auto s = Kernel(AddressSpace::kStatic);
  absl::StatusOr<DumpShift> d =
      ShiftFromVmcoreinfo(*s, Dump(0x2a400000, 0xffffffffab400000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->shift, 0x2a400000u);
  EXPECT_EQ(d->summary,
            "kernel 6.1.0-28-cloud-amd64, build-id 5e5ab4c3d1f0a2b3c4d5e6f7081"
            "92a3b4c5d6e7f, KASLR offset 0x2a400000 (KERNELOFFSET; "
            "SYMBOL(_stext) agrees)");
  // Disagreeing: the dump is not of this kernel's image.
  d = ShiftFromVmcoreinfo(*s, Dump(0x2a400000, 0xffffffffab500000));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(absl::StrContains(d.status().message(), "not of this index's"))
      << d.status();
}

TEST(DumpOffsetTest, StextAloneGivesTheOffset) {
  auto s = Kernel(AddressSpace::kStatic);
  absl::StatusOr<DumpShift> d =
      ShiftFromVmcoreinfo(*s, Dump(std::nullopt, 0xffffffff93000000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->shift, 0x12000000u);
  EXPECT_TRUE(absl::StrContains(d->summary, "SYMBOL(_stext) less"));
  d = ShiftFromVmcoreinfo(*s, Dump(std::nullopt, std::nullopt));
  EXPECT_TRUE(absl::StrContains(d.status().message(), "give --kaslr-offset"))
      << d.status();
}

TEST(DumpOffsetTest, AnotherKernelOrBuildIsRefused) {
  auto s = Kernel(AddressSpace::kStatic);
  Vmcoreinfo v = Dump(0x2a400000, std::nullopt);
  v.osrelease = "6.1.0-27-cloud-amd64";
  absl::StatusOr<DumpShift> d = ShiftFromVmcoreinfo(*s, v);
  EXPECT_TRUE(absl::StrContains(d.status().message(),
                                "the dump is of kernel 6.1.0-27-cloud-amd64, "
                                "the index of 6.1.0-28-cloud-amd64"))
      << d.status();
  v = Dump(0x2a400000, std::nullopt);
  v.build_id[0] = 'f';
  d = ShiftFromVmcoreinfo(*s, v);
  EXPECT_TRUE(absl::StrContains(d.status().message(), "another build of"))
      << d.status();
  // Without a build-id (kernels before 5.9) the release decides.
  v.build_id.clear();
  EXPECT_TRUE(ShiftFromVmcoreinfo(*s, v).ok());
}

TEST(DumpOffsetTest, RuntimeIndexOfThatBootOrAnother) {
  auto same = Kernel(AddressSpace::kRuntime, 0x2a400000);
  absl::StatusOr<DumpShift> d =
      ShiftFromVmcoreinfo(*same, Dump(0x2a400000, 0xffffffffab400000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->shift, 0u);
  auto other = Kernel(AddressSpace::kRuntime, 0x10000000);
  d = ShiftFromVmcoreinfo(*other, Dump(0x2a400000, std::nullopt));
  EXPECT_FALSE(d.ok());
  // Offset unknown (kallsyms alone): _stext says whether it is that boot.
  auto unknown = Kernel(AddressSpace::kRuntime, 0x2a400000, false);
  d = ShiftFromVmcoreinfo(*unknown, Dump(std::nullopt, 0xffffffffab400000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->shift, 0u);
  EXPECT_TRUE(absl::StrContains(d->summary, "the same boot as the index"));
  d = ShiftFromVmcoreinfo(*unknown, Dump(std::nullopt, 0xffffffffab500000));
  EXPECT_TRUE(absl::StrContains(d.status().message(), "another boot"))
      << d.status();
}

}  // namespace
}  // namespace ksym
