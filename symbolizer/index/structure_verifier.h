// IndexReader::VerifyStructure: the full consistency check of an opened
// index beyond its checksums (what a forged checksum or a buggy writer
// would hide). Internal to the reader library; callers use
// IndexReader::VerifyStructure().
//
// O(n log n) in the symbol count. Each check names the first thing that is
// wrong as DataLoss "label: what".
#ifndef KSYM_SYMBOLIZER_INDEX_STRUCTURE_VERIFIER_H_
#define KSYM_SYMBOLIZER_INDEX_STRUCTURE_VERIFIER_H_

#include "absl/status/status.h"
#include "symbolizer/index/reader.h"

namespace ksym {

class StructureVerifier {
 public:
  explicit StructureVerifier(const IndexReader& reader) : r_(reader) {}
  // Symbols (sorted, names decode within the limit, type letters), the
  // attribution runs, the name hash, references, then the overlaps table.
  absl::Status Run() const;

 private:
  // Identity, sources, module sets and objects name existing strings;
  // module rules are known values.
  absl::Status VerifyReferences() const;
  // The overlaps table holds exactly the symbols whose exact size reaches
  // past their successor, with correct subtree maxima.
  absl::Status VerifyOverlaps() const;

  const IndexReader& r_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_STRUCTURE_VERIFIER_H_
