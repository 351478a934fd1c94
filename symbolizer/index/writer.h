// Serializes a Catalog into the .ksym index format (format.h) and writes it
// atomically and safely (symbolizer/files/safe_write.h).
//
//   Catalog catalog = ...;          // sources + attribution
//   catalog.FinalizeSizes();
//   Disambiguate(catalog);          // fills object annotations
//   absl::StatusOr<std::string> bytes = SerializeIndex(catalog);
//   absl::Status s = WriteIndexAtomically("out/k.ksym", *bytes);
#ifndef KSYM_SYMBOLIZER_INDEX_WRITER_H_
#define KSYM_SYMBOLIZER_INDEX_WRITER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/files/safe_write.h"

namespace ksym {

// `catalog.symbols` must be sorted by (address, name) with sizes finalized
// (Catalog::FinalizeSizes). Fails with InvalidArgument for inputs the format
// cannot hold (a size of 4 GiB or more, a string over 64 KiB, ...).
absl::StatusOr<std::string> SerializeIndex(const Catalog& catalog);

// Writes SerializeIndex's `index_bytes` to `path` with WriteFileAtomically
// (a fresh temp file next to it, renamed into place; never through a
// symlink, never over a non-regular file). An index holding runtime
// addresses is written 0600: its addresses reveal the KASLR slide that
// /proc/kallsyms hides from other users. Static indexes are 0644.
// `create_parents` creates the missing directories of `path` first.
absl::Status WriteIndexAtomically(const std::string& path,
                                  absl::string_view index_bytes,
                                  bool create_parents = false);

// True when `index_bytes` starts with a ksym header whose flags say runtime
// addresses.
bool IsRuntimeIndex(absl::string_view index_bytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_WRITER_H_
