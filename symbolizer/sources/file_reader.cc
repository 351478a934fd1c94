#include "symbolizer/sources/file_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/files/root_fd.h"

namespace ksym {
namespace {

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() { close(fd_); }

 private:
  int fd_;
};

// O_NONBLOCK: opening a FIFO for reading would wait for a writer.
int OpenFlags(bool regular_only) {
  return O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0);
}

// Reads the open `fd` (named `path` in messages) within the bounds.
absl::StatusOr<std::string> ReadOpenFile(int fd, const std::string& path,
                                         uint64_t max_bytes, bool regular_only,
                                         const HeadCheck& check_head) {
  std::string contents;
  struct stat st;
  if (fstat(fd, &st) != 0) return FileErrnoStatus(errno, path);
  if (regular_only && !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": is a ",
        S_ISFIFO(st.st_mode)  ? "FIFO"
        : S_ISDIR(st.st_mode) ? "directory"
        : S_ISSOCK(st.st_mode) ? "socket"
                               : "device",
        ", not a regular file"));
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": is a ", S_ISSOCK(st.st_mode) ? "socket" : "device",
        ", not a file (expected a regular file or a pipe)"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        path, ": ", st.st_size, " bytes, more than the ", max_bytes,
        " an input may have"));
  }
  // st_size is only a hint: procfs says 0, so the loop below reads to EOF.
  // The buffer grows only when full and never past max_bytes + 1 (the one
  // byte that tells a file too long): a 20-byte sysfs file read with a
  // 64-byte bound costs 21 bytes, not 64 KiB zeroed and copied.
  size_t chunk = 64 * 1024;
  if (st.st_size > 0) chunk = static_cast<size_t>(st.st_size) + 1;
  const uint64_t cap = max_bytes == UINT64_MAX ? max_bytes : max_bytes + 1;
  size_t used = 0;
  while (true) {
    if (used == contents.size()) {
      // Geometric growth so a large /proc file costs O(n) copies.
      const uint64_t grow =
          std::min<uint64_t>(std::max(chunk, used), cap - used);
      contents.resize(used + static_cast<size_t>(grow));
    }
    ssize_t n = read(fd, &contents[used], contents.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FileErrnoStatus(errno, path);
    }
    if (n == 0) break;
    const size_t before = used;
    used += static_cast<size_t>(n);
    if (check_head && before < kHeadBytes && used >= kHeadBytes) {
      absl::Status st = check_head(absl::string_view(contents.data(), kHeadBytes));
      if (!st.ok()) return st;
    }
    if (used > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          path, ": more than the ", max_bytes,
          " bytes an input may have (an endless pipe?)"));
    }
  }
  if (check_head && used < kHeadBytes) {
    absl::Status st = check_head(absl::string_view(contents.data(), used));
    if (!st.ok()) return st;
  }
  contents.resize(used);
  return contents;
}

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     uint64_t max_bytes, bool regular_only,
                                     const HeadCheck& check_head = {}) {
  int fd;
  do {
    fd = open(path.c_str(), OpenFlags(regular_only));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return FileErrnoStatus(errno, path);
  FdCloser closer(fd);
  return ReadOpenFile(fd, path, max_bytes, regular_only, check_head);
}

// `path` of `root` read from the fd OpenConfined gives; regular files
// only when it is the root's (an untrusted FIFO would block).
absl::StatusOr<std::string> ReadFileInRoot(const std::string& root,
                                           const std::string& path,
                                           uint64_t max_bytes,
                                           bool regular_only,
                                           const HeadCheck& check_head) {
  regular_only = regular_only || IsConfined(root, path);
  absl::StatusOr<UniqueFd> fd =
      OpenConfined(root, path, OpenFlags(regular_only));
  if (!fd.ok()) return fd.status();
  return ReadOpenFile(fd->get(), path, max_bytes, regular_only, check_head);
}

}  // namespace

FileBytes::FileBytes(FileBytes&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owned_(std::move(other.owned_)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this != &other) {
    Release();
    mapped_ = std::exchange(other.mapped_, nullptr);
    size_ = std::exchange(other.size_, 0);
    owned_ = std::move(other.owned_);
  }
  return *this;
}

FileBytes::~FileBytes() { Release(); }

void FileBytes::Release() {
  if (mapped_ != nullptr) munmap(mapped_, size_);
  mapped_ = nullptr;
  size_ = 0;
  owned_.clear();
  owned_.shrink_to_fit();
}

absl::StatusOr<FileBytes> MapFileInRoot(const std::string& root,
                                        const std::string& path,
                                        uint64_t max_bytes) {
  const bool regular_only = IsConfined(root, path);
  absl::StatusOr<UniqueFd> fd =
      OpenConfined(root, path, OpenFlags(regular_only));
  if (!fd.ok()) return fd.status();
  struct stat st;
  if (fstat(fd->get(), &st) != 0) return FileErrnoStatus(errno, path);
  if (S_ISREG(st.st_mode) && st.st_size > 0 &&
      static_cast<uint64_t>(st.st_size) <= max_bytes &&
      static_cast<uint64_t>(st.st_size) <= SIZE_MAX) {
    // Private and writable: a reader's edits are copied on write, never
    // written to the file (which is open read-only).
    void* m = mmap(nullptr, static_cast<size_t>(st.st_size),
                   PROT_READ | PROT_WRITE, MAP_PRIVATE, fd->get(), 0);
    if (m != MAP_FAILED) {
      FileBytes bytes;
      bytes.mapped_ = static_cast<char*>(m);
      bytes.size_ = static_cast<size_t>(st.st_size);
      return bytes;
    }
  }
  // Everything else (and a failed mapping) reads as ReadFileInRoot does,
  // with its checks and messages.
  absl::StatusOr<std::string> read =
      ReadOpenFile(fd->get(), path, max_bytes, regular_only, {});
  if (!read.ok()) return read.status();
  return FileBytes(*std::move(read));
}

absl::StatusOr<std::string> ReadRegularFileInRoot(const std::string& root,
                                                  const std::string& path,
                                                  uint64_t max_bytes) {
  return ReadFileInRoot(root, path, max_bytes, /*regular_only=*/true, {});
}

absl::StatusOr<std::string> ReadFileInRoot(const std::string& root,
                                           const std::string& path,
                                           uint64_t max_bytes,
                                           const HeadCheck& check_head) {
  return ReadFileInRoot(root, path, max_bytes, /*regular_only=*/false,
                        check_head);
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes) {
  return ReadFile(path, max_bytes, /*regular_only=*/false);
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes,
                                             const HeadCheck& check_head) {
  return ReadFile(path, max_bytes, /*regular_only=*/false, check_head);
}

absl::StatusOr<std::string> ReadRegularFile(const std::string& path,
                                            uint64_t max_bytes) {
  return ReadFile(path, max_bytes, /*regular_only=*/true);
}

}  // namespace ksym
