// Index ↔ SymbolTable: round trips in all three formats, the exact encoding
// of each column, and every validation error of import.
#include "proto/convert.h"

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "proto/ksym.pb.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;

// Per-cpu data near 0, core text with aliases, a nested symbol and a
// duplicate name, a built-in module with an annotated object, a loadable
// module with a data symbol.
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

// ---- round trips ----

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

// ---- the encoding of each column ----

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
    if (name != "init_once") EXPECT_EQ(back->Address(i), want);
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

TEST(Formats, TextAndJsonParseBackToTheSameMessage) {
  proto::SymbolTable t = Export(SampleCatalog());
  for (ProtoFormat f : {ProtoFormat::kBinary, ProtoFormat::kTextProto,
                        ProtoFormat::kJson}) {
    absl::StatusOr<std::string> bytes = SerializeSymbolTable(t, f);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    absl::StatusOr<proto::SymbolTable> back = ParseSymbolTable(*bytes, f, "x");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->SerializeAsString(), t.SerializeAsString());
  }
  absl::StatusOr<std::string> text =
      SerializeSymbolTable(t, ProtoFormat::kTextProto);
  EXPECT_NE(text->find("address_space: ADDRESS_SPACE_RUNTIME\n"),
            std::string::npos);
  absl::StatusOr<std::string> json = SerializeSymbolTable(t, ProtoFormat::kJson);
  // Field names as in the .proto, 64-bit numbers as strings (proto3 JSON).
  EXPECT_NE(json->find("\"address_deltas\": ["), std::string::npos);
  EXPECT_NE(json->find("\"18446744071578841088\""), std::string::npos);
}

TEST(Formats, Names) {
  EXPECT_EQ(*ParseProtoFormat("binary"), ProtoFormat::kBinary);
  EXPECT_EQ(*ParseProtoFormat("textproto"), ProtoFormat::kTextProto);
  EXPECT_EQ(*ParseProtoFormat("text"), ProtoFormat::kTextProto);
  EXPECT_EQ(*ParseProtoFormat("pbtxt"), ProtoFormat::kTextProto);
  EXPECT_EQ(*ParseProtoFormat("json"), ProtoFormat::kJson);
  EXPECT_EQ(ParseProtoFormat("yaml").status(),
            absl::InvalidArgumentError(
                "unknown format \"yaml\" (expected binary, textproto or json)"));
  EXPECT_EQ(ProtoFormatForPath("perf.data.ksym.pb"), ProtoFormat::kBinary);
  EXPECT_EQ(ProtoFormatForPath("k.json"), ProtoFormat::kJson);
  EXPECT_EQ(ProtoFormatForPath("k.textproto"), ProtoFormat::kTextProto);
  EXPECT_EQ(ProtoFormatForPath("k.txtpb"), ProtoFormat::kTextProto);
  EXPECT_EQ(ProtoFormatForPath("k.pbtxt"), ProtoFormat::kTextProto);
  EXPECT_EQ(ProtoFormatForPath("json"), ProtoFormat::kBinary);
}

TEST(Formats, ParseErrors) {
  EXPECT_EQ(ParseSymbolTable("\xff\xff\xff", ProtoFormat::kBinary, "t.pb")
                .status(),
            absl::InvalidArgumentError(
                "t.pb: not a ksym.proto.SymbolTable in protobuf binary format "
                "(truncated, or a string that is not UTF-8?)"));
  EXPECT_EQ(ParseSymbolTable("version: 1\nbogus: 2\n", ProtoFormat::kTextProto,
                             "t.textproto")
                .status(),
            absl::InvalidArgumentError(
                "t.textproto:2:6: Message type \"ksym.proto.SymbolTable\" has "
                "no field named \"bogus\"."));
  EXPECT_EQ(ParseSymbolTable("{\"version\": \"x\"}", ProtoFormat::kJson,
                             "t.json")
                .status(),
            absl::InvalidArgumentError(
                "t.json: not a ksym.proto.SymbolTable in JSON: (version): "
                "invalid value \"x\" for type TYPE_UINT32"));
}

// ---- validation ----

// Imports `t` and returns the status (the catalog is not needed).
absl::Status Import(const proto::SymbolTable& t) {
  return ImportSymbolTable(t, "t.pb").status();
}

class ValidationTest : public testing::Test {
 protected:
  void SetUp() override {
    t_ = Export(SampleCatalog());
    ASSERT_TRUE(Import(t_).ok()) << Import(t_);
  }
  proto::SymbolColumns* s() { return t_.mutable_symbols(); }
  void ExpectBad(const std::string& message) {
    EXPECT_EQ(Import(t_), absl::InvalidArgumentError("t.pb: " + message));
  }

  proto::SymbolTable t_;
};

TEST_F(ValidationTest, Version) {
  t_.set_version(0);
  ExpectBad("version: missing (expected 1)");
  t_.set_version(2);
  EXPECT_EQ(Import(t_),
            absl::FailedPreconditionError(
                "t.pb: version: 2 is newer than this reader (expected at "
                "most 1)"));
}

TEST_F(ValidationTest, AddressSpace) {
  t_.mutable_identity()->set_address_space(proto::ADDRESS_SPACE_UNSPECIFIED);
  ExpectBad(
      "identity.address_space: ADDRESS_SPACE_UNSPECIFIED (expected "
      "ADDRESS_SPACE_STATIC or ADDRESS_SPACE_RUNTIME)");
  // proto3 enums are open: a newer writer's value parses, and is refused.
  t_.mutable_identity()->set_address_space(static_cast<proto::AddressSpace>(7));
  ExpectBad(
      "identity.address_space: unknown value 7 (expected "
      "ADDRESS_SPACE_STATIC or ADDRESS_SPACE_RUNTIME)");
}

TEST_F(ValidationTest, BuildId) {
  t_.mutable_identity()->set_build_id("0123ABCD");
  ExpectBad(
      "identity.build_id: \"0123ABCD\" is not a build-id (expected an even "
      "number of lowercase hex digits)");
  t_.mutable_identity()->set_build_id("012");
  ExpectBad(
      "identity.build_id: \"012\" is not a build-id (expected an even "
      "number of lowercase hex digits)");
  t_.mutable_identity()->set_build_id("");  // unknown is fine
  EXPECT_TRUE(Import(t_).ok());
}

TEST_F(ValidationTest, ModuleNames) {
  t_.set_module_names(1, "");
  ExpectBad("module_names[1]: empty (expected a module name)");
  t_.set_module_names(1, "liquid io");
  ExpectBad(
      "module_names[1]: \"liquid io\" contains a space or control character "
      "(expected a module name)");
  t_.set_module_names(1, "ext4");
  ExpectBad("module_names[1]: \"ext4\" duplicates module_names[0]");
}

TEST_F(ValidationTest, ModuleSets) {
  proto::SymbolTable valid = t_;
  t_.clear_module_sets();
  ExpectBad("module_sets: empty (expected set 0, the empty set of the core "
            "kernel)");
  t_ = valid;
  t_.mutable_module_sets(0)->add_module_ids(0);
  ExpectBad("module_sets[0]: has 1 modules (expected none: set 0 is the core "
            "kernel)");
  t_ = valid;
  t_.mutable_module_sets(2)->set_module_ids(1, 4);
  ExpectBad(
      "module_sets[2].module_ids[1]: 4 is out of range (expected less than "
      "4, the size of module_names)");
  t_.mutable_module_sets(2)->set_module_ids(1, 0);
  ExpectBad(
      "module_sets[2].module_ids[1]: \"ext4\" does not sort after "
      "\"liquidio\" (expected module names ascending, each once)");
  t_.mutable_module_sets(2)->set_module_ids(1, 1);
  ExpectBad(
      "module_sets[2].module_ids[1]: \"liquidio\" does not sort after "
      "\"liquidio\" (expected module names ascending, each once)");
  t_ = valid;
  t_.mutable_module_sets(3)->set_module_ids(0, 0);
  ExpectBad("module_sets[3]: same modules as module_sets[1]");
  t_ = valid;
  t_.add_module_sets();
  ExpectBad("module_sets[4]: same modules as module_sets[0]");
}

TEST_F(ValidationTest, Objects) {
  proto::SymbolTable valid = t_;
  t_.mutable_objects(1)->set_path("");
  ExpectBad("objects[1].path: empty (expected an object file path)");
  t_.mutable_objects(1)->set_path("fs/inode.o");
  ExpectBad("objects[1].path: \"fs/inode.o\" duplicates objects[0]");
  t_ = valid;
  t_.mutable_objects(0)->set_annotation("node.o");
  ExpectBad(
      "objects[0].annotation: \"node.o\" is not a suffix of the path "
      "\"fs/inode.o\" (expected the path's end after a '/')");
  t_.mutable_objects(0)->set_annotation("core.o");
  ExpectBad(
      "objects[0].annotation: \"core.o\" is not a suffix of the path "
      "\"fs/inode.o\" (expected the path's end after a '/')");
  t_.mutable_objects(0)->set_annotation("fs/inode.o");  // the whole path
  EXPECT_TRUE(Import(t_).ok());
}

TEST_F(ValidationTest, ColumnLengths) {
  proto::SymbolTable valid = t_;
  s()->set_count(12);
  ExpectBad(
      "symbols.address_deltas: 11 entries for 12 symbols (expected "
      "symbols.count)");
  t_ = valid;
  s()->add_sizes(0);
  ExpectBad(
      "symbols.sizes: 12 entries for 11 symbols (expected none or "
      "symbols.count)");
  t_ = valid;
  s()->mutable_types()->pop_back();
  ExpectBad("symbols.types: 10 bytes for 11 symbols (expected symbols.count)");
  t_ = valid;
  s()->mutable_name_refs()->RemoveLast();
  ExpectBad(
      "symbols.name_refs: 10 entries for 11 symbols (expected symbols.count)");
  t_ = valid;
  s()->add_attribution_module_sets(0);
  ExpectBad(
      "symbols.attribution_module_sets: 6 entries for 5 runs (expected as "
      "many as symbols.attribution_run_lengths)");
  t_ = valid;
  s()->mutable_attribution_objects()->RemoveLast();
  ExpectBad(
      "symbols.attribution_objects: 4 entries for 5 runs (expected as many "
      "as symbols.attribution_run_lengths)");
}

TEST_F(ValidationTest, Names) {
  proto::SymbolTable valid = t_;
  s()->set_names(3, "");
  ExpectBad("symbols.names[3]: empty (expected a symbol name)");
  s()->set_names(3, std::string(512, 'x'));
  ExpectBad("symbols.names[3]: 512 bytes long (expected at most 511, the "
            "kernel's KSYM_NAME_LEN - 1)");
  s()->set_names(3, "a\tb");
  ExpectBad(
      "symbols.names[3]: \"a\\tb\" contains a space or control character "
      "(expected a symbol name)");
  s()->set_names(3, "_stext");
  ExpectBad("symbols.names[3]: \"_stext\" duplicates symbols.names[2]");
  t_ = valid;
  s()->add_names("never_used");
  ExpectBad(
      "symbols.names: 1 of 11 names are never used (expected each used by "
      "some symbol)");
}

TEST_F(ValidationTest, NameRefs) {
  s()->set_name_refs(7, 0);  // init_once's second use becomes a new name
  ExpectBad(
      "symbols.name_refs[10]: 0 introduces a new name, but all 10 "
      "symbols.names are in use (expected 1..10)");
  s()->set_name_refs(7, 9);  // names[8] comes later
  ExpectBad(
      "symbols.name_refs[7]: 9 refers to symbols.names[8], which no earlier "
      "symbol introduced (expected 0 or at most 7)");
}

TEST_F(ValidationTest, Attribution) {
  proto::SymbolTable valid = t_;
  s()->set_attribution_run_lengths(1, 0);
  ExpectBad("symbols.attribution_run_lengths[1]: 0 (expected at least 1)");
  t_ = valid;
  s()->set_attribution_run_lengths(4, 3);
  ExpectBad(
      "symbols.attribution_run_lengths: runs cover 12 symbols for 11 symbols "
      "(expected symbols.count)");
  t_ = valid;
  s()->set_attribution_module_sets(2, 4);
  ExpectBad(
      "symbols.attribution_module_sets[2]: 4 is out of range (expected less "
      "than 4, the size of module_sets)");
  t_ = valid;
  s()->set_attribution_objects(2, 3);
  ExpectBad(
      "symbols.attribution_objects[2]: 3 is out of range (expected 0 for "
      "none or k for objects[k - 1], k at most 2)");
  s()->set_attribution_objects(2, 2);  // the last object is in range
  EXPECT_TRUE(Import(t_).ok());
}

TEST_F(ValidationTest, AddressOverflow) {
  // rapl_data is 0x1000 past rapl_cpu_online at 0xffffffffc0a01000.
  s()->set_address_deltas(10, 0x3f5ff000);
  ExpectBad(
      "symbols.address_deltas[10]: 0x3f5ff000 after 0xffffffffc0a01000 "
      "overflows 64 bits (expected addresses up to 0xffffffffffffffff)");
  s()->set_address_deltas(10, 0x3f5fefff);  // exactly the last address
  EXPECT_TRUE(Import(t_).ok());
}

TEST_F(ValidationTest, SameAddressNamesOutOfOrder) {
  // Swap _stext and _text: both at 0xffffffff81000000.
  s()->set_name_refs(2, 0);
  s()->set_names(2, "_text");
  s()->set_names(3, "_stext");
  ExpectBad(
      "symbols[3]: \"_stext\" sorts before \"_text\" at the same address "
      "0xffffffff81000000 (expected ascending (address, name))");
}

TEST_F(ValidationTest, Types) {
  (*s()->mutable_types())[4] = '*';
  ExpectBad(
      "symbols.types[4]: byte 0x2a is not a type letter (expected a-z, A-Z "
      "or '?')");
  (*s()->mutable_types())[4] = '\0';
  ExpectBad(
      "symbols.types[4]: byte 0x00 is not a type letter (expected a-z, A-Z "
      "or '?')");
  (*s()->mutable_types())[4] = '?';  // nm's "unknown"
  EXPECT_TRUE(Import(t_).ok());
}

TEST_F(ValidationTest, SizePastTheAddressSpace) {
  // rapl_data at 0xffffffffc0a02000; size 0x3f5fe000 would end at 2^64.
  s()->set_sizes(10, 0x3f5fe000 + 1);
  ExpectBad(
      "symbols.sizes[10]: exact size 0x3f5fe000 at 0xffffffffc0a02000 runs "
      "past the end of the address space (expected address + size below "
      "2^64)");
  s()->set_sizes(10, std::numeric_limits<uint64_t>::max());
  ExpectBad(
      "symbols.sizes[10]: exact size 0xfffffffffffffffe at "
      "0xffffffffc0a02000 runs past the end of the address space (expected "
      "address + size below 2^64)");
  s()->set_sizes(10, 0x3f5fdfff + 1);
  EXPECT_TRUE(Import(t_).ok());
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
