// A small but complete kernel catalog for the index fuzzers and the seed
// corpora: every index section non-trivial (three address segments, exact
// and inferred sizes, nested and overlapping symbols, aliases, duplicate
// names told apart by module and object, built-in and loadable module sets).
// As /proc/kallmodsyms would print part of it:
//
//   ffffffff81000140 t inner
//   ffffffff81000300 t init_once	[rapl] {inode.o}
//   ffffffffc0a01000 t ext4_fill_super	[ext4]
#ifndef KSYM_FUZZ_SAMPLE_INDEX_H_
#define KSYM_FUZZ_SAMPLE_INDEX_H_

#include <string>

#include "symbolizer/catalog/catalog.h"

namespace ksym {

// Sorted, sizes finalized, objects annotated: ready for SerializeIndex.
Catalog SampleCatalog();

// SerializeIndex(SampleCatalog()); aborts if the writer fails.
std::string SampleIndexBytes();

// SampleCatalog plus `aliases` symbols at one address (_text's): large
// symbol counts, one huge alias group, a large overlaps table.
std::string ManyAliasesIndexBytes(uint32_t aliases);

// Recomputes every section's CRC-32 in the directory, for sections that lie
// inside `file`, and then the header's (format::FileHead); leaves a file
// whose header and directory do not decode as it is.
void FixSectionCrcs(std::string& file);

}  // namespace ksym

#endif  // KSYM_FUZZ_SAMPLE_INDEX_H_
