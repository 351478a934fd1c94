// Fuzzes the root walk (symbolizer/files/root_path.h) and the name checks
// of untrusted roots (symbolizer/catalog/identity_names.h). Each input lays
// out a small tree under a fresh directory, then resolves a path in it:
//
//   line 1..n-1: OP WHERE NAME [TARGET]   OP d (dir), f (file), l (symlink)
//                                          WHERE 0 (root), 1 (a/), 2 (b/)
//   last line:   the path to resolve (any bytes)
//
// Entries are made only inside real directories (never through a link), so
// building the tree cannot touch the host. Checked: the result is ROOT or
// under it, holds no `.` or `..` component, the user-space walk and
// openat2's agree whenever both succeed, and what exists there is inside
// the root. The fd walk (root_fd.h, OpenInRoot) is checked the same way:
// its user-space walk and openat2 open the same file (device and inode) or
// both fail, that file is inside the root, and it is the file the path
// walk names. A name CheckModuleName or CheckKernelRelease accepts is
// never a path.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/files/root_fd.h"
#include "symbolizer/files/root_path.h"

namespace {

void Fail(const std::string& what) {
  std::fprintf(stderr, "root_path fuzzer: %s\n", what.c_str());
  std::abort();
}

int RemoveOne(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path);
}

std::string TempBase() {
  for (const char* v : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* d = std::getenv(v);
    if (d != nullptr && *d != '\0') return d;
  }
  return "/tmp";
}

void CheckNames(absl::string_view name) {
  auto is_path = [](absl::string_view n) {
    return n.find('/') != absl::string_view::npos || n == "." || n == ".." ||
           n.find('\0') != absl::string_view::npos;
  };
  if (ksym::CheckModuleName(name).ok() &&
      (is_path(name) || name.size() > ksym::kMaxModuleNameBytes)) {
    Fail("a module name that is a path");
  }
  if (ksym::CheckKernelRelease(name).ok()) {
    if (is_path(name) || name[0] == '.' || name[0] == '-') {
      Fail("a release that is a path");
    }
    for (char c : name) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        Fail("a release with a control byte");
      }
    }
  }
}

// Where an fd OpenInRoot gave points, from /proc/self/fd ("" if unknown).
std::string FdTarget(int fd) {
  char buf[PATH_MAX];
  const std::string proc = absl::StrCat("/proc/self/fd/", fd);
  const ssize_t n = readlink(proc.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

bool SameFile(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

void CheckFdWalk(const std::string& root, absl::string_view query,
                 const absl::StatusOr<std::string>& path_walk) {
  // O_PATH: opens anything (a directory, a FIFO) without reading it.
  auto user =
      ksym::OpenInRoot(root, query, O_PATH, ksym::RootWalk::kUserSpace);
  auto kernel = ksym::OpenInRoot(root, query, O_PATH, ksym::RootWalk::kOpenat2);
  char real_root[PATH_MAX];
  if (realpath(root.c_str(), real_root) == nullptr) return;
  const std::string rr(real_root);
  if (user.ok()) {
    const std::string at = FdTarget(user->get());
    if (at != rr && !absl::StartsWith(at, rr + "/")) {
      Fail(absl::StrCat("fd walk opened outside the root: ", at));
    }
    if (!path_walk.ok()) Fail("fd walk opened what the path walk refused");
    const int by_path = open(path_walk->c_str(), O_PATH | O_NOFOLLOW);
    if (by_path < 0 || !SameFile(by_path, user->get())) {
      Fail(absl::StrCat("fd walk and path walk differ: ", *path_walk));
    }
    close(by_path);
  }
  if (kernel.ok() && !user.ok()) {
    Fail(absl::StrCat("openat2 opened what the fd walk did not: ",
                      user.status().ToString()));
  }
  if (user.ok() && !kernel.ok() && !absl::IsUnavailable(kernel.status())) {
    Fail(absl::StrCat("the fd walk opened what openat2 did not: ",
                      kernel.status().ToString()));
  }
  if (user.ok() && kernel.ok() && !SameFile(user->get(), kernel->get())) {
    Fail("the fd walk and openat2 opened different files");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  const absl::string_view query = lines.back();
  lines.pop_back();
  CheckNames(query);
  if (lines.size() > 24 || query.find('\0') != absl::string_view::npos) {
    return 0;
  }

  std::string tmpl = TempBase() + "/root_path_fuzz.XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return 0;
  const std::string root = tmpl;
  mkdir((root + "/a").c_str(), 0755);
  mkdir((root + "/b").c_str(), 0755);
  for (absl::string_view line : lines) {
    if (line.size() < 3) continue;
    const char op = line[0];
    const char where = line[1];
    const char name = line[2];
    // One-letter names other than the made directories a and b.
    if (name < 'c' || name > 'h') continue;
    std::string dir = root;
    if (where == '1') dir += "/a";
    if (where == '2') dir += "/b";
    const std::string path = absl::StrCat(dir, "/", std::string(1, name));
    const std::string target(line.substr(std::min<size_t>(4, line.size())));
    if (op == 'd') {
      mkdir(path.c_str(), 0755);
    } else if (op == 'f') {
      if (FILE* f = std::fopen(path.c_str(), "wx")) std::fclose(f);
    } else if (op == 'l' && !target.empty() &&
               target.find('\0') == std::string::npos) {
      symlink(target.c_str(), path.c_str());
    }
  }

  auto user = ksym::ResolveInRoot(root, query, ksym::RootWalk::kUserSpace);
  auto kernel = ksym::ResolveInRoot(root, query, ksym::RootWalk::kOpenat2);
  if (user.ok()) {
    const std::string& got = *user;
    if (got != root && !absl::StartsWith(got, root + "/")) {
      Fail(absl::StrCat("outside the root: ", got));
    }
    for (absl::string_view c :
         absl::StrSplit(absl::string_view(got).substr(root.size()), '/')) {
      if (c == "." || c == "..") Fail(absl::StrCat("a dot component: ", got));
    }
    char real[PATH_MAX], real_root[PATH_MAX];
    if (realpath(got.c_str(), real) != nullptr &&
        realpath(root.c_str(), real_root) != nullptr) {
      const std::string r(real), rr(real_root);
      if (r != rr && !absl::StartsWith(r, rr + "/")) {
        Fail(absl::StrCat("exists outside the root: ", r));
      }
    }
  }
  if (user.ok() && kernel.ok() && *user != *kernel) {
    Fail(absl::StrCat("walks disagree: ", *user, " vs openat2 ", *kernel));
  }
  CheckFdWalk(root, query, user);
  nftw(root.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}
