// The SymbolTable message (proto/ksym.proto) to and from bytes, in one of
// three encodings: protobuf binary, protobuf text format or proto3 JSON.
//
//   ProtoFormat f = ProtoFormatForPath("perf.data.ksym.pb");      // kBinary
//   std::string bytes = *SerializeSymbolTable(table, f);
//   proto::SymbolTable back = *ParseSymbolTable(bytes, f, "perf.data.ksym.pb");
//
// Parsing checks the encoding only; what the fields mean is checked by
// import (import.h).
#ifndef KSYM_PROTO_PROTO_FORMAT_H_
#define KSYM_PROTO_PROTO_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/ksym.pb.h"

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

// Serializes / parses a table in `format`. `label` names the input in
// errors (a file name): "LABEL: not a ksym.proto.SymbolTable ...", or
// "LABEL:LINE:COLUMN: what" for the text format.
absl::StatusOr<std::string> SerializeSymbolTable(
    const proto::SymbolTable& table, ProtoFormat format);
absl::StatusOr<proto::SymbolTable> ParseSymbolTable(absl::string_view bytes,
                                                    ProtoFormat format,
                                                    absl::string_view label);

}  // namespace ksym

#endif  // KSYM_PROTO_PROTO_FORMAT_H_
