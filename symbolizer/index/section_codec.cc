#include "symbolizer/index/section_codec.h"

namespace ksym {

absl::StatusOr<CountedTable> DecodeCountedTable(uint32_t id,
                                                absl::string_view s,
                                                uint64_t entry_size,
                                                bool exact) {
  if (s.size() < 8) {
    return SectionError(id, "is ", s.size(), " bytes, too short for its count");
  }
  CountedTable t;
  t.count = bytes::Load32(s.data());
  t.entries = s.data() + 8;
  const uint64_t need = 8 + t.count * entry_size;
  if (exact ? s.size() != need : s.size() < need) {
    return SectionError(id, "is ", s.size(), " bytes, but its count ",
                        t.count, " needs ", need);
  }
  t.rest = s.substr(need);
  return t;
}

absl::Status CheckPerSymbolSize(uint32_t id, absl::string_view section,
                                uint64_t want, uint64_t symbol_count) {
  if (section.size() != want) {
    return SectionError(id, "is ", section.size(), " bytes, expected ", want,
                        " for ", symbol_count, " symbols");
  }
  return absl::OkStatus();
}

}  // namespace ksym
