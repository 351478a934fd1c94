// Serializes a Catalog into the .ksym index format (format.h) and writes it
// atomically.
//
//   Catalog catalog = ...;          // sources + attribution
//   catalog.FinalizeSizes();
//   Disambiguate(catalog);          // fills object annotations
//   absl::StatusOr<std::string> bytes = SerializeIndex(catalog);
//   absl::Status s = WriteFileAtomically("/tmp/k.ksym", *bytes);
#ifndef KSYM_SYMBOLIZER_INDEX_WRITER_H_
#define KSYM_SYMBOLIZER_INDEX_WRITER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// `catalog.symbols` must be sorted by (address, name) with sizes finalized
// (Catalog::FinalizeSizes). Fails with InvalidArgument for inputs the format
// cannot hold (a size of 4 GiB or more, a string over 64 KiB, ...).
absl::StatusOr<std::string> SerializeIndex(const Catalog& catalog);

// Writes `bytes` to a temporary file next to `path`, fsyncs it and renames
// it over `path`, so readers see the old file or the new one, never a part.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view bytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_WRITER_H_
