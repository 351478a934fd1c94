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
