#include "symbolizer/api/index_info.h"

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

// Two `init_once` told apart by their objects, two `type_show` that are
// not, and a data symbol.
std::unique_ptr<Symbolizer> Sample() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "type_show", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "type_show", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000600, "jiffies", 'D'));
  const uint32_t a = c.InternObject("fs/inode.o");
  const uint32_t b = c.InternObject("fs/proc/inode.o");
  c.objects[a].annotation = "fs/inode.o";
  c.objects[b].annotation = "proc/inode.o";
  c.symbols[1].object = a;
  c.symbols[2].object = b;
  c.symbols[2].module_set = c.InternModuleSet({"proc"});
  return SymbolizerFromCatalog(std::move(c));
}

TEST(IndexInfoTest, Counts) {
  auto s = Sample();
  IndexInfo info = ComputeIndexInfo(*s);
  EXPECT_EQ(info.symbols, 6u);
  EXPECT_EQ(info.text_symbols, 5u);
  EXPECT_EQ(info.exact_sizes, 2u);
  EXPECT_EQ(info.text_with_object, 2u);
  EXPECT_EQ(info.text_with_module, 1u);
  EXPECT_EQ(info.duplicate_text_names, 2u);
  EXPECT_EQ(info.ambiguous_qualified_names, 1u);
  EXPECT_EQ(info.ambiguous_symbols, 2u);
  EXPECT_EQ(info.ambiguous, std::vector<std::string>{"type_show"});
}

TEST(IndexInfoTest, TextNamesWhatIsStillAmbiguous) {
  auto s = Sample();
  const std::string t = IndexInfoText(*s, ComputeIndexInfo(*s));
  EXPECT_NE(t.find("symbols:       6 (5 text), 2 with exact sizes\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("duplicates:    2 text names occur more than once, "
                   "0 data names; 1 qualified names still do (2 symbols)\n"),
            std::string::npos)
      << t;
  // Every ambiguous name, with its reason (this index has objects, but none
  // for the two type_show).
  EXPECT_NE(t.find("  ambiguous:   1 names (2 symbols): N of N have no object "
                   "file: no DWARF compile unit or linker map range covers "
                   "them\n               type_show\n"),
            std::string::npos)
      << t;
  const std::string all = IndexInfoText(*s, ComputeIndexInfo(*s), /*all_ambiguous=*/true);
  EXPECT_NE(all.find("  ambiguous:   type_show (2 symbols): 2 of 2 have no object "
                     "file: no DWARF compile unit or linker map range covers "
                     "them\n"),
            std::string::npos)
      << all;
  EXPECT_EQ(t.back(), '\n');
}

TEST(IndexInfoTest, JsonHasTheSameCounts) {
  auto s = Sample();
  const std::string j = IndexInfoJson(*s, ComputeIndexInfo(*s));
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.back(), '}');
  EXPECT_NE(j.find("\"symbols\":6,\"text_symbols\":5,\"exact_sizes\":2,"
                   "\"text_with_module\":1,\"text_with_object\":2,"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"duplicate_text_names\":2,\"data_symbols\":1,"
                   "\"data_with_object\":0,\"duplicate_data_names\":0,"
                   "\"ambiguous_qualified_names\":1,"
                   "\"ambiguous\":[\"type_show\"],\"ambiguous_reasons\":[{"
                   "\"qualified\":\"type_show\",\"symbols\":2,\"reason\":"),
            std::string::npos)
      << j;
}

// The release and source paths come from the index's inputs (a root's
// osrelease, a path under it): escaped like every printed name.
TEST(IndexInfoTest, TextEscapesTheReleaseAndPaths) {
  Catalog c;
  c.identity.release = "6.1\x1b]0;pwned\x07";
  c.identity.arch = "x86_64";
  c.sources.push_back({"kallsyms", "/r/k\xff\nx", SourceState::kFound, ""});
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  auto s = SymbolizerFromCatalog(std::move(c));
  const std::string text = IndexInfoText(*s, ComputeIndexInfo(*s), false);
  EXPECT_NE(text.find("kernel:        6.1\\x1b]0;pwned\\x07  "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/r/k\\xff\\x0ax\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\xff'), std::string::npos) << text;
}

}  // namespace
}  // namespace ksym
