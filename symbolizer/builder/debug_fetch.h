// A debug file fetched by build-id (debuginfod) and checked before use: the
// file must carry the build-id asked for, else it is rejected naming both.
// What happened is an InputSource like every other source's, so the build
// report and `ksym info` say where the file came from.
//
//   CheckedFetch v = FetchDebugFile(*fetcher, "vmlinux", build_id, progress);
//   v.path   == "/home/u/.cache/debuginfod_client/01d2.../debuginfo"
//   v.source == {"vmlinux", v.path, kFound,
//                "via debuginfod http://127.0.0.1:8002/buildid/01d2.../debuginfo"}
//
// Not found on any server: path "", source missing (path: the servers).
// A server error: missing, with the error. A file that is not ELF or has
// another build-id: rejected.
#ifndef KSYM_SYMBOLIZER_BUILDER_DEBUG_FETCH_H_
#define KSYM_SYMBOLIZER_BUILDER_DEBUG_FETCH_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/files/debuginfod_fetch.h"

namespace ksym {

struct CheckedFetch {
  std::string path;  // "" unless found and checked
  InputSource source;
};

// Fetches the debug file of `what` ("vmlinux", "ext4 debug .ko") by
// `build_id` (lowercase hex) through `fetcher`, within `limits`. `progress`
// gets a line "fetching WHAT from debuginfod (12/566 MB)" while bytes
// arrive. A file rejected is discarded from the fetcher's cache.
CheckedFetch FetchDebugFile(DebugFileFetcher& fetcher, absl::string_view what,
                            absl::string_view build_id,
                            const ProgressFn& progress,
                            const FetchLimits& limits = kVmlinuxDebugLimits);

// The loadable-module stage's hook for a module's debug file (module_files.h
// ModuleDebugLookup) over `fetcher`: (module, build-id) -> the checked path,
// each fetch appended to `*sources` as "module M debug"; NotFound when it
// gave nothing usable (the source says why). `fetcher` and `sources` must
// outlive the hook.
std::function<absl::StatusOr<std::string>(absl::string_view,
                                          absl::string_view)>
ModuleDebugFetch(DebugFileFetcher& fetcher, ProgressFn progress,
                 std::vector<InputSource>* sources);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_DEBUG_FETCH_H_
