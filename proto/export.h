// Index → ksym.proto.SymbolTable (proto/ksym.proto): the table a trace tool
// ships next to a trace.
//
//   std::unique_ptr<IndexReader> index = *IndexReader::Open("k.ksym");
//   std::string note;
//   std::string pb =
//       *ExportSymbolTableBytes(*index, ProtoFormat::kBinary, {}, &note);
//
// The way back is import.h; index → table → index is byte-identical.
#ifndef KSYM_PROTO_EXPORT_H_
#define KSYM_PROTO_EXPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/ksym.pb.h"
#include "proto/proto_format.h"
#include "symbolizer/index/reader.h"

namespace ksym {

struct ExportOptions {
  // A table shipped with a trace must not reveal the KASLR slide, so a
  // runtime index exports link-time addresses by default: core-kernel
  // symbols moved back by the slide (per-cpu offsets, which KASLR does not
  // move, stay), loadable-module symbols left out (their load addresses
  // exist only at runtime), address_space STATIC, kaslr_offset 0. A runtime
  // index whose slide is unknown (built from /proc/kallsyms alone) is then
  // refused (FailedPrecondition). `absolute` exports the runtime addresses
  // and the slide as they are. Static indexes export unchanged either way.
  bool absolute = false;
};

// The mode a file of this export is written with: 0600 when it holds
// runtime addresses (an --absolute export of a runtime index), else 0644.
unsigned ExportFileMode(const IndexReader& index, ExportOptions options);

// The whole index as a table. Fails for strings that are not UTF-8 (proto3
// `string` fields must be) and as ExportOptions says. The index's line
// section, when present, goes to `lines` (proto/lines.h). `note`, when
// given, receives what a link-time export changed and what a reader of the
// lines should know ("" when nothing), for the user.
absl::StatusOr<proto::SymbolTable> ExportSymbolTable(
    const IndexReader& index, ExportOptions options = {},
    std::string* note = nullptr);
// The same, serialized in `format`.
absl::StatusOr<std::string> ExportSymbolTableBytes(
    const IndexReader& index, ProtoFormat format, ExportOptions options = {},
    std::string* note = nullptr);

}  // namespace ksym

#endif  // KSYM_PROTO_EXPORT_H_
