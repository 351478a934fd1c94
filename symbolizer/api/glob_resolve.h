// Name globs in queries, as bpftrace and perf probe users type them:
//
//   absl::StatusOr<std::vector<Candidate>> c = ResolveGlob(s, "vfs_rea*");
//   // every vfs_read, vfs_readv, vfs_readlink ..., in name then address order
//   ResolveGlob(s, "init_onc? [ext4]");   // the rest of the query applies
//
// `*` and `?` in the name part (fnmatch(3), no FNM_PATHNAME); the rest of
// the query (`[mod]`, `{obj}`, `+0xOFF`, `@0xADDR`) narrows each matching
// name as Symbolizer::Resolve does. A glob walks every name of the index
// (~20 ms for 280k symbols), which exact names never do.
#ifndef KSYM_SYMBOLIZER_API_GLOB_RESOLVE_H_
#define KSYM_SYMBOLIZER_API_GLOB_RESOLVE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// Whether the query's name part holds a glob character.
bool IsGlobQuery(absl::string_view query);

// Resolve for a glob query (syntax errors as Resolve reports them); a query
// without glob characters is passed to Resolve as it is.
absl::StatusOr<std::vector<Candidate>> ResolveGlob(const Symbolizer& s,
                                                   absl::string_view query);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_GLOB_RESOLVE_H_
