// Reads a whole file into memory, for the text-format parsers.
//
// Works on /proc and /sys files, which report st_size 0 (or a page size)
// while holding more: the file is read until EOF, never trusting st_size.
//
//   absl::StatusOr<std::string> text = ReadFileToString("/proc/kallsyms");

#ifndef KSYM_SYMBOLIZER_SOURCES_FILE_READER_H_
#define KSYM_SYMBOLIZER_SOURCES_FILE_READER_H_

#include <string>

#include "absl/status/statusor.h"

namespace ksym {

// Errors carry the message "PATH: strerror(errno)". NotFound for a missing
// file (ENOENT, ENOTDIR), PermissionDenied for EACCES/EPERM, otherwise the
// code absl::ErrnoToStatus picks (e.g. FailedPrecondition for EISDIR).
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_FILE_READER_H_
