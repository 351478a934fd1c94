// Fetching debug files (a -dbg vmlinux, a module's debug .ko: the ELF with
// the DWARF) by build-id from debuginfod servers, through elfutils'
// libdebuginfod. The builder sees only the DebugFileFetcher interface, so
// its tests fake it without a server.
//
//   absl::StatusOr<std::unique_ptr<DebugFileFetcher>> f =
//       DebuginfodFromEnvironment();
//   if (f.ok() && *f != nullptr) {  // DEBUGINFOD_URLS is set
//     absl::StatusOr<FetchedFile> got =
//         (*f)->FetchDebugInfo("01d2640d3a13145ee314eb05b155f141b7b7058b", {});
//     got->path == "$DEBUGINFOD_CACHE_PATH/01d2640d.../debuginfo"
//     got->url  == "http://127.0.0.1:8002/buildid/01d2640d.../debuginfo"
//   }
//
// The servers and the cache are libdebuginfod's: DEBUGINFOD_URLS (space
// separated), DEBUGINFOD_CACHE_PATH (default ~/.cache/debuginfod_client),
// DEBUGINFOD_TIMEOUT, DEBUGINFOD_MAXSIZE, ... as documented in
// debuginfod_find_debuginfo(3). A file already in the cache is returned
// without asking a server; a miss is remembered there too (cache_miss_s,
// 600 s by default).
//
// The fetched file is not checked here: the caller compares its build-id
// with the one asked for (a server can be wrong), and Discard()s a file it
// rejects so that the cache does not keep it.
//
// A server is untrusted: each fetch is bounded in bytes and in time
// (FetchLimits), whether or not the server says the size; a download past
// either bound is stopped and leaves nothing in the cache.
#ifndef KSYM_SYMBOLIZER_FILES_DEBUGINFOD_FETCH_H_
#define KSYM_SYMBOLIZER_FILES_DEBUGINFOD_FETCH_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ksym {

struct FetchedFile {
  std::string path;  // the file (in the client's cache)
  std::string url;   // where it was downloaded from; "" when it was cached
};

// Called while a download runs with (bytes done, bytes total); total 0 while
// the size is unknown.
using FetchProgressFn = std::function<void(uint64_t, uint64_t)>;

// Bounds of one fetch, retries included; 0 / InfiniteDuration: none.
struct FetchLimits {
  uint64_t max_bytes = 0;
  absl::Duration max_time = absl::InfiniteDuration();
};

// What a debug file can be: a vmlinux with DWARF is at most a few GB (a
// Debian -dbg vmlinux is under 1 GB), a module's debug .ko far less. A
// server streaming more, or for longer, is stopped.
inline const FetchLimits kVmlinuxDebugLimits{uint64_t{4} << 30,
                                             absl::Minutes(30)};
inline const FetchLimits kModuleDebugLimits{uint64_t{1} << 30,
                                            absl::Minutes(10)};

class DebugFileFetcher {
 public:
  virtual ~DebugFileFetcher() = default;

  // Where files come from, for messages: "http://a:8002 https://b".
  virtual std::string Servers() const = 0;

  // The debug file of `build_id` (lowercase hex). NotFound when no server
  // has it; InvalidArgument for a build-id that is not hex; other codes
  // for a server that failed (Unavailable: connection refused, ...), each
  // message naming the build-id and the servers; ResourceExhausted for a
  // download stopped at a bound of `limits`, saying which. Not thread-safe.
  virtual absl::StatusOr<FetchedFile> FetchDebugInfo(
      absl::string_view build_id, const FetchProgressFn& progress,
      const FetchLimits& limits) = 0;

  // Removes a fetched file the caller rejected (another build-id, not
  // ELF) from the cache. Fakes that serve their own files keep them.
  virtual void Discard(const FetchedFile& file) { (void)file; }
};

// A libdebuginfod client when DEBUGINFOD_URLS is set and not blank, else
// nullptr (no servers: nothing to fetch from). An error when libdebuginfod
// cannot start a client.
absl::StatusOr<std::unique_ptr<DebugFileFetcher>> DebuginfodFromEnvironment();

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FILES_DEBUGINFOD_FETCH_H_
