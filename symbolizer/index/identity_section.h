// kIdentity (format.h): which kernel the index describes, 32 bytes:
// kaslr_offset, string refs of release, build_id and arch, identity flags.
#ifndef KSYM_SYMBOLIZER_INDEX_IDENTITY_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_IDENTITY_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

struct IdentitySection {
  static constexpr uint64_t kSize = 32;

  int64_t kaslr_offset = 0;
  // False when the flags say kIdentityKaslrUnknown.
  bool kaslr_offset_known = true;
  // String refs of release, build_id, arch.
  uint32_t refs[3] = {};

  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<IdentitySection> Decode(const SectionDirectory& dir);
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_IDENTITY_SECTION_H_
