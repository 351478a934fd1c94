#include "symbolizer/api/ambiguity_report.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

// init_once: separated by objects. type_show: no objects. nvhe_fn: one
// pre-linked object. mod_fn: twice in one loadable module.
std::unique_ptr<Symbolizer> Sample() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "type_show", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "type_show", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000600, "nvhe_fn", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000700, "nvhe_fn", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000800, "type_show", 'd', 0x8, true));
  const uint32_t a = c.InternObject("fs/inode.o");
  const uint32_t b = c.InternObject("fs/proc/inode.o");
  const uint32_t n = c.InternObject("arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o");
  c.objects[a].annotation = "fs/inode.o";
  c.objects[b].annotation = "proc/inode.o";
  c.symbols[1].object = a;
  c.symbols[2].object = b;
  c.symbols[5].object = n;
  c.symbols[6].object = n;
  const uint32_t m = c.InternModuleSet({"foo"});
  c.loadable_module_sets.insert(m);
  Symbol x = MakeSymbol(0xffffffffc0001000, "mod_fn", 't', 0x20, true);
  x.module_set = m;
  Symbol y = MakeSymbol(0xffffffffc0002000, "mod_fn", 't', 0x20, true);
  y.module_set = m;
  c.symbols.push_back(x);
  c.symbols.push_back(y);
  return SymbolizerFromCatalog(std::move(c));
}

TEST(AmbiguityReportTest, EveryAmbiguousNameWithItsReason) {
  auto s = Sample();
  std::vector<AmbiguousGroup> g = AmbiguousGroups(*s);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0].qualified, "mod_fn [foo]");
  EXPECT_EQ(g[0].reason,
            "2 symbols of one loadable module without object files (no "
            "debug .ko was read for it)");
  EXPECT_EQ(g[1].qualified, "nvhe_fn");
  EXPECT_EQ(g[1].reason,
            "all 2 are in one object file, arch/arm64/kvm/hyp/nvhe/kvm_nvhe.o "
            "(pre-linked with ld -r, or the same static name twice in one "
            "file): nothing in the build output tells them apart");
  EXPECT_EQ(g[1].remedy, "select one by address (@0xADDR)");
  EXPECT_EQ(g[2].qualified, "type_show");
  EXPECT_EQ(g[2].kind, NameKind::kText);
  EXPECT_EQ(g[2].symbols.size(), 2u);  // text only
  EXPECT_EQ(g[2].reason,
            "2 of 2 have no object file: no DWARF compile unit or linker map "
            "range covers them");
  // The data type_show prints as the functions do; the name selects them.
  EXPECT_EQ(g[3].qualified, "type_show");
  EXPECT_EQ(g[3].kind, NameKind::kData);
  EXPECT_EQ(g[3].symbols.size(), 3u);
  EXPECT_EQ(g[3].reason,
            "a data symbol prints as 2 function(s) of its name do, and the "
            "name selects the function");
  EXPECT_EQ(g[3].remedy, "select the data symbol by address (@0xADDR)");
}

TEST(AmbiguityReportTest, WhyTakesAnyQuery) {
  auto s = Sample();
  EXPECT_EQ(WhyName(*s, "init_once"), "init_once");
  EXPECT_EQ(WhyName(*s, "init_once {proc/inode}"), "init_once");
  EXPECT_EQ(WhyName(*s, "foo:mod_fn"), "mod_fn");
  EXPECT_EQ(WhyName(*s, "init_once+0x4/0x100"), "init_once");
  EXPECT_EQ(WhyName(*s, "init_once [nosuchmod]"), "");
  EXPECT_EQ(WhyName(*s, "nope"), "");
}

TEST(AmbiguityReportTest, WhyShowsEverySymbolAndWhatSeparatesThem) {
  auto s = Sample();
  EXPECT_EQ(WhyText(*s, "nope"), "");
  const std::string t = WhyText(*s, "type_show");
  EXPECT_EQ(t,
            "type_show: 3 symbols\n"
            "  0xffffffff81000400 t size 0x40 (ELF), frames print /0x100 (to "
            "the next symbol)\n"
            "    modules: none, core kernel\n"
            "    object:  none\n"
            "    select:  type_show @0xffffffff81000400   (its qualified name is shared)\n"
            "  0xffffffff81000500 t size 0x40 (ELF), frames print /0x100 (to "
            "the next symbol)\n"
            "    modules: none, core kernel\n"
            "    object:  none\n"
            "    select:  type_show @0xffffffff81000500   (its qualified name is shared)\n"
            "  0xffffffff81000800 d size 0x8 (ELF)\n"
            "    modules: none, core kernel\n"
            "    object:  none\n"
            "    select:  type_show @0xffffffff81000800   (its qualified name is shared)\n"
            "still ambiguous: type_show (2 symbols): 2 of 2 have no object file: "
            "no DWARF compile unit or linker map range covers them\n"
            "  what would separate them: a linker map (--linker-map vmlinux.map, "
            "or --build-dir) covers every input section; else select by address "
            "(@0xADDR)\n"
            "still ambiguous: type_show (3 symbols): a data symbol prints as 2 "
            "function(s) of its name do, and the name selects the function\n"
            "  what would separate them: select the data symbol by address "
            "(@0xADDR)\n");
  const std::string u = WhyText(*s, "init_once");
  EXPECT_NE(u.find("    object:  fs/proc/inode.o\n    select:  init_once {proc/inode.o}\n"),
            std::string::npos) << u;
  EXPECT_EQ(u.find("still ambiguous"), std::string::npos);
  const std::string j = WhyJson(*s, "nvhe_fn");
  EXPECT_EQ(j.rfind("{\"name\":\"nvhe_fn\",\"symbols\":[{\"name\":\"nvhe_fn\",", 0), 0u) << j;
  EXPECT_NE(j.find("\"ambiguous\":[{\"qualified\":\"nvhe_fn\",\"symbols\":2,"),
            std::string::npos) << j;
}

// why prints names, module names and object paths from the index's
// inputs: each escaped, so none drives a terminal or adds a line.
TEST(AmbiguityReportTest, WhyEscapesWhatItPrints) {
  Catalog c;
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000200, "bad\xff\x1b", 't', 0x40, true));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000300, "bad\xff\x1b", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "end", 't', 0x40, true));
  const uint32_t obj = c.InternObject("fs/x\n\x1b[2J.o");
  c.objects[obj].annotation = "x\n\x1b[2J.o";
  c.symbols[0].object = obj;
  c.symbols[1].object = obj;
  auto s = SymbolizerFromCatalog(std::move(c));
  const std::string text = WhyText(*s, "bad\xff\x1b");
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\xff'), std::string::npos) << text;
  EXPECT_NE(text.find("bad\\xff\\x1b: 2 symbols\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    object:  fs/x\\x0a\\x1b[2J.o\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("still ambiguous: bad\\xff\\x1b {x\\x0a\\x1b[2J.o}"),
            std::string::npos)
      << text;
  // Every line is one of why's own: 1 + 4 per symbol + 2 for the group.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 4 * 2 + 2) << text;
}

// Data symbols are grouped as text symbols are, by kind: two `__key.0`
// without objects are a group with a data reason; the one with an object
// prints apart; a function of the same name is no member.
TEST(AmbiguityReportTest, DataGroupsWithTheirOwnReason) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "__key.0", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff82000000, "__key.0", 'b', 0x8, true));
  c.symbols.push_back(MakeSymbol(0xffffffff82000008, "__key.0", 'b', 0x8, true));
  c.symbols.push_back(MakeSymbol(0xffffffff82000010, "__key.0", 'b', 0x8, true));
  const uint32_t fork = c.InternObject("kernel/fork.o");
  c.objects[fork].data_annotation = "fork.o";
  c.symbols[4].object = fork;
  auto s = SymbolizerFromCatalog(std::move(c));
  std::vector<AmbiguousGroup> g = AmbiguousGroups(*s);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].qualified, "__key.0");
  EXPECT_EQ(g[0].kind, NameKind::kData);
  ASSERT_EQ(g[0].symbols.size(), 2u);
  EXPECT_EQ(g[0].symbols[0].address, 0xffffffff82000000u);
  EXPECT_EQ(g[0].reason,
            "2 of 2 have no object file: no linker map section, DWARF "
            "variable or STT_FILE group places them");
  const std::string why = WhyText(*s, "__key.0");
  EXPECT_NE(why.find("select:  __key.0 {fork.o}\n"), std::string::npos) << why;
}

}  // namespace
}  // namespace ksym
