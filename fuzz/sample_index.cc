#include "fuzz/sample_index.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/writer.h"

namespace ksym {
namespace {

Symbol Sym(uint64_t address, const char* name, char type, uint64_t size = 0,
           bool exact = false, uint32_t module_set = kNoModules,
           uint32_t object = kNoObject) {
  Symbol s;
  s.address = address;
  s.name = name;
  s.type = type;
  s.size = size;
  s.size_exact = exact;
  s.module_set = module_set;
  s.object = object;
  return s;
}

// Lines of `outer` (which inlines `inner_helper` twice deep) and of the
// second init_once, at link-time addresses (runtime minus the slide).
std::shared_ptr<const LineTable> SampleLines(uint64_t slide) {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "kernel/outer.c"}, {0, "/usr/include/helper.h"},
             {1, "fs/fat/inode.c"}};
  t.names = {"outer", "inner_helper", "leaf_helper", "init_once"};
  t.rows = {{0x0, 1, 10, 0}, {0x40, 2, 3, 5}, {0x60, 0, 0, 0},
            {0x80, 1, 12, 1}, {0x0, 3, 700, 2}, {0x10, 3, 705, 0}};
  t.inline_ranges = {{0x40, 0x80}, {0x48, 0x50}};
  t.calls = {{1, kNoParent, 1, 11, 2, 0, 1}, {2, 0, 2, 7, 9, 1, 1}};
  t.functions = {{0, 0xffffffff81000100 - slide, 0x100, 0, 0, 4, 0, 2},
                 {0, 0xffffffff81000340 - slide, 0x30, 3, 4, 2, 2, 0}};
  return std::make_shared<const LineTable>(std::move(t));
}

// Lines of the loadable ext4's init_once (inlining `inode_init_once`) and
// fat's, at their load addresses (format.h kModuleLines).
std::shared_ptr<const LineTable> SampleModuleLines() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "fs/ext4/super.c"}, {1, "fs/inode.c"},
             {1, "fs/fat/inode.c"}};
  t.names = {"init_once", "inode_init_once"};
  t.rows = {{0x0, 1, 1330, 0}, {0x10, 2, 420, 3}, {0x20, 1, 1334, 1},
            {0x0, 3, 760, 2}};
  t.inline_ranges = {{0x10, 0x20}};
  t.calls = {{1, kNoParent, 1, 1333, 2, 0, 1}};
  t.functions = {{0, 0xffffffffc0a01200, 0x40, 0, 0, 3, 0, 1},
                 {0, 0xffffffffc0b00000, 0x40, 0, 3, 1, 1, 0}};
  return std::make_shared<const LineTable>(std::move(t));
}

}  // namespace

Catalog SampleCatalog() {
  Catalog c;
  c.identity.release = "6.1.0-28-cloud-amd64";
  c.identity.build_id = "0123456789abcdef0123456789abcdef01234567";
  c.identity.arch = "x86_64";
  c.identity.address_space = AddressSpace::kRuntime;
  c.identity.kaslr_offset = 0x1c000000;
  const uint32_t rapl = c.InternModuleSet({"rapl"});
  const uint32_t lio = c.InternModuleSet({"liquidio", "liquidio_vf"});
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  const uint32_t fat = c.InternModuleSet({"fat"});
  c.loadable_module_sets.insert(ext4);
  c.loadable_module_sets.insert(fat);
  const uint32_t fs_inode = c.InternObject("fs/inode.o");
  const uint32_t fat_inode = c.InternObject("fs/fat/inode.o");
  const uint32_t sched = c.InternObject("kernel/sched/core.o");
  const uint32_t x86 = c.InternObject("arch/x86/events/core.o");
  const uint32_t vf =
      c.InternObject("drivers/net/ethernet/cavium/liquidio/cn23xx_vf_device.o");
  const uint32_t pf =
      c.InternObject("drivers/net/ethernet/cavium/liquidio/cn23xx_pf_device.o");

  // Per-cpu data near 0.
  c.symbols.push_back(Sym(0x0, "fixed_percpu_data", 'A'));
  c.symbols.push_back(Sym(0x1000, "cpu_number", 'D'));
  c.symbols.push_back(Sym(0x1008, "this_cpu_off", 'D', 8, true));
  // Core text: aliases, nested and overlapping symbols.
  c.symbols.push_back(Sym(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(Sym(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(Sym(0xffffffff81000000, "startup_64", 'T', 0x40, true));
  c.symbols.push_back(Sym(0xffffffff81000100, "outer", 't', 0x100, true));
  c.symbols.push_back(Sym(0xffffffff81000140, "inner", 't', 0x20, true));
  c.symbols.push_back(Sym(0xffffffff81000180, "inner2", 't', 0xa0, true));
  c.symbols.push_back(Sym(0xffffffff81000200, "init_once", 't', 0, false,
                          kNoModules, fs_inode));
  c.symbols.push_back(
      Sym(0xffffffff81000300, "init_once", 't', 0, false, rapl, fs_inode));
  c.symbols.push_back(
      Sym(0xffffffff81000340, "init_once", 't', 0x30, true, rapl, fat_inode));
  c.symbols.push_back(Sym(0xffffffff81000380, "rapl_cpu_offline", 't', 0x40,
                          true, rapl, fs_inode));
  c.symbols.push_back(Sym(0xffffffff81000400, "amd_pmu_event_map", 't', 0x20,
                          true, kNoModules, x86));
  c.symbols.push_back(Sym(0xffffffff81000420, "amd_pmu_event_map", 't', 0x20,
                          true, kNoModules, sched));
  c.symbols.push_back(Sym(0xffffffff81000440, "__schedule", 'T', 0x400, true,
                          kNoModules, sched));
  c.symbols.push_back(Sym(0xffffffff81000440, "__weak_alias", 'W', 0, false,
                          kNoModules, sched));
  c.symbols.push_back(Sym(0xffffffff81000900, "lio_ethtool_get_channels", 't',
                          0x80, true, lio, vf));
  c.symbols.push_back(Sym(0xffffffff81000980, "cn23xx_vf_mbox_thread", 't',
                          0x80, true, lio, vf));
  c.symbols.push_back(Sym(0xffffffff81000a00, "cn23xx_vf_mbox_thread", 't',
                          0x80, true, lio, pf));
  c.symbols.push_back(Sym(0xffffffff81000a80, "type_show", 't', 0x10, true));
  c.symbols.push_back(Sym(0xffffffff81000a90, "type_show", 't', 0x10, true));
  c.symbols.push_back(Sym(0xffffffff81000b00, "_etext", 'T'));
  c.symbols.push_back(Sym(0xffffffff82000000, "jiffies_64", 'D', 8, true));
  c.symbols.push_back(
      Sym(0xffffffff82000008, "rapl_pmus", 'b', 8, true, rapl, fs_inode));
  c.symbols.push_back(Sym(0xffffffff82001000, "__bss_stop", 'B'));
  // Loadable modules.
  c.symbols.push_back(
      Sym(0xffffffffc0a01000, "ext4_fill_super", 't', 0x200, true, ext4));
  c.symbols.push_back(
      Sym(0xffffffffc0a01200, "init_once", 't', 0x40, true, ext4));
  c.symbols.push_back(
      Sym(0xffffffffc0a02000, "ext4_data", 'd', 0, false, ext4));
  c.symbols.push_back(
      Sym(0xffffffffc0b00000, "init_once", 't', 0x40, true, fat));
  c.symbols.push_back(
      Sym(0xffffffffc0b00040, "fat_fill_super", 'T', 0, false, fat));
  c.lines = SampleLines(c.identity.kaslr_offset);
  c.module_lines = SampleModuleLines();
  c.FinalizeSizes();
  Disambiguate(c);
  return c;
}

std::string SampleIndexBytes() {
  absl::StatusOr<std::string> bytes = SerializeIndex(SampleCatalog());
  if (!bytes.ok()) {
    std::fprintf(stderr, "SerializeIndex: %s\n",
                 bytes.status().ToString().c_str());
    std::abort();
  }
  return *std::move(bytes);
}

std::string ManyAliasesIndexBytes(uint32_t aliases) {
  Catalog c = SampleCatalog();
  // `aliases` more names at _text's address (past the u16 counts and a
  // whole name block's worth), with exact and inferred sizes mixed so the
  // overlaps table grows too.
  const uint64_t text = 0xffffffff81000000;
  for (uint32_t k = 0; k < aliases; ++k) {
    Symbol s = Sym(text, "", k % 3 == 0 ? 'T' : 't', k % 5 == 0 ? 0x800 : 0,
                   k % 5 == 0);
    char name[32];
    std::snprintf(name, sizeof(name), "alias_%07u", k);
    s.name = name;
    c.symbols.push_back(std::move(s));
  }
  c.FinalizeSizes();
  absl::StatusOr<std::string> bytes = SerializeIndex(c);
  if (!bytes.ok()) {
    std::fprintf(stderr, "SerializeIndex: %s\n",
                 bytes.status().ToString().c_str());
    std::abort();
  }
  return *std::move(bytes);
}

void FixSectionCrcs(std::string& f) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  if (!head.ok()) return;  // refused before any section is read
  for (format::SectionEntry& e : head->sections) {
    if (e.offset > f.size() || e.size > f.size() - e.offset) continue;
    e.crc = format::SectionCrc(absl::string_view(f).substr(e.offset, e.size));
  }
  head->EncodeOver(&f);
}

}  // namespace ksym
