// Fuzzes ParseLineProgram (line_program.h): the input is .debug_line and,
// past its first 64 bytes, also .debug_str and .debug_line_str, so string
// offsets land somewhere. Checks the rows it returns keep libdw's order
// (by address, an end of sequence first) and name files of its table or
// ones a program set, and that every file path composes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/line_program.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  ksym::LineProgramSections sections;
  sections.line = bytes;
  sections.str = bytes.substr(std::min<size_t>(64, size));
  sections.line_str = sections.str;
  ksym::LineProgram program;
  for (uint8_t address_size : {8, 4}) {
    for (bool big_endian : {false, true}) {
      sections.big_endian = big_endian;
      if (!ksym::ParseLineProgram(sections, 0, address_size, "/build",
                                  &program)
               .ok()) {
        continue;
      }
      // A row costs at least one byte of program.
      Check(program.rows.size() <= size);
      for (size_t i = 1; i < program.rows.size(); ++i) {
        const ksym::LineProgramRow& a = program.rows[i - 1];
        const ksym::LineProgramRow& b = program.rows[i];
        Check(a.address < b.address ||
              (a.address == b.address &&
               (a.end_sequence || !b.end_sequence || i + 1 == program.rows.size())));
      }
      if (!program.rows.empty()) Check(program.rows.back().end_sequence);
      Check(!program.files.empty());
      for (size_t f = 0; f <= program.files.size(); ++f) {
        std::string path = program.FilePath(f);
        Check(f < program.files.size() || path.empty());
      }
    }
  }
  return 0;
}
