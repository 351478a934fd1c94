// Small path helpers of the build stages (stat and string only).
#ifndef KSYM_SYMBOLIZER_BUILDER_PATHS_H_
#define KSYM_SYMBOLIZER_BUILDER_PATHS_H_

#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ksym {

inline bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

inline bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "dir/name"; `name` alone when `dir` is empty.
inline std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

inline absl::string_view Basename(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// "core.c" and "kernel/sched/core.o" both have the stem "core".
inline absl::string_view Stem(absl::string_view path) {
  absl::string_view base = Basename(path);
  size_t dot = base.rfind('.');
  return dot == absl::string_view::npos || dot == 0 ? base
                                                    : base.substr(0, dot);
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_PATHS_H_
