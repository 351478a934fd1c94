#include "symbolizer/index/name_hash_section.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ksym {

absl::Status NameHashSection::Encode(const Catalog& catalog,
                                     StringTableBuilder& strings,
                                     EncodedSections* out) {
  const std::vector<Symbol>& syms = catalog.symbols;
  const uint64_t n = syms.size();
  const uint32_t buckets = static_cast<uint32_t>(std::max<uint64_t>(1, n / 3));
  const bool tagged = n <= format::kNameHashSymbolMask;
  std::vector<uint32_t> bucket_of(n), tag_of(n);
  std::vector<uint32_t> offsets(buckets + 1, 0);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t h = format::NameHash(syms[i].name);
    bucket_of[i] = static_cast<uint32_t>(h % buckets);
    tag_of[i] = tagged ? static_cast<uint32_t>(h >> 56) << 24 : 0;
    ++offsets[bucket_of[i] + 1];
  }
  for (uint32_t b = 0; b < buckets; ++b) offsets[b + 1] += offsets[b];
  std::vector<uint32_t> slots(n);
  std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
  for (uint64_t i = 0; i < n; ++i) {
    slots[fill[bucket_of[i]]++] = tag_of[i] | static_cast<uint32_t>(i);
  }
  std::string body;
  body.reserve(8 + 4 * (buckets + 1 + n));
  bytes::Append32(&body, buckets);
  bytes::Append32(&body, tagged ? format::kNameHashTagged : 0);
  for (uint32_t o : offsets) bytes::Append32(&body, o);
  for (uint32_t s : slots) bytes::Append32(&body, s);
  out->push_back({format::kNameHash, std::move(body)});
  return absl::OkStatus();
}

absl::StatusOr<NameHashSection> NameHashSection::Decode(
    const SectionDirectory& dir) {
  const uint64_t n = dir.symbol_count;
  const absl::string_view h = dir.section[format::kNameHash];
  if (h.size() < 8) {
    return absl::DataLossError("section name_hash is too short");
  }
  NameHashSection s;
  s.bucket_count_ = bytes::Load32(h.data());
  const uint64_t need = 8 + 4 * (uint64_t{s.bucket_count_} + 1) + 4 * n;
  if (s.bucket_count_ == 0 || h.size() != need) {
    return absl::DataLossError(
        absl::StrCat("section name_hash is ", h.size(), " bytes, but ",
                     s.bucket_count_, " buckets and ", n, " symbols need ",
                     need));
  }
  s.tagged_ = bytes::Load32(h.data() + 4) & format::kNameHashTagged;
  s.offsets_ = h.data() + 8;
  s.slots_ = s.offsets_ + 4 * (uint64_t{s.bucket_count_} + 1);
  return s;
}

}  // namespace ksym
