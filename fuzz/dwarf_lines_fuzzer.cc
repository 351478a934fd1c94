// Fuzzes ParseLineTable: libelf + libdw on arbitrary bytes (a .ko relocated
// by libdwfl, a linked file read in unit batches), then checks that the
// table it returns keeps its own invariants and answers every address of
// every function without reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/dwarf_lines.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto table = ksym::ParseLineTable(bytes, "fuzz/vmlinux");
  if (!table.ok()) return 0;
  const ksym::LineTable& t = *table;
  Check(!t.prefixes.empty() && !t.files.empty());
  for (const ksym::SourceFile& f : t.files) Check(f.prefix < t.prefixes.size());
  const ksym::FunctionLines* previous = nullptr;
  for (const ksym::FunctionLines& f : t.functions) {
    Check(f.section < t.sections.size() && f.name < t.names.size());
    Check(f.size > 0 && f.size <= UINT32_MAX);
    if (previous != nullptr && previous->section == f.section) {
      Check(previous->start + previous->size <= f.start);  // no overlaps
    }
    previous = &f;
    Check(f.first_row + uint64_t{f.row_count} <= t.rows.size());
    for (uint32_t i = 0; i < f.row_count; ++i) {
      const ksym::LineRow& r = t.rows[f.first_row + i];
      Check(r.offset < f.size && r.file < t.files.size());
      if (i > 0) {
        // Rows ascend; rows sharing an offset are statements of other lines
        // kept before the one that answers there (line_table.h).
        const ksym::LineRow& p = t.rows[f.first_row + i - 1];
        Check(p.offset < r.offset || (p.offset == r.offset && p.is_stmt));
      }
    }
    Check(f.first_call + uint64_t{f.call_count} <= t.calls.size());
    for (uint32_t i = 0; i < f.call_count; ++i) {
      const ksym::InlineCall& c = t.calls[f.first_call + i];
      Check(c.parent == ksym::kNoParent || c.parent < i);  // preorder
      Check(c.name < t.names.size() && c.call_file < t.files.size());
      Check(c.range_count > 0 &&
            c.first_range + uint64_t{c.range_count} <= t.inline_ranges.size());
      for (uint32_t k = 0; k < c.range_count; ++k) {
        const ksym::OffsetRange& r = t.inline_ranges[c.first_range + k];
        Check(r.begin < r.end && r.end <= f.size);
      }
    }
    // Bounded: a fuzzed function may claim gigabytes.
    for (uint64_t a = f.start; a < f.start + f.size && a < f.start + 64; ++a) {
      Check(!t.Symbolize(a, f.section).empty());
    }
  }
  return 0;
}
