// Index → SymbolTable: the exact encoding of each column, link-time and
// absolute exports of runtime indexes, UTF-8.
#include "proto/export.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "proto/import.h"
#include "proto/ksym.pb.h"
#include "proto/table_testing.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::prototest::Export;
using ::ksym::prototest::IndexBytes;
using ::ksym::prototest::Open;
using ::ksym::prototest::SampleCatalog;
using ::ksym::testutil::MakeSymbol;

TEST(Export, Columns) {
  proto::SymbolTable t = Export(SampleCatalog());
  EXPECT_EQ(t.version(), 1u);
  EXPECT_EQ(t.identity().release(), "6.1.0-28-cloud-amd64");
  EXPECT_EQ(t.identity().build_id(), "0123456789abcdef");
  EXPECT_EQ(t.identity().arch(), "x86_64");
  EXPECT_EQ(t.identity().address_space(), proto::ADDRESS_SPACE_RUNTIME);
  EXPECT_EQ(t.identity().kaslr_offset(), -0x1c000000);

  // Module names sorted; set ids ascend with the names.
  ASSERT_EQ(t.module_names_size(), 4);
  EXPECT_EQ(t.module_names(0), "ext4");
  EXPECT_EQ(t.module_names(1), "liquidio");
  EXPECT_EQ(t.module_names(2), "liquidio_vf");
  EXPECT_EQ(t.module_names(3), "rapl");
  ASSERT_EQ(t.module_sets_size(), 4);
  EXPECT_EQ(t.module_sets(0).module_ids_size(), 0);
  EXPECT_EQ(t.module_sets(2).module_ids(0), 1u);
  EXPECT_EQ(t.module_sets(2).module_ids(1), 2u);
  EXPECT_FALSE(t.module_sets(2).loadable());
  EXPECT_TRUE(t.module_sets(3).loadable());
  ASSERT_EQ(t.objects_size(), 2);
  EXPECT_EQ(t.objects(0).path(), "fs/inode.o");
  EXPECT_EQ(t.objects(0).annotation(), "inode.o");
  EXPECT_EQ(t.objects(1).annotation(), "");

  const proto::SymbolColumns& s = t.symbols();
  ASSERT_EQ(s.count(), 11u);
  // First absolute, then deltas; 0 for the alias.
  EXPECT_EQ(s.address_deltas(0), 0u);
  EXPECT_EQ(s.address_deltas(1), 0x1000u);
  EXPECT_EQ(s.address_deltas(2), 0xffffffff81000000u - 0x1000u);
  EXPECT_EQ(s.address_deltas(3), 0u);
  EXPECT_EQ(s.address_deltas(4), 0x100u);
  // Sorted by (address, name): _stext before _text.
  EXPECT_EQ(s.names(2), "_stext");
  EXPECT_EQ(s.names(3), "_text");
  // Sizes: 0 inferred, else size + 1 (exact 0 is 1).
  EXPECT_EQ(s.sizes(0), 0u);
  EXPECT_EQ(s.sizes(4), 0x101u);
  EXPECT_EQ(s.sizes(5), 0x21u);
  EXPECT_EQ(s.sizes(7), 1u);
  EXPECT_EQ(s.types(), "ADTTttttTtd");
  // The second init_once refers back to the first.
  ASSERT_EQ(s.names_size(), 10);
  EXPECT_EQ(s.names(6), "init_once");
  EXPECT_EQ(s.name_refs(6), 0u);
  EXPECT_EQ(s.name_refs(7), 7u);  // names[6]
  EXPECT_EQ(s.name_refs(8), 0u);
  // Runs: 6 core symbols, ext4 in super.o, liquidio in inode.o, core, rapl.
  ASSERT_EQ(s.attribution_run_lengths_size(), 5);
  const uint32_t lengths[] = {6, 1, 1, 1, 2};
  const uint32_t sets[] = {0, 1, 2, 0, 3};
  const uint32_t objects[] = {0, 2, 1, 0, 0};
  for (int r = 0; r < 5; ++r) {
    SCOPED_TRACE(r);
    EXPECT_EQ(s.attribution_run_lengths(r), lengths[r]);
    EXPECT_EQ(s.attribution_module_sets(r), sets[r]);
    EXPECT_EQ(s.attribution_objects(r), objects[r]);
  }
}

// A table shipped with a trace must not carry the KASLR slide: by default
// a runtime index exports link-time addresses.
TEST(Export, RuntimeIndexExportsLinkTimeAddressesByDefault) {
  std::unique_ptr<IndexReader> r = Open(IndexBytes(SampleCatalog()));
  std::string note;
  absl::StatusOr<proto::SymbolTable> t = ExportSymbolTable(*r, {}, &note);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->identity().address_space(), proto::ADDRESS_SPACE_STATIC);
  EXPECT_EQ(t->identity().kaslr_offset(), 0);
  EXPECT_NE(note.find("2 loadable-module symbols left out"), std::string::npos)
      << note;
  absl::StatusOr<Catalog> c = ImportSymbolTable(*t, "linktime");
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string index = IndexBytes(*c);
  std::unique_ptr<IndexReader> back = Open(index);
  ASSERT_EQ(back->symbol_count(), r->symbol_count() - 2);
  // Runtime = link + kaslr_offset (-0x1c000000 here): every image symbol
  // moved by exactly the slide, per-cpu offsets not at all, no module.
  for (uint32_t i = 0; i < back->symbol_count(); ++i) {
    const std::string name = back->NameString(i);
    SCOPED_TRACE(name);
    EXPECT_NE(name.rfind("rapl", 0), 0u);
    std::vector<uint32_t> same;
    r->ForEachNamed(name, [&](uint32_t k) { same.push_back(k); });
    ASSERT_FALSE(same.empty());
    const uint64_t runtime = r->Address(same.back());
    const uint64_t want = runtime < 0xffffffff00000000ull
                              ? runtime
                              : runtime + 0x1c000000;
    if (name != "init_once") {
      EXPECT_EQ(back->Address(i), want);
    }
    if (back->SizeExact(i)) {
      EXPECT_EQ(back->End(i) - back->Address(i),
                r->End(same.back()) - r->Address(same.back()))
          << "exact sizes kept";
    }
  }
  // --absolute: the runtime addresses and the slide, unchanged.
  absl::StatusOr<proto::SymbolTable> abs =
      ExportSymbolTable(*r, {.absolute = true}, &note);
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->identity().address_space(), proto::ADDRESS_SPACE_RUNTIME);
  EXPECT_EQ(abs->identity().kaslr_offset(), -0x1c000000);
  EXPECT_EQ(abs->symbols().count(), r->symbol_count());
}

TEST(Export, RuntimeIndexWithoutAKnownSlideNeedsAbsolute) {
  Catalog c;  // from /proc/kallsyms alone: runtime, slide unknown
  c.identity.kaslr_offset_known = false;
  c.symbols.push_back(MakeSymbol(0xffffffff9d000000, "_text", 'T'));
  c.FinalizeSizes();
  std::unique_ptr<IndexReader> r = Open(IndexBytes(c));
  absl::StatusOr<proto::SymbolTable> t = ExportSymbolTable(*r);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(t.status().message().find("--absolute"), absl::string_view::npos);
  EXPECT_TRUE(ExportSymbolTable(*r, {.absolute = true}).ok());
}

// The line section is exported (lines_test has its fields), with no note.
TEST(Export, ExportsTheLineTableWithoutANote) {
  Catalog c;
  c.identity.address_space = AddressSpace::kStatic;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T', 0x10, true));
  LineTable lines;
  lines.sections = {""};
  lines.prefixes = {""};
  lines.files = {{}, {0, "init/main.c"}};
  lines.names = {"_text"};
  lines.rows = {{0, 1, 1, 0}};
  lines.functions = {{0, 0xffffffff81000000, 0x10, 0, 0, 1, 0, 0}};
  c.lines = std::make_shared<const LineTable>(std::move(lines));
  c.FinalizeSizes();
  std::unique_ptr<IndexReader> r = Open(IndexBytes(c));
  ASSERT_TRUE(r->lines().present());
  std::string note = "stale";
  absl::StatusOr<proto::SymbolTable> t = ExportSymbolTable(*r, {}, &note);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(note, "");
  ASSERT_EQ(t->lines().functions_size(), 1);
  EXPECT_EQ(t->lines().functions(0).start_delta(), 0xffffffff81000000);
  EXPECT_EQ(t->lines().files(1).path(), "init/main.c");
}

TEST(Export, StaticIndexIsUnchangedEitherWay) {
  Catalog c = SampleCatalog();
  c.identity.address_space = AddressSpace::kStatic;
  std::unique_ptr<IndexReader> r = Open(IndexBytes(c));
  absl::StatusOr<std::string> a =
      ExportSymbolTableBytes(*r, ProtoFormat::kBinary);
  absl::StatusOr<std::string> b =
      ExportSymbolTableBytes(*r, ProtoFormat::kBinary, {.absolute = true});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(Export, NameThatIsNotUtf8IsRefused) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "caf\xc3", 't'));
  c.FinalizeSizes();
  std::unique_ptr<IndexReader> r = Open(IndexBytes(c));
  absl::StatusOr<proto::SymbolTable> t =
      ExportSymbolTable(*r, {.absolute = true});
  EXPECT_EQ(t.status(),
            absl::InvalidArgumentError("symbol name \"caf\\xc3\" is not UTF-8, "
                                       "which protobuf strings must be"));
}

TEST(Export, Utf8NameIsKept) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0x1000, "caf\xc3\xa9", 't'));
  c.FinalizeSizes();
  proto::SymbolTable t = Export(c);
  ASSERT_EQ(t.symbols().names_size(), 1);
  EXPECT_EQ(t.symbols().names(0), "caf\xc3\xa9");
}
}  // namespace
}  // namespace ksym
