// Writing files that other processes (or root) will trust, without being
// tricked by what an attacker planted next to them.
//
//   absl::Status s = WriteFileAtomically("/home/u/.cache/ksym/k.ksym", bytes,
//                                        {.mode = 0600});
//
// The rules, and why:
// - The bytes go to a fresh temp file `PATH.tmp.PID.RANDOM` in PATH's own
//   directory, created O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC: a symlink or
//   file planted under that name makes the create fail instead of being
//   followed or truncated. The temp file is fsynced and renamed over PATH,
//   so readers see the old file or the new one, never a part, and a file
//   somebody has mapped is never truncated under them (see reader.h).
// - PATH itself must be absent or a regular file: `-o /dev/null` must not
//   turn a device node into a regular file, and a symlink, FIFO, socket or
//   directory there is refused (FailedPrecondition).
// - `mode` is the create mode (the umask can only narrow it): files holding runtime
//   kernel addresses are written 0600 (a KASLR leak otherwise).
// - Temp files `PATH.tmp.PID[.*]` of processes that no longer exist (a
//   killed build), owned by this user, are removed first.
#ifndef KSYM_SYMBOLIZER_FILES_SAFE_WRITE_H_
#define KSYM_SYMBOLIZER_FILES_SAFE_WRITE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct SafeWriteOptions {
  mode_t mode = 0644;
  // Missing directories of the path are created first (mode 0755), as
  // `mkdir -p` would.
  bool create_parents = false;
};

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view bytes,
                                 SafeWriteOptions options = {});

// OK when `path` does not exist or is a regular file (not following a
// symlink); FailedPrecondition naming what it is otherwise.
absl::Status CheckReplaceable(const std::string& path);

// Removes `PATH.tmp.PID` and `PATH.tmp.PID.*` in PATH's directory whose PID
// is not a running process and that are regular files owned by the
// effective user. Returns how many were removed.
int RemoveStaleTempFiles(const std::string& path);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FILES_SAFE_WRITE_H_
