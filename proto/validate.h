// The checks of an incoming ksym.proto.SymbolTable, one part of the table
// each. A table comes from anywhere (a file shipped with a trace), so import
// (import.h) trusts nothing: every id, length, order and letter is checked,
// and a bad table is an InvalidArgument naming the field and the index of
// the first bad entry, with what was expected:
//
//   k.ksym.pb: symbols.name_refs[7]: 9 refers to symbols.names[8], which no
//   earlier symbol introduced (expected 0 or at most 7)
//
// Each check adds its part to the catalog once it is valid; the later parts
// refer to the earlier ones, so they run in the order declared here (symbols
// last: they refer to module sets and objects). `label` names the input (a
// file name) at the start of each message.
#ifndef KSYM_PROTO_VALIDATE_H_
#define KSYM_PROTO_VALIDATE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proto/ksym.pb.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// `version`: set, and at most kSymbolTableVersion (a newer one is
// FailedPrecondition: this reader cannot know what it added).
absl::Status CheckTableVersion(const proto::SymbolTable& table,
                               absl::string_view label);

// `identity`: a known address space, a build-id of lowercase hex digits
// (or none). Fills `out`.
absl::Status CheckTableIdentity(const proto::KernelIdentity& identity,
                                absl::string_view label, KernelIdentity* out);

// `module_names` (non-empty, no spaces or control bytes, each once) and
// `module_sets` (set 0 empty, ids in range, names ascending, each set once).
// Interns the sets into `catalog`, whose set 0 is already the empty set.
absl::Status CheckTableModules(const proto::SymbolTable& table,
                               absl::string_view label, Catalog* catalog);

// `sources`: states are known values. Appends them to `catalog`.
absl::Status CheckTableSources(const proto::SymbolTable& table,
                               absl::string_view label, Catalog* catalog);

// `modules`: names non-empty and ascending, build-ids lowercase hex (or
// none), each module's sections named and ascending. Appends them to
// `catalog`.
absl::Status CheckTableLoadedModules(const proto::SymbolTable& table,
                                     absl::string_view label,
                                     Catalog* catalog);

// `objects`: paths non-empty and each once, annotations a suffix of their
// path at a '/'. Interns them into `catalog`, which must have none yet.
absl::Status CheckTableObjects(const proto::SymbolTable& table,
                               absl::string_view label, Catalog* catalog);

// `symbols`: column lengths agree, names valid and each once, every name
// reference, address, type, exact size and attribution run in range and in
// (address, name) order. Replaces the catalog's symbols with them, sizes
// finalized; module sets and objects must already be in `catalog`.
absl::Status CheckTableSymbols(const proto::SymbolColumns& symbols,
                               absl::string_view label, Catalog* catalog);

}  // namespace ksym

#endif  // KSYM_PROTO_VALIDATE_H_
