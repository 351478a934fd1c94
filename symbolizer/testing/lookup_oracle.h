// Checks the fast address paths against the plain ones on one index, for
// the tests on made-up indexes and on a real kernel:
//
//   std::string bad = testutil::CheckFastPaths(*s, addresses);
//   EXPECT_EQ(bad, "");
//
// For each address: IndexReader::FindNear (the locate table, with the
// neighbours' addresses) against the plain sampled search and Address();
// Locate against Lookup (Covering, which ranks every candidate); and
// LookupBatch and LocateBatch, over the addresses as given and sorted,
// against Lookup and Locate field by field (name, size, module set,
// object, reason, offset).
#ifndef KSYM_SYMBOLIZER_TESTING_LOOKUP_ORACLE_H_
#define KSYM_SYMBOLIZER_TESTING_LOOKUP_ORACLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace testutil {

// "" when every answer agrees, else the first disagreement (the address
// and what differs).
std::string CheckFastPaths(const Symbolizer& s,
                           const std::vector<uint64_t>& addresses);

// Addresses around every symbol: its address, one below and above, its
// end and the byte before, the middle of the gap to the next symbol.
std::vector<uint64_t> AddressesAroundSymbols(const Symbolizer& s);

}  // namespace testutil
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_TESTING_LOOKUP_ORACLE_H_
