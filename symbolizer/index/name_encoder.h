// Encodes names with a name table (name_table.h): at each point the longest
// expansion that matches (greedy), as the kernel's kallsyms does. Run as a
// transducer, so that encoding needs no backtracking and few unpredictable
// branches: a state is the part of the current match read so far (a proper
// prefix of some expansion), and each input byte is one table step that may
// emit codes.
//
//   NameEncoder encoder(*NameDecoder::Open(table));
//   std::string codes;
//   absl::Status st = encoder.Encode("init_once", &codes);
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_ENCODER_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_ENCODER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/index/name_table.h"

namespace ksym {

class NameEncoder {
 public:
  // Builds the transducer for the table `decoder` reads; the encoder keeps
  // no reference to it.
  explicit NameEncoder(const NameDecoder& decoder);

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

 private:
  uint16_t byte_class_[256];     // 0 = a byte without a literal code
  uint32_t row_size_ = 0;        // classes + 1 (the last column: end of name)
  std::vector<uint64_t> steps_;  // see name_encoder.cc for the entry layout
  std::vector<uint8_t> pool_;    // emissions longer than 3 codes
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_ENCODER_H_
