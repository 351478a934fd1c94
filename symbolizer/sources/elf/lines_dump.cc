// Reads the line tables and inline trees of a vmlinux or .ko (dwarf_lines)
// and prints their size and the time and memory that took, or symbolizes
// addresses the way `llvm-symbolizer --inlines` prints them, to compare:
//
//   lines_dump vmlinux                      counts, seconds, bytes, peak RSS
//   lines_dump --symbolize vmlinux < addrs  one block per address:
//       FUNCTION\nFILE:LINE:COLUMN\n per frame, innermost first, then a
//       blank line; "??\n??:0:0\n" for an address in no function
//   lines_dump --symbolize mod.ko .text < offsets   (section-relative)
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "symbolizer/sources/elf/dwarf_lines.h"

namespace {

// Peak and current resident memory, split into anonymous pages and file
// pages (the mapped ELF file's).
std::string Memory() {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::string out;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmHWM:") ||
        absl::StartsWith(line, "RssAnon:") ||
        absl::StartsWith(line, "RssFile:")) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", line);
    }
  }
  return out;
}

int Summary(const ksym::LineTable& t, double seconds) {
  size_t no_line_rows = 0;
  for (const ksym::LineRow& r : t.rows) no_line_rows += r.line == 0;
  absl::PrintF(
      "lines: %.3f s, %d functions (%d overlapping dropped), %d rows (%d "
      "without a line), %d inlined calls, %d inline ranges, %d files, %d "
      "prefixes, %d names, %d sections\n  in memory: %d bytes; %s\n",
      seconds, t.functions.size(), t.overlapping_functions, t.rows.size(),
      no_line_rows, t.calls.size(), t.inline_ranges.size(), t.files.size(),
      t.prefixes.size(), t.names.size(), t.sections.size(), t.MemoryBytes(),
      Memory());
  for (size_t i = 0; i < t.prefixes.size(); ++i) {
    size_t files = 0;
    for (const ksym::SourceFile& f : t.files) files += f.prefix == i;
    absl::PrintF("  prefix %d \"%s\": %d files\n", i, t.prefixes[i], files);
  }
  return 0;
}

int Symbolize(const ksym::LineTable& t, const std::string& section_name) {
  uint32_t section = 0;
  if (t.relocatable) {
    section = UINT32_MAX;
    for (size_t i = 0; i < t.sections.size(); ++i) {
      if (t.sections[i] == section_name) section = i;
    }
    if (section == UINT32_MAX) {
      absl::FPrintF(stderr, "lines_dump: no code in section %s\n",
                    section_name);
      return 1;
    }
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    absl::ConsumePrefix(&text, "0x");
    uint64_t address = 0;
    if (!absl::SimpleHexAtoi(text, &address)) {
      absl::FPrintF(stderr, "lines_dump: not a hex address: %s\n", line);
      return 1;
    }
    std::string out;
    auto frames = t.Symbolize(address, section);
    if (frames.empty()) out = "??\n??:0:0\n";
    for (const ksym::SourceFrame& f : frames) {
      absl::StrAppend(&out, f.function.empty() ? "??" : f.function, "\n",
                      f.file.empty() ? "??" : f.file, ":", f.line, ":",
                      f.column, "\n");
    }
    absl::PrintF("%s\n", out);
    fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool symbolize = argc >= 3 && std::string(argv[1]) == "--symbolize";
  if (!(argc == 2 && argv[1][0] != '-') && !(symbolize && argc <= 4)) {
    absl::FPrintF(stderr,
                  "usage: lines_dump [--symbolize] FILE [SECTION] "
                  "(addresses on stdin)\n");
    return 2;
  }
  std::string path = argv[symbolize ? 2 : 1];
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<ksym::LineTable> table = ksym::ReadLineTableFile(path);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!table.ok()) {
    absl::FPrintF(stderr, "%s\n", table.status().ToString());
    return 1;
  }
  if (!symbolize) return Summary(*table, seconds);
  return Symbolize(*table, argc == 4 ? argv[3] : ".text");
}
