// The table as files: `ksym export` and `ksym import` as one call each, so
// that no front end assembles reading, converting and writing itself.
//
//   std::string note;
//   absl::Status s = ExportTableFile(*index, ProtoFormat::kBinary, {},
//                                    "k.pb", &note);
//   absl::Status t = ImportTableFile("k.pb", ProtoFormat::kBinary, "k.ksym");
#ifndef KSYM_PROTO_TABLE_FILES_H_
#define KSYM_PROTO_TABLE_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "proto/export.h"
#include "proto/proto_format.h"
#include "symbolizer/index/reader.h"

namespace ksym {

// Writes `index` as a table to `path` through a temp file and a rename,
// 0600 when it holds runtime addresses (ExportFileMode). `note` as in
// ExportSymbolTableBytes. Nothing is written when the export fails.
absl::Status ExportTableFile(const IndexReader& index, ProtoFormat format,
                             ExportOptions options, const std::string& path,
                             std::string* note = nullptr);

// Reads the table at `table_path` (bounded like every input), checks it as
// ImportSymbolTableBytes does, and writes its index to `index_path` as
// WriteIndexAtomically does. Errors name `table_path`.
absl::Status ImportTableFile(const std::string& table_path, ProtoFormat format,
                             const std::string& index_path);

}  // namespace ksym

#endif  // KSYM_PROTO_TABLE_FILES_H_
