// Converts between a .ksym index and the ksym.proto.SymbolTable message
// (proto/ksym.proto), in binary, text or JSON form: the whole conversion API
// in one include, for front ends. Each job has its own file pair:
//
//   export.h        index → table (link-time addresses by default)
//   import.h        table → Catalog, ready for SerializeIndex
//   validate.h      the checks import runs on every part of a table
//   proto_format.h  table ↔ bytes (binary, textproto, JSON)
//
//   std::unique_ptr<IndexReader> index = *IndexReader::Open("k.ksym");
//   std::string pb = *ExportSymbolTableBytes(*index, ProtoFormat::kBinary);
//   ...
//   Catalog catalog = *ImportSymbolTableBytes(pb, ProtoFormat::kBinary,
//                                             "k.ksym.pb");
//   std::string again = *SerializeIndex(catalog);  // same index bytes
#ifndef KSYM_PROTO_CONVERT_H_
#define KSYM_PROTO_CONVERT_H_

#include "proto/export.h"        // IWYU pragma: export
#include "proto/import.h"        // IWYU pragma: export
#include "proto/proto_format.h"  // IWYU pragma: export
#include "proto/table_files.h"   // IWYU pragma: export

#endif  // KSYM_PROTO_CONVERT_H_
