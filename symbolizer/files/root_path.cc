#include "symbolizer/files/root_path.h"

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

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ksym {
namespace {

// Linux's MAXSYMLINKS.
constexpr int kMaxLinks = 40;

bool IsHostRoot(absl::string_view root) { return root.empty() || root == "/"; }

std::string WithoutTrailingSlashes(absl::string_view root) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  return std::string(root);
}

std::string Joined(const std::string& root,
                   const std::vector<std::string>& parts) {
  if (parts.empty()) return root;
  return absl::StrCat(root, "/", absl::StrJoin(parts, "/"));
}

absl::Status LoopError(absl::string_view root, absl::string_view path) {
  return absl::InvalidArgumentError(
      absl::StrCat(root, ": ", path, ": more than ", kMaxLinks,
                   " symbolic links (a loop?) resolving it inside the root"));
}

absl::StatusOr<std::string> UserSpaceWalk(const std::string& root,
                                          absl::string_view path) {
  std::deque<std::string> pending;
  for (absl::string_view c : absl::StrSplit(path, '/')) {
    pending.emplace_back(c);
  }
  std::vector<std::string> done;
  int links = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(c);
    const std::string at = Joined(root, done);
    struct stat st;
    if (lstat(at.c_str(), &st) != 0) {
      // Missing (or not a directory): the rest cannot exist either.
      for (std::string& rest : pending) {
        if (!rest.empty() && rest != "." && rest != "..") {
          done.push_back(std::move(rest));
        }
      }
      return Joined(root, done);
    }
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > kMaxLinks) return LoopError(root, path);
    char target[PATH_MAX];
    const ssize_t n = readlink(at.c_str(), target, sizeof(target));
    if (n < 0 || static_cast<size_t>(n) >= sizeof(target)) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": unreadable symbolic link"));
    }
    done.pop_back();
    const absl::string_view t(target, static_cast<size_t>(n));
    if (!t.empty() && t[0] == '/') done.clear();  // absolute: from the root
    std::vector<std::string> parts = absl::StrSplit(t, '/');
    pending.insert(pending.begin(), parts.begin(), parts.end());
  }
  return Joined(root, done);
}

// openat2 RESOLVE_IN_ROOT, the host path read back from /proc/self/fd.
// ENOSYS (or EPERM from a seccomp filter, E2BIG from an old kernel) when
// the kernel cannot; ENOENT/ENOTDIR when a component is missing.
absl::StatusOr<std::string> Openat2Walk(const std::string& root,
                                        absl::string_view path) {
  const int dir = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    return absl::UnavailableError(absl::StrCat(root, ": cannot open"));
  }
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string p(path.empty() ? "." : path);
  const long fd = syscall(SYS_openat2, dir, p.c_str(), &how, sizeof(how));
  const int err = errno;
  close(dir);
  if (fd < 0) {
    if (err == ELOOP) return LoopError(root, path);
    // Missing, or no openat2 here: the caller walks in user space.
    return absl::UnavailableError(absl::StrCat("openat2: ", strerror(err)));
  }
  char buf[PATH_MAX];
  const std::string proc = absl::StrCat("/proc/self/fd/", fd);
  const ssize_t n = readlink(proc.c_str(), buf, sizeof(buf));
  close(static_cast<int>(fd));
  if (n < 0 || static_cast<size_t>(n) >= sizeof(buf)) {
    return absl::UnavailableError("openat2: /proc/self/fd unreadable");
  }
  // The kernel names the file from the host's root; say it from `root`
  // as given (which may itself be reached through a symlink).
  char real_root[PATH_MAX];
  if (realpath(root.c_str(), real_root) == nullptr) {
    return absl::UnavailableError("openat2: root vanished");
  }
  absl::string_view got(buf, static_cast<size_t>(n));
  const absl::string_view base(real_root);
  if (got == base) return root;
  if (base == "/") return absl::StrCat(root, got);
  if (got.substr(0, base.size()) != base || got.size() <= base.size() ||
      got[base.size()] != '/') {
    return absl::UnavailableError("openat2: resolved outside the root");
  }
  return absl::StrCat(root, got.substr(base.size()));
}

}  // namespace

absl::StatusOr<std::string> ResolveInRoot(absl::string_view root,
                                          absl::string_view path,
                                          RootWalk walk) {
  if (path.find('\0') != absl::string_view::npos ||
      root.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("a path holds a NUL byte");
  }
  if (IsHostRoot(root)) {
    while (!path.empty() && path[0] == '/') path.remove_prefix(1);
    return absl::StrCat("/", path);
  }
  const std::string r = WithoutTrailingSlashes(root);
  if (walk != RootWalk::kUserSpace) {
    absl::StatusOr<std::string> got = Openat2Walk(r, path);
    if (got.ok() || walk == RootWalk::kOpenat2 ||
        absl::IsInvalidArgument(got.status())) {
      return got;
    }
  }
  return UserSpaceWalk(r, path);
}

absl::StatusOr<std::string> ResolveInRoot(absl::string_view root,
                                          absl::string_view path) {
  return ResolveInRoot(root, path, RootWalk::kAuto);
}

std::string PathInRoot(absl::string_view root, absl::string_view path) {
  absl::StatusOr<std::string> p = ResolveInRoot(root, path);
  return p.ok() ? *std::move(p) : std::string();
}

std::string ConfinedPath(absl::string_view root, absl::string_view path) {
  if (IsHostRoot(root)) return std::string(path);
  const std::string r = WithoutTrailingSlashes(root);
  if (path == r) return r;
  if (path.size() <= r.size() || path.substr(0, r.size()) != r ||
      path[r.size()] != '/') {
    return std::string(path);
  }
  return PathInRoot(r, path.substr(r.size()));
}

}  // namespace ksym
