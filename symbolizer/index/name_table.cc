#include "symbolizer/index/name_table.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

constexpr char kMagic[4] = {'K', 'S', 'N', 'T'};
constexpr size_t kW = NameDecoder::kMaxTokenLength;
constexpr size_t kLengthsOffset = 8;
constexpr size_t kSlotsOffset = kLengthsOffset + 256;

std::string Hex2(int code) { return absl::StrFormat("0x%02x", code); }

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("name table: ", what));
}

}  // namespace

absl::Status ValidateNameTable(absl::string_view table) {
  if (table.size() != NameDecoder::kTableSize) {
    return Corrupt(absl::StrCat(table.size(), " bytes (expected ",
                                NameDecoder::kTableSize, ")"));
  }
  if (std::memcmp(table.data(), kMagic, 4) != 0) {
    return Corrupt(absl::StrCat("bad magic \"",
                                absl::CHexEscape(table.substr(0, 4)),
                                "\" (expected \"KSNT\")"));
  }
  uint32_t version;
  std::memcpy(&version, table.data() + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  version = __builtin_bswap32(version);
#endif
  if (version != NameDecoder::kVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("name table: version ", version, " (expected ",
                     NameDecoder::kVersion, ")"));
  }
  const uint8_t* lengths =
      reinterpret_cast<const uint8_t*>(table.data() + kLengthsOffset);
  const char* slots = table.data() + kSlotsOffset;
  for (int c = 0; c < 256; ++c) {
    const char* slot = slots + kW * c;
    if (lengths[c] > kW) {
      return Corrupt(absl::StrCat("code ", Hex2(c), " has length ", lengths[c],
                                  " (expected at most ", kW, ")"));
    }
    for (size_t i = lengths[c]; i < kW; ++i) {
      if (slot[i] != 0) {
        return Corrupt(absl::StrCat(
            "code ", Hex2(c), " has a non-zero byte after its ", lengths[c],
            "-byte expansion (expected zero padding)"));
      }
    }
    if (lengths[c] == 1 && static_cast<uint8_t>(slot[0]) != c) {
      return Corrupt(
          absl::StrCat("code ", Hex2(c), " expands to the single byte ",
                       Hex2(static_cast<uint8_t>(slot[0])),
                       " (expected a 1-byte expansion to be the code itself)"));
    }
  }
  // The encoder relies on this: a byte inside an expansion can also start
  // a match.
  for (int c = 0; c < 256; ++c) {
    for (size_t i = 0; i < lengths[c]; ++i) {
      uint8_t b = static_cast<uint8_t>(slots[kW * c + i]);
      if (lengths[b] != 1) {
        return Corrupt(absl::StrCat(
            "code ", Hex2(c), " expands to \"",
            absl::CHexEscape(absl::string_view(slots + kW * c, lengths[c])),
            "\" whose byte ", Hex2(b),
            " has no literal code (expected every byte of an expansion to "
            "be a 1-byte code)"));
      }
    }
  }
  // Duplicates: sort the used codes by expansion (slots are zero padded,
  // so comparing lengths then whole slots orders by content).
  std::array<uint8_t, 256> order;
  int used = 0;
  for (int c = 0; c < 256; ++c) {
    if (lengths[c] != 0) order[used++] = static_cast<uint8_t>(c);
  }
  auto less = [&](uint8_t a, uint8_t b) {
    if (lengths[a] != lengths[b]) return lengths[a] < lengths[b];
    int cmp = std::memcmp(slots + kW * a, slots + kW * b, kW);
    return cmp != 0 ? cmp < 0 : a < b;
  };
  std::sort(order.begin(), order.begin() + used, less);
  for (int i = 1; i < used; ++i) {
    uint8_t a = order[i - 1], b = order[i];
    if (lengths[a] == lengths[b] &&
        std::memcmp(slots + kW * a, slots + kW * b, kW) == 0) {
      return Corrupt(absl::StrCat(
          "codes ", Hex2(a), " and ", Hex2(b), " both expand to \"",
          absl::CHexEscape(absl::string_view(slots + kW * a, lengths[a])),
          "\" (expected distinct expansions)"));
    }
  }
  return absl::OkStatus();
}

std::string SerializeNameTable(const std::array<uint8_t, 256>& lengths,
                               const NameSlots& slots) {
  std::string table(NameDecoder::kTableSize, '\0');
  std::memcpy(&table[0], kMagic, 4);
  uint32_t version = NameDecoder::kVersion;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  version = __builtin_bswap32(version);
#endif
  std::memcpy(&table[4], &version, 4);
  std::memcpy(&table[kLengthsOffset], lengths.data(), 256);
  for (int c = 0; c < 256; ++c) {
    std::memcpy(&table[kSlotsOffset + kW * c], slots[c].data(), kW);
  }
  return table;
}

NameDecoder::NameDecoder(absl::string_view table)
    : lengths_(reinterpret_cast<const uint8_t*>(table.data() + kLengthsOffset)),
      slots_(table.data() + kSlotsOffset) {}

absl::StatusOr<NameDecoder> NameDecoder::Open(absl::string_view table) {
  absl::Status st = ValidateNameTable(table);
  if (!st.ok()) return st;
  return NameDecoder(table);
}

size_t NameDecoder::Decode(absl::string_view encoded, char* buf,
                           size_t cap) const {
  const uint8_t* in = reinterpret_cast<const uint8_t*>(encoded.data());
  const uint8_t* end = in + encoded.size();
  size_t n = 0;
  // Fast path: whole 16-byte slots while they fit; the bytes past the
  // expansion are overwritten by the next code.
  for (; in < end && n + kW <= cap; ++in) {
    std::memcpy(buf + n, slots_ + kW * *in, kW);
    n += lengths_[*in];
  }
  for (; in < end; ++in) {
    size_t len = lengths_[*in];
    if (n < cap)
      std::memcpy(buf + n, slots_ + kW * *in, std::min(len, cap - n));
    n += len;
  }
  return n;
}

size_t NameDecoder::DecodedSize(absl::string_view encoded) const {
  size_t n = 0;
  for (unsigned char c : encoded) n += lengths_[c];
  return n;
}

bool NameDecoder::Equals(absl::string_view encoded,
                         absl::string_view plain) const {
  // Decoding whole slots into a stack buffer beats comparing code by code.
  char buf[256 + kW];
  if (plain.size() <= 256) {
    size_t n = Decode(encoded, buf, sizeof(buf));
    return n == plain.size() && std::memcmp(buf, plain.data(), n) == 0;
  }
  const char* p = plain.data();
  size_t left = plain.size();
  for (unsigned char c : encoded) {
    size_t len = lengths_[c];
    if (len > left || std::memcmp(p, slots_ + kW * c, len) != 0) return false;
    p += len;
    left -= len;
  }
  return left == 0;
}

}  // namespace ksym
