// SymbolTable → Catalog: index → table → index round trips in all three
// formats, what the imported catalog holds, and damaged tables refused
// (never a crash). Each check's messages: validate_test.cc.
#include "proto/import.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "proto/export.h"
#include "proto/ksym.pb.h"
#include "proto/table_testing.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::prototest::Export;
using ::ksym::prototest::IndexBytes;
using ::ksym::prototest::Open;
using ::ksym::prototest::SampleCatalog;
using ::ksym::testutil::MakeSymbol;

class RoundTripTest : public testing::TestWithParam<ProtoFormat> {};

TEST_P(RoundTripTest, IndexToProtoToIndexIsByteIdentical) {
  const std::string index = IndexBytes(SampleCatalog());
  std::unique_ptr<IndexReader> r = Open(index);
  absl::StatusOr<std::string> bytes =
      ExportSymbolTableBytes(*r, GetParam(), {.absolute = true});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<Catalog> c =
      ImportSymbolTableBytes(*bytes, GetParam(), "table");
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string again = IndexBytes(*c);
  EXPECT_EQ(again, index);

  // And every answer, symbol by symbol.
  std::unique_ptr<IndexReader> r2 = Open(again);
  ASSERT_EQ(r2->symbol_count(), r->symbol_count());
  for (uint32_t i = 0; i < r->symbol_count(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r2->Address(i), r->Address(i));
    EXPECT_EQ(r2->NameString(i), r->NameString(i));
    EXPECT_EQ(r2->Type(i), r->Type(i));
    EXPECT_EQ(r2->End(i), r->End(i));
    EXPECT_EQ(r2->SizeExact(i), r->SizeExact(i));
    EXPECT_EQ(r2->ModuleSetOf(i), r->ModuleSetOf(i));
    EXPECT_EQ(r2->ObjectOf(i), r->ObjectOf(i));
  }
  EXPECT_EQ(r2->ObjectAnnotation(0), "inode.o");
  EXPECT_EQ(r2->kaslr_offset(), -0x1c000000);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, RoundTripTest,
                         testing::Values(ProtoFormat::kBinary,
                                         ProtoFormat::kTextProto,
                                         ProtoFormat::kJson));

TEST(RoundTrip, EmptyKernel) {
  Catalog empty;
  empty.identity.address_space = AddressSpace::kStatic;
  const std::string index = IndexBytes(empty);
  proto::SymbolTable t = Export(empty);
  EXPECT_EQ(t.symbols().count(), 0u);
  EXPECT_EQ(t.identity().address_space(), proto::ADDRESS_SPACE_STATIC);
  absl::StatusOr<Catalog> c = ImportSymbolTable(t);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(IndexBytes(*c), index);
}

TEST(RoundTrip, AllSizesInferredLeavesTheSizeColumnEmpty) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000010, "a", 't'));
  c.FinalizeSizes();
  proto::SymbolTable t = Export(c);
  EXPECT_EQ(t.symbols().sizes_size(), 0);
  absl::StatusOr<Catalog> back = ImportSymbolTable(t);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->symbols.size(), 2u);
  EXPECT_EQ(back->symbols[0].size, 0x10u);  // inferred again
  EXPECT_FALSE(back->symbols[0].size_exact);
  EXPECT_EQ(IndexBytes(*back), IndexBytes(c));
}

// The checks run in the order the parts depend on each other, and their
// message comes out of import as it is.
TEST(Import, RefusesWhatTheChecksRefuse) {
  proto::SymbolTable t = Export(SampleCatalog());
  t.mutable_symbols()->set_name_refs(7, 9);
  EXPECT_EQ(ImportSymbolTable(t, "t.pb").status(),
            absl::InvalidArgumentError(
                "t.pb: symbols.name_refs[7]: 9 refers to symbols.names[8], "
                "which no earlier symbol introduced (expected 0 or at most "
                "7)"));
  t.mutable_objects(1)->set_path("");  // objects are checked before symbols
  EXPECT_EQ(ImportSymbolTable(t, "t.pb").status(),
            absl::InvalidArgumentError(
                "t.pb: objects[1].path: empty (expected an object file path)"));
  t.set_version(2);  // and the version before everything
  EXPECT_EQ(ImportSymbolTable(t, "t.pb").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Damaged tables: whatever the bytes, import answers with a status (and
// an accepted table serializes), never a crash. Run under --config=asan.
TEST(Import, RandomlyDamagedTablesNeverCrash) {
  const std::string good = Export(SampleCatalog()).SerializeAsString();
  std::mt19937 rng(42);
  int parsed = 0, refused = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bad = good;
    const int flips = 1 + round % 4;
    for (int k = 0; k < flips; ++k) {
      bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    if (round % 7 == 0) bad.resize(rng() % bad.size());
    absl::StatusOr<proto::SymbolTable> t =
        ParseSymbolTable(bad, ProtoFormat::kBinary, "bad.pb");
    if (!t.ok()) continue;
    ++parsed;
    absl::StatusOr<Catalog> c = ImportSymbolTable(*t, "bad.pb");
    if (!c.ok()) {
      ++refused;
      EXPECT_TRUE(absl::IsInvalidArgument(c.status()) ||
                  absl::IsFailedPrecondition(c.status()))
          << c.status();
      EXPECT_TRUE(absl::StartsWith(c.status().message(), "bad.pb: "))
          << c.status();
      continue;
    }
    absl::StatusOr<std::string> index = SerializeIndex(*c);
    if (index.ok()) {
      EXPECT_TRUE(IndexReader::FromBuffer(*index, "bad.ksym").ok());
    }
  }
  // The damage reached the validation, and was caught there.
  EXPECT_GT(parsed, 100);
  EXPECT_GT(refused, 100);
}

// The text-format example in the comment at the top of ksym.proto imports
// and means what its comments say.
TEST(Import, ExampleInTheProtoFileIsValid) {
  std::ifstream f("proto/ksym.proto");
  ASSERT_TRUE(f) << "proto/ksym.proto is not in the runfiles";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string example;
  bool in = false;
  for (absl::string_view line : absl::StrSplit(ss.str(), '\n')) {
    if (absl::StartsWith(line, "// A 3-symbol example")) {
      in = true;
      continue;
    }
    if (absl::StartsWith(line, "// Compatibility policy")) break;
    if (in && absl::ConsumePrefix(&line, "//")) {
      absl::StrAppend(&example, line, "\n");
    }
  }
  ASSERT_NE(example.find("address_deltas"), std::string::npos);
  absl::StatusOr<Catalog> c =
      ImportSymbolTableBytes(example, ProtoFormat::kTextProto, "ksym.proto");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->symbols.size(), 3u);
  EXPECT_EQ(c->symbols[0].address, 0xffffffff81000000u);
  EXPECT_EQ(c->symbols[0].name, "_stext");
  EXPECT_EQ(c->symbols[0].size, 0x10u);  // inferred
  EXPECT_FALSE(c->symbols[0].size_exact);
  EXPECT_EQ(c->symbols[1].address, 0xffffffff81000010u);
  EXPECT_EQ(c->symbols[1].type, 't');
  EXPECT_EQ(c->symbols[1].size, 16u);
  EXPECT_TRUE(c->symbols[1].size_exact);
  EXPECT_EQ(c->symbols[1].module_set, 1u);
  EXPECT_EQ(c->symbols[1].object, 0u);
  EXPECT_EQ(c->symbols[2].address, 0xffffffff81000040u);
  EXPECT_EQ(c->symbols[2].name, "ext4_kill_sb");
  EXPECT_EQ(c->symbols[2].module_set, 1u);
  EXPECT_EQ(c->symbols[0].object, kNoObject);
  EXPECT_EQ(c->module_sets[1], std::vector<std::string>{"ext4"});
}

TEST(Import, CatalogContents) {
  absl::StatusOr<Catalog> c =
      ImportSymbolTable(Export(SampleCatalog()), "t.pb");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->identity.release, "6.1.0-28-cloud-amd64");
  EXPECT_EQ(c->identity.address_space, AddressSpace::kRuntime);
  ASSERT_EQ(c->module_sets.size(), 4u);
  EXPECT_EQ(c->module_sets[2],
            (std::vector<std::string>{"liquidio", "liquidio_vf"}));
  EXPECT_TRUE(c->loadable_module_sets.contains(3));
  EXPECT_FALSE(c->loadable_module_sets.contains(1));
  ASSERT_EQ(c->objects.size(), 2u);
  EXPECT_EQ(c->objects[0].annotation, "inode.o");
  // Interned: the same ids come back for the same keys.
  EXPECT_EQ(c->InternObject("fs/ext4/super.o"), 1u);
  EXPECT_EQ(c->InternModuleSet({"rapl"}), 3u);
  ASSERT_EQ(c->symbols.size(), 11u);
  const Symbol& nested = c->symbols[5];
  EXPECT_EQ(nested.name, "inner");
  EXPECT_EQ(nested.size, 0x20u);
  EXPECT_TRUE(nested.size_exact);
  const Symbol& dup = c->symbols[7];
  EXPECT_EQ(dup.name, "init_once");
  EXPECT_EQ(dup.object, 0u);
  EXPECT_EQ(dup.module_set, 2u);
  EXPECT_EQ(c->symbols[8].object, kNoObject);
  EXPECT_EQ(c->symbols[6].size, 0x100u);  // inferred: next symbol
  EXPECT_FALSE(c->symbols[6].size_exact);
}

}  // namespace
}  // namespace ksym
