// The JSON record of a lookup or a resolve, one JSON Lines object each, as
// `ksym lookup --json` / `ksym resolve --json` print them and every other
// front end returns them.
//
//   LookupJson(s, addr, r.symbol, r.offset)
//   // {"address":"0xffffffff81460ec2","found":true,"name":"init_once",
//   //  "qualified":"init_once {ext4/super.o}","start":"0xffffffff81460eb0",
//   //  "size":100,"size_exact":true,"kernel_length":112,"type":"t","modules":[],
//   //  "object":"fs/ext4/super.o","annotation":"ext4/super.o","offset":18}
//   NotFoundJson(1, NotFoundReason::kBelowFirstSymbol)
//   // {"address":"0x1","found":false,"reason":"below the lowest symbol address"}
//   ResolveJson(s, "init_once", candidates)
//   // {"query":"init_once","candidates":[{"name":...,"target":"0x..."},...]}
//
// Addresses are strings "0x..." (JSON numbers lose 64-bit precision in
// many readers); sizes and offsets are numbers. `size` is the ELF size
// (exact when `size_exact`), `kernel_length` the length text frames print
// after the slash, as %pS does: the distance to the next symbol. `object` is the full path
// or null, `annotation` the printed {obj} or null. `unique` says whether
// `qualified` selects this symbol alone, `candidates` how many symbols
// print as `qualified`; a symbol that is not unique also has `select`, a
// query that selects it (`qualified @0xADDR`).
#ifndef KSYM_SYMBOLIZER_API_JSON_RECORDS_H_
#define KSYM_SYMBOLIZER_API_JSON_RECORDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// "0x" + lowercase hex.
std::string JsonAddress(uint64_t address);

// The symbol's fields: name, qualified, start, size, size_exact,
// kernel_length, type,
// modules, object, annotation, unique, candidates [, select]; on a runtime
// index also static_start (the vmlinux address of a core-kernel symbol
// when the KASLR offset is known, else null: static_address.h).
void AddSymbolFields(const Symbolizer& s, const SymbolInfo& symbol,
                     JsonLine& j);

// One covering symbol of `address`; with `lines`, its "location" and
// "inlined" fields too (source_lines.h AddSourceLineFields).
std::string LookupJson(const Symbolizer& s, uint64_t address,
                       const SymbolInfo& symbol, uint64_t offset,
                       const SourceLines* lines = nullptr);
// No symbol covers `address`.
std::string NotFoundJson(uint64_t address, NotFoundReason reason);
// Every candidate of `query`, in the given order ([] when none). With
// `/0xLEN` in the query each candidate has "length_matched": "kernel" (the
// distance to the next symbol, as %pS prints it) or "elf_size" (the
// fallback when no candidate had the kernel's length).
std::string ResolveJson(const Symbolizer& s, absl::string_view query,
                        absl::Span<const Candidate> candidates);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_JSON_RECORDS_H_
