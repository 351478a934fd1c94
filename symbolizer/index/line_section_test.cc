// kLines: encode a LineTable, decode it, and answer every address of it as
// LineTable::Symbolize does (the oracle).
#include "symbolizer/index/line_section.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/index/section_testing.h"

namespace ksym {
namespace {

using testutil::SectionRoundTrip;

// As line_table_test's sample: f at 0x1000 (0x40 bytes) with rows at +0
// (a.c:10), +0x10 (h.h:3:5), +0x30 (a.c:12), inlined outer over
// [0x10, 0x30) holding inner over [0x18, 0x20) and a never-reached
// sibling; g at 0x1040 with no rows; a gap; h at 0x2000 with a .cold-like
// range order (inline ranges out of address order).
LineTable SampleTable() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "a.c"}, {0, "/usr/include/h.h"}, {1, "fs/inode.c"}};
  t.names = {"f", "outer", "inner", "sibling", "g", "h", "deep"};
  t.rows = {{0x0, 1, 10, 0},  {0x10, 2, 3, 5}, {0x30, 1, 12, 1},
            {0x0, 3, 900, 4}, {0x8, 0, 0, 0},  {0xc, 3, 880, 0}};
  t.inline_ranges = {{0x10, 0x30}, {0x18, 0x20}, {0x18, 0x20},
                     {0x20, 0x28}, {0x4, 0x8}};
  t.calls = {
      {1, kNoParent, 1, 11, 2, 0, 1},
      {2, 0, 2, 7, 9, 1, 1},
      {3, 0, 2, 8, 1, 2, 1},
      {6, kNoParent, 3, 901, 0, 3, 2},
  };
  FunctionLines f{0, 0x1000, 0x40, 0, 0, 3, 0, 3};
  FunctionLines g{0, 0x1040, 0x10, 4, 3, 0, 3, 0};
  FunctionLines h{0, 0x2000, 0x30, 5, 3, 3, 3, 1};
  t.functions = {f, g, h};
  return t;
}

// A larger table from a fixed seed: many functions, rows and nested calls.
LineTable RandomTable(uint32_t max_rows = 12) {
  std::mt19937 rng(18);
  auto below = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "/build/", "/usr/include/"};
  t.files.push_back({});
  for (int i = 0; i < 40; ++i) {
    t.files.push_back({below(3), absl::StrCat("dir", i % 7, "/f", i, ".c")});
  }
  for (int i = 0; i < 60; ++i) t.names.push_back(absl::StrCat("fn_", i));
  uint64_t address = 0xffffffff81000000;
  for (int k = 0; k < 300; ++k) {
    FunctionLines fn;
    fn.start = address + below(3) * 16;
    fn.size = 1 + below(max_rows > 12 ? 4000 : 400);
    address = fn.start + fn.size;
    fn.name = below(60);
    fn.first_row = static_cast<uint32_t>(t.rows.size());
    uint32_t offset = 0;
    for (uint32_t r = below(max_rows); r-- > 0 && offset < fn.size;) {
      t.rows.push_back({offset, below(41), below(5000), below(80)});
      offset += below(30);
    }
    fn.row_count = static_cast<uint32_t>(t.rows.size()) - fn.first_row;
    fn.first_call = static_cast<uint32_t>(t.calls.size());
    for (uint32_t c = 0, n = below(8); c < n; ++c) {
      InlineCall call;
      call.name = below(60);
      call.parent = c == 0 || below(3) == 0 ? kNoParent : below(c);
      call.call_file = below(41);
      call.call_line = below(5000);
      call.call_column = below(50);
      call.first_range = static_cast<uint32_t>(t.inline_ranges.size());
      call.range_count = 1 + below(2);
      for (uint32_t r = 0; r < call.range_count; ++r) {
        uint32_t begin = below(static_cast<uint32_t>(fn.size));
        t.inline_ranges.push_back({begin, begin + 1 + below(64)});
      }
      t.calls.push_back(call);
    }
    fn.call_count = static_cast<uint32_t>(t.calls.size()) - fn.first_call;
    t.functions.push_back(fn);
  }
  return t;
}

Catalog WithLines(LineTable t) {
  Catalog c;
  c.lines = std::make_shared<const LineTable>(std::move(t));
  return c;
}

void ExpectSameAnswers(const LineTable& t, const LineSection& s,
                       uint64_t begin, uint64_t end) {
  LineFrames frames;
  for (uint64_t a = begin; a < end; ++a) {
    const std::vector<SourceFrame> want = t.Symbolize(a);
    absl::StatusOr<bool> found = s.Symbolize(a, &frames);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(*found, !want.empty()) << std::hex << a;
    ASSERT_EQ(frames.size(), want.size()) << std::hex << a;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(frames[i].function, want[i].function) << std::hex << a;
      EXPECT_EQ(absl::StrCat(frames[i].prefix, frames[i].path), want[i].file)
          << std::hex << a;
      EXPECT_EQ(frames[i].path, t.SourcePath(want[i].file_id));
      EXPECT_EQ(frames[i].line, want[i].line) << std::hex << a;
      EXPECT_EQ(frames[i].column, want[i].column) << std::hex << a;
    }
  }
}

TEST(LineSectionTest, AnswersEveryAddressAsTheLineTable) {
  const LineTable t = SampleTable();
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok()) << rt.status();
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->present());
  EXPECT_EQ(s->function_count(), 3u);
  EXPECT_TRUE(s->VerifyAll().ok());
  ExpectSameAnswers(t, *s, 0xff0, 0x1060);
  ExpectSameAnswers(t, *s, 0x1ff0, 0x2040);

  LineFrames frames;
  ASSERT_TRUE(*s->Symbolize(0x1018, &frames));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].function, "inner");
  EXPECT_EQ(frames[0].path, "/usr/include/h.h");
  EXPECT_EQ(frames[2].function, "f");
  EXPECT_EQ(frames[2].prefix, "debian/build/build_amd64_none_cloud-amd64/");
  EXPECT_EQ(frames[2].path, "a.c");
  EXPECT_EQ(frames[2].line, 11u);
  EXPECT_FALSE(*s->Symbolize(0x1050, &frames));  // between g and h
  EXPECT_TRUE(frames.empty());
}

TEST(LineSectionTest, AnswersARandomTableAsTheLineTable) {
  const LineTable t = RandomTable();
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok()) << rt.status();
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->VerifyAll().ok());
  ExpectSameAnswers(t, *s, t.functions.front().start - 4,
                    t.functions.back().start + t.functions.back().size + 4);
}

// The function search buckets the starts (at most one bucket per
// function): clusters far apart (module-like, 1 GiB and 2^40 bytes),
// functions that touch, and addresses outside them all.
TEST(LineSectionTest, FindsFunctionsInClustersFarApart) {
  LineTable t = RandomTable();
  for (size_t k = 0; k < t.functions.size(); ++k) {
    if (k < 200) t.functions[k].start -= uint64_t{1} << 30;
    if (k < 100) t.functions[k].start -= uint64_t{1} << 40;
  }
  t.functions[0].start = 0x100;
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok()) << rt.status();
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  for (const FunctionLines& f : t.functions) {
    ExpectSameAnswers(t, *s, f.start - 2, f.start + 2);
    ExpectSameAnswers(t, *s, f.start + f.size - 2, f.start + f.size + 2);
  }
  LineFrames frames;
  for (uint64_t a : {uint64_t{0}, uint64_t{0xff}, ~uint64_t{0},
                     t.functions[1].start - (uint64_t{1} << 39)}) {
    absl::StatusOr<bool> found = s->Symbolize(a, &frames);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_FALSE(*found) << std::hex << a;
  }
  // One function alone.
  LineTable one = SampleTable();
  one.functions.resize(1);
  SectionRoundTrip rt1(WithLines(one), &LineSection::Encode);
  ASSERT_TRUE(rt1.status().ok()) << rt1.status();
  absl::StatusOr<LineSection> s1 = LineSection::Decode(rt1.dir());
  ASSERT_TRUE(s1.ok()) << s1.status();
  ExpectSameAnswers(one, *s1, 0xff0, 0x1050);
}

TEST(LineSectionTest, StoresThePrefixAndEachPathOnce) {
  LineTable t = SampleTable();
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok());
  const std::string& b = rt.bytes(format::kLines);
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = b.find(needle); at != std::string::npos;
         at = b.find(needle, at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count("debian/build/build_amd64_none_cloud-amd64/"), 1u);
  EXPECT_EQ(count("fs/inode.c"), 1u);
}

TEST(LineSectionTest, AbsentWithoutALineTable) {
  SectionRoundTrip rt(Catalog(), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok());
  EXPECT_FALSE(rt.has(format::kLines));
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->present());
  LineFrames frames;
  EXPECT_FALSE(*s->Symbolize(0x1000, &frames));
}

TEST(LineSectionTest, RefusesAModuleTableAndOverlappingFunctions) {
  LineTable t = SampleTable();
  t.relocatable = true;
  EXPECT_EQ(SectionRoundTrip(WithLines(t), &LineSection::Encode).status().code(),
            absl::StatusCode::kInvalidArgument);
  t = SampleTable();
  t.functions[1].start = 0x1030;
  EXPECT_EQ(SectionRoundTrip(WithLines(t), &LineSection::Encode).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LineSectionTest, RefusesDamageAtOpen) {
  SectionRoundTrip rt(WithLines(SampleTable()), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok());
  std::string& b = rt.bytes(format::kLines);
  const std::string good = b;

  b.pop_back();
  rt.Repoint();
  EXPECT_TRUE(absl::StartsWith(LineSection::Decode(rt.dir()).status().message(),
                               "section lines is "));
  b = good;
  b[12] = 7;  // flags: an unknown bit beside the known ones
  rt.Repoint();
  EXPECT_TRUE(absl::StrContains(
      LineSection::Decode(rt.dir()).status().message(), "unknown flags"));
  b = good;
  // The second function's start moved before the first's end.
  const size_t functions = LineSection::kHeaderSize + 8 +
                           LineSection::kFileEntrySize * 4;
  b[functions + LineSection::kFunctionEntrySize] = 0x10;
  rt.Repoint();
  EXPECT_TRUE(absl::StrContains(
      LineSection::Decode(rt.dir()).status().message(), "out of order"));
  b = good;
  b[4] = 9;  // file count
  rt.Repoint();
  EXPECT_EQ(LineSection::Decode(rt.dir()).status().code(),
            absl::StatusCode::kDataLoss);
}

// The modules' section: kLines' layout under its own id, from
// catalog.module_lines; each section decodes only its own.
TEST(LineSectionTest, TheModulesSectionHasTheSameLayoutUnderItsOwnId) {
  Catalog c;
  c.module_lines = std::make_shared<const LineTable>(SampleTable());
  SectionRoundTrip rt(c, &ModuleLineSection::Encode);
  ASSERT_TRUE(rt.status().ok()) << rt.status();
  EXPECT_TRUE(rt.has(format::kModuleLines));
  EXPECT_FALSE(rt.has(format::kLines));
  absl::StatusOr<LineSection> lines = LineSection::Decode(rt.dir());
  ASSERT_TRUE(lines.ok());
  EXPECT_FALSE(lines->present());
  absl::StatusOr<ModuleLineSection> s = ModuleLineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->present());
  EXPECT_EQ(s->layout(), LineSection::kLayoutCheckpoints);
  ExpectSameAnswers(SampleTable(), *s, 0xff0, 0x2040);
  EXPECT_TRUE(s->VerifyAll().ok());
  // The same bytes as kLines' of the same table.
  SectionRoundTrip vmlinux(WithLines(SampleTable()), &LineSection::Encode);
  EXPECT_EQ(rt.bytes(format::kModuleLines), vmlinux.bytes(format::kLines));
  // Damage is named after the modules' section.
  std::string& b = rt.bytes(format::kModuleLines);
  b.pop_back();
  rt.Repoint();
  EXPECT_TRUE(absl::StartsWith(
      ModuleLineSection::Decode(rt.dir()).status().message(),
      "section module_lines is "))
      << ModuleLineSection::Decode(rt.dir()).status();
  SectionRoundTrip none(Catalog(), &ModuleLineSection::Encode);
  EXPECT_FALSE(none.has(format::kModuleLines));
  EXPECT_FALSE(ModuleLineSection::Decode(none.dir())->present());
}

TEST(LineSectionTest, ADamagedRecordIsAnErrorNotAnAnswer) {
  SectionRoundTrip rt(WithLines(SampleTable()), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok());
  std::string& b = rt.bytes(format::kLines);
  // Every byte of the records set to 0xff: varints that never end.
  uint64_t data_size = 0;
  for (int i = 7; i >= 0; --i) {
    data_size = data_size << 8 | static_cast<uint8_t>(b[24 + i]);
  }
  const size_t records = b.size() - data_size;
  for (size_t i = records; i < b.size(); ++i) b[i] = '\xff';
  rt.Repoint();
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();  // tables are fine
  LineFrames frames;
  absl::StatusOr<bool> found = s->Symbolize(0x1018, &frames);
  EXPECT_EQ(found.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(s->VerifyAll().code(), absl::StatusCode::kDataLoss);
}

// Functions with hundreds of rows: lookups start at checkpoints.
TEST(LineSectionTest, AnswersFromCheckpointsAsTheLineTable) {
  const LineTable t = RandomTable(300);
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok()) << rt.status();
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->layout(), LineSection::kLayoutCheckpoints);
  EXPECT_TRUE(s->VerifyAll().ok());
  uint32_t most = 0;
  for (const FunctionLines& f : t.functions) most = std::max(most, f.row_count);
  ASSERT_GT(most, 4 * LineSection::kRowsPerCheckpoint);
  ExpectSameAnswers(t, *s, t.functions.front().start - 4,
                    t.functions.back().start + t.functions.back().size + 4);
}

// Layout 1 (an older ksym's) still reads, with the same answers.
TEST(LineSectionTest, ReadsTheStatementsLayout) {
  const LineTable t = RandomTable(300);
  EncodedSections out;
  ASSERT_TRUE(LineSection::EncodeLayout(WithLines(t),
                                        LineSection::kLayoutStatements, &out)
                  .ok());
  ASSERT_EQ(out.size(), 1u);
  SectionDirectory dir;
  dir.present[format::kLines] = true;
  dir.section[format::kLines] = out[0].second;
  absl::StatusOr<LineSection> s = LineSection::Decode(dir);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->layout(), LineSection::kLayoutStatements);
  EXPECT_TRUE(s->VerifyAll().ok());
  ExpectSameAnswers(t, *s, t.functions.front().start - 4,
                    t.functions.back().start + t.functions.back().size + 4);
}

// A damaged checkpoint or call tree is an error or a bounded answer at
// lookup, and an error in VerifyAll.
TEST(LineSectionTest, EveryByteOfARecordDamagedIsCaughtOrBounded) {
  LineTable t = RandomTable(300);
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok());
  std::string& b = rt.bytes(format::kLines);
  const std::string good = b;
  uint64_t data_size = 0;
  for (int i = 7; i >= 0; --i) {
    data_size = data_size << 8 | static_cast<uint8_t>(b[24 + i]);
  }
  const size_t records = b.size() - data_size;
  std::mt19937 rng(18);
  LineFrames frames;
  size_t caught = 0;
  for (int trial = 0; trial < 400; ++trial) {
    b = good;
    const size_t at = records + rng() % data_size;
    b[at] = static_cast<char>(b[at] ^ (1 + rng() % 255));
    rt.Repoint();
    absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
    ASSERT_TRUE(s.ok());
    for (const FunctionLines& f : t.functions) {
      (void)s->Symbolize(f.start + rng() % f.size, &frames);
    }
    caught += !s->VerifyAll().ok();
  }
  EXPECT_GT(caught, 200u);
}

// The reverse scan visits every stored row of the random table, in order,
// with its address, file and line, and marks where a file:line run starts.
TEST(LineSectionTest, ForEachRowVisitsEveryRowAsTheTableHasIt) {
  LineTable t = RandomTable();
  std::mt19937 rng(7);
  for (LineRow& r : t.rows) r.is_stmt = rng() % 3 != 0;
  SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
  ASSERT_TRUE(rt.status().ok()) << rt.status();
  absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<LineRowView> seen;
  EXPECT_TRUE(s->has_statements());
  ASSERT_TRUE(s->ForEachRow([&](const LineRowView& r) { seen.push_back(r); })
                  .ok());
  std::vector<LineRowView> want;
  for (size_t k = 0; k < t.functions.size(); ++k) {
    const FunctionLines& f = t.functions[k];
    for (uint32_t i = 0; i < f.row_count; ++i) {
      const LineRow& r = t.rows[f.first_row + i];
      LineRowView v;
      v.function = k;
      v.address = f.start + r.offset;
      v.file = r.file;
      v.line = r.line;
      v.column = r.column;
      v.is_stmt = r.is_stmt;
      const LineRow* prev = i > 0 ? &t.rows[f.first_row + i - 1] : nullptr;
      v.starts_statement = r.is_stmt && !(prev != nullptr && prev->is_stmt &&
                                          prev->file == r.file &&
                                          prev->line == r.line);
      want.push_back(v);
    }
  }
  ASSERT_EQ(seen.size(), want.size());
  ASSERT_GT(want.size(), 100u);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(seen[i].function, want[i].function) << i;
    EXPECT_EQ(seen[i].address, want[i].address) << i;
    EXPECT_EQ(seen[i].file, want[i].file) << i;
    EXPECT_EQ(seen[i].line, want[i].line) << i;
    EXPECT_EQ(seen[i].column, want[i].column) << i;
    EXPECT_EQ(seen[i].is_stmt, want[i].is_stmt) << i;
    EXPECT_EQ(seen[i].starts_statement, want[i].starts_statement) << i;
  }
  absl::string_view prefix, path;
  ASSERT_TRUE(s->FileName(3, &prefix, &path));
  EXPECT_EQ(path, t.files[3].path);
  EXPECT_EQ(prefix, t.prefixes[t.files[3].prefix]);
  EXPECT_FALSE(s->FileName(t.files.size(), &prefix, &path));
}

// DecodeTable gives back a table Encode turns into the same bytes (what
// the proto export and import rely on), answering as the original does.
TEST(LineSectionTest, DecodeTableEncodesToTheSameBytes) {
  for (LineTable t : {SampleTable(), RandomTable()}) {
    // Statement rows, some sharing an offset with the row after them.
    for (size_t i = 0; i < t.rows.size(); i += 3) t.rows[i].is_stmt = true;
    SectionRoundTrip rt(WithLines(t), &LineSection::Encode);
    ASSERT_TRUE(rt.status().ok()) << rt.status();
    absl::StatusOr<LineSection> s = LineSection::Decode(rt.dir());
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<LineTable> back = s->DecodeTable();
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->functions.size(), t.functions.size());
    EXPECT_EQ(back->rows.size(), t.rows.size());
    EXPECT_EQ(back->calls.size(), t.calls.size());
    EXPECT_EQ(back->files.size(), t.files.size());
    SectionRoundTrip again(WithLines(*back), &LineSection::Encode);
    ASSERT_TRUE(again.status().ok()) << again.status();
    EXPECT_TRUE(again.bytes(format::kLines) == rt.bytes(format::kLines));
    const FunctionLines& last = t.functions.back();
    ExpectSameAnswers(*back, *s, t.functions.front().start,
                      last.start + last.size);
  }
  SectionRoundTrip none(Catalog(), &LineSection::Encode);
  absl::StatusOr<LineSection> absent = LineSection::Decode(none.dir());
  ASSERT_TRUE(absent.ok());
  absl::StatusOr<LineTable> empty = absent->DecodeTable();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->functions.empty());
}

}  // namespace
}  // namespace ksym
