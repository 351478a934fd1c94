// A path under --root, resolved as a process whose root directory is ROOT
// would resolve it: an absolute symlink (ROOT/proc/kallsyms -> /proc/
// kallsyms, lib/modules/R/build -> /usr/src/linux-headers-R as
// distributions ship it) is followed inside ROOT, and `..` never climbs
// above ROOT. A root is a tree someone else made (a container image, a
// copied-in saved system); without this its symlinks read the host's files
// under the root's identity.
//
//   ResolveInRoot("/srv/c", "proc/kallsyms")  // link to /proc/kallsyms
//       -> "/srv/c/proc/kallsyms" target: "/srv/c/proc/kallsyms" itself
//          when a regular file, "/srv/c/proc/kallsyms2" for a link to
//          /proc/kallsyms2, never "/proc/kallsyms"
//
// openat2(2) with RESOLVE_IN_ROOT does the walk where the kernel has it
// (5.6+); elsewhere (ENOSYS, or a seccomp filter) an equivalent walk in user
// space (lstat and readlink per component, at most 40 links). The result is
// ROOT followed by the resolved components: no `..`, no symlink left at the
// time of the walk. A missing component ends the walk: the rest is appended
// without `.` and `..`, so the result does not exist either and opening it
// says ENOENT with a path the user recognises.
//
// The path is a name, for messages and for existence probes: opening it
// again would follow a component replaced by a symlink after the walk. The
// builder reads every file of a root through root_fd.h (OpenInRoot,
// OpenConfined), which walks and opens in one step and returns the fd.
#ifndef KSYM_SYMBOLIZER_FILES_ROOT_PATH_H_
#define KSYM_SYMBOLIZER_FILES_ROOT_PATH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

// `path` under `root` (a leading '/' of `path` is the root). A root of ""
// or "/" is the host itself: "/" + path, unchanged. InvalidArgument for a
// symlink loop (more than 40 links) or a path holding a NUL byte.
absl::StatusOr<std::string> ResolveInRoot(absl::string_view root,
                                          absl::string_view path);

// How ResolveInRoot walks: kAuto tries openat2 first, the others force one
// (tests and the fuzzer compare both).
enum class RootWalk { kAuto, kOpenat2, kUserSpace };
absl::StatusOr<std::string> ResolveInRoot(absl::string_view root,
                                          absl::string_view path,
                                          RootWalk walk);

// ResolveInRoot, or "" when it fails: for callers that only look for files
// (an empty path is never found).
std::string PathInRoot(absl::string_view root, absl::string_view path);

// `path` as found under `root` (root/..., e.g. a directory ResolveInRoot
// gave joined with a name read from it) resolved in the root the same way;
// a path not under `root` (given explicitly by the user), or any path when
// the root is the host's, is returned unchanged. "" when resolving fails.
std::string ConfinedPath(absl::string_view root, absl::string_view path);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FILES_ROOT_PATH_H_
