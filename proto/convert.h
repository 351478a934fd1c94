// Converts between a .ksym index and the ksym.proto.SymbolTable message
// (proto/ksym.proto), in binary, text or JSON form.
//
//   std::unique_ptr<IndexReader> index = *IndexReader::Open("k.ksym");
//   std::string pb = *ExportSymbolTableBytes(*index, ProtoFormat::kBinary);
//   ...
//   Catalog catalog = *ImportSymbolTableBytes(pb, ProtoFormat::kBinary,
//                                             "k.ksym.pb");
//   std::string again = *SerializeIndex(catalog);  // same index bytes
//
// Import trusts nothing: every id, length, order and letter is checked and a
// bad table is an InvalidArgument naming the field and index, e.g.
//   k.ksym.pb: symbols.name_refs[7]: 9 refers to names[8], which no earlier
//   symbol introduced (expected 0 or at most 3)
#ifndef KSYM_PROTO_CONVERT_H_
#define KSYM_PROTO_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/ksym.pb.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"

namespace ksym {

// Version written into SymbolTable.version; Import refuses newer ones.
inline constexpr uint32_t kSymbolTableVersion = 1;

enum class ProtoFormat {
  kBinary,     // protobuf wire format
  kTextProto,  // protobuf text format
  kJson,       // proto3 JSON mapping
};

// "binary", "textproto" (also "text", "pbtxt") or "json"; else
// InvalidArgument.
absl::StatusOr<ProtoFormat> ParseProtoFormat(absl::string_view name);
// The format a file name implies: .json → JSON; .textproto, .txtpb, .pbtxt
// → text; anything else binary.
ProtoFormat ProtoFormatForPath(absl::string_view path);

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
// `string` fields must be) and as ExportOptions says. `note`, when given,
// receives what a link-time export changed ("" otherwise), for the user.
absl::StatusOr<proto::SymbolTable> ExportSymbolTable(
    const IndexReader& index, ExportOptions options = {},
    std::string* note = nullptr);
absl::StatusOr<std::string> ExportSymbolTableBytes(
    const IndexReader& index, ProtoFormat format, ExportOptions options = {},
    std::string* note = nullptr);

// Serializes / parses a table in `format`. `label` names the input in
// errors (a file name).
absl::StatusOr<std::string> SerializeSymbolTable(
    const proto::SymbolTable& table, ProtoFormat format);
absl::StatusOr<proto::SymbolTable> ParseSymbolTable(absl::string_view bytes,
                                                    ProtoFormat format,
                                                    absl::string_view label);

// Validates `table` and builds the catalog it describes: symbols sorted with
// sizes finalized and object annotations set, ready for SerializeIndex.
// Malformed → InvalidArgument "LABEL: field[index]: what (expected ...)";
// a version newer than kSymbolTableVersion → FailedPrecondition.
absl::StatusOr<Catalog> ImportSymbolTable(const proto::SymbolTable& table,
                                          absl::string_view label = "<proto>");
absl::StatusOr<Catalog> ImportSymbolTableBytes(absl::string_view bytes,
                                               ProtoFormat format,
                                               absl::string_view label);

}  // namespace ksym

#endif  // KSYM_PROTO_CONVERT_H_
