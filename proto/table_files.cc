#include "proto/table_files.h"

#include "absl/status/statusor.h"
#include "proto/import.h"
#include "symbolizer/files/safe_write.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {

absl::Status ExportTableFile(const IndexReader& index, ProtoFormat format,
                             ExportOptions options, const std::string& path,
                             std::string* note) {
  absl::StatusOr<std::string> bytes =
      ExportSymbolTableBytes(index, format, options, note);
  if (!bytes.ok()) return bytes.status();
  SafeWriteOptions write;
  write.mode = ExportFileMode(index, options);
  return WriteFileAtomically(path, *bytes, write);
}

absl::Status ImportTableFile(const std::string& table_path, ProtoFormat format,
                             const std::string& index_path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(table_path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<Catalog> catalog =
      ImportSymbolTableBytes(*bytes, format, table_path);
  if (!catalog.ok()) return catalog.status();
  absl::StatusOr<std::string> index = SerializeIndex(*catalog);
  if (!index.ok()) return index.status();
  return WriteIndexAtomically(index_path, *index);
}

}  // namespace ksym
