#include "symbolizer/index/name_section.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/index/name_codec.h"

namespace ksym {

absl::Status NameSection::Encode(const Catalog& catalog,
                                 StringTableBuilder& strings,
                                 EncodedSections* out) {
  const std::vector<Symbol>& syms = catalog.symbols;
  const uint64_t n = syms.size();
  std::vector<absl::string_view> names;
  names.reserve(n);
  for (const Symbol& s : syms) names.push_back(s.name);
  NameCodec codec = NameCodec::Learn(names);
  std::string codes;
  std::vector<uint32_t> ends;
  if (absl::Status st = codec.EncodeAll(names, &codes, &ends); !st.ok()) {
    return st;
  }
  std::string data, blocks;
  data.reserve(codes.size() + 3 * n);
  blocks.reserve(4 * (n / format::kNameBlockSize + 1));
  uint32_t begin = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (i % format::kNameBlockSize == 0) {
      bytes::Append32(&blocks, static_cast<uint32_t>(data.size()));
    }
    const uint32_t len = ends[i] - begin;
    if (len >= (1u << 14)) {
      // Unreachable for names within kMaxSymbolNameLength (the writer
      // checks that first).
      return absl::InvalidArgumentError(absl::StrCat(
          "symbol \"", absl::CHexEscape(syms[i].name.substr(0, 40)),
          "...\" at 0x", absl::Hex(syms[i].address), ": its name encodes to ",
          len, " bytes, more than the index holds (16383)"));
    }
    data.push_back(syms[i].type);
    bytes::AppendVarint(&data, len);
    data.append(codes, begin, len);
    begin = ends[i];
  }
  if (data.size() > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError("symbol names exceed 4 GiB");
  }
  out->push_back({format::kNameTable, codec.Serialize()});
  out->push_back({format::kNameData, std::move(data)});
  out->push_back({format::kNameBlocks, std::move(blocks)});
  return absl::OkStatus();
}

absl::StatusOr<NameSection> NameSection::Decode(const SectionDirectory& dir) {
  const uint64_t n = dir.symbol_count;
  absl::StatusOr<NameDecoder> decoder =
      NameDecoder::Open(dir.section[format::kNameTable]);
  if (!decoder.ok()) {
    return absl::DataLossError(
        absl::StrCat("section name_table: ", decoder.status().message()));
  }
  NameSection s;
  s.decoder_ = *decoder;
  s.data_ = dir.section[format::kNameData];
  s.symbol_count_ = n;
  const uint64_t block_count =
      (n + format::kNameBlockSize - 1) / format::kNameBlockSize;
  const absl::string_view blocks = dir.section[format::kNameBlocks];
  if (absl::Status st =
          CheckPerSymbolSize(format::kNameBlocks, blocks, 4 * block_count, n);
      !st.ok()) {
    return st;
  }
  s.blocks_ = blocks.data();
  return s;
}

bool NameSection::Record(uint32_t i, char* type,
                         absl::string_view* encoded) const {
  if (i >= symbol_count_) return false;
  const uint64_t block = i / format::kNameBlockSize;
  const uint64_t off = bytes::Load32(blocks_ + 4 * block);
  const char* p = data_.data() + std::min<uint64_t>(off, data_.size());
  const char* end = data_.data() + data_.size();
  for (uint32_t skip = i % format::kNameBlockSize;; --skip) {
    if (p >= end) return false;
    const char t = *p++;
    uint64_t len;
    if (!bytes::ReadVarint(&p, end, 2, &len) ||
        len > static_cast<uint64_t>(end - p)) {
      return false;
    }
    if (skip == 0) {
      *type = t;
      *encoded = absl::string_view(p, len);
      return true;
    }
    p += len;
  }
}

}  // namespace ksym
