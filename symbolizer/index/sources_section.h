// kSources (format.h, optional): the sources the build looked for, a
// counted table of {what, path, why (string refs), state}.
#ifndef KSYM_SYMBOLIZER_INDEX_SOURCES_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_SOURCES_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class SourcesSection {
 public:
  static constexpr uint64_t kEntrySize = 16;
  struct Entry {
    uint32_t what, path, why;  // string refs
    SourceState state;
  };

  uint64_t count() const { return count_; }
  // k < count().
  Entry At(uint64_t k) const {
    const char* e = table_ + kEntrySize * k;
    return {bytes::Load32(e), bytes::Load32(e + 4), bytes::Load32(e + 8),
            static_cast<SourceState>(bytes::Load32(e + 12))};
  }

  // Written only when the build recorded sources.
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  // Absent: no sources. Every state must be a SourceState.
  static absl::StatusOr<SourcesSection> Decode(const SectionDirectory& dir);

 private:
  const char* table_ = nullptr;
  uint64_t count_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_SOURCES_SECTION_H_
