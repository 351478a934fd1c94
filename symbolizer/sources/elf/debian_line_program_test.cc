// line_program.h's decoder against libdw's dwarf_getsrclines on every unit
// of a real kernel: the Debian 6.1 cloud vmlinux and its debug .ko files
// (relocated by libdwfl) that tools/fetch-debian-kernel.sh caches. Every
// row (address, file, line, column, is_stmt, end of sequence) and every
// file name must be libdw's, unit for unit.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test
//     --test_env=KSYM_DEBIAN_KERNEL
//     //symbolizer/sources/elf:debian_line_program_test   (one command)
//
// KSYM_LINE_PROGRAM_FILES (colon-separated ELF paths) adds files to check,
// e.g. another release's vmlinux.
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <glob.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/dwarf_file.h"
#include "symbolizer/sources/elf/dwarf_lines.h"
#include "symbolizer/sources/elf/line_program.h"
#include "symbolizer/testing/debian_kernel.h"

namespace ksym {
namespace {

constexpr char kTarget[] =
    "//symbolizer/sources/elf:debian_line_program_test";

struct Counts {
  size_t units = 0;
  size_t rows = 0;
  size_t files = 0;
  size_t decoded = 0;  // units the decoder read (the rest: both refused)
};

// Compares one unit; returns a description of the first difference or "".
std::string CompareUnit(const LineProgramSections& sections,
                        Dwarf_Die* cudie, Counts* counts) {
  Dwarf_Attribute attr;
  Dwarf_Word offset = 0;
  Dwarf_Die unit_die;
  uint8_t address_size = 0;
  bool has_list = dwarf_attr(cudie, DW_AT_stmt_list, &attr) != nullptr &&
                  dwarf_formudata(&attr, &offset) == 0 &&
                  dwarf_diecu(cudie, &unit_die, &address_size, nullptr) !=
                      nullptr;
  Dwarf_Lines* lines = nullptr;
  size_t nlines = 0;
  bool libdw_ok = dwarf_getsrclines(cudie, &lines, &nlines) == 0;
  if (!has_list) {
    return libdw_ok ? "libdw has lines for a unit without DW_AT_stmt_list"
                    : "";
  }
  std::optional<absl::string_view> comp_dir;
  if (dwarf_attr(cudie, DW_AT_comp_dir, &attr) != nullptr) {
    if (const char* dir = dwarf_formstring(&attr)) comp_dir = dir;
  }
  LineProgram program;
  absl::Status status =
      ParseLineProgram(sections, offset, address_size, comp_dir, &program);
  if (!libdw_ok) {
    return status.ok() ? "decoded a program libdw refuses" : "";
  }
  if (!status.ok()) return absl::StrCat("libdw reads it, the decoder: ", status.ToString());
  ++counts->decoded;
  if (program.rows.size() != nlines) {
    return absl::StrCat(nlines, " rows from libdw, ", program.rows.size());
  }
  for (size_t i = 0; i < nlines; ++i) {
    Dwarf_Line* line = dwarf_onesrcline(lines, i);
    Dwarf_Addr address = 0;
    int lineno = 0, column = 0;
    bool end = false, stmt = false;
    Dwarf_Files* files = nullptr;
    size_t file = 0;
    dwarf_lineaddr(line, &address);
    dwarf_lineno(line, &lineno);
    dwarf_linecol(line, &column);
    dwarf_lineendsequence(line, &end);
    dwarf_linebeginstatement(line, &stmt);
    dwarf_line_file(line, &files, &file);
    const LineProgramRow& r = program.rows[i];
    if (r.address != address || r.file != file || r.line != lineno ||
        static_cast<int>(r.column) != column || r.is_stmt != stmt ||
        r.end_sequence != end) {
      return absl::StrFormat(
          "row %d: libdw 0x%x file %d line %d col %d stmt %d end %d; "
          "decoder 0x%x file %d line %d col %d stmt %d end %d",
          i, address, file, lineno, column, stmt, end, r.address, r.file,
          r.line, r.column, r.is_stmt, r.end_sequence);
    }
  }
  counts->rows += nlines;
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0) return "no libdw files";
  if (nfiles != program.files.size()) {
    return absl::StrCat(nfiles, " files from libdw, ", program.files.size());
  }
  for (size_t i = 0; i < nfiles; ++i) {
    const char* name = dwarf_filesrc(files, i, nullptr, nullptr);
    if (name == nullptr || program.FilePath(i) != name) {
      return absl::StrCat("file ", i, ": libdw ", name ? name : "(null)",
                          ", decoder ", program.FilePath(i));
    }
  }
  counts->files += nfiles;
  const char* const* dirs = nullptr;
  size_t ndirs = 0;
  if (dwarf_getsrcdirs(files, &dirs, &ndirs) != 0 ||
      ndirs != program.dirs.size()) {
    return "directory count";
  }
  for (size_t i = 0; i < ndirs; ++i) {
    bool same = dirs[i] == nullptr ? !program.dirs[i].has_value()
                                   : program.dirs[i].has_value() &&
                                         *program.dirs[i] == dirs[i];
    if (!same) return absl::StrCat("directory ", i);
  }
  return "";
}

void CheckFile(const std::string& path, Counts* counts) {
  SCOPED_TRACE(path);
  absl::Status status = WithDwarfFile(path, [&](const DwarfFile& file) {
    std::optional<LineProgramSections> sections =
        LineProgramSectionsOf(file.dwarf);
    EXPECT_TRUE(sections.has_value());
    if (!sections.has_value()) return absl::OkStatus();
    Dwarf_CU* cu = nullptr;
    Dwarf_CU* next = nullptr;
    size_t failures = 0;
    while (true) {
      uint8_t unit_type = 0;
      Dwarf_Die cudie;
      int rc = dwarf_get_units(file.dwarf, cu, &next, nullptr, &unit_type,
                               &cudie, nullptr);
      if (rc != 0) break;
      cu = next;
      if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton) continue;
      ++counts->units;
      std::string diff = CompareUnit(*sections, &cudie, counts);
      if (!diff.empty() && ++failures <= 10) {
        ADD_FAILURE() << "unit at 0x" << std::hex << dwarf_dieoffset(&cudie)
                      << " (" << (dwarf_diename(&cudie) ?: "?") << "): " << diff;
      }
    }
    EXPECT_EQ(failures, 0u);
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
}

TEST(DebianLineProgramTest, EveryUnitDecodesToLibdwsRows) {
  absl::StatusOr<testutil::DebianKernel> k =
      testutil::FindDebianKernel(kTarget);
  ASSERT_TRUE(k.ok()) << k.status();
  std::vector<std::string> files = {k->vmlinux};
  std::string root = k->vmlinux.substr(0, k->vmlinux.rfind("/boot/"));
  glob_t g;
  for (const std::string& p :
       {absl::StrCat(root, "/lib/modules/", k->release, "/kernel/*/*.ko"),
        absl::StrCat(root, "/lib/modules/", k->release, "/kernel/*/*/*.ko"),
        absl::StrCat(root, "/lib/modules/", k->release, "/kernel/*/*/*/*.ko")}) {
    if (glob(p.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  EXPECT_GT(files.size(), 1u) << "no debug .ko under " << root;
  if (const char* extra = std::getenv("KSYM_LINE_PROGRAM_FILES")) {
    for (absl::string_view f : absl::StrSplit(extra, ':', absl::SkipEmpty())) {
      files.emplace_back(f);
    }
  }
  for (const std::string& f : files) {
    Counts counts;
    CheckFile(f, &counts);
    std::cerr << f << ": " << counts.units << " units, " << counts.decoded
              << " decoded, " << counts.rows << " rows, " << counts.files
              << " files\n";
    // Units with lines exist and the decoder read them.
    EXPECT_GT(counts.decoded, 0u) << f;
    EXPECT_GT(counts.rows, counts.decoded) << f;
  }
}

}  // namespace
}  // namespace ksym
