// What the index fuzzers do with an index that opened: every query the
// Symbolizer offers, at addresses and names derived from the index and from
// the fuzzer input, plus the verification passes.
#ifndef KSYM_FUZZ_INDEX_EXERCISE_H_
#define KSYM_FUZZ_INDEX_EXERCISE_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "symbolizer/index/reader.h"

namespace ksym {

// Aborts on a broken guarantee (a lookup answering with a symbol that does
// not cover the address, LookupBatch disagreeing with Lookup on an index
// that passes VerifyStructure, ...). `input` seeds extra probe addresses.
void ExerciseIndex(std::unique_ptr<IndexReader> index, absl::string_view input);

}  // namespace ksym

#endif  // KSYM_FUZZ_INDEX_EXERCISE_H_
