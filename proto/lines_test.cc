// The line section ↔ SymbolTable.lines: the exact fields export writes,
// answers kept through import, and every check import makes.
#include "proto/lines.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "proto/export.h"
#include "proto/import.h"
#include "proto/ksym.pb.h"
#include "proto/table_testing.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"

namespace ksym {
namespace {

using ::ksym::prototest::Export;
using ::ksym::prototest::IndexBytes;
using ::ksym::prototest::Open;
using ::ksym::prototest::SampleCatalog;

constexpr uint64_t kOuter = 0xffffffff9d000100;  // link-time

TEST(Lines, ExportWritesTheRowsAndTheInlineTree) {
  proto::SymbolTable t = Export(SampleCatalog());
  ASSERT_TRUE(t.has_lines());
  const proto::LineTable& l = t.lines();
  ASSERT_EQ(l.prefixes_size(), 2);
  EXPECT_EQ(l.prefixes(0), "");
  EXPECT_EQ(l.prefixes(1), "debian/build/build_amd64_none_cloud-amd64/");
  ASSERT_EQ(l.files_size(), 4);
  EXPECT_EQ(l.files(3).prefix(), 1u);
  EXPECT_EQ(l.files(3).path(), "fs/inode.c");
  ASSERT_EQ(l.functions_size(), 2);
  const proto::LineTable::Function& outer = l.functions(0);
  EXPECT_EQ(outer.start_delta(), kOuter);
  EXPECT_EQ(l.functions(1).start_delta(), 0x200u);
  EXPECT_EQ(outer.size(), 0x100u);
  EXPECT_EQ(l.names(outer.name()), "outer");
  // Rows in table order: the statement sharing 0x40 comes first.
  EXPECT_EQ(std::vector<uint32_t>(outer.row_offset_deltas().begin(),
                                  outer.row_offset_deltas().end()),
            (std::vector<uint32_t>{0, 0x40, 0, 0x20, 0x20}));
  EXPECT_EQ(std::vector<uint32_t>(outer.row_lines().begin(),
                                  outer.row_lines().end()),
            (std::vector<uint32_t>{10, 9, 3, 0, 12}));
  EXPECT_EQ(std::vector<uint32_t>(outer.row_files().begin(),
                                  outer.row_files().end()),
            (std::vector<uint32_t>{1, 1, 2, 0, 1}));
  EXPECT_EQ(std::vector<bool>(outer.row_is_stmt().begin(),
                              outer.row_is_stmt().end()),
            (std::vector<bool>{true, true, true, false, true}));
  ASSERT_EQ(outer.calls_size(), 2);
  EXPECT_EQ(l.names(outer.calls(0).name()), "inner");
  EXPECT_EQ(outer.calls(0).parent(), 0u);
  EXPECT_EQ(outer.calls(0).call_line(), 11u);
  EXPECT_EQ(outer.calls(0).range_begins_size(), 2);
  EXPECT_EQ(outer.calls(0).range_begins(0), 0x48u);  // DWARF's order
  EXPECT_EQ(outer.calls(0).range_ends(1), 0x44u);
  EXPECT_EQ(l.names(outer.calls(1).name()), "leaf");
  EXPECT_EQ(outer.calls(1).parent(), 1u);  // into calls[0]
}

TEST(Lines, AnIndexWithoutLinesHasNoField) {
  Catalog c = SampleCatalog();
  c.lines = nullptr;
  proto::SymbolTable t = Export(c);
  EXPECT_FALSE(t.has_lines());
  absl::StatusOr<Catalog> back = ImportSymbolTable(t);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->lines, nullptr);
  EXPECT_EQ(IndexBytes(*back), IndexBytes(c));
}

// Import answers every address of the lines as the exported index does.
TEST(Lines, ImportedIndexAnswersAsTheExportedOne) {
  std::unique_ptr<IndexReader> r = Open(IndexBytes(SampleCatalog()));
  std::string note;
  absl::StatusOr<proto::SymbolTable> t = ExportSymbolTable(*r, {}, &note);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(note.find("line"), std::string::npos) << note;
  absl::StatusOr<Catalog> c = ImportSymbolTable(*t);
  ASSERT_TRUE(c.ok()) << c.status();
  std::unique_ptr<IndexReader> r2 = Open(IndexBytes(*c));
  ASSERT_TRUE(r2->lines().present());
  for (uint64_t a = kOuter - 8; a < kOuter + 0x240; ++a) {
    LineFrames want, got;
    absl::StatusOr<bool> w = r->lines().Symbolize(a, &want);
    absl::StatusOr<bool> g = r2->lines().Symbolize(a, &got);
    ASSERT_TRUE(w.ok() && g.ok());
    ASSERT_EQ(*w, *g) << std::hex << a;
    ASSERT_EQ(want.size(), got.size()) << std::hex << a;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(want[i].function, got[i].function);
      EXPECT_EQ(want[i].path, got[i].path);
      EXPECT_EQ(want[i].line, got[i].line);
      EXPECT_EQ(want[i].column, got[i].column);
    }
  }
  LineFrames frames;
  ASSERT_TRUE(*r2->lines().Symbolize(kOuter + 0x49, &frames));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].function, "leaf");
  EXPECT_EQ(frames[2].function, "outer");
  EXPECT_EQ(frames[2].line, 11u);
}

// The modules' lines (at load addresses) travel as module_lines, checked
// as lines are, and come back byte for byte.
TEST(Lines, ModuleLinesRoundTripAndAreCheckedAsLines) {
  Catalog c = SampleCatalog();
  LineTable m;
  m.sections = {""};
  m.prefixes = {"", "debian/build/"};
  m.files = {{}, {1, "fs/fat/inode.c"}};
  m.names = {"fat_fill_super"};
  m.rows = {{0x0, 1, 1700, 3}, {0x10, 1, 1710, 0}};
  m.functions = {{0, 0xffffffffc0a01000, 0x40, 0, 0, 2, 0, 0}};
  c.module_lines = std::make_shared<const LineTable>(std::move(m));
  proto::SymbolTable t = Export(c);
  ASSERT_TRUE(t.has_module_lines());
  EXPECT_EQ(t.module_lines().functions(0).start_delta(), 0xffffffffc0a01000u);
  absl::StatusOr<Catalog> back = ImportSymbolTable(t);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_NE(back->module_lines, nullptr);
  EXPECT_EQ(IndexBytes(*back), IndexBytes(c));
  t.mutable_module_lines()->mutable_functions(0)->set_row_files(1, 7);
  EXPECT_EQ(ImportSymbolTable(t, "t.pb").status(),
            absl::InvalidArgumentError(
                "t.pb: module_lines.functions[0] (\"fat_fill_super\")."
                "row_files[1]: 7 is out of range (expected below 2, the "
                "files)"));
}

// Each check, with the field, the function and what was expected.
TEST(Lines, ImportRefusesBadLines) {
  const proto::SymbolTable good = Export(SampleCatalog());
  auto status = [](const proto::SymbolTable& t) {
    return ImportSymbolTable(t, "t.pb").status();
  };
  auto outer = [](proto::SymbolTable& t) {
    return t.mutable_lines()->mutable_functions(0);
  };
  proto::SymbolTable t = good;
  outer(t)->set_row_files(2, 4);
  EXPECT_EQ(status(t), absl::InvalidArgumentError(
                           "t.pb: lines.functions[0] (\"outer\").row_files[2]: "
                           "4 is out of range (expected below 4, the files)"));
  t = good;
  outer(t)->set_row_offset_deltas(4, 0xa0);
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[0] (\"outer\").row_offset_deltas[4]: "
                "puts the row at offset 0x100, outside the function's 0x100 "
                "bytes (expected below)"));
  t = good;
  outer(t)->mutable_row_lines()->RemoveLast();
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[0] (\"outer\").row_lines: 4 entries "
                "for 5 rows (expected as many as row_offset_deltas)"));
  t = good;
  outer(t)->mutable_calls(1)->set_parent(2);
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[0] (\"outer\").calls[1].parent: 2 is "
                "not an earlier call (expected 0 for the function or k for "
                "calls[k - 1], k at most 1)"));
  t = good;
  outer(t)->mutable_calls(0)->set_range_ends(0, 0x101);
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[0] (\"outer\").calls[0]"
                ".range_begins[0]: [0x48, 0x101) is not a range inside the "
                "function's 0x100 bytes (expected begin <= end <= size)"));
  t = good;
  outer(t)->mutable_calls(0)->add_range_begins(0);
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  outer(t)->mutable_calls(0)->set_call_file(9);
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  outer(t)->mutable_calls(0)->set_name(99);
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  outer(t)->set_name(99);
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[0] (bad name).name: 99 is out of "
                "range (expected below 4, the names)"));
  t = good;
  outer(t)->set_size(uint64_t{1} << 32);
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  t.mutable_lines()->mutable_functions(1)->set_start_delta(0xff);
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[1] (\"init_once\").start_delta: 255 "
                "after 0xffffffff9d000100 overflows or overlaps the function "
                "before, which ends at 0xffffffff9d000200 (expected a start "
                "at or after it)"));
  t = good;
  t.mutable_lines()->mutable_functions(1)->set_start_delta(~uint64_t{0});
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  t.mutable_lines()->mutable_files(0)->set_path("x.c");
  EXPECT_EQ(status(t),
            absl::InvalidArgumentError(
                "t.pb: lines.files[0]: missing or not the unknown file "
                "(expected prefix 0, path \"\")"));
  t = good;
  t.mutable_lines()->mutable_files(3)->set_prefix(2);
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  t.mutable_lines()->set_prefixes(0, "/");
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
  t = good;
  t.mutable_lines()->Clear();  // present but empty
  EXPECT_EQ(status(t).code(), absl::StatusCode::kInvalidArgument);
}

// The section refuses inline chains deeper than it decodes; so does import.
TEST(Lines, ImportRefusesATooDeepInlineChain) {
  proto::SymbolTable t = Export(SampleCatalog());
  proto::LineTable::Function* f = t.mutable_lines()->mutable_functions(1);
  for (uint32_t i = 0; i <= LineSection::kMaxInlineDepth; ++i) {
    proto::LineTable::InlinedCall* c = f->add_calls();
    c->set_parent(i);
    c->add_range_begins(0);
    c->add_range_ends(1);
  }
  EXPECT_EQ(ImportSymbolTable(t, "t.pb").status(),
            absl::InvalidArgumentError(
                "t.pb: lines.functions[1] (\"init_once\").calls[256]: is "
                "nested 257 deep (expected at most 256)"));
  f->mutable_calls()->RemoveLast();
  absl::StatusOr<Catalog> c = ImportSymbolTable(t, "t.pb");
  ASSERT_TRUE(c.ok()) << c.status();
  std::unique_ptr<IndexReader> r = Open(IndexBytes(*c));
  EXPECT_TRUE(r->VerifyStructure().ok());
}

}  // namespace
}  // namespace ksym
