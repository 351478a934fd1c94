#include "symbolizer/files/private_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

absl::Status CheckOwnerAndMode(const std::string& what, const struct stat& st,
                               uid_t me) {
  if (st.st_uid != me) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " is owned by uid ", st.st_uid, ", not by the current user (uid ",
        me, "); refusing to trust it (remove it, or point XDG_CACHE_HOME or "
        "-i elsewhere)"));
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " is writable by ",
        (st.st_mode & S_IWOTH) ? "others" : "its group", " (mode ",
        absl::StrFormat("%04o", st.st_mode & 07777), "); refusing to trust it (chmod go-w "
        "it, or remove it)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPrivateDirectory(const std::string& dir, uid_t owner) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(dir, ": cannot stat"));
  }
  const std::string what = absl::StrCat(dir, ": cache directory");
  if (S_ISLNK(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " is a symbolic link; refusing to follow it (remove it, or "
        "point XDG_CACHE_HOME at the real directory)"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " is not a directory"));
  }
  return CheckOwnerAndMode(what, st, owner);
}

absl::Status EnsurePrivateDirectory(const std::string& dir, uid_t owner) {
  if (dir.empty()) {
    return absl::InvalidArgumentError("empty cache directory name");
  }
  // Missing components are created 0700, parents included (XDG's rule for
  // ~/.cache). Existing parents are left as they are.
  for (size_t p = dir.find('/', 1);; p = dir.find('/', p + 1)) {
    const std::string prefix =
        p == std::string::npos ? dir : dir.substr(0, p);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0700) != 0 &&
        errno != EEXIST) {
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat(prefix, ": cannot create"));
    }
    if (p == std::string::npos) break;
  }
  return CheckPrivateDirectory(dir, owner);
}

absl::Status CheckPrivateFile(const std::string& path, uid_t owner) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot stat"));
  }
  const std::string what = absl::StrCat(path, ": cached index");
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " is not a regular file (", S_ISLNK(st.st_mode)
                                              ? "a symbolic link"
                                              : "a special file",
        "); refusing to use it"));
  }
  return CheckOwnerAndMode(what, st, owner);
}

}  // namespace ksym
