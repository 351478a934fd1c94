// Directories and files that a program run as root may trust: the index
// cache. A cache another user can write to lets them plant an index (a
// poisoned answer) or a symlink (a file overwritten by root).
//
//   absl::Status s = EnsurePrivateDirectory("/root/.cache/ksym");
//   if (s.ok()) s = CheckPrivateFile("/root/.cache/ksym/k.ksym");
//
// The rules: the directory is created 0700 (missing parents too); it must
// be a real directory (not a symlink), owned by the effective user, and
// not writable by group or others. A file read from it must be a regular
// file (not a symlink) with the same owner and no group/other write bit.
// Anything else is refused with FailedPrecondition and a message that says
// what is wrong and what to do; nothing is repaired behind the user's back.
#ifndef KSYM_SYMBOLIZER_FILES_PRIVATE_DIR_H_
#define KSYM_SYMBOLIZER_FILES_PRIVATE_DIR_H_

#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"

namespace ksym {

// `owner` is the user who must own it: the effective user (tests pass
// another uid to see the refusal without root).
absl::Status EnsurePrivateDirectory(const std::string& dir,
                                    uid_t owner = geteuid());

// The checks of EnsurePrivateDirectory without creating anything.
absl::Status CheckPrivateDirectory(const std::string& dir,
                                   uid_t owner = geteuid());

// OK for a regular file owned by the effective user without group/other
// write; NotFound when absent (the caller may build it); FailedPrecondition
// for anything else (a symlink, a device, another owner, a writable mode).
absl::Status CheckPrivateFile(const std::string& path,
                              uid_t owner = geteuid());

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FILES_PRIVATE_DIR_H_
