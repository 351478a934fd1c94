#include "symbolizer/sources/elf/line_program.h"

#include <dwarf.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;

// Writes a line program unit byte by byte (little-endian, 32-bit DWARF).
class Program {
 public:
  void U8(uint8_t b) { body_.push_back(static_cast<char>(b)); }
  void Fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Uleb(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      U8(v != 0 ? b | 0x80 : b);
    } while (v != 0);
  }
  void Sleb(int64_t v) {
    bool more = true;
    while (more) {
      uint8_t b = v & 0x7f;
      v >>= 7;
      more = !((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40)));
      U8(more ? b | 0x80 : b);
    }
  }
  void Str(absl::string_view s) {
    body_.append(s.data(), s.size());
    U8(0);
  }
  // The header up to the opcode lengths (line_base -5, line_range 14,
  // opcode_base 13); the tables come next, then EndHeader().
  void Begin(uint16_t version) {
    version_ = version;
    U8(1);  // min_inst_length
    if (version >= 4) U8(1);  // max_ops
    U8(1);     // default_is_stmt
    U8(0xfb);  // line_base -5
    U8(14);    // line_range
    U8(13);    // opcode_base
    for (uint8_t n : {0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1}) U8(n);
  }
  void EndHeader() { header_length_ = body_.size(); }
  void SetAddress(uint64_t a) {
    U8(0);
    U8(9);
    U8(DW_LNE_set_address);
    Fixed(a, 8);
  }
  void EndSequence() {
    U8(0);
    U8(1);
    U8(DW_LNE_end_sequence);
  }
  void AdvanceLine(int64_t n) {
    U8(DW_LNS_advance_line);
    Sleb(n);
  }
  void AdvancePc(uint64_t n) {
    U8(DW_LNS_advance_pc);
    Uleb(n);
  }
  void Copy() { U8(DW_LNS_copy); }
  // A special opcode: line += line_delta (-5..8), address += addr_delta.
  void Special(int line_delta, int addr_delta) {
    U8(static_cast<uint8_t>((line_delta + 5) + 14 * addr_delta + 13));
  }

  // The whole unit: length, version, (v5: address and selector sizes),
  // header_length, then what was written.
  std::string Unit() const {
    std::string out;
    auto put = [&](uint64_t v, int n) {
      for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
    };
    size_t after_length = 2 + (version_ >= 5 ? 2 : 0) + 4 + body_.size();
    put(after_length, 4);
    put(version_, 2);
    if (version_ >= 5) {
      put(8, 1);
      put(0, 1);
    }
    // header_length counts from after itself to the program.
    put(header_length_, 4);
    out += body_;
    return out;
  }

 private:
  uint16_t version_ = 4;
  size_t header_length_ = 0;
  std::string body_;
};

// A version 4 unit: include_directories {"include"}, files a.c (dir 0),
// b.h (dir 1).
Program V4Tables() {
  Program p;
  p.Begin(4);
  p.Str("include");
  p.U8(0);
  p.Str("a.c");
  p.Uleb(0);
  p.Uleb(0);
  p.Uleb(0);
  p.Str("b.h");
  p.Uleb(1);
  p.Uleb(0);
  p.Uleb(0);
  p.U8(0);
  p.EndHeader();
  return p;
}

struct Row {
  uint64_t address;
  uint32_t file;
  int32_t line;
  uint32_t column;
  bool is_stmt;
  bool end;
  bool operator==(const Row& o) const {
    return address == o.address && file == o.file && line == o.line &&
           column == o.column && is_stmt == o.is_stmt && end == o.end;
  }
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << "{0x" << std::hex << r.address << std::dec << " f" << r.file
            << " l" << r.line << " c" << r.column << (r.is_stmt ? " stmt" : "")
            << (r.end ? " end" : "") << "}";
}

std::vector<Row> Rows(const LineProgram& p) {
  std::vector<Row> rows;
  for (const LineProgramRow& r : p.rows) {
    rows.push_back(
        {r.address, r.file, r.line, r.column, r.is_stmt, r.end_sequence});
  }
  return rows;
}

// A LineProgram views the section's bytes (names, directories): each unit
// parsed here is kept for the test's life, as a mapped file would be.
absl::Status Parse(std::string unit, LineProgram* out,
                   std::optional<absl::string_view> comp_dir = "/build") {
  static std::deque<std::string>* const kept = new std::deque<std::string>;
  kept->push_back(std::move(unit));
  LineProgramSections s;
  s.line = kept->back();
  return ParseLineProgram(s, 0, 8, comp_dir, out);
}

TEST(LineProgramTest, Version4RowsAndFiles) {
  Program p = V4Tables();
  p.SetAddress(0x1000);
  p.AdvanceLine(9);  // line 10
  p.Copy();
  p.Special(2, 4);  // 0x1004 line 12
  p.U8(DW_LNS_set_file);
  p.Uleb(2);
  p.U8(DW_LNS_set_column);
  p.Uleb(7);
  p.U8(DW_LNS_negate_stmt);
  p.Special(-1, 3);  // 0x1007 line 11, b.h:7, not a statement
  p.AdvancePc(9);
  p.EndSequence();  // 0x1010
  LineProgram out;
  ASSERT_TRUE(Parse(p.Unit(), &out).ok());
  EXPECT_EQ(out.version, 4);
  EXPECT_THAT(Rows(out), ElementsAre(Row{0x1000, 1, 10, 0, true, false},
                                     Row{0x1004, 1, 12, 0, true, false},
                                     Row{0x1007, 2, 11, 7, false, false},
                                     Row{0x1010, 2, 11, 7, false, true}));
  ASSERT_EQ(out.files.size(), 3u);
  EXPECT_EQ(out.FilePath(0), "???");  // libdw's file 0 below version 5
  EXPECT_EQ(out.FilePath(1), "/build/a.c");
  EXPECT_EQ(out.FilePath(2), "include/b.h");
  EXPECT_EQ(out.FilePath(3), "");
}

TEST(LineProgramTest, WithoutCompDirANameUnderDirectoryZeroStaysRelative) {
  LineProgram out;
  ASSERT_TRUE(Parse(V4Tables().Unit(), &out, std::nullopt).ok());
  EXPECT_EQ(out.FilePath(1), "a.c");
  EXPECT_TRUE(out.rows.empty());
}

TEST(LineProgramTest, SequencesAreSortedByAddressAsLibdwSortsThem) {
  Program p = V4Tables();
  p.SetAddress(0x2000);  // .init.text's sequence first
  p.Copy();
  p.AdvancePc(0x10);
  p.EndSequence();
  p.SetAddress(0x1000);
  p.AdvanceLine(4);
  p.Copy();
  p.AdvancePc(0x1000);  // ends where the other begins
  p.EndSequence();
  LineProgram out;
  ASSERT_TRUE(Parse(p.Unit(), &out).ok());
  // The end of a sequence comes before a row at the same address; the last
  // row is an end of sequence.
  EXPECT_THAT(Rows(out), ElementsAre(Row{0x1000, 1, 5, 0, true, false},
                                     Row{0x2000, 1, 5, 0, true, true},
                                     Row{0x2000, 1, 1, 0, true, false},
                                     Row{0x2010, 1, 1, 0, true, true}));
}

TEST(LineProgramTest, OverlappingSequencesKeepProgramOrderForEqualAddresses) {
  // Code the linker discarded keeps its rows at address 0: sequences
  // overlap, and rows at one address stay in program order.
  Program p = V4Tables();
  for (int line : {3, 7}) {
    p.SetAddress(0);
    p.AdvanceLine(line - 1);
    p.Copy();
    p.Special(1, 2);
    p.EndSequence();
  }
  LineProgram out;
  ASSERT_TRUE(Parse(p.Unit(), &out).ok());
  EXPECT_THAT(Rows(out), ElementsAre(Row{0, 1, 3, 0, true, false},
                                     Row{0, 1, 7, 0, true, false},
                                     Row{2, 1, 4, 0, true, true},
                                     Row{2, 1, 8, 0, true, true},
                                     Row{2, 1, 4, 0, true, false},
                                     Row{2, 1, 8, 0, true, true}));
}

TEST(LineProgramTest, DefineFileAppendsAFile) {
  Program p = V4Tables();
  p.U8(0);
  p.U8(8);
  p.U8(DW_LNE_define_file);
  p.Str("c.h");
  p.Uleb(1);
  p.Uleb(0);
  p.Uleb(0);
  LineProgram out;
  ASSERT_TRUE(Parse(p.Unit(), &out).ok());
  ASSERT_EQ(out.files.size(), 4u);
  EXPECT_EQ(out.FilePath(3), "include/c.h");
}

TEST(LineProgramTest, Version5TablesWithStringForms) {
  // .debug_line_str holds the directories, .debug_str a file name, one
  // file name is inline.
  const std::string line_str("\0/build/dir\0arch/x86\0", 21);
  const std::string str("\0\0kernel/fork.c\0", 16);
  Program p;
  p.Begin(5);
  p.U8(1);  // directory entry format: path, line_strp
  p.Uleb(DW_LNCT_path);
  p.Uleb(DW_FORM_line_strp);
  p.Uleb(2);
  p.Fixed(1, 4);
  p.Fixed(12, 4);
  p.U8(3);  // file entry format: path, directory index, MD5
  p.Uleb(DW_LNCT_path);
  p.Uleb(DW_FORM_string);
  p.Uleb(DW_LNCT_directory_index);
  p.Uleb(DW_FORM_udata);
  p.Uleb(DW_LNCT_MD5);
  p.Uleb(DW_FORM_data16);
  p.Uleb(3);
  for (auto [name, dir] : {std::pair<const char*, int>{"main.c", 0},
                           {"/abs/x.h", 1},
                           {"io.h", 1}}) {
    p.Str(name);
    p.Uleb(dir);
    p.Fixed(0, 8);
    p.Fixed(0, 8);
  }
  p.EndHeader();
  p.SetAddress(0x10);
  p.U8(DW_LNS_set_file);
  p.Uleb(0);
  p.Copy();
  p.EndSequence();
  LineProgramSections s;
  const std::string unit = p.Unit();
  s.line = unit;
  s.line_str = line_str;
  s.str = str;
  LineProgram out;
  ASSERT_TRUE(ParseLineProgram(s, 0, 8, "/ignored", &out).ok());
  EXPECT_EQ(out.version, 5);
  ASSERT_EQ(out.files.size(), 3u);
  EXPECT_EQ(out.FilePath(0), "/build/dir/main.c");  // file 0 is named
  EXPECT_EQ(out.FilePath(1), "/abs/x.h");
  EXPECT_EQ(out.FilePath(2), "arch/x86/io.h");
  ASSERT_EQ(out.dirs.size(), 2u);
  EXPECT_EQ(*out.dirs[0], "/build/dir");
  // The end of the sequence sorts before the row at its address, and the
  // last row is made an end: libdw's table of an empty sequence.
  EXPECT_THAT(Rows(out), ElementsAre(Row{0x10, 0, 1, 0, true, true},
                                     Row{0x10, 0, 1, 0, true, true}));
}

TEST(LineProgramTest, AFormItDoesNotReadIsUnimplemented) {
  Program p;
  p.Begin(5);
  p.U8(1);
  p.Uleb(DW_LNCT_path);
  p.Uleb(DW_FORM_strx1);
  p.Uleb(1);
  p.U8(0);
  p.U8(0);
  p.Uleb(0);
  p.EndHeader();
  LineProgram out;
  EXPECT_EQ(Parse(p.Unit(), &out).code(), absl::StatusCode::kUnimplemented);
}

TEST(LineProgramTest, ValuesLibdwCannotHoldAreInvalid) {
  Program p = V4Tables();
  p.U8(DW_LNS_set_column);
  p.Uleb(70000);
  p.Copy();
  LineProgram out;
  EXPECT_EQ(Parse(p.Unit(), &out).code(), absl::StatusCode::kInvalidArgument);
  Program q = V4Tables();
  q.AdvanceLine(INT32_MAX);  // line 1 + INT32_MAX
  q.Copy();
  EXPECT_EQ(Parse(q.Unit(), &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(LineProgramTest, BadHeadersAreInvalid) {
  LineProgram out;
  std::string unit = V4Tables().Unit();
  std::string v6 = unit;
  v6[4] = 6;
  EXPECT_EQ(Parse(v6, &out).code(), absl::StatusCode::kInvalidArgument);
  LineProgramSections s;
  s.line = unit;
  EXPECT_FALSE(ParseLineProgram(s, unit.size(), 8, "/b", &out).ok());
  EXPECT_FALSE(ParseLineProgram(s, 0, 2, "/b", &out).ok());
  std::string long_unit = unit;
  long_unit[0] = static_cast<char>(unit.size());  // one byte too long
  EXPECT_FALSE(Parse(long_unit, &out).ok());
}

TEST(LineProgramTest, EveryTruncationAndByteFlipIsBounded) {
  Program p = V4Tables();
  p.SetAddress(0x1000);
  p.AdvanceLine(9);
  p.Copy();
  p.Special(2, 4);
  p.U8(0);
  p.U8(2);
  p.U8(DW_LNE_set_discriminator);
  p.Uleb(3);
  p.AdvancePc(9);
  p.EndSequence();
  const std::string unit = p.Unit();
  LineProgram out;
  for (size_t n = 0; n < unit.size(); ++n) {
    // Under ASan any read past the copy's end fails the test.
    std::string cut = unit.substr(0, n);
    std::vector<char> heap(cut.begin(), cut.end());
    LineProgramSections s;
    s.line = absl::string_view(heap.data(), heap.size());
    (void)ParseLineProgram(s, 0, 8, "/b", &out);
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = unit;
      flipped[n] = static_cast<char>(flipped[n] ^ (1 << bit));
      std::vector<char> h2(flipped.begin(), flipped.end());
      s.line = absl::string_view(h2.data(), h2.size());
      if (ParseLineProgram(s, 0, 8, "/b", &out).ok()) {
        EXPECT_LE(out.rows.size(), unit.size());
      }
    }
  }
}

}  // namespace
}  // namespace ksym
