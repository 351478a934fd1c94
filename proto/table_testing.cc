#include "proto/table_testing.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "proto/export.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace prototest {

using ::ksym::testutil::MakeSymbol;

LineTable SampleLines() {
  // Link-time addresses: runtime minus the slide (-0x1c000000).
  constexpr uint64_t kStatic = 0xffffffff81000000 + 0x1c000000;
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "kernel/outer.c"}, {0, "/usr/include/helper.h"},
             {1, "fs/inode.c"}};
  t.names = {"outer", "inner", "leaf", "init_once"};
  // outer: a statement of line 9 shares offset 0x40 with the row after it
  // (kept for FILE:LINE queries), then a gap, then line 12.
  t.rows = {{0x0, 1, 10, 0, true},  {0x40, 1, 9, 3, true},
            {0x40, 2, 3, 5, true},  {0x60, 0, 0, 0},
            {0x80, 1, 12, 1, true}, {0x0, 3, 700, 2, true},
            {0x10, 3, 705, 0}};
  // inner inlined into outer over two ranges (out of address order), leaf
  // into inner.
  t.inline_ranges = {{0x48, 0x80}, {0x40, 0x44}, {0x48, 0x50}};
  t.calls = {{1, kNoParent, 1, 11, 2, 0, 2}, {2, 0, 2, 7, 9, 2, 1}};
  t.functions = {{0, kStatic + 0x100, 0x100, 0, 0, 5, 0, 2},
                 {0, kStatic + 0x300, 0x30, 3, 5, 2, 2, 0}};
  return t;
}

Catalog SampleCatalog() {
  Catalog c;
  c.identity.release = "6.1.0-28-cloud-amd64";
  c.identity.build_id = "0123456789abcdef";
  c.identity.arch = "x86_64";
  c.identity.address_space = AddressSpace::kRuntime;
  c.identity.kaslr_offset = -0x1c000000;
  c.symbols.push_back(MakeSymbol(0x0, "fixed_percpu_data", 'A'));
  c.symbols.push_back(MakeSymbol(0x1000, "cpu_number", 'D'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "outer", 't', 0x100, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000140, "inner", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "_etext", 'T'));
  const uint32_t inode = c.InternObject("fs/inode.o");
  const uint32_t super = c.InternObject("fs/ext4/super.o");
  c.objects[inode].annotation = "inode.o";
  c.symbols[6].object = super;
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.symbols[6].module_set = ext4;
  const uint32_t both = c.InternModuleSet({"liquidio_vf", "liquidio"});
  c.symbols[7].module_set = both;
  c.symbols[7].object = inode;
  const uint32_t rapl = c.InternModuleSet({"rapl"});
  c.loadable_module_sets.insert(rapl);
  Symbol m = MakeSymbol(0xffffffffc0a01000, "rapl_cpu_online", 't');
  m.module_set = rapl;
  c.symbols.push_back(m);
  Symbol d = MakeSymbol(0xffffffffc0a02000, "rapl_data", 'd');
  d.module_set = rapl;
  c.symbols.push_back(d);
  c.lines = std::make_shared<const LineTable>(SampleLines());
  c.FinalizeSizes();
  return c;
}

std::string IndexBytes(const Catalog& c) {
  absl::StatusOr<std::string> bytes = SerializeIndex(c);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

std::unique_ptr<IndexReader> Open(std::string bytes) {
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(std::move(bytes), "test.ksym");
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : nullptr;
}

proto::SymbolTable Export(const Catalog& c) {
  std::unique_ptr<IndexReader> r = Open(IndexBytes(c));
  absl::StatusOr<proto::SymbolTable> t =
      ExportSymbolTable(*r, {.absolute = true});
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : proto::SymbolTable();
}

}  // namespace prototest
}  // namespace ksym
