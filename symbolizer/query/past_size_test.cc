#include "symbolizer/query/past_size.h"

#include <memory>

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

// The amd64 shape: retbleed_return_thunk (size 2) one byte into
// retbleed_untrain_ret (size 9), then padding to the next function.
std::unique_ptr<Symbolizer> Retbleed() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81e01940, "srso_alias_return_thunk",
                                 'T', 0x7, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81e019bf, "retbleed_untrain_ret", 'T', 0x9, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81e019c0, "retbleed_return_thunk", 'T', 0x2, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81e01a3e, "srso_untrain_ret", 'T', 0x14, true));
  return SymbolizerFromCatalog(c);
}

TEST(PastSizeTest, ThePaddingAfterANestedLabelSaysWhatItInferred) {
  auto s = Retbleed();
  const LookupResult r = s->Lookup(0xffffffff81e019c5);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.name(), "retbleed_return_thunk");
  EXPECT_EQ(r.offset, 5u);
  EXPECT_EQ(s->KernelLength(r.symbol), 0x7eu);
  EXPECT_EQ(PastSizeMarker(*s, r.symbol, r.offset),
            " (past its size 0x2, inside retbleed_untrain_ret+0x6/0x9: named "
            "as the kernel names it, the nearest symbol below)");
  std::optional<SymbolInfo> outer = EnclosingPastSize(*s, r.symbol, r.offset);
  ASSERT_TRUE(outer.has_value());
  EXPECT_EQ(outer->name(), "retbleed_untrain_ret");
}

TEST(PastSizeTest, WithinItsSizeNothingIsSaid) {
  auto s = Retbleed();
  for (uint64_t a : {0xffffffff81e019bfull, 0xffffffff81e019c0ull,
                     0xffffffff81e019c1ull, 0xffffffff81e01a3eull}) {
    const LookupResult r = s->Lookup(a);
    ASSERT_TRUE(r.found);
    EXPECT_EQ(PastSizeMarker(*s, r.symbol, r.offset), "") << std::hex << a;
    EXPECT_FALSE(EnclosingPastSize(*s, r.symbol, r.offset).has_value());
  }
  // Past both ELF sizes: the gap, said as such (no symbol).
  EXPECT_FALSE(s->Lookup(0xffffffff81e019c8).found);
}

TEST(PastSizeTest, AnOffsetNoLookupGaveIsOnlySaidPastTheSize) {
  auto s = Retbleed();
  const SymbolInfo t = s->Symbol(2);
  ASSERT_EQ(t.name(), "retbleed_return_thunk");
  EXPECT_EQ(PastSizeMarker(*s, t, 0x10), " (past its size 0x2)");
}

// A label of exact size 0 inside a function: named at its own address as
// the kernel names it, and said to be past its size.
TEST(PastSizeTest, AnExactSizeZeroLabelIsPastItsSizeAtOnce) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "outer", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000120, "label", 't', 0, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "next", 't', 0x10, true));
  auto s = SymbolizerFromCatalog(c);
  const LookupResult r = s->Lookup(0xffffffff81000120);
  ASSERT_TRUE(r.found);
  if (r.symbol.size_exact) {
    EXPECT_EQ(r.symbol.name(), "label");
    EXPECT_TRUE(Symbolizer::PastSize(r.symbol, r.offset));
    EXPECT_EQ(EnclosingPastSize(*s, r.symbol, r.offset)->name(), "outer");
  } else {
    // Read as sizeless: its inferred extent covers the address.
    EXPECT_FALSE(Symbolizer::PastSize(r.symbol, r.offset));
  }
  EXPECT_EQ(s->Lookup(0xffffffff81000130).symbol.name(), "label");
}

}  // namespace
}  // namespace ksym
