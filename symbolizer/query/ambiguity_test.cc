#include "symbolizer/query/ambiguity.h"

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

TEST(AmbiguityTest, MarksOnlyNamesThatDoNotSelectTheirSymbol) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "unique_fn", 't'));
  c.symbols.push_back(MakeSymbol(0x2000, "init_once", 't'));  // {fs/inode.o}
  c.symbols.push_back(MakeSymbol(0x3000, "init_once", 't'));  // no object
  c.symbols.push_back(MakeSymbol(0x4000, "init_once", 't'));  // no object
  c.symbols.push_back(MakeSymbol(0x5000, "foo", 't'));
  c.symbols.push_back(MakeSymbol(0x6000, "foo", 'd'));  // data named like it
  c.symbols.push_back(MakeSymbol(0x7000, "end", 't'));
  c.symbols[1].object = c.InternObject("fs/inode.o");
  c.objects[0].annotation = "inode.o";
  auto s = SymbolizerFromCatalog(std::move(c));
  auto at = [&](uint64_t a) { return s->Lookup(a).symbol; };

  NameAmbiguity a = Ambiguity(*s, at(0x1000));
  EXPECT_TRUE(a.unique);
  EXPECT_EQ(a.candidates, 1u);
  EXPECT_EQ(AmbiguityMarker(*s, at(0x1000)), "");

  a = Ambiguity(*s, at(0x2000));
  EXPECT_TRUE(a.unique);
  EXPECT_EQ(a.query, "init_once {inode.o}");
  EXPECT_EQ(AmbiguityMarker(*s, at(0x2000)), "");

  a = Ambiguity(*s, at(0x3000));
  EXPECT_FALSE(a.unique);
  EXPECT_EQ(a.candidates, 2u);
  EXPECT_EQ(a.query, "init_once @0x3000");
  EXPECT_EQ(AmbiguityMarker(*s, at(0x4000)),
            " (ambiguous, 2 candidates; this one: init_once @0x4000)");
  // The marker's query selects the symbol.
  EXPECT_EQ(s->ResolveUnique(Ambiguity(*s, at(0x4000)).query)->symbol.address, 0x4000u);

  // `foo` selects the function; the data symbol needs its address.
  a = Ambiguity(*s, at(0x5000));
  EXPECT_TRUE(a.unique);
  EXPECT_EQ(a.candidates, 2u);
  a = Ambiguity(*s, at(0x6000));
  EXPECT_FALSE(a.unique);
  EXPECT_EQ(a.query, "foo @0x6000");
  EXPECT_EQ(SameNameCount(*s, "foo"), 2u);
  EXPECT_EQ(SameNameCount(*s, "nope"), 0u);
}

}  // namespace
}  // namespace ksym
