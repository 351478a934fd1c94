#include "symbolizer/sources/elf/dwarf_file.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// Fixtures built by the :lines_fixtures genrule.
std::string Fixture(absl::string_view name) {
  return absl::StrCat("symbolizer/sources/elf/", name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

size_t CountUnits(Dwarf* dwarf) {
  size_t units = 0;
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  while (dwarf_get_units(dwarf, cu, &next, nullptr, nullptr, nullptr,
                         nullptr) == 0) {
    cu = next;
    ++units;
  }
  return units;
}

TEST(DwarfFileTest, AMappedFileCanLetItsPagesGoAndReadOn) {
  absl::Status s =
      WithDwarfFile(Fixture("lines_vmlinux"), [](const DwarfFile& file) {
        EXPECT_FALSE(file.relocatable);
        EXPECT_NE(file.elf, nullptr);
        EXPECT_LT(file.mapping_begin, file.mapping_end);
        size_t before = CountUnits(file.dwarf);
        EXPECT_GT(before, 0u);
        ReleaseMappedPages(file);
        // A fresh handle reads the dropped pages again from the file.
        Dwarf* again = dwarf_begin_elf(file.elf, DWARF_C_READ, nullptr);
        EXPECT_NE(again, nullptr);
        if (again != nullptr) {
          EXPECT_EQ(CountUnits(again), before);
          dwarf_end(again);
        }
        return absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
}

TEST(DwarfFileTest, CallerBytesAreNeverDropped) {
  const std::string bytes = ReadFile(Fixture("lines_vmlinux"));
  std::string copy = bytes;
  absl::Status s =
      WithDwarfBytes(copy, "lines_vmlinux", [](const DwarfFile& file) {
        EXPECT_EQ(file.mapping_begin, file.mapping_end);
        ReleaseMappedPages(file);  // does nothing
        return absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(copy, bytes);
}

TEST(DwarfFileTest, AModuleIsLaidOutByLibdwfl) {
  absl::Status s = WithDwarfFile(Fixture("lines.ko"), [](const DwarfFile& f) {
    EXPECT_TRUE(f.relocatable);
    EXPECT_NE(f.module, nullptr);
    EXPECT_EQ(f.elf, nullptr);
    EXPECT_EQ(f.mapping_begin, f.mapping_end);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
}

TEST(DwarfFileTest, PassesTheVisitorsError) {
  absl::Status s = WithDwarfFile(
      Fixture("lines_vmlinux"),
      [](const DwarfFile&) { return absl::DataLossError("visitor"); });
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ksym
