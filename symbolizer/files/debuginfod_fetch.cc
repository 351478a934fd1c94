#include "symbolizer/files/debuginfod_fetch.h"

#include <elfutils/debuginfod.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ksym {
namespace {

struct ClientDeleter {
  void operator()(debuginfod_client* c) const { debuginfod_end(c); }
};
using ClientPtr = std::unique_ptr<debuginfod_client, ClientDeleter>;

// libdebuginfod's progress callback: forwards to the FetchProgressFn set as
// the client's user data. Returns 0: the download goes on.
int OnProgress(debuginfod_client* client, long done, long total) {
  auto* fn =
      static_cast<const FetchProgressFn*>(debuginfod_get_user_data(client));
  if (fn != nullptr && *fn) {
    (*fn)(done > 0 ? static_cast<uint64_t>(done) : 0,
          total > 0 ? static_cast<uint64_t>(total) : 0);
  }
  return 0;
}

class DebuginfodFetcher : public DebugFileFetcher {
 public:
  DebuginfodFetcher(ClientPtr client, std::string servers)
      : client_(std::move(client)), servers_(std::move(servers)) {}

  std::string Servers() const override { return servers_; }

  absl::StatusOr<FetchedFile> FetchDebugInfo(
      absl::string_view build_id, const FetchProgressFn& progress) override {
    const std::string id(build_id);
    if (id.empty() || id.size() % 2 != 0 ||
        id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "debuginfod: build-id \"", id, "\" is not lowercase hex"));
    }
    debuginfod_set_user_data(client_.get(), const_cast<FetchProgressFn*>(
                                                 &progress));
    char* path = nullptr;
    // build_id_len 0: the build-id is given as a hex string.
    const int fd = debuginfod_find_debuginfo(
        client_.get(), reinterpret_cast<const unsigned char*>(id.c_str()), 0,
        &path);
    debuginfod_set_user_data(client_.get(), nullptr);
    if (fd < 0) {
      free(path);
      const int err = -fd;
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
