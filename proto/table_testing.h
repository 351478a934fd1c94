// Helpers shared by the proto/ tests: a small kernel with every feature the
// table encodes, and index/table round trips that fail the test on error.
//
//   proto::SymbolTable t = prototest::Export(prototest::SampleCatalog());
#ifndef KSYM_PROTO_TABLE_TESTING_H_
#define KSYM_PROTO_TABLE_TESTING_H_

#include <memory>
#include <string>

#include "proto/ksym.pb.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"

namespace ksym {
namespace prototest {

// A runtime kernel (KASLR offset -0x1c000000) of 11 symbols: per-cpu data
// near 0, core text with aliases, a nested symbol and a duplicate name, a
// built-in module with an annotated object, a loadable module with a data
// symbol; and SampleLines().
Catalog SampleCatalog();

// Source lines of `outer` (inlining `inner`, which inlines `leaf`, with a
// statement row sharing an offset) and of the second init_once, at their
// link-time addresses.
LineTable SampleLines();

// SerializeIndex(c); "" (and a test failure) on error.
std::string IndexBytes(const Catalog& c);

// The index in `bytes`; nullptr (and a test failure) on error.
std::unique_ptr<IndexReader> Open(std::string bytes);

// The absolute (runtime-address) export of `c`'s index; an empty table (and a
// test failure) on error.
proto::SymbolTable Export(const Catalog& c);

}  // namespace prototest
}  // namespace ksym

#endif  // KSYM_PROTO_TABLE_TESTING_H_
