#include "tools/cli/process_output.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <new>



namespace ksym {
namespace {

volatile sig_atomic_t sigbus_exit_code = 3;

void OnSigbus(int) {
  static const char kMessage[] =
      "ksym: the index file changed while it was read (truncated in place?); "
      "run the command again\n";
  // Only async-signal-safe calls here.
  ssize_t ignored = write(2, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(sigbus_exit_code);
}

}  // namespace

void ReportSigbusAsChangedIndex(int exit_code) {
  sigbus_exit_code = exit_code;
  struct sigaction sa = {};
  sa.sa_handler = OnSigbus;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, nullptr);
}

namespace {
int oom_exit_code = 3;

void OnOutOfMemory() {
  // No allocation here: only write(2) of a constant.
  static const char kMessage[] =
      "ksym: out of memory (an address-space limit, or an input too large "
      "for this machine)\n";
  ssize_t ignored = write(2, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(oom_exit_code);
}
}  // namespace

void ReportOutOfMemory(int exit_code) {
  oom_exit_code = exit_code;
  std::set_new_handler(OnOutOfMemory);
}

absl::Status FlushOutput(std::FILE* out) {
  errno = 0;
  if (std::fflush(out) != 0 || std::ferror(out)) {
    const int err = errno;
    if (err == 0) {
      return absl::UnknownError("cannot write standard output: write error");
    }
    return absl::ErrnoToStatus(err, "cannot write standard output");
  }
  return absl::OkStatus();
}

}  // namespace ksym
