// kModuleSets (format.h): the module sets symbols belong to, a counted
// table of {first, size, flags} over the u32 string refs (module names,
// sorted) that follow it. Set 0 is the empty set.
#ifndef KSYM_SYMBOLIZER_INDEX_MODULE_SET_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_MODULE_SET_SECTION_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class ModuleSetSection {
 public:
  static constexpr uint64_t kEntrySize = 8;

  uint32_t count() const { return count_; }
  // Module name refs after the table.
  uint64_t ref_count() const { return ref_count_; }
  // set < count().
  uint32_t First(uint32_t set) const {
    return bytes::Load32(sets_ + kEntrySize * set);
  }
  uint16_t Size(uint32_t set) const {
    return bytes::Load16(sets_ + kEntrySize * set + 4);
  }
  uint16_t Flags(uint32_t set) const {
    return bytes::Load16(sets_ + kEntrySize * set + 6);
  }
  // j < ref_count().
  uint32_t Ref(uint64_t j) const { return bytes::Load32(refs_ + 4 * j); }
  // The size of `set` when its names lie within the refs, else 0.
  size_t CheckedSize(uint32_t set) const {
    if (set >= count_) return 0;
    const uint64_t first = First(set), size = Size(set);
    if (first > ref_count_ || size > ref_count_ - first) return 0;
    return size;
  }

  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<ModuleSetSection> Decode(const SectionDirectory& dir);

 private:
  const char* sets_ = nullptr;
  uint32_t count_ = 0;
  const char* refs_ = nullptr;
  uint64_t ref_count_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_MODULE_SET_SECTION_H_
