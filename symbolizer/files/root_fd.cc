#include "symbolizer/files/root_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <deque>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ksym {
namespace {

// Linux's MAXSYMLINKS.
constexpr int kMaxLinks = 40;

std::function<void(absl::string_view)>& StepHook() {
  static auto* hook = new std::function<void(absl::string_view)>();
  return *hook;
}

void Step(absl::string_view walked) {
  if (StepHook()) StepHook()(walked);
}

bool IsHostRoot(absl::string_view root) { return root.empty() || root == "/"; }

absl::string_view WithoutTrailingSlashes(absl::string_view root) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  return root;
}

std::string Shown(absl::string_view root, absl::string_view path) {
  while (!path.empty() && path[0] == '/') path.remove_prefix(1);
  root = WithoutTrailingSlashes(root);
  if (path.empty()) return std::string(root.empty() ? "/" : root);
  return absl::StrCat(root == "/" ? "" : root, "/", path);
}

// FileErrnoStatus, with what ELOOP means in a walk of the root.
absl::Status OpenErrorAt(int err, absl::string_view shown) {
  if (err == ELOOP) {
    return absl::InvalidArgumentError(absl::StrCat(
        shown, ": ", strerror(err), " (more than ", kMaxLinks,
        " symbolic links, or one swapped in while it was opened)"));
  }
  return FileErrnoStatus(err, shown);
}

absl::Status OpenError(int err, absl::string_view root,
                       absl::string_view path) {
  return OpenErrorAt(err, Shown(root, path));
}

int RetryOpenat(int dir, const char* name, int flags) {
  int fd;
  do {
    fd = openat(dir, name, flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// True when only "", "." remain: the next component is the last.
bool OnlyDotsLeft(const std::deque<std::string>& pending) {
  for (const std::string& c : pending) {
    if (!c.empty() && c != ".") return false;
  }
  return true;
}

absl::StatusOr<UniqueFd> UserSpaceOpen(absl::string_view root,
                                       absl::string_view path, int flags) {
  const std::string r(root);
  UniqueFd root_fd(open(r.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) return OpenError(errno, root, "");
  std::deque<std::string> pending;
  for (absl::string_view c : absl::StrSplit(path, '/')) pending.emplace_back(c);
  // dirs.back() is where the walk is; empty means the root.
  std::vector<UniqueFd> dirs;
  std::vector<std::string> walked;
  int links = 0;
  auto here = [&] { return dirs.empty() ? root_fd.get() : dirs.back().get(); };
  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!dirs.empty()) {
        dirs.pop_back();
        walked.pop_back();
      }
      continue;
    }
    const bool last = OnlyDotsLeft(pending);
    UniqueFd at(
        RetryOpenat(here(), c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    walked.push_back(c);
    if (at.get() < 0) return OpenError(errno, root, absl::StrJoin(walked, "/"));
    struct stat st;
    if (fstat(at.get(), &st) != 0) {
      return OpenError(errno, root, absl::StrJoin(walked, "/"));
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) return OpenError(ELOOP, root, path);
      char target[PATH_MAX];
      const ssize_t n = readlinkat(at.get(), "", target, sizeof(target));
      if (n < 0 || static_cast<size_t>(n) >= sizeof(target)) {
        return OpenError(n < 0 ? errno : ENAMETOOLONG, root,
                         absl::StrJoin(walked, "/"));
      }
      walked.pop_back();
      const absl::string_view t(target, static_cast<size_t>(n));
      if (!t.empty() && t[0] == '/') {  // absolute: from the root
        dirs.clear();
        walked.clear();
      }
      std::vector<std::string> parts = absl::StrSplit(t, '/');
      pending.insert(pending.begin(), parts.begin(), parts.end());
      continue;
    }
    Step(absl::StrJoin(walked, "/"));
    if (last) {
      // From the directory's fd, not following: a link swapped in since
      // the O_PATH open is ELOOP, never followed.
      // "dir/" and "dir/." name a directory, as the kernel reads them.
      const int dir_only = pending.empty() ? 0 : O_DIRECTORY;
      UniqueFd fd(
          RetryOpenat(here(), c.c_str(), flags | O_NOFOLLOW | dir_only));
      if (fd.get() < 0) {
        return OpenError(errno, root, absl::StrJoin(walked, "/"));
      }
      return fd;
    }
    if (!S_ISDIR(st.st_mode)) {
      return OpenError(ENOTDIR, root, absl::StrJoin(walked, "/"));
    }
    dirs.push_back(std::move(at));
  }
  // The path ends at a directory ("", "a/..").
  UniqueFd fd(RetryOpenat(here(), ".", flags));
  if (fd.get() < 0) return OpenError(errno, root, absl::StrJoin(walked, "/"));
  return fd;
}

// -1 with errno ENOSYS, EPERM or E2BIG when this kernel (or a seccomp
// filter) has no openat2.
int Openat2(absl::string_view root, absl::string_view path, int flags) {
  const std::string r(root);
  UniqueFd dir(open(r.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return -1;
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string p(path.empty() ? "." : path);
  Step("");
  long fd;
  int tries = 0;
  do {
    fd = syscall(SYS_openat2, dir.get(), p.c_str(), &how, sizeof(how));
    // EAGAIN: a rename raced a `..`; the kernel asks to try again.
  } while (fd < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 8)));
  return static_cast<int>(fd);
}

bool NoOpenat2(int err) {
  return err == ENOSYS || err == EPERM || err == E2BIG;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

absl::Status FileErrnoStatus(int err, absl::string_view shown) {
  const std::string message = absl::StrCat(shown, ": ", strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::Status(absl::ErrnoToStatusCode(err), message);
  }
}

absl::StatusOr<UniqueFd> OpenInRoot(absl::string_view root,
                                    absl::string_view path, int flags,
                                    RootWalk walk) {
  if (path.find('\0') != absl::string_view::npos ||
      root.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("a path holds a NUL byte");
  }
  if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) {
    return absl::InvalidArgumentError("OpenInRoot only opens existing files");
  }
  flags |= O_CLOEXEC;
  if (IsHostRoot(root)) {
    const std::string p = Shown("/", path);
    int fd;
    do {
      fd = open(p.c_str(), flags);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return OpenError(errno, "/", path);
    return UniqueFd(fd);
  }
  root = WithoutTrailingSlashes(root);
  if (walk != RootWalk::kUserSpace) {
    const int fd = Openat2(root, path, flags);
    if (fd >= 0) return UniqueFd(fd);
    const int err = errno;
    if (!NoOpenat2(err)) return OpenError(err, root, path);
    if (walk == RootWalk::kOpenat2) {
      return absl::UnavailableError(absl::StrCat("openat2: ", strerror(err)));
    }
  }
  return UserSpaceOpen(root, path, flags);
}

bool IsConfined(absl::string_view root, absl::string_view path) {
  const absl::string_view r = WithoutTrailingSlashes(root);
  return !IsHostRoot(r) && path.size() >= r.size() &&
         path.substr(0, r.size()) == r &&
         (path.size() == r.size() || path[r.size()] == '/');
}

absl::StatusOr<UniqueFd> OpenConfined(absl::string_view root,
                                      absl::string_view path, int flags) {
  const absl::string_view r = WithoutTrailingSlashes(root);
  if (!IsConfined(root, path)) {
    if (path.find('\0') != absl::string_view::npos) {
      return absl::InvalidArgumentError("a path holds a NUL byte");
    }
    const std::string p(path);
    int fd;
    do {
      fd = open(p.c_str(), flags | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return OpenErrorAt(errno, p);
    return UniqueFd(fd);
  }
  return OpenInRoot(r, path.substr(r.size()), flags);
}

absl::StatusOr<UniqueDir> OpenDirConfined(absl::string_view root,
                                          absl::string_view path) {
  absl::StatusOr<UniqueFd> fd =
      OpenConfined(root, path, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  if (!fd.ok()) return fd.status();
  DIR* d = fdopendir(fd->get());
  if (d == nullptr) return OpenErrorAt(errno, path);
  fd->release();  // the DIR owns it now
  return UniqueDir(d);
}

void SetRootWalkStepHookForTesting(
    std::function<void(absl::string_view walked)> hook) {
  StepHook() = std::move(hook);
}

}  // namespace ksym
