// Compression of kernel symbol names for the index: a 256-entry token table,
// the scheme of the kernel's own kallsyms (scripts/kallsyms.c). Every code
// byte expands to a string of 1..16 bytes; a byte that occurs in the names
// is its own code, and the codes no name byte uses stand for frequent
// substrings learned from the names by byte-pair merging. With a table
// learned from a 6.x kernel's /proc/kallsyms, for example:
//
//   "init_once.constprop.0" -> "init_" "on" "ce" ".co" "n" "st" "pro" "p" ".0"
//   (21 -> 9 bytes; all 122k names: 0.48 of their bytes)
//
//   NameCodec codec = NameCodec::Learn(names);
//   std::string table = codec.Serialize();        // stored in the index
//   std::string codes;                            // all names, back to back
//   std::vector<uint32_t> ends;                   // end of each name
//   absl::Status st = codec.EncodeAll(names, &codes, &ends);
//   ...
//   absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);  // mmapped
//   char buf[512];
//   size_t n = dec->Decode(encoded, buf, sizeof(buf));  // n <= 512: buf[0, n)
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
// sequence of its codes (no terminator, no length: the index stores that);
// it is never longer than the name. The encoder takes the longest expansion
// that matches at each point (greedy). Learn() reserves a literal code for
// every byte value occurring in any name, so every name it learned from
// encodes; a name with a byte that occurred in none of them is refused.
//
// Decoding works on any bytes: a corrupt encoded name decodes to some string
// but never reads outside the table or writes outside the caller's buffer.
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_CODEC_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

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
  friend class NameCodec;
  explicit NameDecoder(absl::string_view table);  // table already validated

  const uint8_t* lengths_;
  const char* slots_;
};

class NameCodec {
 public:
  static constexpr size_t kMaxTokenLength = NameDecoder::kMaxTokenLength;
  static constexpr size_t kTableSize = NameDecoder::kTableSize;
  // Learn() merges on a sample of about this many name bytes. On 122k
  // kallsyms names, 32 KiB gives 0.485 of the bytes, 64 KiB 0.483, all
  // names 0.481, while merging time grows with the sample.
  static constexpr size_t kDefaultSampleBytes = 1 << 15;

  // Learns a table from `names`: literal codes for every byte value that
  // occurs in any name, the remaining codes from byte-pair merging over a
  // deterministic sample (every k-th name) of about `sample_bytes` bytes.
  // Same names in the same order → same table.
  static NameCodec Learn(absl::Span<const absl::string_view> names,
                         size_t sample_bytes = kDefaultSampleBytes);

  // Rebuilds the codec from a serialized table; same checks and messages
  // as NameDecoder::Open.
  static absl::StatusOr<NameCodec> FromSerialized(absl::string_view table);

  NameCodec(const NameCodec& other);
  NameCodec& operator=(const NameCodec& other);
  NameCodec(NameCodec&& other) noexcept;
  NameCodec& operator=(NameCodec&& other) noexcept;

  // The table in the layout above (kTableSize bytes).
  const std::string& Serialize() const { return table_; }

  // Appends the codes of `name` to *out (greedy longest match). Fails with
  // InvalidArgument, leaving *out unchanged, when a byte of `name` has no
  // code.
  absl::Status Encode(absl::string_view name, std::string* out) const;

  // Encode() for many names at once, faster (it steps through several names
  // at a time): appends the codes of every name to *out, back to back, and
  // sets (*ends)[i] to the offset in *out just past the codes of names[i].
  // On error (that of the first name Encode() refuses), *out is unchanged
  // and *ends unspecified.
  absl::Status EncodeAll(absl::Span<const absl::string_view> names,
                         std::string* out, std::vector<uint32_t>* ends) const;

  // As NameDecoder::Decode.
  size_t Decode(absl::string_view encoded, char* buf, size_t cap) const {
    return decoder_.Decode(encoded, buf, cap);
  }
  std::string DecodeToString(absl::string_view encoded) const;
  bool Equals(absl::string_view encoded, absl::string_view plain) const {
    return decoder_.Equals(encoded, plain);
  }

  // A decoder over this codec's table; valid while the codec lives.
  const NameDecoder& decoder() const { return decoder_; }
  // Number of codes that stand for learned multi-byte strings.
  int merged_codes() const;

 private:
  explicit NameCodec(std::string table);
  // Literal codes for the bytes in `seen`, merged codes from the sample.
  static NameCodec FromSample(absl::Span<const absl::string_view> sample,
                              const std::array<uint8_t, 256>& seen);
  void BuildEncoder();

  std::string table_;
  NameDecoder decoder_;
  // Encoder: greedy longest match run as a transducer. A state is the part
  // of the current match read so far (a proper prefix of some expansion);
  // each input byte is one table step that may emit codes, so encoding
  // needs no backtracking and few unpredictable branches.
  uint16_t byte_class_[256];     // 0 = a byte without a literal code
  uint32_t row_size_ = 0;        // classes + 1 (the last column: end of name)
  std::vector<uint64_t> steps_;  // see name_codec.cc for the entry layout
  std::vector<uint8_t> pool_;    // emissions longer than 3 codes
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_CODEC_H_
