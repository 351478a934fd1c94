#include "symbolizer/testing/debuginfod_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

extern char** environ;

namespace ksym {
namespace testutil {
namespace {

constexpr char kProgram[] = "debuginfod";

// The debuginfod program on PATH (or /usr/bin, Bazel tests' PATH may be
// short), "" when there is none.
std::string FindProgram() {
  std::vector<std::string> dirs = {"/usr/bin", "/usr/local/bin"};
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    for (absl::string_view d : absl::StrSplit(path, ':')) {
      if (!d.empty()) dirs.push_back(std::string(d));
    }
  }
  for (const std::string& d : dirs) {
    std::string p = absl::StrCat(d, "/", kProgram);
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return 0;
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(s);
  return port;
}

// GET http://127.0.0.1:PORT/PATH as HTTP/1.0: the body, "" on any failure.
std::string HttpGet(int port, const std::string& path) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return "";
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    const std::string request =
        absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    if (write(s, request.data(), request.size()) ==
        static_cast<ssize_t>(request.size())) {
      char buf[16384];
      ssize_t n;
      while ((n = read(s, buf, sizeof(buf))) > 0) response.append(buf, n);
    }
  }
  close(s);
  const size_t body = response.find("\r\n\r\n");
  if (response.compare(0, 9, "HTTP/1.0 ") != 0 &&
      response.compare(0, 9, "HTTP/1.1 ") != 0) {
    return "";
  }
  if (response.compare(9, 3, "200") != 0 || body == std::string::npos) {
    return "";
  }
  return response.substr(body + 4);
}

// The value of metric line `NAME{LABELS} VALUE`, e.g.
// `thread_work_total{role="traverse"} 1`.
std::optional<double> Metric(const std::string& metrics,
                             absl::string_view name_and_labels) {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (line.size() > name_and_labels.size() + 1 &&
        line.substr(0, name_and_labels.size()) == name_and_labels &&
        line[name_and_labels.size()] == ' ') {
      double v;
      if (absl::SimpleAtod(line.substr(name_and_labels.size() + 1), &v)) {
        return v;
      }
    }
  }
  return std::nullopt;
}

// The first traversal is over and every file it queued is scanned. The
// traversal queues files before it counts itself done; the scan metrics
// are absent when it queued none.
bool ScanDone(const std::string& metrics) {
  std::optional<double> traversed =
      Metric(metrics, "thread_work_total{role=\"traverse\"}");
  std::optional<double> pending =
      Metric(metrics, "thread_work_pending{role=\"scan\"}");
  std::optional<double> busy = Metric(metrics, "thread_busy{role=\"scan\"}");
  return traversed.value_or(0) >= 1 && pending.value_or(0) == 0 &&
         busy.value_or(0) == 0;
}

std::string ReadLog(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  std::string text = s.str();
  if (text.size() > 4000) text = "..." + text.substr(text.size() - 4000);
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DebuginfodServer>> DebuginfodServer::Start(
    const std::vector<std::string>& dirs, const std::string& work_dir,
    int scan_timeout_s) {
  const std::string program = FindProgram();
  if (program.empty()) {
    return absl::FailedPreconditionError(
        "debuginfod: no such program (Debian package debuginfod; "
        "tools/install-deps.sh installs it)");
  }
  std::string last_log;
  // A port found free can be taken before the server binds it: then the
  // server exits, and another port is tried.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = FreePort();
    if (port == 0) return absl::InternalError("no free TCP port on 127.0.0.1");
    const std::string log = absl::StrCat(work_dir, "/debuginfod-", port, ".log");
    std::vector<std::string> args = {
        program, "-F", "-d", ":memory:", "-p", absl::StrCat(port),
        "-t", "0", "-g", "0", "-c", "1", "--disable-source-scan"};
    args.insert(args.end(), dirs.begin(), dirs.end());
    std::vector<std::string> env = {absl::StrCat("TMPDIR=", work_dir)};
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "TMPDIR=", 7) != 0) env.push_back(*e);
    }
    // Everything the child needs is made before fork: it only calls
    // async-signal-safe functions.
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the test is gone already
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    std::unique_ptr<DebuginfodServer> server(new DebuginfodServer(pid, port));
    const absl::Time deadline = absl::Now() + absl::Seconds(scan_timeout_s);
    bool exited = false;
    while (absl::Now() < deadline) {
      int status;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        server->pid_ = 0;  // reaped: nothing to kill
        exited = true;
        break;
      }
      if (ScanDone(server->Metrics())) return server;
      absl::SleepFor(absl::Milliseconds(50));
    }
    last_log = ReadLog(log);
    if (!exited) {
      return absl::DeadlineExceededError(absl::StrCat(
          "debuginfod on port ", port, " did not finish scanning in ",
          scan_timeout_s, " s; its log:\n", last_log));
    }
  }
  return absl::InternalError(
      absl::StrCat("debuginfod exited before serving; its log:\n", last_log));
}

DebuginfodServer::~DebuginfodServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string DebuginfodServer::url() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

std::string DebuginfodServer::Metrics() const {
  return HttpGet(port_, "/metrics");
}

}  // namespace testutil
}  // namespace ksym
