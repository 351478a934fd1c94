// Reads a whole file into memory, for the text-format parsers.
//
// Works on /proc and /sys files, which report st_size 0 (or a page size)
// while holding more: the file is read until EOF, never trusting st_size.
// Bounded: devices and sockets are refused (`--kallsyms /dev/zero` would
// never end), and no input is read past kMaxInputBytes, so a FIFO
// (`<(ssh host cat /proc/kallsyms)`) or a runaway file is an error, not a
// process eating memory until it is killed.
//
//   absl::StatusOr<std::string> text = ReadFileToString("/proc/kallsyms");

#ifndef KSYM_SYMBOLIZER_SOURCES_FILE_READER_H_
#define KSYM_SYMBOLIZER_SOURCES_FILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ksym {

// The largest input any text parser takes: 4 GiB (a linker map of an
// allyesconfig kernel is well under 1 GiB).
inline constexpr uint64_t kMaxInputBytes = uint64_t{4} << 30;

// Errors carry the message "PATH: strerror(errno)". NotFound for a missing
// file (ENOENT, ENOTDIR), PermissionDenied for EACCES/EPERM, otherwise the
// code absl::ErrnoToStatus picks (e.g. FailedPrecondition for EISDIR).
// A device or socket is FailedPrecondition; more than `max_bytes` is
// ResourceExhausted.
absl::StatusOr<std::string> ReadFileToString(
    const std::string& path, uint64_t max_bytes = kMaxInputBytes);

// The bytes a HeadCheck sees: the first kHeadBytes read (or all of a
// shorter input).
inline constexpr size_t kHeadBytes = size_t{64} << 10;
using HeadCheck = std::function<absl::Status(absl::string_view head)>;
// ReadFileToString that calls `check_head` once on the first bytes and
// stops with its error: a parser refuses garbage (`yes | ksym build
// --kallsyms /dev/stdin`) before gigabytes of it are read and held.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes,
                                             const HeadCheck& check_head);

// ReadFileToString for a file of a system under --root (proc/modules,
// osrelease, sys/module/M/sections/.text, notes): a regular file only
// (procfs and sysfs files are), so a FIFO planted there is an error at
// once instead of a build that waits forever for a writer.
absl::StatusOr<std::string> ReadRegularFile(
    const std::string& path, uint64_t max_bytes = kMaxInputBytes);

// The same reads for a file of a system under `root` (--root), `path` as
// discovery names it ("ROOT/proc/modules"): opened in the root
// (files/root_fd.h), so no component swapped for a symlink while it is
// read leads outside, and read from that fd with the same bounds. A path
// under the root is a regular file only; a path outside it (given
// explicitly) and any path when the root is "" or "/" is read as
// ReadFileToString would. `path` names the file in messages.
absl::StatusOr<std::string> ReadRegularFileInRoot(
    const std::string& root, const std::string& path,
    uint64_t max_bytes = kMaxInputBytes);
absl::StatusOr<std::string> ReadFileInRoot(const std::string& root,
                                           const std::string& path,
                                           uint64_t max_bytes,
                                           const HeadCheck& check_head);

// A file's bytes for a reader that may edit them (libdwfl relocating a
// .ko's DWARF in place): a private copy-on-write mapping of a regular file,
// or the bytes read into memory (an empty file, a pipe, a file outside a
// root that cannot be mapped). Edits never reach the file. Mapping instead
// of reading skips zero-filling and copying the whole file: only the pages
// a parser touches are faulted in, shared with the page cache until
// written. As with libelf's own mapping of a vmlinux, a file truncated by
// someone else while mapped raises SIGBUS on the next access to a lost page.
class FileBytes {
 public:
  FileBytes() = default;
  explicit FileBytes(std::string bytes) : owned_(std::move(bytes)) {}
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  absl::string_view view() const {
    return mapped_ != nullptr ? absl::string_view(mapped_, size_) : owned_;
  }
  absl::Span<char> mutable_span() {
    return mapped_ != nullptr ? absl::Span<char>(mapped_, size_)
                              : absl::Span<char>(owned_.data(), owned_.size());
  }
  bool mapped() const { return mapped_ != nullptr; }
  // Unmaps or frees the bytes now.
  void Release();

 private:
  friend absl::StatusOr<FileBytes> MapFileInRoot(const std::string&,
                                                 const std::string&, uint64_t);
  char* mapped_ = nullptr;
  size_t size_ = 0;
  std::string owned_;
};

// ReadFileInRoot's file (the same open in the root, the same checks and
// errors) as FileBytes: mapped when it is a non-empty regular file.
absl::StatusOr<FileBytes> MapFileInRoot(const std::string& root,
                                        const std::string& path,
                                        uint64_t max_bytes = kMaxInputBytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_FILE_READER_H_
