// kNameHash (format.h): symbols bucketed by NameHash of their name, for
// name -> symbols without decoding every name; slots carry the hash's top
// byte as a tag when the symbol count allows.
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_HASH_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_HASH_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class NameHashSection {
 public:
  uint32_t bucket_count() const { return bucket_count_; }
  bool tagged() const { return tagged_; }
  // b <= bucket_count(): bucket b is slots [Offset(b), Offset(b + 1)).
  uint32_t Offset(uint64_t b) const {
    return bytes::Load32(offsets_ + 4 * b);
  }
  // k < the symbol count.
  uint32_t Slot(uint64_t k) const { return bytes::Load32(slots_ + 4 * k); }
  // The bits of a slot that name its symbol; the others are the tag.
  uint32_t SymbolMask() const {
    return tagged_ ? format::kNameHashSymbolMask : ~0u;
  }
  // The tag a slot of a name with `hash` carries.
  uint32_t TagOf(uint64_t hash) const {
    return tagged_ ? static_cast<uint32_t>(hash >> 56) << 24 : 0;
  }

  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<NameHashSection> Decode(const SectionDirectory& dir);

 private:
  const char* offsets_ = nullptr;
  const char* slots_ = nullptr;
  uint32_t bucket_count_ = 0;
  bool tagged_ = false;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_HASH_SECTION_H_
