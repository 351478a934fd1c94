// A file of a system under --root, opened as a process whose root
// directory is ROOT would open it, with no window between resolving the
// path and opening it: the result is an open file descriptor, not a path
// to open again. A root is a tree someone else made and may still be
// changing; ResolveInRoot (root_path.h) names the file, this reads it.
//
//   absl::StatusOr<UniqueFd> fd =
//       OpenInRoot("/srv/c", "proc/modules", O_RDONLY | O_NONBLOCK);
//   // /srv/c/proc -> /proc swapped in after any step still never reads
//   // the host's /proc/modules.
//
// openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS does the walk
// where the kernel has it (5.6+); elsewhere (ENOSYS, or EPERM from a
// seccomp filter) a walk in user space that holds a directory fd per step:
// openat(dir, component, O_PATH | O_NOFOLLOW), readlinkat for a symlink
// (absolute targets restart from the root's fd), `..` never above the
// root, at most 40 links, and the last component opened with O_NOFOLLOW
// from its directory's fd. Every step is relative to an fd already inside
// the root, so renaming or replacing a component at any moment can make
// the open fail or find another file of the root, never one outside it.
#ifndef KSYM_SYMBOLIZER_FILES_ROOT_FD_H_
#define KSYM_SYMBOLIZER_FILES_ROOT_FD_H_

#include <dirent.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/files/root_path.h"

namespace ksym {

// Owns a file descriptor (closed on destruction); -1 is none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// Owns a DIR* (closedir on destruction).
struct DirCloser {
  void operator()(DIR* d) const {
    if (d != nullptr) closedir(d);
  }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

// The status of a failed open or read of `shown` ("PATH: strerror"):
// NotFound for ENOENT/ENOTDIR, PermissionDenied for EACCES/EPERM, else
// absl::ErrnoToStatus's code. Every reader of files says it this way.
absl::Status FileErrnoStatus(int err, absl::string_view shown);

// `path` under `root` (a leading '/' of `path` is the root) opened with
// `flags` (O_CLOEXEC is added; O_CREAT and O_TMPFILE are refused). A root
// of "" or "/" is the host: a plain open of "/" + path. Errors carry
// "ROOT/PATH: strerror" with absl::ErrnoToStatus's code (NotFound for a
// missing component), InvalidArgument for a symlink loop or a NUL byte.
absl::StatusOr<UniqueFd> OpenInRoot(absl::string_view root,
                                    absl::string_view path, int flags,
                                    RootWalk walk = RootWalk::kAuto);

// `path` as found under `root` ("ROOT/..." as ResolveInRoot and
// ConfinedPath give it) opened in the root; a path not under `root`
// (given explicitly by the user), or any path when the root is the
// host's, is opened as it is.
absl::StatusOr<UniqueFd> OpenConfined(absl::string_view root,
                                      absl::string_view path, int flags);

// True when OpenConfined opens `path` in `root` (it is under a root that is
// not the host's), false when it opens it as given.
bool IsConfined(absl::string_view root, absl::string_view path);

// The directory `path` (as for OpenConfined) opened the same way, for
// listing with readdir.
absl::StatusOr<UniqueDir> OpenDirConfined(absl::string_view root,
                                          absl::string_view path);

// Tests only: called with the components walked so far ("a", "a/b", ...)
// after each step of the user-space walk, and with "" before openat2, so a
// test can change the tree in the middle of a walk without sleeps. Not
// thread-safe; reset with {}.
void SetRootWalkStepHookForTesting(
    std::function<void(absl::string_view walked)> hook);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FILES_ROOT_FD_H_
