// The name codec's token table (see name_codec.h for the scheme): its
// serialized layout, checked at open, and the decoder that reads names
// straight from it (inside the mapped index). The writer learns a table
// (name_learner.h) and encodes with it (name_encoder.h); the reader needs
// only this.
//
// Serialized table (kTableSize = 4360 bytes, little-endian):
//
//   offset  size      field
//   0       u8[4]     magic "KSNT"
//   4       u32       version (1)
//   8       u8[256]   length[c]: byte length of the expansion of code c,
//                     0..16; 0 means code c is unused (it decodes to nothing)
//   264     u8[4096]  slot[c] at 264 + 16 * c: the expansion of code c in
//                     its first length[c] bytes, zero bytes after them
//
// A valid table also has: every code of length 1 expands to itself (the
// literal byte c); every byte of every expansion has such a literal code;
// no two used codes have the same expansion. An encoded name is the
// sequence of its codes (no terminator, no length: the index stores that).
//
// Decoding works on any bytes: a corrupt encoded name decodes to some string
// but never reads outside the table or writes outside the caller's buffer.
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_TABLE_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

// Decodes straight from a serialized table (e.g. inside the mapped index):
// no copy, no allocation, thread-safe. The table must outlive the decoder.
class NameDecoder {
 public:
  static constexpr size_t kMaxTokenLength = 16;
  static constexpr size_t kTableSize = 8 + 256 + 256 * kMaxTokenLength;
  static constexpr uint32_t kVersion = 1;

  // Validates the layout above. Corrupt → DataLoss; another version →
  // FailedPrecondition. Messages start with "name table: ".
  static absl::StatusOr<NameDecoder> Open(absl::string_view table);

  // Writes the decoded name to buf and returns its full length, like
  // snprintf: when the result exceeds `cap` only buf[0, cap) is written
  // (call again with a larger buffer). Any byte of buf[0, cap) past the
  // returned length may be overwritten too.
  size_t Decode(absl::string_view encoded, char* buf, size_t cap) const;

  // Decoded length, without decoding.
  size_t DecodedSize(absl::string_view encoded) const;

  // Whether `encoded` decodes to exactly `plain` (no allocation).
  bool Equals(absl::string_view encoded, absl::string_view plain) const;

  // The bytes code `code` expands to (empty for an unused code).
  absl::string_view Expansion(uint8_t code) const {
    return absl::string_view(slots_ + kMaxTokenLength * code, lengths_[code]);
  }

 private:
  friend class NameCodec;  // re-points its decoder when copied or moved
  explicit NameDecoder(absl::string_view table);  // table already validated

  const uint8_t* lengths_;
  const char* slots_;
};

// Checks the layout above. Corrupt → DataLoss; another version →
// FailedPrecondition. Messages start with "name table: ".
absl::Status ValidateNameTable(absl::string_view table);

// The serialized table (kTableSize bytes) of these expansions: code c expands
// to the first lengths[c] bytes of slots[c]; the rest of each slot must be
// zero.
using NameSlots =
    std::array<std::array<char, NameDecoder::kMaxTokenLength>, 256>;
std::string SerializeNameTable(const std::array<uint8_t, 256>& lengths,
                               const NameSlots& slots);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_TABLE_H_
