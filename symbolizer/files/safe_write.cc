#include "symbolizer/files/safe_write.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ksym {
namespace {

// (directory, basename) of a path; "." for a bare name.
std::pair<std::string, std::string> SplitPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

const char* FileKind(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

uint64_t RandomSuffix() {
  uint64_t r = 0;
  if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
    // No entropy yet (early boot): O_EXCL still makes a clash safe, only
    // less likely to succeed first time.
    r = static_cast<uint64_t>(getpid()) * 0x9e3779b97f4a7c15ull ^
        static_cast<uint64_t>(time(nullptr));
  }
  return r;
}

bool ProcessExists(pid_t pid) {
  return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

}  // namespace

absl::Status CheckReplaceable(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot stat"));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": is ", FileKind(st.st_mode),
                     "; refusing to replace it (write to a regular file)"));
  }
  return absl::OkStatus();
}

int RemoveStaleTempFiles(const std::string& path) {
  const auto [dir, base] = SplitPath(path);
  const std::string prefix = absl::StrCat(base, ".tmp.");
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return 0;
  DIR* d = fdopendir(dfd);
  if (d == nullptr) {
    close(dfd);
    return 0;
  }
  int removed = 0;
  const uid_t me = geteuid();
  while (struct dirent* e = readdir(d)) {
    absl::string_view name = e->d_name;
    if (!absl::ConsumePrefix(&name, prefix)) continue;
    absl::string_view pid_text = name.substr(0, name.find('.'));
    uint32_t pid = 0;
    if (!absl::SimpleAtoi(pid_text, &pid) || pid == 0 ||
        pid > static_cast<uint32_t>(INT32_MAX) ||
        ProcessExists(static_cast<pid_t>(pid))) {
      continue;
    }
    struct stat st;
    if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode) || st.st_uid != me) {
      continue;
    }
    if (unlinkat(dfd, e->d_name, 0) == 0) ++removed;
  }
  closedir(d);
  return removed;
}

namespace {

// `mkdir -p` of the directory part of `path` (mode 0755).
absl::Status CreateParentDirectories(const std::string& path) {
  for (size_t p = path.find('/', 1); p != std::string::npos;
       p = path.find('/', p + 1)) {
    std::string dir = path.substr(0, p);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat(dir, ": cannot create"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view bytes,
                                 SafeWriteOptions options) {
  if (options.create_parents) {
    if (absl::Status s = CreateParentDirectories(path); !s.ok()) return s;
  }
  if (absl::Status s = CheckReplaceable(path); !s.ok()) return s;
  RemoveStaleTempFiles(path);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = absl::StrCat(path, ".tmp.", getpid(), ".",
                       absl::Hex(RandomSuffix() & 0xffffffffull));
    fd = open(tmp.c_str(),
              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              options.mode);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(tmp, ": cannot create"));
  }
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return absl::ErrnoToStatus(err, absl::StrCat(tmp, ": write failed"));
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  if (fsync(fd) != 0) {
    int err = errno;
    close(fd);
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(err, absl::StrCat(tmp, ": fsync failed"));
  }
  if (close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(err, absl::StrCat(tmp, ": close failed"));
  }
  // Checked again right before the rename: a special file that appeared
  // meanwhile is still refused.
  if (absl::Status s = CheckReplaceable(path); !s.ok()) {
    unlink(tmp.c_str());
    return s;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(err,
                               absl::StrCat(path, ": cannot rename into place"));
  }
  return absl::OkStatus();
}

}  // namespace ksym
