// Source-line queries, as perf probe writes them: `FILE:LINE` (a line of a
// source file) and `FUNC:REL_LINE` (a line counted from the function's
// first line).
//
//   fs/inode.c:123      inode.c:123     include/linux/list.h:38
//   init_once:2         vfs_read:0
//
// They share ':' with kprobe's `MOD:SYM`, which they never collide with:
// the part after ':' is all digits (no symbol name is), and the part
// before it is a FILE when it holds a '.' or '/' (no module or C function
// name does), else a FUNC. `FILE` is a path suffix matched at '/'
// boundaries of the path under the build prefix, as `{obj}` queries match.
#ifndef KSYM_SYMBOLIZER_QUERY_LINE_QUERY_H_
#define KSYM_SYMBOLIZER_QUERY_LINE_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct LineQuery {
  // Exactly one of file and function is set.
  std::string file;      // "fs/inode.c", "inode.c"
  std::string function;  // "init_once"
  uint32_t line = 0;     // absolute with a file, relative with a function

  // "fs/inode.c:123" or "init_once:2"; ParseLineQuery reads it back.
  std::string ToString() const;
};

// Whether `text` (whitespace trimmed) has the shape of a line query: a
// part without spaces or brackets, ':', then digits only.
bool IsLineQuery(absl::string_view text);

// The query, or InvalidArgument naming it: a line number too large, a
// FUNC that is not a C identifier, a FILE that ends in '/'. Call only
// when IsLineQuery(text).
absl::StatusOr<LineQuery> ParseLineQuery(absl::string_view text);

// Whether `path` ("fs/inode.c") ends with `suffix` ("inode.c",
// "fs/inode.c") at a '/' boundary. A leading "./" of the suffix is
// ignored; an empty suffix matches nothing.
bool SourcePathSuffixMatches(absl::string_view path, absl::string_view suffix);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_LINE_QUERY_H_
