#include "symbolizer/index/identity_section.h"

#include <string>
#include <utility>

namespace ksym {

absl::Status IdentitySection::Encode(const Catalog& catalog,
                                     StringTableBuilder& strings,
                                     EncodedSections* out) {
  std::string s;
  bytes::Append64(&s, static_cast<uint64_t>(catalog.identity.kaslr_offset));
  const std::pair<const std::string*, const char*> fields[] = {
      {&catalog.identity.release, "kernel release"},
      {&catalog.identity.build_id, "build id"},
      {&catalog.identity.arch, "architecture"}};
  for (const auto& [v, what] : fields) {
    absl::StatusOr<uint32_t> ref = strings.Add(*v, what);
    if (!ref.ok()) return ref.status();
    bytes::Append32(&s, *ref);
  }
  bytes::Append32(&s, 0);  // reserved string ref
  bytes::Append32(&s, catalog.identity.kaslr_offset_known
                          ? 0
                          : format::kIdentityKaslrUnknown);
  bytes::Append32(&s, 0);
  out->push_back({format::kIdentity, std::move(s)});
  return absl::OkStatus();
}

absl::StatusOr<IdentitySection> IdentitySection::Decode(
    const SectionDirectory& dir) {
  const absl::string_view s = dir.section[format::kIdentity];
  if (absl::Status st =
          CheckPerSymbolSize(format::kIdentity, s, kSize, dir.symbol_count);
      !st.ok()) {
    return st;
  }
  IdentitySection id;
  id.kaslr_offset = static_cast<int64_t>(bytes::Load64(s.data()));
  for (int k = 0; k < 3; ++k) id.refs[k] = bytes::Load32(s.data() + 8 + 4 * k);
  id.kaslr_offset_known =
      (bytes::Load32(s.data() + 24) & format::kIdentityKaslrUnknown) == 0;
  return id;
}

}  // namespace ksym
