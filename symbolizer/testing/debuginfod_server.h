// A real debuginfod server (elfutils, Debian package `debuginfod`) for
// tests: listening on 127.0.0.1 on a free port, indexing ELF/DWARF files
// under some directories, killed when the object goes away.
//
//   absl::StatusOr<std::unique_ptr<DebuginfodServer>> s =
//       DebuginfodServer::Start({dbg_dir}, work_dir);
//   setenv("DEBUGINFOD_URLS", (*s)->url().c_str(), 1);  // http://127.0.0.1:N
//
// Start returns once the server has finished its first scan (its /metrics
// say the traversal is done and no file waits to be scanned), so every file
// under the directories can be fetched. The server runs as
//   debuginfod -F -d :memory: -p PORT -t 0 -g 0 -c 1 --disable-source-scan DIR...
// with its log in WORK_DIR/debuginfod-PORT.log and TMPDIR=WORK_DIR. It dies
// with the test: the destructor kills it, and the child asks the kernel
// (PR_SET_PDEATHSIG) to kill it should the test process die first.
#ifndef KSYM_SYMBOLIZER_TESTING_DEBUGINFOD_SERVER_H_
#define KSYM_SYMBOLIZER_TESTING_DEBUGINFOD_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ksym {
namespace testutil {

class DebuginfodServer {
 public:
  // FailedPrecondition when the debuginfod program is missing (install it:
  // tools/install-deps.sh); DeadlineExceeded when the scan takes longer
  // than `scan_timeout_s`; Internal (with its log) when it exits.
  static absl::StatusOr<std::unique_ptr<DebuginfodServer>> Start(
      const std::vector<std::string>& dirs, const std::string& work_dir,
      int scan_timeout_s = 120);

  ~DebuginfodServer();
  DebuginfodServer(const DebuginfodServer&) = delete;
  DebuginfodServer& operator=(const DebuginfodServer&) = delete;

  // "http://127.0.0.1:PORT", a DEBUGINFOD_URLS entry.
  std::string url() const;
  // The server's /metrics text ("" when it does not answer).
  std::string Metrics() const;

 private:
  DebuginfodServer(pid_t pid, int port) : pid_(pid), port_(port) {}
  pid_t pid_;
  int port_;
};

}  // namespace testutil
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_TESTING_DEBUGINFOD_SERVER_H_
