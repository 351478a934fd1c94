#include "symbolizer/api/frame.h"

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

std::unique_ptr<Symbolizer> Sample() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "lio_fn", 't', 0x10, true));
  const uint32_t inode = c.InternObject("fs/inode.o");
  c.objects[inode].annotation = "inode.o";
  c.symbols[2].object = inode;
  c.symbols[2].module_set = c.InternModuleSet({"rapl"});
  c.symbols[3].module_set = c.InternModuleSet({"liquidio_vf", "liquidio"});
  return SymbolizerFromCatalog(std::move(c));
}

TEST(FrameTextTest, PlainSymbol) {
  auto s = Sample();
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff81000212)),
            "init_once+0x12/0x100");
}

TEST(FrameTextTest, ModuleAndObjectQualifiers) {
  auto s = Sample();
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff8100033f)),
            "init_once+0x3f/0x100 [rapl] {inode.o}");
  // Module sets print in the index's order, one bracket each.
  const std::string t = FrameText(*s, s->Lookup(0xffffffff81000400));
  EXPECT_TRUE(t == "lio_fn+0x0/0x10 [liquidio] [liquidio_vf]" ||
              t == "lio_fn+0x0/0x10 [liquidio_vf] [liquidio]")
      << t;
}

// The length after the slash is what the kernel's %pS prints, the
// distance to the next symbol (padding included), not the ELF size: an oops
// says init_once+0x12/0x100 here, and scripts/faddr2line compares that.
TEST(FrameTextTest, LengthIsTheDistanceToTheNextSymbol) {
  auto s = Sample();
  const LookupResult r = s->Lookup(0xffffffff81000212);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.size, 0x40u);
  EXPECT_EQ(s->KernelLength(r.symbol), 0x100u);
  // The highest symbol: nothing follows, the ELF size stands.
  const LookupResult last = s->Lookup(0xffffffff81000400);
  EXPECT_EQ(s->KernelLength(last.symbol), 0x10u);
}

TEST(FrameTextTest, FullObjectPathOnRequest) {
  auto s = Sample();
  const LookupResult r = s->Lookup(0xffffffff81000312);
  EXPECT_EQ(FrameText(*s, r.symbol, r.offset, ObjectForm::kFullPath),
            "init_once+0x12/0x100 [rapl] {fs/inode.o}");
  // A symbol without an annotation gets none in either form.
  const LookupResult u = s->Lookup(0xffffffff81000212);
  EXPECT_EQ(FrameText(*s, u.symbol, u.offset, ObjectForm::kFullPath),
            "init_once+0x12/0x100");
}

TEST(FrameTextTest, NotFoundSaysWhy) {
  auto s = Sample();
  EXPECT_EQ(FrameText(*s, s->Lookup(1)),
            "?? (not a kernel address: below the kernel text)");
  EXPECT_EQ(FrameText(*s, s->Lookup(0x00007f0012345678)),
            "?? (not a kernel address: below the kernel text)");
  // Between init_once (exact size 0x40) and the next symbol.
  LookupResult gap = s->Lookup(0xffffffff81000250);
  ASSERT_FALSE(gap.found);
  EXPECT_EQ(FrameText(*s, gap),
            std::string("?? (") + NotFoundReasonText(gap.reason) + ")");
}

TEST(FrameTextTest, AppendsToExistingText) {
  auto s = Sample();
  LookupResult r = s->Lookup(0xffffffff81000200);
  std::string out = "x ";
  AppendFrameText(*s, r.symbol, r.offset, &out);
  EXPECT_EQ(out, "x init_once+0x0/0x100");
}

TEST(FrameTextTest, MarksANameThatStaysAmbiguous) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "dup", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "dup", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "end", 't', 0x40, true));
  auto s = SymbolizerFromCatalog(std::move(c));
  const char* kMarker =
      " (ambiguous, 2 candidates; this one: dup @0xffffffff81000300)";
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff81000312)),
            std::string("dup+0x12/0x100") + kMarker);
  const SymbolInfo sym = s->Lookup(0xffffffff81000300).symbol;
  EXPECT_EQ(ResolvedText(*s, sym), std::string("dup") + kMarker);
  EXPECT_EQ(ListLine(*s, sym), std::string("ffffffff81000300 t dup") + kMarker);
  const SymbolInfo end = s->Lookup(0xffffffff81000400).symbol;
  EXPECT_EQ(ResolvedText(*s, end), "end");
  EXPECT_EQ(ListLine(*s, end), "ffffffff81000400 t end");
}

// Control bytes of names and qualifiers are escaped as messages escape
// them; the tab before the qualifiers stays.
TEST(ListLineTest, EscapesControlBytes) {
  Catalog c;
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000200, "evil\x1b[2J\nname", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "tab\there", 't'));
  const uint32_t obj = c.InternObject("fs/in\x07ode.o");
  c.symbols[0].object = obj;
  c.symbols[0].module_set = c.InternModuleSet({"rapl"});
  c.objects[obj].annotation = "in\x07ode.o";
  auto s = SymbolizerFromCatalog(std::move(c));
  EXPECT_EQ(ListLine(*s, s->Lookup(0xffffffff81000200).symbol),
            "ffffffff81000200 t evil\\x1b[2J\\x0aname\t[rapl] "
            "{in\\x07ode.o}");
  EXPECT_EQ(ListLine(*s, s->Lookup(0xffffffff81000300).symbol),
            "ffffffff81000300 t tab\\x09here");
}

// Frames (lookup, symbolize) and resolved names print names and paths
// from the index's inputs: control bytes and bytes that are not UTF-8 are
// escaped there too, in the marker's query as well.
TEST(FrameTextTest, EscapesControlBytesAndBytesThatAreNotUtf8) {
  Catalog c;
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000200, "evil\x1b]0;t\x07", 't', 0x40, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000300, "bad\xff\xfe", 't', 0x40, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000400, "bad\xff\xfe", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "caf\xc3\xa9", 't'));
  const uint32_t obj = c.InternObject("fs/in\x9bode.o");
  c.objects[obj].annotation = "in\x9bode.o";
  c.symbols[0].object = obj;
  auto s = SymbolizerFromCatalog(std::move(c));
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff81000210)),
            "evil\\x1b]0;t\\x07+0x10/0x100 {in\\x9bode.o}");
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff81000210).symbol, 0x10,
                      ObjectForm::kFullPath),
            "evil\\x1b]0;t\\x07+0x10/0x100 {fs/in\\x9bode.o}");
  const SymbolInfo bad = s->Lookup(0xffffffff81000300).symbol;
  EXPECT_EQ(FrameText(*s, bad, 4),
            "bad\\xff\\xfe+0x4/0x100 (ambiguous, 2 candidates; this one: "
            "bad\\xff\\xfe @0xffffffff81000300)");
  EXPECT_EQ(ResolvedText(*s, bad),
            "bad\\xff\\xfe (ambiguous, 2 candidates; this one: "
            "bad\\xff\\xfe @0xffffffff81000300)");
  EXPECT_EQ(ListLine(*s, bad),
            "ffffffff81000300 t bad\\xff\\xfe (ambiguous, 2 candidates; this "
            "one: bad\\xff\\xfe @0xffffffff81000300)");
  // Valid UTF-8 is printed as it is.
  EXPECT_EQ(ResolvedText(*s, s->Lookup(0xffffffff81000500).symbol),
            "caf\xc3\xa9");
}

TEST(AddressLineTest, SixteenHexDigits) {
  EXPECT_EQ(AddressText(1), "0000000000000001");
  EXPECT_EQ(AddressLine(0xffffffff81000200, "init_once+0x0/0x40"),
            "ffffffff81000200 init_once+0x0/0x40");
}

// The padding after a nested label: the kernel's name, and the inference
// said (query/past_size.h).
TEST(FrameTextTest, PastANestedLabelsSizeSaysWhatItInferred) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81e01940, "_stext", 'T'));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81e019bf, "retbleed_untrain_ret", 'T', 0x9, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81e019c0, "retbleed_return_thunk", 'T', 0x2, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81e01a3e, "srso_untrain_ret", 'T', 0x14, true));
  auto s = SymbolizerFromCatalog(std::move(c));
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff81e019c5)),
            "retbleed_return_thunk+0x5/0x7e (past its size 0x2, inside "
            "retbleed_untrain_ret+0x6/0x9: named as the kernel names it, the "
            "nearest symbol below)");
  EXPECT_EQ(FrameText(*s, s->Lookup(0xffffffff81e019c1)),
            "retbleed_return_thunk+0x1/0x7e");
}

}  // namespace
}  // namespace ksym
