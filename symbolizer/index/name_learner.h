// Learns a name table (name_table.h) from symbol names, as the kernel's
// scripts/kallsyms.c does: a literal code for every byte value that occurs
// in any name, and the codes no name byte uses for the most frequent
// substrings, found by byte-pair merging (Re-Pair) over a sample.
//
//   std::string table = LearnNameTable(names);  // kTableSize bytes
//   NameDecoder decoder = *NameDecoder::Open(table);
#ifndef KSYM_SYMBOLIZER_INDEX_NAME_LEARNER_H_
#define KSYM_SYMBOLIZER_INDEX_NAME_LEARNER_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ksym {

// LearnNameTable merges on a sample of about this many name bytes. On 122k
// kallsyms names, 32 KiB gives 0.485 of the bytes, 64 KiB 0.483, all names
// 0.481, while merging time grows with the sample.
inline constexpr size_t kDefaultNameSampleBytes = 1 << 15;

// The serialized table learned from `names`: literal codes for every byte
// value that occurs in any name (so every one of them encodes), the
// remaining codes from byte-pair merging over a deterministic sample (every
// k-th name) of about `sample_bytes` bytes (0: all names). Same names in
// the same order → same table.
std::string LearnNameTable(absl::Span<const absl::string_view> names,
                           size_t sample_bytes = kDefaultNameSampleBytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_NAME_LEARNER_H_
