// How a command-line front end ends: a failed write to its output is an
// error, and a mapped index truncated under it is a message, not a crash.
// Process-wide (a signal handler), so only programs opt in; the C API and
// the Python module, which live in someone else's process, do not install
// it (their callers are told the rule in symbolizer/README.md: replace
// index files by rename, never truncate them in place).
#ifndef KSYM_TOOLS_CLI_PROCESS_OUTPUT_H_
#define KSYM_TOOLS_CLI_PROCESS_OUTPUT_H_

#include <cstdio>

#include "absl/status/status.h"

namespace ksym {

// Turns SIGBUS, which a mapped index truncated in place raises on access
// (ksym's writers never do that: they rename a new file into place), into
// "ksym: the index file changed while it was read ..." on stderr and
// _exit(`exit_code`) instead of a crash (exit 135) that also loses
// buffered output.
void ReportSigbusAsChangedIndex(int exit_code);

// Makes a failed allocation (an address-space limit, a huge input) a
// message "ksym: out of memory (...)" on stderr and _exit(`exit_code`)
// instead of an uncaught std::bad_alloc (SIGABRT, exit 134). Stdout is
// not flushed: what it holds may be a half-written answer.
void ReportOutOfMemory(int exit_code);

// Flushes `out`; a failed write (a full disk, /dev/full) now or earlier is
// an error "cannot write standard output: REASON" (code from errno).
absl::Status FlushOutput(std::FILE* out);

}  // namespace ksym

#endif  // KSYM_TOOLS_CLI_PROCESS_OUTPUT_H_
