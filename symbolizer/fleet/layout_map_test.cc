#include "symbolizer/fleet/layout_map.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

HostLayout TwoModules() {
  HostLayout l;
  l.text_known = true;
  l.text_address = 0xffffffff9d000000;
  l.modules.push_back({"virtio_pci", "aa", {{".text", 0xffffffffc0381000},
                                            {".data", 0xffffffffc0385000}}});
  l.modules.push_back({"fat", "bb", {{".text", 0xffffffffc0400000}}});
  return l;
}

TEST(LayoutMapTest, KernelAddressIsOffsetFromText) {
  const HostLayout l = TwoModules();
  LayoutMap map(l);
  MappedAddress m = map.Map(0xffffffff9d123456);
  EXPECT_EQ(m.kind, MappedAddress::Kind::kKernel);
  EXPECT_EQ(m.offset, 0x123456u);
  EXPECT_EQ(map.Map(0xffffffff9d000000).offset, 0u);
}

TEST(LayoutMapTest, ModuleAddressIsSectionOffset) {
  const HostLayout l = TwoModules();
  LayoutMap map(l);
  MappedAddress m = map.Map(0xffffffffc0382a50);
  ASSERT_EQ(m.kind, MappedAddress::Kind::kModule);
  EXPECT_EQ(l.modules[m.module].name, "virtio_pci");
  EXPECT_EQ(m.section, ".text");
  EXPECT_EQ(m.offset, 0x1a50u);
  m = map.Map(0xffffffffc0385010);
  EXPECT_EQ(m.section, ".data");
  EXPECT_EQ(m.offset, 0x10u);
  m = map.Map(0xffffffffc0400000);
  EXPECT_EQ(l.modules[m.module].name, "fat");
  EXPECT_EQ(m.offset, 0u);
}

TEST(LayoutMapTest, BelowEverythingIsUnmapped) {
  const HostLayout l = TwoModules();
  LayoutMap map(l);
  EXPECT_EQ(map.Map(0x00007f0012345678).kind, MappedAddress::Kind::kUnmapped);
  EXPECT_EQ(map.Map(0xffffffff9cffffff).kind, MappedAddress::Kind::kUnmapped);
}

TEST(LayoutMapTest, ModulesBelowTheKernelAsOnArm64) {
  HostLayout l;
  l.text_known = true;
  l.text_address = 0xffff800080000000;
  l.modules.push_back({"m", "", {{".text", 0xffff800000100000}}});
  LayoutMap map(l);
  EXPECT_EQ(map.Map(0xffff800000100010).kind, MappedAddress::Kind::kModule);
  EXPECT_EQ(map.Map(0xffff800080000010).kind, MappedAddress::Kind::kKernel);
}

TEST(LayoutMapTest, UnknownTextMapsNoKernelAddress) {
  HostLayout l = TwoModules();
  l.text_known = false;
  LayoutMap map(l);
  EXPECT_EQ(map.Map(0xffffffff9d123456).kind, MappedAddress::Kind::kUnmapped);
  EXPECT_EQ(map.Map(0xffffffffc0381000).kind, MappedAddress::Kind::kModule);
}

}  // namespace
}  // namespace ksym
