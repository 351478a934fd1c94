#include "symbolizer/index/identity_section.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

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
  // Bits and fields this version does not define are damage, never
  // ignored: a forged flag would otherwise pass `ksym verify`.
  const uint32_t flags = bytes::Load32(s.data() + 24);
  if (flags & ~format::kIdentityKaslrUnknown) {
    return absl::DataLossError(absl::StrCat(
        "section identity has unknown flags 0x", absl::Hex(flags),
        " (defined: 0x", absl::Hex(format::kIdentityKaslrUnknown), ")"));
  }
  if (bytes::Load32(s.data() + 20) != 0 || bytes::Load32(s.data() + 28) != 0) {
    return absl::DataLossError(
        "section identity: its reserved fields (bytes 20-23, 28-31) are not "
        "zero");
  }
  id.kaslr_offset_known = (flags & format::kIdentityKaslrUnknown) == 0;
  return id;
}

}  // namespace ksym
