// The object-facts stage on the synthetic kernel of testdata/synthetic
// (linker map and DWARF made by the system toolchain) and on hand-made
// STT_FILE groups.
#include "symbolizer/builder/object_facts.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ksym {
namespace {

const char kVmlinux[] = "testdata/synthetic/build/vmlinux";
const char kLinkerMap[] = "testdata/synthetic/build/vmlinux.map";

bool Covers(const std::vector<ObjectRange>& ranges, uint64_t address,
            absl::string_view object) {
  for (const ObjectRange& r : ranges) {
    if (r.begin <= address && address < r.end && r.object_path == object) {
      return true;
    }
  }
  return false;
}

TEST(ObjectFactsTest, LinkerMapRangesMoveByTheShift) {
  ResolvedInputs in;
  in.linker_map = kLinkerMap;
  in.vmlinux = kVmlinux;  // the map wins: DWARF is not read
  BuildLog log;
  absl::StatusOr<std::vector<ObjectRange>> r =
      ReadObjectRanges(in, 0x1000, log);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->empty());
  for (const ObjectRange& range : *r) {
    EXPECT_EQ(range.source, FactSource::kLinkerMap);
  }
  // schedule is at 0xffffffff81000428 in kernel/sched/core.o.
  EXPECT_TRUE(Covers(*r, 0xffffffff81000428 + 0x1000, "kernel/sched/core.o"));
  EXPECT_FALSE(Covers(*r, 0xffffffff81000428, "kernel/sched/core.o"));
  for (const std::string& w : log.warnings) {
    EXPECT_EQ(w.find("overlap"), std::string::npos) << w;
  }
}

// Two objects claiming the same bytes (a map edited or merged by hand) are
// said, not resolved silently.
TEST(ObjectFactsTest, OverlappingInputSectionsAreWarned) {
  const std::string path =
      std::string(getenv("TEST_TMPDIR")) + "/overlapping.map";
  std::ofstream(path) << "Linker script and memory map\n\n"
                         ".text           0xffffffff81000000      0x100\n"
                         " .text          0xffffffff81000000       0x40 "
                         "init/main.o\n"
                         " .text          0xffffffff81000020       0x40 "
                         "kernel/fork.o\n";
  ResolvedInputs in;
  in.linker_map = path;
  BuildLog log;
  absl::StatusOr<std::vector<ObjectRange>> r = ReadObjectRanges(in, 0, log);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_EQ(log.warnings[0],
            path + ": 1 input sections overlap another object's; a symbol "
                   "in the shared bytes gets the object of the smaller "
                   "section: .text of kernel/fork.o [0xffffffff81000020, "
                   "0xffffffff81000060) overlaps .text of init/main.o "
                   "[0xffffffff81000000, 0xffffffff81000040)");
}

TEST(ObjectFactsTest, DwarfWithoutALinkerMap) {
  ResolvedInputs in;
  in.vmlinux = kVmlinux;
  BuildLog log;
  absl::StatusOr<std::vector<ObjectRange>> r = ReadObjectRanges(in, 0, log);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].source, FactSource::kDwarf);
  EXPECT_TRUE(Covers(*r, 0xffffffff81000428, "kernel/sched/core.o"));
}

TEST(ObjectFactsTest, NoShiftNoObjectsAndSaysWhy) {
  ResolvedInputs in;
  in.vmlinux = kVmlinux;
  BuildLog log;
  absl::StatusOr<std::vector<ObjectRange>> r =
      ReadObjectRanges(in, std::nullopt, log);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("no KASLR offset"), std::string::npos);
}

Symbol S(char type, const char* name, uint32_t object = kNoObject) {
  Symbol s;
  s.type = type;
  s.name = name;
  s.object = object;
  return s;
}

TEST(ObjectFactsTest, FileGroupsGiveTheirObjectToUncoveredSymbols) {
  Catalog c;
  uint32_t core = c.InternObject("kernel/sched/core.o");
  c.InternObject("fs/inode.o");
  c.symbols = {S('t', "show_state", core),  // group 0 agrees: core.c
               S('d', "sched_data"),          // group 0, no range
               S('d', "inode_data"),          // group 1: stem unique
               S('t', "lonely")};             // group 2: no such object
  std::vector<int32_t> groups = {0, 0, 1, 2};
  std::vector<std::string> files = {"core.c", "inode.c", "entry.S"};
  AttributionStats stats;
  BuildLog log;
  CrossCheckFileGroups(groups, files, c, stats, log);
  EXPECT_EQ(c.symbols[1].object, core);
  EXPECT_EQ(c.objects[c.symbols[2].object].path, "fs/inode.o");
  EXPECT_EQ(c.symbols[3].object, kNoObject);
  EXPECT_EQ(stats.object_from[static_cast<size_t>(FactSource::kStFile)], 2u);
  EXPECT_TRUE(log.warnings.empty());
}

TEST(ObjectFactsTest, ADisagreeingGroupIsWarnedAndGivesNothing) {
  Catalog c;
  uint32_t inode = c.InternObject("fs/inode.o");
  c.symbols = {S('t', "show_state", inode), S('d', "sched_data")};
  std::vector<int32_t> groups = {0, 0};
  std::vector<std::string> files = {"core.c"};
  AttributionStats stats;
  BuildLog log;
  CrossCheckFileGroups(groups, files, c, stats, log);
  EXPECT_EQ(c.symbols[1].object, kNoObject);
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("show_state (core.c) in fs/inode.o"),
            std::string::npos)
      << log.warnings[0];
}

// arm64's objcopy --prefix-symbols renames STT_FILE entries with the
// symbols (__kvm_nvhe_switch.c, __kvm_nvhe_hyp-init.nvhe.o): they still
// name their object.
TEST(ObjectFactsTest, PrefixedStFileNamesAgreeWithTheirObject) {
  Catalog c;
  uint32_t sw = c.InternObject("arch/arm64/kvm/hyp/nvhe/switch.o");
  uint32_t init = c.InternObject("arch/arm64/kvm/hyp/nvhe/hyp-init.o");
  c.symbols = {S('t', "__kvm_nvhe___fpsimd_guest_restore", sw),
               S('t', "__kvm_nvhe___do_hyp_init", init),
               S('d', "__kvm_nvhe_hyp_data")};
  std::vector<int32_t> groups = {0, 1, 1};
  std::vector<std::string> files = {"__kvm_nvhe_switch.c",
                                    "__kvm_nvhe_hyp-init.nvhe.o"};
  AttributionStats stats;
  BuildLog log;
  CrossCheckFileGroups(groups, files, c, stats, log);
  EXPECT_TRUE(log.warnings.empty()) << log.warnings[0];
  EXPECT_EQ(c.symbols[2].object, init);
}

// A label (no ELF size) ending one object sits at the next object's start,
// where the ranges put it; its STT_FILE group gives it back its object.
TEST(ObjectFactsTest, ABoundaryLabelTakesItsGroupsObject) {
  Catalog c;
  uint32_t asm_o = c.InternObject("arch/arm64/mm/trans_pgd-asm.o");
  uint32_t next = c.InternObject("arch/arm64/mm/mteswap.o");
  Symbol sized = S('t', "hyp_stub_el1_sync", asm_o);
  sized.size_exact = true;
  sized.size = 128;
  c.symbols = {sized, S('t', "__trans_pgd_stub_vectors_end", next),
               S('t', "mte_free_tag_storage", next)};
  std::vector<int32_t> groups = {0, 0, 1};
  std::vector<std::string> files = {"trans_pgd-asm.o", "mteswap.c"};
  AttributionStats stats;
  BuildLog log;
  CrossCheckFileGroups(groups, files, c, stats, log);
  EXPECT_TRUE(log.warnings.empty()) << log.warnings[0];
  EXPECT_EQ(c.symbols[1].object, asm_o);
  EXPECT_EQ(c.symbols[2].object, next);
}

// A sized symbol is not a label: its disagreement stays a warning.
TEST(ObjectFactsTest, ASizedSymbolInTheWrongObjectStillDisagrees) {
  Catalog c;
  uint32_t asm_o = c.InternObject("arch/arm64/mm/trans_pgd-asm.o");
  uint32_t next = c.InternObject("arch/arm64/mm/mteswap.o");
  Symbol sized = S('t', "misplaced", next);
  sized.size_exact = true;
  sized.size = 8;
  c.symbols = {S('t', "hyp_stub_el1_sync", asm_o), sized};
  std::vector<int32_t> groups = {0, 0};
  std::vector<std::string> files = {"trans_pgd-asm.o"};
  AttributionStats stats;
  BuildLog log;
  CrossCheckFileGroups(groups, files, c, stats, log);
  EXPECT_EQ(c.symbols[1].object, next);
  ASSERT_EQ(log.warnings.size(), 1u);
}

// arm64's ftrace NOPs sit between a function's symbol and its DWARF
// low_pc: the range starting 8 bytes into the function starts at it.
TEST(ObjectFactsTest, RangesStartingAfterEntryNopsCoverTheFunction) {
  auto fn = [](uint64_t address, const char* name, uint64_t size) {
    Symbol s = S('T', name);
    s.address = address;
    s.size = size;
    s.size_exact = true;
    return s;
  };
  Catalog c;
  c.symbols = {fn(0x1000, "ext4_init_fs", 0x1ac),    // range at 0x1008
               fn(0x1200, "covered", 0x40),          // inside the range
               fn(0x2000, "tiny", 0x8),              // range at 0x2008: past it
               fn(0x3000, "far", 0x100),             // range at 0x3020: too far
               fn(0x4000, "mapped", 0x100)};         // linker-map range
  std::vector<ObjectRange> ranges = {
      {0x1008, 0x1300, "fs/ext4/super.o", FactSource::kDwarf},
      {0x2008, 0x2100, "a.o", FactSource::kDwarf},
      {0x3020, 0x3100, "b.o", FactSource::kDwarf},
      {0x4008, 0x4100, "c.o", FactSource::kLinkerMap},
  };
  EXPECT_EQ(CoverFunctionEntries(c, ranges), 1u);
  EXPECT_EQ(ranges[0].begin, 0x1000u);
  EXPECT_EQ(ranges[1].begin, 0x2008u);
  EXPECT_EQ(ranges[2].begin, 0x3020u);
  EXPECT_EQ(ranges[3].begin, 0x4008u);
}

// A function start another range already covers stays that range's.
TEST(ObjectFactsTest, ACoveredFunctionStartMovesNoRange) {
  Catalog c;
  Symbol s = S('t', "inside");
  s.address = 0x1000;
  s.size = 0x20;
  s.size_exact = true;
  c.symbols = {s};
  std::vector<ObjectRange> ranges = {
      {0x0f00, 0x1004, "a.o", FactSource::kDwarf},
      {0x1008, 0x1100, "b.o", FactSource::kDwarf},
  };
  EXPECT_EQ(CoverFunctionEntries(c, ranges), 0u);
  EXPECT_EQ(ranges[1].begin, 0x1008u);
}

// Data symbols of a repeated name that nothing placed take the object of
// the DWARF unit defining a variable at their address (the synthetic
// kernel's two static nr_running, in lib/string.c and kernel/sched/core.c);
// a unique name, a placed symbol and a linker-map build are left alone.
TEST(ObjectFactsTest, DwarfVariablesPlaceRepeatedDataNames) {
  constexpr int64_t kShift = 0x200000;
  auto make = [&] {
    Catalog c;
    auto add = [&](uint64_t link, char type, const char* name) {
      Symbol s;
      s.address = link + kShift;
      s.type = type;
      s.name = name;
      c.symbols.push_back(s);
    };
    add(0xffffffff82200000, 'd', "nr_running");
    add(0xffffffff82200024, 'b', "nr_running");
    add(0xffffffff8220002c, 'b', "inodes");
    return c;
  };
  ResolvedInputs in;
  in.vmlinux = kVmlinux;
  Catalog c = make();
  AttributionStats stats;
  BuildLog log;
  EXPECT_EQ(PlaceDataByDwarfVariables(in, kShift, {}, {}, c, stats, log), 2u);
  ASSERT_NE(c.symbols[0].object, kNoObject);
  EXPECT_EQ(c.objects[c.symbols[0].object].path, "lib/string.o");
  ASSERT_NE(c.symbols[1].object, kNoObject);
  EXPECT_EQ(c.objects[c.symbols[1].object].path, "kernel/sched/core.o");
  EXPECT_EQ(c.symbols[2].object, kNoObject);  // a unique name: not needed
  EXPECT_EQ(stats.object_from[static_cast<size_t>(FactSource::kDwarf)], 2u);

  // With STT_FILE groups, only the units named like them are walked: the
  // groups' own units place their symbols, other units are not read.
  c = make();
  EXPECT_EQ(PlaceDataByDwarfVariables(in, kShift, {0, 1, -1},
                                      {"string.c", "core.c"}, c, stats, log),
            2u);
  EXPECT_EQ(c.objects[c.symbols[0].object].path, "lib/string.o");
  c = make();
  EXPECT_EQ(PlaceDataByDwarfVariables(in, kShift, {0, 0, -1}, {"other.c"}, c,
                                      stats, log),
            0u);

  // Already placed: kept, and no DWARF walk for the other alone.
  c = make();
  c.symbols[0].object = c.InternObject("elsewhere.o");
  c.symbols[1].object = c.InternObject("kernel/sched/core.o");
  EXPECT_EQ(PlaceDataByDwarfVariables(in, kShift, {}, {}, c, stats, log), 0u);
  EXPECT_EQ(c.objects[c.symbols[0].object].path, "elsewhere.o");

  // A linker map places data sections itself; no shift, no facts.
  c = make();
  in.linker_map = kLinkerMap;
  EXPECT_EQ(PlaceDataByDwarfVariables(in, kShift, {}, {}, c, stats, log), 0u);
  in.linker_map.clear();
  EXPECT_EQ(
      PlaceDataByDwarfVariables(in, std::nullopt, {}, {}, c, stats, log), 0u);
}

}  // namespace
}  // namespace ksym
