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
//   NameCodec codec = NameCodec::Learn(names);   // name_learner.h
//   std::string table = codec.Serialize();        // stored in the index
//   std::string codes;                            // all names, back to back
//   std::vector<uint32_t> ends;                   // end of each name
//   absl::Status st = codec.EncodeAll(names, &codes, &ends);
//   ...
//   absl::StatusOr<NameDecoder> dec = NameDecoder::Open(table);  // mmapped,
//                                                  // name_table.h
//   char buf[512];
//   size_t n = dec->Decode(encoded, buf, sizeof(buf));  // n <= 512: buf[0, n)
//
// An encoded name is never longer than the name: the encoder
// (name_encoder.h) takes the longest expansion that matches at each point
// (greedy). Learn() reserves a literal code for every byte value occurring
// in any name, so every name it learned from encodes; a name with a byte
// that occurred in none of them is refused.
//
// NameCodec joins the three jobs, one file pair each: the table's layout
// and decoder (name_table.h, all the index reader needs), learning a table
// (name_learner.h) and encoding (name_encoder.h).
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_CODEC_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/index/name_encoder.h"
#include "symbolizer/index/name_learner.h"
#include "symbolizer/index/name_table.h"  // IWYU pragma: export

namespace ksym {

class NameCodec {
 public:
  static constexpr size_t kMaxTokenLength = NameDecoder::kMaxTokenLength;
  static constexpr size_t kTableSize = NameDecoder::kTableSize;
  // Learn() merges on a sample of about this many name bytes (see
  // name_learner.h).
  static constexpr size_t kDefaultSampleBytes = kDefaultNameSampleBytes;

  // Learns a table from `names` (LearnNameTable): literal codes for every
  // byte value that occurs in any name, the remaining codes from byte-pair
  // merging over a deterministic sample (every k-th name) of about
  // `sample_bytes` bytes. Same names in the same order → same table.
  static NameCodec Learn(absl::Span<const absl::string_view> names,
                         size_t sample_bytes = kDefaultSampleBytes);

  // Rebuilds the codec from a serialized table; same checks and messages
  // as NameDecoder::Open.
  static absl::StatusOr<NameCodec> FromSerialized(absl::string_view table);

  NameCodec(const NameCodec& other);
  NameCodec& operator=(const NameCodec& other);
  NameCodec(NameCodec&& other) noexcept;
  NameCodec& operator=(NameCodec&& other) noexcept;

  // The table in the layout of name_table.h (kTableSize bytes).
  const std::string& Serialize() const { return table_; }

  // As NameEncoder::Encode and EncodeAll.
  absl::Status Encode(absl::string_view name, std::string* out) const {
    return encoder_.Encode(name, out);
  }
  absl::Status EncodeAll(absl::Span<const absl::string_view> names,
                         std::string* out, std::vector<uint32_t>* ends) const {
    return encoder_.EncodeAll(names, out, ends);
  }

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
  explicit NameCodec(std::string table);  // table already validated

  std::string table_;
  NameDecoder decoder_;  // reads table_
  NameEncoder encoder_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_CODEC_H_
