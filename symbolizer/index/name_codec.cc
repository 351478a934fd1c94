#include "symbolizer/index/name_codec.h"

#include <string>
#include <utility>

namespace ksym {

NameCodec::NameCodec(std::string table)
    : table_(std::move(table)), decoder_(table_), encoder_(decoder_) {}

NameCodec::NameCodec(const NameCodec& other)
    : table_(other.table_), decoder_(table_), encoder_(other.encoder_) {}

NameCodec& NameCodec::operator=(const NameCodec& other) {
  if (this != &other) *this = NameCodec(other);
  return *this;
}

NameCodec::NameCodec(NameCodec&& other) noexcept
    : table_(std::move(other.table_)),
      decoder_(table_),
      encoder_(std::move(other.encoder_)) {}

NameCodec& NameCodec::operator=(NameCodec&& other) noexcept {
  table_ = std::move(other.table_);
  decoder_ = NameDecoder(table_);
  encoder_ = std::move(other.encoder_);
  return *this;
}

NameCodec NameCodec::Learn(absl::Span<const absl::string_view> names,
                           size_t sample_bytes) {
  return NameCodec(LearnNameTable(names, sample_bytes));
}

absl::StatusOr<NameCodec> NameCodec::FromSerialized(absl::string_view table) {
  absl::Status st = ValidateNameTable(table);
  if (!st.ok()) return st;
  return NameCodec(std::string(table));
}

std::string NameCodec::DecodeToString(absl::string_view encoded) const {
  std::string s(decoder_.DecodedSize(encoded), '\0');
  decoder_.Decode(encoded, &s[0], s.size());
  return s;
}

int NameCodec::merged_codes() const {
  int n = 0;
  for (int c = 0; c < 256; ++c) n += decoder_.Expansion(c).size() > 1;
  return n;
}

}  // namespace ksym
