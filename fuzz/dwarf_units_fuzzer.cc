// Fuzzes ParseDwarfUnits: libelf + libdw on arbitrary bytes, including the
// relocation of a .ko's debug sections and SHF_COMPRESSED inflation, then
// the object path rules on whatever unit names come out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/dwarf_units.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto units = ksym::ParseDwarfUnits(bytes, "fuzz/vmlinux");
  if (!units.ok()) return 0;
  for (const ksym::DwarfUnit& u : units->units) {
    for (const auto& [begin, end] : u.ranges) {
      if (begin >= end) std::abort();  // empty ranges are dropped
    }
    if (units->relocatable && u.range_sections.size() != u.ranges.size()) {
      std::abort();
    }
  }
  return 0;
}
