#include "symbolizer/files/debuginfod_fetch.h"

#include <elfutils/debuginfod.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ksym {
namespace {

struct ClientDeleter {
  void operator()(debuginfod_client* c) const { debuginfod_end(c); }
};
using ClientPtr = std::unique_ptr<debuginfod_client, ClientDeleter>;

// One fetch's state, the client's user data while it runs.
struct Transfer {
  const FetchProgressFn* progress = nullptr;
  FetchLimits limits;
  absl::Time start;
  uint64_t done = 0;
  std::string stopped;  // why the transfer was stopped, or ""
};

// libdebuginfod's progress callback, called as bytes arrive and at least
// about once a second while none do: forwards the counts, and returns
// non-zero (stopping the download) past a bound. The total is the server's
// Content-Length when it sent one, so an oversized file stops at once.
int OnProgress(debuginfod_client* client, long done, long total) {
  auto* t = static_cast<Transfer*>(debuginfod_get_user_data(client));
  if (t == nullptr) return 0;
  const uint64_t d = done > 0 ? static_cast<uint64_t>(done) : 0;
  const uint64_t n = total > 0 ? static_cast<uint64_t>(total) : 0;
  t->done = d;
  if (t->progress != nullptr && *t->progress) (*t->progress)(d, n);
  const uint64_t max = t->limits.max_bytes;
  if (max != 0 && (d > max || n > max)) {
    t->stopped = absl::StrCat(n > max ? absl::StrCat("the server announced ", n)
                                      : absl::StrCat("more than ", max),
                              " bytes; at most ", max, " are taken");
    return 1;
  }
  if (absl::Now() - t->start > t->limits.max_time) {
    t->stopped = absl::StrCat("still downloading after ",
                              absl::FormatDuration(t->limits.max_time), " (",
                              d, " bytes)");
    return 1;
  }
  return 0;
}

// libdebuginfod's cache directory, by its own rules (debuginfod(8)):
// DEBUGINFOD_CACHE_PATH, else a legacy ~/.debuginfod_client_cache that
// exists, else $XDG_CACHE_HOME/debuginfod_client or
// ~/.cache/debuginfod_client.
std::string DebuginfodCacheDir() {
  const char* set = std::getenv("DEBUGINFOD_CACHE_PATH");
  if (set != nullptr && *set != '\0') return set;
  const char* home = std::getenv("HOME");
  const std::string h = home != nullptr ? home : "";
  struct stat st;
  const std::string legacy = h + "/.debuginfod_client_cache";
  if (!h.empty() && stat(legacy.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return legacy;
  }
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return absl::StrCat(xdg, "/debuginfod_client");
  return h + "/.cache/debuginfod_client";
}

// A stopped transfer leaves libdebuginfod's negative-cache mark (an empty
// CACHE/BUILDID/debuginfo) that would answer "on no server" for the next
// ten minutes; the truth is that the server sent too much, or too slowly.
void ForgetStoppedTransfer(const std::string& build_id) {
  const std::string dir = absl::StrCat(DebuginfodCacheDir(), "/", build_id);
  const std::string mark = dir + "/debuginfo";
  struct stat st;
  if (lstat(mark.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
    unlink(mark.c_str());
    rmdir(dir.c_str());
  }
}

class DebuginfodFetcher : public DebugFileFetcher {
 public:
  DebuginfodFetcher(ClientPtr client, std::string servers)
      : client_(std::move(client)), servers_(std::move(servers)) {}

  std::string Servers() const override { return servers_; }

  absl::StatusOr<FetchedFile> FetchDebugInfo(
      absl::string_view build_id, const FetchProgressFn& progress,
      const FetchLimits& limits) override {
    const std::string id(build_id);
    if (id.empty() || id.size() % 2 != 0 ||
        id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "debuginfod: build-id \"", id, "\" is not lowercase hex"));
    }
    Transfer transfer;
    transfer.progress = &progress;
    transfer.limits = limits;
    transfer.start = absl::Now();
    debuginfod_set_user_data(client_.get(), &transfer);
    char* path = nullptr;
    // build_id_len 0: the build-id is given as a hex string.
    const int fd = debuginfod_find_debuginfo(
        client_.get(), reinterpret_cast<const unsigned char*>(id.c_str()), 0,
        &path);
    debuginfod_set_user_data(client_.get(), nullptr);
    if (fd < 0) {
      free(path);
      const int err = -fd;
      if (!transfer.stopped.empty()) {
        // libdebuginfod removes its partial file when a transfer stops.
        ForgetStoppedTransfer(id);
        return absl::ResourceExhaustedError(absl::StrCat(
            "debuginfod (", servers_, "): build-id ", id,
            ": download stopped: ", transfer.stopped));
      }
      if (err == ENOENT) {
        return absl::NotFoundError(
            absl::StrCat("build-id ", id, " is on no debuginfod server (",
                         servers_, ")"));
      }
      return absl::ErrnoToStatus(
          err, absl::StrCat("debuginfod (", servers_, "): build-id ", id));
    }
    close(fd);
    FetchedFile out;
    if (path != nullptr) {
      out.path = path;
      free(path);
    }
    // The URL of this find's download; libdebuginfod clears it before each
    // find, so it stays null when the cache answered.
    if (const char* url = debuginfod_get_url(client_.get()); url != nullptr) {
      out.url = url;
    }
    if (out.path.empty()) {
      return absl::InternalError(absl::StrCat(
          "debuginfod (", servers_, "): build-id ", id,
          ": found but libdebuginfod gave no path"));
    }
    return out;
  }

  void Discard(const FetchedFile& file) override {
    // CACHE/BUILDID/debuginfo: the file, then its directory if now empty.
    if (file.path.empty()) return;
    unlink(file.path.c_str());
    const size_t slash = file.path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      rmdir(file.path.substr(0, slash).c_str());
    }
  }

 private:
  ClientPtr client_;
  std::string servers_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DebugFileFetcher>> DebuginfodFromEnvironment() {
  const char* urls = std::getenv(DEBUGINFOD_URLS_ENV_VAR);
  if (urls == nullptr) return nullptr;
  std::string servers(absl::StripAsciiWhitespace(urls));
  if (servers.empty()) return nullptr;
  ClientPtr client(debuginfod_begin());
  if (client == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("debuginfod (", servers,
                            "): libdebuginfod could not start a client"));
  }
  debuginfod_set_progressfn(client.get(), OnProgress);
  return std::unique_ptr<DebugFileFetcher>(
      new DebuginfodFetcher(std::move(client), std::move(servers)));
}

}  // namespace ksym
