#include "symbolizer/query/symbolizer.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/query/address_rule.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/testing/index_testing.h"
#include "symbolizer/testing/lookup_oracle.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

Catalog Sample() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "startup_64", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "outer", 't', 0x100, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000140, "inner", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "small", 't', 0x10, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "weak_fn", 'W'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000500, "strong_fn", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000600, "jiffies", 'D'));
  const uint32_t rapl = c.InternModuleSet({"rapl"});
  const uint32_t two = c.InternModuleSet({"liquidio_vf", "liquidio"});
  const uint32_t inode = c.InternObject("fs/inode.o");
  c.objects[inode].annotation = "inode.o";
  c.symbols[6].module_set = rapl;
  c.symbols[6].object = inode;
  c.symbols[7].module_set = two;
  c.symbols[10].module_set = rapl;
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.loadable_module_sets.insert(ext4);
  Symbol m = MakeSymbol(0xffffffffc0a01000, "ext4_fill_super", 't');
  m.module_set = ext4;
  c.symbols.push_back(m);
  Symbol d = MakeSymbol(0xffffffffc0a02000, "ext4_data", 'd');
  d.module_set = ext4;
  c.symbols.push_back(d);
  return c;
}

std::string NameAt(const Symbolizer& s, uint64_t addr) {
  LookupResult r = s.Lookup(addr);
  return r.found ? std::string(r.symbol.name()) : "";
}

TEST(LookupTest, AddrBelowKernelText) {
  auto s = SymbolizerFromCatalog(Sample());
  LookupResult r = s->Lookup(0xffffffff80ffffff);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.reason, NotFoundReason::kNotKernelAddress);
  EXPECT_STREQ(NotFoundReasonText(r.reason),
               "not a kernel address: below the kernel text");
}

TEST(LookupTest, AddrBelowFirstSymbolOfAnIndexWithoutText) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "cpu_debug_store", 'D'));
  auto s = SymbolizerFromCatalog(c);
  LookupResult r = s->Lookup(0xfff);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.reason, NotFoundReason::kBelowFirstSymbol);
  EXPECT_STREQ(NotFoundReasonText(r.reason), "below the lowest symbol address");
}

// Absolute values and per-cpu offsets sit below the kernel text in
// System.map; before, phys_startup_64 (0x1000000) "covered" everything up to
// _text: `phys_startup_64+0x7f0011345678/0xffffffff80000000`.
TEST(LookupTest, UserSpaceDirectMapAndAbsoluteSymbolsAreNotKernelAddresses) {
  Catalog c = Sample();
  c.symbols.push_back(MakeSymbol(0, "fixed_percpu_data", 'D'));
  c.symbols.push_back(MakeSymbol(0xe01ef2, "text_size", 'A'));
  c.symbols.push_back(MakeSymbol(0x1000000, "phys_startup_64", 'A'));
  auto s = SymbolizerFromCatalog(c);
  for (uint64_t a : {uint64_t{0x00007f0012345678}, uint64_t{0xffff888000000000},
                     uint64_t{0x1000000}, uint64_t{0x1000001}, uint64_t{0},
                     uint64_t{0xffffffff80ffffff}}) {
    SCOPED_TRACE(a);
    LookupResult r = s->Lookup(a);
    EXPECT_FALSE(r.found);
    EXPECT_EQ(r.reason, NotFoundReason::kNotKernelAddress);
    EXPECT_EQ(s->Locate(a).reason, NotFoundReason::kNotKernelAddress);
    std::vector<SymbolInfo> all;
    s->LookupAll(a, &all);
    EXPECT_TRUE(all.empty());
  }
  // Still found by name.
  EXPECT_EQ(s->Resolve("phys_startup_64")->size(), 1u);
}

// A sizeless symbol whose next symbol is absurdly far (here the last vmlinux
// symbol before module space, as a runtime kallsyms has it) covers only its
// own address, with no size.
TEST(LookupTest, AbsurdGapIsNotCovered) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff83e00000, "__init_scratch_end", 'D'));
  c.symbols.push_back(MakeSymbol(0xffffffffc0a01000, "ext4_fill_super", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffffc0a02000, "ext4_data", 'd'));
  auto s = SymbolizerFromCatalog(c);
  LookupResult r = s->Lookup(0xffffffff83e00000);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.name(), "__init_scratch_end");
  EXPECT_EQ(r.symbol.size, 0u);
  for (uint64_t a : {uint64_t{0xffffffff83e00001}, uint64_t{0xffffffffa0000000},
                     uint64_t{0xffffffffc0a00fff}}) {
    SCOPED_TRACE(a);
    EXPECT_FALSE(s->Lookup(a).found);
    EXPECT_EQ(s->Lookup(a).reason, NotFoundReason::kInGap);
    EXPECT_EQ(s->Locate(a).reason, NotFoundReason::kInGap);
  }
  EXPECT_EQ(s->Symbol(1).size, 0u);
  EXPECT_EQ(s->Facts(1).size, 0u);
  // Near neighbours still get the inferred extent.
  EXPECT_EQ(NameAt(*s, 0xffffffffc0a01fff), "ext4_fill_super");
  EXPECT_EQ(s->Lookup(0xffffffff81000010).symbol.size, 0x2e00000u);
  std::vector<uint64_t> addrs = {0xffffffff83e00000, 0xffffffff83e00001,
                                 0xffffffff83e00002};
  std::vector<SymbolHit> hits(addrs.size());
  s->LocateBatch(addrs, absl::MakeSpan(hits));
  EXPECT_TRUE(hits[0].found());
  EXPECT_FALSE(hits[1].found());
  EXPECT_FALSE(hits[2].found());
  std::vector<LookupResult> results(addrs.size());
  s->LookupBatch(addrs, absl::MakeSpan(results));
  EXPECT_TRUE(results[0].found);
  EXPECT_FALSE(results[1].found);
}

TEST(LookupTest, ExactStartAndOffset) {
  auto s = SymbolizerFromCatalog(Sample());
  LookupResult r = s->Lookup(0xffffffff81000212);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.name(), "init_once");
  EXPECT_EQ(r.offset, 0x12u);
  EXPECT_EQ(r.symbol.size, 0x100u);
  EXPECT_FALSE(r.symbol.size_exact);
  EXPECT_EQ(r.symbol.address, 0xffffffff81000200u);
}

// The kernel's %pS names the first alias in kallsyms order
// (alias_order.h); perf would name the global `_stext` here.
TEST(LookupTest, AliasesFollowKallsymsOrder) {
  auto s = SymbolizerFromCatalog(Sample());
  // Fewer leading underscores first, whatever the binding.
  EXPECT_EQ(NameAt(*s, 0xffffffff81000000), "startup_64");
  // Non-weak before weak even when the weak one is global.
  EXPECT_EQ(NameAt(*s, 0xffffffff81000510), "strong_fn");
}

// In a loadable module the kernel names the first alias in the module's
// symtab (kernel/module/kallsyms.c find_kallsyms_symbol), which the builder
// marks (format.h kModuleAliasFirst) where the vmlinux rules differ.
TEST(LookupTest, ModuleAliasesFollowTheModuleSymtab) {
  for (size_t extra : {size_t{0}, size_t{300}}) {  // 300: a ranked group
    Catalog c = Sample();
    const uint32_t xfs = c.InternModuleSet({"xfs"});
    c.loadable_module_sets.insert(xfs);
    auto add = [&](const std::string& name, char type, bool first) {
      Symbol m = MakeSymbol(0xffffffffc0b00010, name, type, 0x20, true);
      m.module_set = xfs;
      m.module_alias_first = first;
      c.symbols.push_back(m);
    };
    add("cleanup_module", 'T', false);
    add("exit_xfs_fs", 't', true);
    for (size_t k = 0; k < extra; ++k) add(absl::StrCat("a", k), 't', false);
    auto s = SymbolizerFromCatalog(std::move(c));
    EXPECT_EQ(NameAt(*s, 0xffffffffc0b00010), "exit_xfs_fs") << extra;
    EXPECT_EQ(NameAt(*s, 0xffffffffc0b0001f), "exit_xfs_fs") << extra;
    std::vector<SymbolInfo> all;
    EXPECT_EQ(s->LookupAll(0xffffffffc0b00014, &all), 2 + extra);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all[0].name(), "exit_xfs_fs");
    // The batch path answers the same.
    const uint64_t a[] = {0xffffffffc0b00010, 0xffffffffc0b00018};
    LookupResult r[2];
    s->LookupBatch(a, absl::MakeSpan(r));
    EXPECT_EQ(r[0].symbol.name(), "exit_xfs_fs");
    EXPECT_EQ(r[1].symbol.name(), "exit_xfs_fs");
    SymbolHit h = s->Locate(0xffffffffc0b00011);
    ASSERT_TRUE(h.found());
    EXPECT_EQ(s->Symbol(h.symbol).name(), "exit_xfs_fs");
  }
}

TEST(LookupTest, NestedSymbolIsInnermost) {
  auto s = SymbolizerFromCatalog(Sample());
  EXPECT_EQ(NameAt(*s, 0xffffffff81000100), "outer");
  EXPECT_EQ(NameAt(*s, 0xffffffff81000150), "inner");
  EXPECT_FALSE(Symbolizer::PastSize(s->Lookup(0xffffffff81000150).symbol,
                                     0x10));
  std::vector<SymbolInfo> all;
  s->LookupAll(0xffffffff81000150, &all);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name(), "inner");
  EXPECT_EQ(all[1].name(), "outer");
}

// Past a nested label's ELF size, still inside the enclosing symbol: the
// kernel's %pS names the nearest symbol at or below (kallsyms.c
// get_symbol_pos), so Lookup does too, past the label's size, and
// LookupAll still lists what covers the address.
TEST(LookupTest, PaddingAfterANestedLabelIsNamedAsTheKernelNamesIt) {
  auto s = SymbolizerFromCatalog(Sample());
  for (uint64_t a : {0xffffffff81000160ull, 0xffffffff81000170ull,
                     0xffffffff810001ffull}) {
    SCOPED_TRACE(a);
    LookupResult r = s->Lookup(a);
    ASSERT_TRUE(r.found);
    EXPECT_EQ(r.symbol.name(), "inner");
    EXPECT_EQ(r.offset, a - 0xffffffff81000140);
    EXPECT_TRUE(Symbolizer::PastSize(r.symbol, r.offset));
    const SymbolHit h = s->Locate(a);
    EXPECT_EQ(h.symbol, r.symbol.index);
    EXPECT_EQ(h.offset, r.offset);
    std::vector<SymbolInfo> all;
    ASSERT_EQ(s->LookupAll(a, &all), 1u);
    EXPECT_EQ(all[0].name(), "outer");
  }
  // Before the label, and past the enclosing symbol's end: unchanged.
  EXPECT_EQ(NameAt(*s, 0xffffffff8100013f), "outer");
  EXPECT_FALSE(Symbolizer::PastSize(s->Lookup(0xffffffff8100013f).symbol,
                                    0x3f));
  EXPECT_EQ(NameAt(*s, 0xffffffff81000200), "init_once");
}

// Two labels at one address past both their sizes: the kernel's alias
// rule picks among them (the first in kallsyms order), and an inner
// enclosing symbol does not win over them.
TEST(LookupTest, PaddingAfterNestedAliasesNamesTheKernelsAlias) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "outer", 't', 0x100, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000110, "middle", 't', 0x80, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000140, "__label", 't', 0x4, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000140, "label", 'T', 0x8, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "next", 't', 0x10, true));
  auto s = SymbolizerFromCatalog(c);
  LookupResult r = s->Lookup(0xffffffff81000150);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.name(), "label");
  EXPECT_EQ(r.offset, 0x10u);
  std::vector<SymbolInfo> all;
  ASSERT_EQ(s->LookupAll(0xffffffff81000150, &all), 2u);
  EXPECT_EQ(all[0].name(), "middle");
  // Inside one label's size only: the covering one.
  EXPECT_EQ(NameAt(*s, 0xffffffff81000145), "label");
  EXPECT_EQ(NameAt(*s, 0xffffffff81000142), "__label");
  // Past middle too, inside outer: still the labels' group.
  EXPECT_EQ(NameAt(*s, 0xffffffff810001a0), "label");
  EXPECT_EQ(testutil::CheckFastPaths(*s, testutil::AddressesAroundSymbols(*s)),
            "");
}

TEST(LookupTest, AddrBetweenFunctions) {
  auto s = SymbolizerFromCatalog(Sample());
  // `small` is 0x10 bytes, the next symbol starts 0x100 later.
  EXPECT_EQ(NameAt(*s, 0xffffffff8100040f), "small");
  LookupResult r = s->Lookup(0xffffffff81000410);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.reason, NotFoundReason::kInGap);
}

TEST(LookupTest, AddrPastLastSymbol) {
  auto s = SymbolizerFromCatalog(Sample());
  // The last symbol has no known end: only its own address finds it.
  EXPECT_EQ(NameAt(*s, 0xffffffffc0a02000), "ext4_data");
  LookupResult r = s->Lookup(0xffffffffc0a02001);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.reason, NotFoundReason::kPastLastSymbol);
}

TEST(LookupTest, EmptyIndex) {
  auto s = SymbolizerFromCatalog(Catalog());
  EXPECT_EQ(s->Lookup(0x1000).reason, NotFoundReason::kEmptyIndex);
}

TEST(LookupTest, LookupAllListsAliases) {
  auto s = SymbolizerFromCatalog(Sample());
  std::vector<SymbolInfo> all;
  s->LookupAll(0xffffffff81000004, &all);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name(), "startup_64");
  EXPECT_EQ(all[1].name(), "_stext");
  EXPECT_EQ(all[2].name(), "_text");
  s->LookupAll(0x10, &all);
  EXPECT_TRUE(all.empty());
}

// An object's data annotation is shown on its data symbols, its text
// annotation on its functions: neither changes how the other kind prints.
TEST(FormatTest, DataAndTextAnnotationsAreShownByKind) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "fork_fn", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "exit_fn", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff82000000, "__key.0", 'b'));
  c.symbols.push_back(MakeSymbol(0xffffffff82000008, "__key.0", 'b'));
  const uint32_t fork = c.InternObject("kernel/fork.o");
  const uint32_t exit = c.InternObject("kernel/exit.o");
  c.objects[fork].data_annotation = "fork.o";
  c.objects[exit].data_annotation = "exit.o";
  c.objects[exit].annotation = "kernel/exit.o";
  c.symbols[1].object = fork;
  c.symbols[2].object = exit;
  c.symbols[3].object = fork;
  c.symbols[4].object = exit;
  auto s = SymbolizerFromCatalog(c);
  auto line = [&](uint64_t a) {
    return s->KallmodsymsLine(s->Lookup(a).symbol);
  };
  EXPECT_EQ(line(0xffffffff81000100), "ffffffff81000100 t fork_fn");
  EXPECT_EQ(line(0xffffffff81000200),
            "ffffffff81000200 t exit_fn\t{kernel/exit.o}");
  EXPECT_EQ(line(0xffffffff82000000), "ffffffff82000000 b __key.0\t{fork.o}");
  EXPECT_EQ(s->QualifiedName(s->Lookup(0xffffffff82000008).symbol),
            "__key.0 {exit.o}");
  // Each printed name resolves back to its symbol alone.
  absl::StatusOr<Candidate> got = s->ResolveUnique("__key.0 {exit.o}");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->symbol.address, 0xffffffff82000008u);
  std::vector<Candidate> ambiguous;
  EXPECT_FALSE(s->ResolveUnique("__key.0", &ambiguous).ok());
  EXPECT_EQ(ambiguous.size(), 2u);
}

TEST(FormatTest, QualifiedNamesAndKallmodsymsLines) {
  auto s = SymbolizerFromCatalog(Sample());
  auto line = [&](uint64_t a) {
    return s->KallmodsymsLine(s->Lookup(a).symbol);
  };
  auto qual = [&](uint64_t a) { return s->QualifiedName(s->Lookup(a).symbol); };
  EXPECT_EQ(line(0xffffffff81000300),
            "ffffffff81000300 t init_once\t[rapl] {inode.o}");
  EXPECT_EQ(qual(0xffffffff81000300), "init_once [rapl] {inode.o}");
  EXPECT_EQ(line(0xffffffff81000200), "ffffffff81000200 t init_once");
  EXPECT_EQ(line(0xffffffff81000400),
            "ffffffff81000400 t small\t[liquidio] [liquidio_vf]");
  // Every symbol carries its modules, built-in or loadable, whatever its
  // type (data too: the naming rule of catalog.h NameKind).
  EXPECT_EQ(line(0xffffffff81000600), "ffffffff81000600 D jiffies\t[rapl]");
  EXPECT_EQ(line(0xffffffffc0a01000),
            "ffffffffc0a01000 t ext4_fill_super\t[ext4]");
  EXPECT_EQ(s->KallmodsymsLine(s->Symbol(s->index().symbol_count() - 1)),
            "ffffffffc0a02000 d ext4_data\t[ext4]");
}

TEST(ResolveTest, PlainNameFindsEveryDuplicate) {
  auto s = SymbolizerFromCatalog(Sample());
  absl::StatusOr<std::vector<Candidate>> c = s->Resolve("init_once");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].address, 0xffffffff81000200u);
  EXPECT_EQ((*c)[1].address, 0xffffffff81000300u);
}

// Every line of the ambiguity message after the first is a query that
// ResolveUnique maps to exactly one of the candidates, and together they
// name all of them, even where the qualified name itself stays ambiguous.
TEST(ResolveTest, AmbiguitySuggestionsRoundTrip) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "init_once"));
  c.symbols.push_back(MakeSymbol(0x2000, "init_once"));
  c.symbols.push_back(MakeSymbol(0x3000, "init_once"));  // no object
  c.symbols.push_back(MakeSymbol(0x4000, "init_once"));  // no object either
  c.symbols.push_back(MakeSymbol(0x5000, "end"));
  c.symbols[0].object = c.InternObject("fs/inode.o");
  c.symbols[1].object = c.InternObject("fs/proc/inode.o");
  c.objects[0].annotation = "fs/inode.o";
  c.objects[1].annotation = "proc/inode.o";
  auto s = SymbolizerFromCatalog(std::move(c));
  struct Case {
    const char* query;
    uint64_t offset;
    std::vector<std::string> suggestions;
    std::set<uint64_t> selected;
  };
  const Case kCases[] = {
      // The bare name is what the two unannotated symbols print as.
      {"init_once", 0, {"init_once @0x3000", "init_once @0x4000"}, {0x3000, 0x4000}},
      {"init_once+0x4", 4, {"init_once+0x4 @0x3000", "init_once+0x4 @0x4000"},
       {0x3000, 0x4000}},
      {"init_once {inode}", 0, {"init_once {fs/inode.o}", "init_once {proc/inode.o}"},
       {0x1000, 0x2000}},
  };
  for (const Case& k : kCases) {
    std::vector<Candidate> ambiguous;
    absl::StatusOr<Candidate> r = s->ResolveUnique(k.query, &ambiguous);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    std::vector<std::string> lines =
        absl::StrSplit(r.status().message(), '\n');
    ASSERT_EQ(lines.size(), k.suggestions.size() + 1) << r.status();
    std::set<uint64_t> selected;
    for (size_t j = 1; j < lines.size(); ++j) {
      EXPECT_EQ(lines[j], "  " + k.suggestions[j - 1]);
      absl::StatusOr<Candidate> back = s->ResolveUnique(lines[j].substr(2));
      ASSERT_TRUE(back.ok()) << lines[j] << ": " << back.status();
      EXPECT_EQ(back->address - back->symbol.address, k.offset);
      selected.insert(back->symbol.address);
    }
    EXPECT_EQ(selected, k.selected) << k.query;
  }
}

// arm64 has kernel/smp.o and arch/arm64/kernel/smp.o, both with a static
// __kern_my_cpu_offset: `{kernel/smp.o}`, the whole path of one and a
// suffix of the other, selects the one of that path; a shorter suffix
// still selects both.
TEST(ResolveTest, AWholeObjectPathSelectsThatObject) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "__kern_my_cpu_offset"));
  c.symbols.push_back(MakeSymbol(0x2000, "__kern_my_cpu_offset"));
  c.symbols[0].object = c.InternObject("arch/arm64/kernel/smp.o");
  c.symbols[1].object = c.InternObject("kernel/smp.o");
  c.objects[0].annotation = "arm64/kernel/smp.o";
  c.objects[1].annotation = "kernel/smp.o";
  auto s = SymbolizerFromCatalog(std::move(c));
  auto addresses = [&](const char* q) {
    std::set<uint64_t> out;
    // Held: a range-for over *Resolve(q) would outlive the StatusOr.
    const auto resolved = s->Resolve(q);
    EXPECT_TRUE(resolved.ok()) << resolved.status();
    if (!resolved.ok()) return out;
    for (const Candidate& k : *resolved) out.insert(k.symbol.address);
    return out;
  };
  EXPECT_EQ(addresses("__kern_my_cpu_offset {kernel/smp.o}"),
            (std::set<uint64_t>{0x2000}));
  EXPECT_EQ(addresses("__kern_my_cpu_offset {arm64/kernel/smp.o}"),
            (std::set<uint64_t>{0x1000}));
  EXPECT_EQ(addresses("__kern_my_cpu_offset {smp.o}"),
            (std::set<uint64_t>{0x1000, 0x2000}));
}

TEST(ResolveTest, UniqueOrAmbiguityListingCandidates) {
  // Two objects annotated with their path suffixes: neither is named by
  // the bare name, so that stays ambiguous.
  Catalog amb;
  amb.symbols.push_back(MakeSymbol(0x1000, "init_once"));
  amb.symbols.push_back(MakeSymbol(0x2000, "init_once"));
  amb.symbols.push_back(MakeSymbol(0x3000, "end"));
  amb.symbols[0].object = amb.InternObject("fs/inode.o");
  amb.symbols[1].object = amb.InternObject("fs/proc/inode.o");
  amb.objects[0].annotation = "fs/inode.o";
  amb.objects[1].annotation = "proc/inode.o";
  std::vector<Candidate> ambiguous;
  absl::StatusOr<Candidate> c =
      SymbolizerFromCatalog(std::move(amb))->ResolveUnique("init_once", &ambiguous);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.status().message(),
            "\"init_once\" is ambiguous: 2 symbols match; select one "
            "with:\n  init_once {fs/inode.o}\n  init_once {proc/inode.o}");
  EXPECT_EQ(ambiguous.size(), 2u);
  // Here the bare name is the core symbol's printed name.
  auto s = SymbolizerFromCatalog(Sample());
  EXPECT_EQ(s->ResolveUnique("init_once")->symbol.address, 0xffffffff81000200u);
  for (const char* q : {"init_once [rapl]", "rapl:init_once",
                        "init_once {inode}", "init_once {fs/inode.o}",
                        "init_once\t[rapl] {inode.o}"}) {
    absl::StatusOr<Candidate> u = s->ResolveUnique(q);
    ASSERT_TRUE(u.ok()) << q << ": " << u.status();
    EXPECT_EQ(u->address, 0xffffffff81000300u) << q;
  }
  EXPECT_EQ(s->ResolveUnique("nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(s->ResolveUnique("nope").status().message(),
            "no symbol matches \"nope\"");
  EXPECT_EQ(s->ResolveUnique("init_once {ode}").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ResolveTest, UniquePrefersTheExactQualifiedNameThenText) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "frontend_changed", 't'));
  c.symbols.push_back(MakeSymbol(0x2000, "frontend_changed", 't'));
  c.symbols.push_back(MakeSymbol(0x3000, "watchdog", 't'));
  c.symbols.push_back(MakeSymbol(0x4000, "watchdog", 'b'));
  c.symbols.push_back(MakeSymbol(0x5000, "end", 't'));
  c.symbols[1].module_set = c.InternModuleSet({"xenbus_probe_frontend"});
  auto s = SymbolizerFromCatalog(std::move(c));
  // Plain Resolve lists every match...
  EXPECT_EQ(s->Resolve("frontend_changed")->size(), 2u);
  EXPECT_EQ(s->Resolve("watchdog")->size(), 2u);
  // ...but the printed qualified names select one each.
  EXPECT_EQ(s->ResolveUnique("frontend_changed")->symbol.address, 0x1000u);
  EXPECT_EQ(s->ResolveUnique("frontend_changed [xenbus_probe_frontend]")
                ->symbol.address,
            0x2000u);
  EXPECT_EQ(s->ResolveUnique("watchdog")->symbol.address, 0x3000u);
}

TEST(ResolveTest, OffsetAndLength) {
  auto s = SymbolizerFromCatalog(Sample());
  absl::StatusOr<std::vector<Candidate>> c =
      s->Resolve("rapl:init_once+0x12");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].address, 0xffffffff81000312u);
  // LEN narrows duplicates by size; both init_once are 0x100 long.
  c = s->Resolve("init_once+0x12/0x100");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 2u);
  c = s->Resolve("init_once+0x12/0x80");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 0u);
  // An offset past the end rules a candidate out.
  c = s->Resolve("init_once+0x200");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 0u);
  // A size-exact symbol matches its st_size or its kallsyms distance.
  EXPECT_EQ(s->Resolve("small+0x4/0x10")->size(), 1u);
  EXPECT_EQ(s->Resolve("small+0x4/0x100")->size(), 1u);
}

TEST(ResolveTest, ModuleSetsPreferExactMatch) {
  auto s = SymbolizerFromCatalog(Sample());
  EXPECT_EQ(s->Resolve("small [liquidio]")->size(), 1u);
  EXPECT_EQ(s->Resolve("small [liquidio] [liquidio_vf]")->size(), 1u);
  EXPECT_EQ(s->Resolve("small [rapl]")->size(), 0u);
  EXPECT_EQ(s->Resolve("ext4:ext4_fill_super")->size(), 1u);
}

TEST(ResolveTest, SyntaxErrorIsInvalidArgument) {
  auto s = SymbolizerFromCatalog(Sample());
  EXPECT_EQ(s->Resolve("init_once [rapl").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Random symbols, inferred and exact sizes, aliases and nesting, checked
// against a brute-force scan over a plain std::multimap.
TEST(LookupOracleTest, RandomAgainstBruteForce) {
  for (bool with_exact : {false, true}) {
    std::mt19937_64 rng(20261124 + with_exact);
    Catalog c;
    std::set<std::pair<uint64_t, std::string>> seen;
    for (int i = 0; i < 3000; ++i) {
      uint64_t a = 0xffffffff81000000ull + (rng() % 200000) * 4;
      if (i % 10 == 0) a = rng() % 0x100000;  // a per-cpu segment
      std::string name = absl::StrCat("f", rng() % 2500);
      if (!seen.insert({a, name}).second) continue;
      Symbol s = MakeSymbol(a, name, "tTdWb"[rng() % 5]);
      if (with_exact && rng() % 3 == 0) {
        s.size = rng() % 0x2000;
        s.size_exact = true;
      }
      c.symbols.push_back(s);
    }
    c.FinalizeSizes();
    const std::vector<Symbol> syms = c.symbols;
    auto s = SymbolizerFromCatalog(c);
    uint64_t kernel_start = ~uint64_t{0};
    for (const Symbol& x : syms) {
      if (IsTextType(x.type)) kernel_start = std::min(kernel_start, x.address);
    }
    std::vector<SymbolInfo> all;
    for (int q = 0; q < 20000; ++q) {
      uint64_t addr = q % 7 == 0 ? syms[rng() % syms.size()].address
                                 : (q % 10 == 0 ? rng() % 0x200000
                                                : 0xffffffff81000000ull +
                                                      rng() % 900000);
      std::multiset<std::pair<uint64_t, std::string>> want;
      const uint64_t last = syms.back().address;
      for (const Symbol& x : syms) {
        if (addr < kernel_start) break;  // not a kernel address
        // Sizeless symbols: the last, and those absurdly far from the
        // next, cover only their own address.
        const bool own_only =
            !x.size_exact &&
            (x.address == last ||
             x.size > KernelAddressRule::kMaxInferredExtent) &&
            addr == x.address;
        const bool sized = x.size_exact ||
                           x.size <= KernelAddressRule::kMaxInferredExtent;
        if (own_only ||
            (sized && addr >= x.address && addr - x.address < x.size)) {
          want.insert({x.address, x.name});
        }
      }
      s->LookupAll(addr, &all);
      std::multiset<std::pair<uint64_t, std::string>> got;
      for (const SymbolInfo& x : all) got.insert({x.address, std::string(x.name())});
      ASSERT_EQ(got, want) << std::hex << addr;
      LookupResult r = s->Lookup(addr);
      ASSERT_EQ(r.found, !want.empty()) << std::hex << addr;
      // The nearest symbol at or below (the kernel's get_symbol_pos).
      uint64_t below = 0;
      for (const Symbol& x : syms) {
        if (x.address <= addr) below = std::max(below, x.address);
      }
      if (r.found && want.rbegin()->first == below) {
        // The best answer starts highest among the covering symbols.
        EXPECT_EQ(r.symbol.address, want.rbegin()->first);
        EXPECT_EQ(r.symbol.name(), all[0].name());
        EXPECT_FALSE(Symbolizer::PastSize(r.symbol, r.offset));
      } else if (r.found) {
        // Only symbols from below the nearest one reach the address: it
        // is named as the kernel names it, past its size.
        EXPECT_EQ(r.symbol.address, below) << std::hex << addr;
        EXPECT_TRUE(Symbolizer::PastSize(r.symbol, r.offset));
      }
    }
  }
}

// Thousands of names at one address (made-up or hostile input) are ranked
// once at open: answers equal the kallsyms order computed by brute force,
// and LookupAll returns the best kMaxCovering (256) in order.
TEST(LookupOracleTest, LargeAliasGroupsRankLikeSmallOnes) {
  for (int group : {100, 129, 1000, 5000}) {
    SCOPED_TRACE(group);
    std::mt19937_64 rng(7 + group);
    const uint64_t base = 0xffffffff81001000ull;
    Catalog c;
    c.symbols.push_back(MakeSymbol(0xffffffff81000000ull, "_text", 'T'));
    for (int i = 0; i < group; ++i) {
      std::string name = std::string(rng() % 3, '_') +
                         absl::StrCat("a", rng() % 100000, "_", i);
      Symbol s = MakeSymbol(base, name, "tTWw"[rng() % 4]);
      if (rng() % 3 == 0) {
        s.size = 1 + rng() % 0x3000;
        s.size_exact = true;
      }
      c.symbols.push_back(s);
    }
    c.symbols.push_back(MakeSymbol(base + 0x1000, "after", 'T'));
    c.FinalizeSizes();
    const std::vector<Symbol> syms = c.symbols;
    auto s = SymbolizerFromCatalog(c);
    // scripts/kallsyms.c order (no name here looks like a linker-script
    // PROVIDE), after the innermost extent.
    struct Key {
      uint64_t end;
      bool weak;
      size_t underscores;
      std::string name;
      bool operator<(const Key& o) const {
        if (end != o.end) return end < o.end;
        if (weak != o.weak) return !weak;
        if (underscores != o.underscores) return underscores < o.underscores;
        return name < o.name;
      }
    };
    std::vector<SymbolInfo> all;
    for (uint64_t addr : {base, base + 1, base + 0x7ff, base + 0xfff,
                          base + 0x1000, base + 0x1800, base + 0x2fff}) {
      SCOPED_TRACE(addr - base);
      std::vector<Key> want;
      for (const Symbol& x : syms) {
        if (x.address != base || addr - base >= x.size) continue;
        const char t = x.type;
        size_t u = 0;
        while (u < x.name.size() && x.name[u] == '_') ++u;
        want.push_back({x.address + x.size, t == 'w' || t == 'W', u, x.name});
      }
      std::sort(want.begin(), want.end());
      s->LookupAll(addr, &all);
      LookupResult r = s->Lookup(addr);
      if (addr > base + 0x1000 && want.empty()) {
        EXPECT_FALSE(r.found);  // nothing reaches it
        continue;
      }
      if (addr >= base + 0x1000) {
        // The higher start wins over any group member reaching past it;
        // past its own address (it has no size) too, where a member still
        // covers: the kernel names the nearest symbol at or below.
        ASSERT_TRUE(r.found);
        EXPECT_EQ(r.symbol.name(), "after");
        EXPECT_EQ(r.offset, addr - base - 0x1000);
        EXPECT_EQ(Symbolizer::PastSize(r.symbol, r.offset),
                  addr != base + 0x1000);
        continue;
      }
      ASSERT_EQ(all.size(), std::min<size_t>(want.size(), 256));
      if (want.empty()) {
        EXPECT_FALSE(r.found);
        continue;
      }
      for (size_t k = 0; k < all.size(); ++k) {
        ASSERT_EQ(all[k].name(), want[k].name) << k;
      }
      ASSERT_TRUE(r.found);
      EXPECT_EQ(r.symbol.name(), want[0].name);
      EXPECT_EQ(r.offset, addr - base);
    }
  }
}

TEST(LookupBatchTest, SameAnswersAsLookup) {
  auto s = SymbolizerFromCatalog(Sample());
  std::vector<uint64_t> addrs;
  for (uint64_t a = 0xffffffff80fffff0; a < 0xffffffff81000700; a += 8) {
    addrs.push_back(a);
  }
  std::vector<LookupResult> out(addrs.size());
  s->LookupBatch(addrs, absl::MakeSpan(out));
  for (size_t k = 0; k < addrs.size(); ++k) {
    LookupResult one = s->Lookup(addrs[k]);
    ASSERT_EQ(out[k].found, one.found) << k;
    if (one.found) {
      EXPECT_EQ(out[k].symbol.index, one.symbol.index);
      EXPECT_EQ(out[k].offset, one.offset);
    }
  }
}

// Locate + Facts + Name answer what Lookup does, for every address of the
// sample (aliases, nesting, gaps, module and data symbols), one by one and
// as a batch, sorted and unsorted.
TEST(LocateTest, SameAnswersAsLookup) {
  auto s = SymbolizerFromCatalog(Sample());
  std::vector<uint64_t> addrs;
  for (uint64_t a = 0xffffffff80fffff0; a < 0xffffffff81000700; a += 4) {
    addrs.push_back(a);
  }
  addrs.push_back(0xffffffffc0a01000);
  addrs.push_back(0xffffffffc0a01004);
  addrs.push_back(0xffffffffc0a02000);
  addrs.push_back(0xffffffffc0a02008);
  std::vector<uint64_t> shuffled = addrs;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(7));
  for (const std::vector<uint64_t>* list : {&addrs, &shuffled}) {
    std::vector<SymbolHit> batch(list->size());
    s->LocateBatch(*list, absl::MakeSpan(batch));
    for (size_t k = 0; k < list->size(); ++k) {
      const uint64_t a = (*list)[k];
      LookupResult want = s->Lookup(a);
      SymbolHit hit = s->Locate(a);
      ASSERT_EQ(hit.found(), want.found) << std::hex << a;
      EXPECT_EQ(hit.reason, want.reason) << std::hex << a;
      EXPECT_EQ(batch[k].symbol, hit.symbol) << std::hex << a;
      EXPECT_EQ(batch[k].offset, hit.offset) << std::hex << a;
      EXPECT_EQ(batch[k].reason, hit.reason) << std::hex << a;
      if (!want.found) continue;
      EXPECT_EQ(hit.symbol, want.symbol.index);
      EXPECT_EQ(hit.offset, want.offset);
      SymbolFacts f = s->Facts(hit.symbol);
      EXPECT_EQ(f.index, want.symbol.index);
      EXPECT_EQ(f.address, want.symbol.address);
      EXPECT_EQ(f.size, want.symbol.size) << std::hex << a;
      EXPECT_EQ(f.size_exact, want.symbol.size_exact);
      EXPECT_EQ(f.type, want.symbol.type);
      EXPECT_EQ(f.module_set, want.symbol.module_set);
      EXPECT_EQ(f.object, want.symbol.object);
      char name[64], qualified[128];
      ASSERT_EQ(s->Name(hit.symbol, name, sizeof(name)),
                want.symbol.name().size());
      EXPECT_EQ(std::string(name), want.symbol.name());
      const std::string q = s->QualifiedName(want.symbol);
      ASSERT_EQ(s->QualifiedName(hit.symbol, qualified, sizeof(qualified)),
                q.size());
      EXPECT_EQ(std::string(qualified), q);
    }
  }
}

// Locate's fast path (a symbol alone at its address) and its general path
// answer as Lookup does, on random indexes with inferred sizes, exact
// sizes that stay below the next address, and exact sizes that overlap;
// with aliases and several segments.
TEST(LocateTest, RandomAgainstLookup) {
  for (int mode : {0, 1, 2}) {
    const bool with_exact = mode > 0;
    std::mt19937_64 rng(20261201 + mode);
    Catalog c;
    std::set<std::pair<uint64_t, std::string>> seen;
    for (int i = 0; i < 3000; ++i) {
      uint64_t a = 0xffffffff81000000ull + (rng() % 20000) * 4;
      if (i % 10 == 0) a = rng() % 0x100000;  // a per-cpu segment
      std::string name = absl::StrCat("f", rng() % 2500);
      if (!seen.insert({a, name}).second) continue;
      Symbol s = MakeSymbol(a, name, "tTdWb"[rng() % 5]);
      if (with_exact && rng() % 3 == 0) {
        // Addresses are 4 apart at least: mode 1 never overlaps.
        s.size = mode == 1 ? rng() % 4 : rng() % 0x200;
        s.size_exact = true;
      }
      c.symbols.push_back(s);
    }
    c.FinalizeSizes();
    auto s = SymbolizerFromCatalog(c);
    EXPECT_EQ(s->index().has_overlaps(), mode == 2);
    std::vector<uint64_t> addrs;
    for (int q = 0; q < 20000; ++q) {
      addrs.push_back(q % 2 ? 0xffffffff81000000ull + rng() % 90000
                            : rng() % 0x110000);
    }
    addrs.push_back(0);
    addrs.push_back(~uint64_t{0});
    std::vector<SymbolHit> batch(addrs.size());
    s->LocateBatch(addrs, absl::MakeSpan(batch));
    for (size_t k = 0; k < addrs.size(); ++k) {
      const LookupResult want = s->Lookup(addrs[k]);
      const SymbolHit hit = s->Locate(addrs[k]);
      ASSERT_EQ(hit.found(), want.found) << std::hex << addrs[k];
      ASSERT_EQ(hit.reason, want.reason) << std::hex << addrs[k];
      ASSERT_EQ(batch[k].symbol, hit.symbol) << std::hex << addrs[k];
      if (want.found) {
        ASSERT_EQ(hit.symbol, want.symbol.index) << std::hex << addrs[k];
        ASSERT_EQ(hit.offset, want.offset);
        ASSERT_EQ(batch[k].offset, want.offset);
      }
    }
    // Sorted, as a merge reuses the previous answer (with overlaps: a
    // symbol alone at its address that nothing earlier reaches).
    std::sort(addrs.begin(), addrs.end());
    s->LocateBatch(addrs, absl::MakeSpan(batch));
    for (size_t k = 0; k < addrs.size(); ++k) {
      const LookupResult want = s->Lookup(addrs[k]);
      ASSERT_EQ(batch[k].found(), want.found) << std::hex << addrs[k];
      ASSERT_EQ(batch[k].reason, want.reason) << std::hex << addrs[k];
      if (want.found) {
        ASSERT_EQ(batch[k].symbol, want.symbol.index) << std::hex << addrs[k];
        ASSERT_EQ(batch[k].offset, want.offset);
      }
    }
  }
}

// A batch is a merge of ascending runs with the address column: on random
// indexes (inferred sizes, exact sizes, overlapping ones; aliases, two
// segments), batches sorted, unsorted, and made of ascending runs that
// jump back, LocateBatch and LookupBatch answer each address as Locate and
// Lookup do one by one.
TEST(LocateTest, BatchesOfRunsAgainstSingleLookups) {
  for (int mode : {0, 1, 2}) {
    std::mt19937_64 rng(20261207 + mode);
    Catalog c;
    std::set<std::pair<uint64_t, std::string>> seen;
    for (int i = 0; i < 4000; ++i) {
      uint64_t a = 0xffffffff81000000ull + (rng() % 30000) * 8;
      if (i % 16 == 0) a = rng() % 0x100000;                   // per-cpu
      if (i % 16 == 1) a = 0xffffffffc0000000ull + rng() % 0x10000;  // modules
      std::string name = absl::StrCat("g", rng() % 3000);
      if (!seen.insert({a, name}).second) continue;
      Symbol s = MakeSymbol(a, name, "tTdWb"[rng() % 5]);
      if (mode > 0 && rng() % 3 == 0) {
        s.size = mode == 1 ? rng() % 8 : rng() % 0x400;
        s.size_exact = true;
      }
      c.symbols.push_back(s);
    }
    c.FinalizeSizes();
    auto s = SymbolizerFromCatalog(c);
    ASSERT_TRUE(s->index().has_locate_table());
    auto random_address = [&]() -> uint64_t {
      switch (rng() % 4) {
        case 0: return rng() % 0x110000;
        case 1: return 0xffffffffc0000000ull + rng() % 0x11000;
        case 2: return rng();
        default: return 0xffffffff81000000ull + rng() % 250000;
      }
    };
    std::vector<uint64_t> sorted, unsorted, runs;
    for (int q = 0; q < 6000; ++q) sorted.push_back(random_address());
    std::sort(sorted.begin(), sorted.end());
    unsorted = sorted;
    std::shuffle(unsorted.begin(), unsorted.end(), rng);
    while (runs.size() < 6000) {
      std::vector<uint64_t> run(1 + rng() % 40);
      for (uint64_t& a : run) a = random_address();
      std::sort(run.begin(), run.end());
      runs.insert(runs.end(), run.begin(), run.end());
    }
    for (const std::vector<uint64_t>* list : {&sorted, &unsorted, &runs}) {
      std::vector<SymbolHit> hits(list->size());
      s->LocateBatch(*list, absl::MakeSpan(hits));
      std::vector<LookupResult> results(list->size());
      s->LookupBatch(*list, absl::MakeSpan(results));
      for (size_t k = 0; k < list->size(); ++k) {
        const uint64_t a = (*list)[k];
        const SymbolHit one = s->Locate(a);
        ASSERT_EQ(hits[k].symbol, one.symbol) << mode << " " << std::hex << a;
        ASSERT_EQ(hits[k].reason, one.reason) << std::hex << a;
        ASSERT_EQ(hits[k].offset, one.offset) << std::hex << a;
        const LookupResult want = s->Lookup(a);
        ASSERT_EQ(results[k].found, want.found) << std::hex << a;
        ASSERT_EQ(results[k].reason, want.reason) << std::hex << a;
        if (want.found) {
          ASSERT_EQ(results[k].symbol.index, want.symbol.index);
          ASSERT_EQ(results[k].offset, want.offset);
          ASSERT_EQ(results[k].symbol.size, want.symbol.size);
        }
      }
    }
  }
}

TEST(LocateTest, NotFoundCarriesTheReason) {
  auto s = SymbolizerFromCatalog(Sample());
  SymbolHit below = s->Locate(1);
  EXPECT_FALSE(below.found());
  EXPECT_EQ(below.symbol, SymbolHit::kNoSymbol);
  EXPECT_EQ(below.reason, NotFoundReason::kNotKernelAddress);
  EXPECT_EQ(s->Locate(0xffffffff81000420).reason, NotFoundReason::kInGap);
}

TEST(LocateTest, NamesFollowSnprintfTruncation) {
  auto s = SymbolizerFromCatalog(Sample());
  const SymbolHit hit = s->Locate(0xffffffff81000300);  // init_once [rapl] {inode.o}
  ASSERT_TRUE(hit.found());
  char buf[32];
  std::memset(buf, 'x', sizeof(buf));
  EXPECT_EQ(s->QualifiedName(hit.symbol, buf, 8), 26u);
  EXPECT_STREQ(buf, "init_on");
  EXPECT_EQ(buf[8], 'x');  // nothing written past cap
  EXPECT_EQ(s->Name(hit.symbol, buf, 1), 9u);
  EXPECT_STREQ(buf, "");
  EXPECT_EQ(s->Name(hit.symbol, nullptr, 0), 9u);
  EXPECT_EQ(s->QualifiedName(hit.symbol, buf, sizeof(buf)), 26u);
  EXPECT_STREQ(buf, "init_once [rapl] {inode.o}");
}

TEST(ConcurrencyTest, ReadersShareOneIndex) {
  auto s = SymbolizerFromCatalog(Sample());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 5000; ++k) {
        if (NameAt(*s, 0xffffffff81000150 + (k % 8)) != "inner") ++mismatches;
        if (s->Resolve("init_once")->size() != 2) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Clang ThinLTO kernels: kallsyms prints promoted statics with their
// .llvm.HASH suffix (6.12 and later). Real /proc/kallsyms form.
constexpr char kLtoKallsyms[] =
    "ffffffff81000000 T _text\n"
    "ffffffff8110a2c0 t __update_load_avg_se.llvm.5416523469137398262\n"
    "ffffffff8110a400 t __update_load_avg_se.llvm.11453402934802816102\n"
    "ffffffff8110a600 t cpu_show_common.llvm.15476349216440025838\n"
    "ffffffff8110a700 T perf_event_read\n"
    "ffffffff8110a800 t perf_event_read.llvm.9123\n"
    "ffffffff8110a900 t not_a_hash.llvm.12ab\n"
    "ffffffff8110aa00 T _etext\n"
    "ffffffffc0a01000 t e1000_get_hw_control.llvm.771\t[e1000e]\n"
    "ffffffffc0a01100 t e1000_get_hw_control.llvm.772\t[igb]\n"
    "ffffffffc0a02000 t igb_data\t[igb]\n";

std::unique_ptr<Symbolizer> FromKallsyms(const char* text) {
  absl::StatusOr<std::vector<KallsymsEntry>> e = ParseKallsyms(text, "kallsyms");
  EXPECT_TRUE(e.ok()) << e.status();
  Catalog c;
  for (const KallsymsEntry& k : *e) {
    Symbol s = MakeSymbol(k.address, k.name, k.type);
    if (!k.module.empty()) {
      s.module_set = c.InternModuleSet({k.module});
      c.loadable_module_sets.insert(s.module_set);
    }
    c.symbols.push_back(s);
  }
  return SymbolizerFromCatalog(std::move(c));
}

std::vector<std::string> Names(const std::vector<Candidate>& cs) {
  std::vector<std::string> out;
  for (const Candidate& c : cs) out.emplace_back(c.symbol.name());
  return out;
}

TEST(LlvmSuffixTest, BaseNames) {
  EXPECT_EQ(LlvmBaseName("cpu_show_common.llvm.15476349216440025838"),
            "cpu_show_common");
  EXPECT_EQ(LlvmBaseName("a.llvm.1.llvm.2"), "a.llvm.1");
  EXPECT_EQ(LlvmBaseName("not_a_hash.llvm.12ab"), "");
  EXPECT_EQ(LlvmBaseName("trailing.llvm."), "");
  EXPECT_EQ(LlvmBaseName(".llvm.123"), "");
  EXPECT_EQ(LlvmBaseName("plain"), "");
}

TEST(LlvmSuffixTest, BaseNameListsEveryCopy) {
  auto s = FromKallsyms(kLtoKallsyms);
  EXPECT_EQ(Names(*s->Resolve("__update_load_avg_se")),
            (std::vector<std::string>{
                "__update_load_avg_se.llvm.5416523469137398262",
                "__update_load_avg_se.llvm.11453402934802816102"}));
  std::vector<Candidate> ambiguous;
  absl::StatusOr<Candidate> u =
      s->ResolveUnique("__update_load_avg_se+0x10", &ambiguous);
  ASSERT_EQ(u.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(u.status().message(),
            "\"__update_load_avg_se+0x10\" is ambiguous: 2 symbols match; "
            "select one with:\n"
            "  __update_load_avg_se.llvm.5416523469137398262+0x10\n"
            "  __update_load_avg_se.llvm.11453402934802816102+0x10");
  ASSERT_EQ(ambiguous.size(), 2u);
  // Each listed query selects its copy.
  for (const Candidate& c : ambiguous) {
    absl::StatusOr<Candidate> one =
        s->ResolveUnique(s->SelectingQuery(c.symbol, 0x10));
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_EQ(one->symbol.index, c.symbol.index);
    EXPECT_EQ(one->address, c.symbol.address + 0x10);
  }
}

TEST(LlvmSuffixTest, SingleCopyResolvesByItsBaseName) {
  auto s = FromKallsyms(kLtoKallsyms);
  absl::StatusOr<Candidate> u = s->ResolveUnique("cpu_show_common");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->symbol.name(), "cpu_show_common.llvm.15476349216440025838");
  // The full name matches only itself; a non-decimal hash is no suffix.
  EXPECT_EQ(s->Resolve("cpu_show_common.llvm.15476349216440025838")->size(), 1u);
  EXPECT_TRUE(s->Resolve("not_a_hash")->empty());
}

TEST(LlvmSuffixTest, ExactNameStillWinsUniqueButBothAreListed) {
  auto s = FromKallsyms(kLtoKallsyms);
  EXPECT_EQ(Names(*s->Resolve("perf_event_read")),
            (std::vector<std::string>{"perf_event_read",
                                      "perf_event_read.llvm.9123"}));
  absl::StatusOr<Candidate> u = s->ResolveUnique("perf_event_read");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->symbol.name(), "perf_event_read");
}

TEST(LlvmSuffixTest, ModulesNarrowTheCopies) {
  auto s = FromKallsyms(kLtoKallsyms);
  EXPECT_EQ(s->Resolve("e1000_get_hw_control")->size(), 2u);
  absl::StatusOr<Candidate> u = s->ResolveUnique("igb:e1000_get_hw_control");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->symbol.name(), "e1000_get_hw_control.llvm.772");
}

// Two copies of `dup` whose ELF and kallsyms lengths cross: the first is
// 0x14 bytes padded to 0x20, the second 0x20 bytes padded to 0x30.
Catalog CrossedLengths() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "dup", 't', 0x14, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000120, "next_a", 't', 0x10, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "dup", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000230, "next_b", 't', 0x10, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "_etext", 'T'));
  return c;
}

TEST(LengthMatchTest, KernelLengthFirstThenElfSize) {
  auto s = SymbolizerFromCatalog(CrossedLengths());
  // 0x20 is the first copy's kernel length and the second's ELF size: the
  // kernel's definition wins.
  std::vector<Candidate> c = *s->Resolve("dup+0x4/0x20");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].symbol.address, 0xffffffff81000100u);
  EXPECT_EQ(c[0].address, 0xffffffff81000104u);
  EXPECT_EQ(c[0].length_match, LengthMatch::kKallsymsLength);
  c = *s->Resolve("dup+0x4/0x30");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].symbol.address, 0xffffffff81000200u);
  EXPECT_EQ(c[0].length_match, LengthMatch::kKallsymsLength);
  // No kernel length is 0x14: the ELF size is the fallback, and says so.
  c = *s->Resolve("dup+0x4/0x14");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].symbol.address, 0xffffffff81000100u);
  EXPECT_EQ(c[0].length_match, LengthMatch::kElfSize);
  EXPECT_EQ(std::string(LengthMatchText(c[0].length_match)),
            "the ELF size only; no candidate has it as the kernel's length");
  EXPECT_TRUE(s->Resolve("dup+0x4/0x99")->empty());
  EXPECT_FALSE(s->Resolve("dup+0x21/0x20").ok());  // offset past LEN
  // Without LEN both copies; nothing was asked of the length.
  c = *s->Resolve("dup+0x4");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].length_match, LengthMatch::kNotAsked);
  // An offset up to the ELF size without LEN; beyond it no match.
  EXPECT_EQ(s->Resolve("dup+0x14")->size(), 2u);
  EXPECT_EQ(s->Resolve("dup+0x15")->size(), 1u);
}

// Aliases of different sizes (valid, if no real kernel has them): the
// shorter one answers inside both extents, the longer one past the
// shorter's end. A batch must not carry the longer one's answer back into
// the shorter's extent (found by the proto_import fuzzer).
TEST(LookupBatchTest, AnAliasOfAnotherSizeIsNotReused) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T', 0x1000, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81001000, "short_a", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81001000, "short_b", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81001000, "long_one", 't', 0xa0, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81001100, "next", 't', 0x10, true));
  auto s = SymbolizerFromCatalog(std::move(c));
  const std::vector<uint64_t> addresses = {0xffffffff81001050, 0xffffffff8100103f,
                                           0xffffffff81001000, 0xffffffff81001060};
  std::vector<LookupResult> batch(addresses.size());
  s->LookupBatch(addresses, absl::MakeSpan(batch));
  std::vector<SymbolHit> hits(addresses.size());
  s->LocateBatch(addresses, absl::MakeSpan(hits));
  for (size_t k = 0; k < addresses.size(); ++k) {
    const LookupResult single = s->Lookup(addresses[k]);
    ASSERT_TRUE(single.found) << k;
    EXPECT_EQ(batch[k].symbol.index, single.symbol.index) << k;
    EXPECT_EQ(hits[k].symbol, single.symbol.index) << k;
  }
  EXPECT_EQ(s->Lookup(0xffffffff8100103f).symbol.name(), "short_a");
  EXPECT_EQ(s->Lookup(0xffffffff81001050).symbol.name(), "long_one");
}

// The fast paths (the locate table's FindNear, Locate's answer from it,
// LookupBatch through LocateBatch's merge) against the plain ones, field
// by field, around every symbol of made-up indexes with aliases (a group
// large enough to be ranked at open), nested and overlapping exact sizes,
// gaps that cut the locate table into ranges, a per-cpu segment, module
// areas with their own module sets, and the sample.
TEST(FastPathTest, SameAnswersAsThePlainPaths) {
  {
    auto s = SymbolizerFromCatalog(Sample());
    EXPECT_EQ(testutil::CheckFastPaths(
                  *s, testutil::AddressesAroundSymbols(*s)),
              "");
  }
  for (int mode : {0, 1, 2}) {
    std::mt19937_64 rng(20261208 + mode);
    Catalog c;
    const uint32_t ext4 = c.InternModuleSet({"ext4"});
    const uint32_t xfs = c.InternModuleSet({"xfs"});
    c.loadable_module_sets.insert(ext4);
    c.loadable_module_sets.insert(xfs);
    std::set<std::pair<uint64_t, std::string>> seen;
    auto add = [&](uint64_t a, const std::string& name, char type) {
      if (!seen.insert({a, name}).second) return;
      Symbol sym = MakeSymbol(a, name, type);
      if (mode > 0 && rng() % 3 == 0) {
        sym.size = mode == 1 ? rng() % 8 : rng() % 0x3000;
        sym.size_exact = true;
      }
      if (a >= 0xffffffffc0000000ull) {
        sym.module_set = a < 0xffffffffc0100000ull ? ext4 : xfs;
      }
      c.symbols.push_back(sym);
    };
    for (int i = 0; i < 6000; ++i) {
      uint64_t a = 0xffffffff81000000ull + (rng() % 40000) * 8;
      switch (i % 16) {
        case 0: a = rng() % 0x100000; break;  // per-cpu: its own segment
        case 1: a = 0xffffffffc0000000ull + rng() % 0x20000; break;  // ext4
        case 2: a = 0xffffffffc0100000ull + rng() % 0x8000; break;   // xfs
        case 3: a = 0xffffffff83000000ull + rng() % 0x40000; break;  // a gap
        default: break;
      }
      add(a, absl::StrCat("s", rng() % 4000), "tTdWbr"[rng() % 6]);
    }
    // A large alias group (ranked at open) and a dense run of 1-byte
    // steps.
    for (int k = 0; k < 200; ++k) {
      add(0xffffffff81100000ull, absl::StrCat("alias", k), 't');
      add(0xffffffff81200000ull + k, absl::StrCat("dense", k), 't');
    }
    c.FinalizeSizes();
    auto s = SymbolizerFromCatalog(c);
    ASSERT_TRUE(s->index().has_locate_table());
    if (mode == 2) EXPECT_TRUE(s->index().has_overlaps());
    std::vector<uint64_t> addresses = testutil::AddressesAroundSymbols(*s);
    for (int q = 0; q < 20000; ++q) addresses.push_back(rng());
    std::shuffle(addresses.begin(), addresses.end(), rng);
    EXPECT_EQ(testutil::CheckFastPaths(*s, addresses), "") << "mode " << mode;
  }
}

}  // namespace
}  // namespace ksym
