#include "symbolizer/builder/debug_fetch.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {
namespace {

uint64_t Megabytes(uint64_t bytes) { return (bytes + (1 << 19)) >> 20; }

}  // namespace

CheckedFetch FetchDebugFile(DebugFileFetcher& fetcher, absl::string_view what,
                            absl::string_view build_id,
                            const ProgressFn& progress,
                            const FetchLimits& limits) {
  CheckedFetch out;
  out.source.what = std::string(what);
  const std::string label =
      absl::StrCat("fetching ", what, " from debuginfod");
  FetchProgressFn on_bytes;
  uint64_t shown_mb = ~uint64_t{0};
  if (progress) {
    on_bytes = [&](uint64_t done, uint64_t total) {
      // libdebuginfod calls back many times a second: one line per MB.
      if (Megabytes(done) == shown_mb) return;
      shown_mb = Megabytes(done);
      progress(done, total,
               total > 0 ? absl::StrCat(label, " (", Megabytes(done), "/",
                                        Megabytes(total), " MB)")
                         : absl::StrCat(label, " (", Megabytes(done), " MB)"));
    };
    progress(0, 0, label);
  }
  absl::StatusOr<FetchedFile> got = fetcher.FetchDebugInfo(build_id, on_bytes, limits);
  if (!got.ok()) {
    out.source.path = fetcher.Servers();
    out.source.state = SourceState::kMissing;
    out.source.why = absl::StrCat("debuginfod: ", got.status().message());
    return out;
  }
  out.source.path = got->path;
  const std::string via =
      got->url.empty()
          ? absl::StrCat("via debuginfod (from its cache; servers ",
                         fetcher.Servers(), ")")
          : absl::StrCat("via debuginfod ", got->url);
  absl::StatusOr<std::string> id = ReadElfBuildIdFile(got->path);
  if (!id.ok()) {
    out.source.state = SourceState::kRejected;
    out.source.why = absl::StrCat(via, ": ", id.status().message(),
                                  "; removed from the cache");
    fetcher.Discard(*got);
    return out;
  }
  if (*id != build_id) {
    out.source.state = SourceState::kRejected;
    out.source.why =
        absl::StrCat(via, ": build-id ", id->empty() ? "(none)" : *id,
                     " but ", build_id, " was asked for; removed from the cache");
    fetcher.Discard(*got);
    return out;
  }
  out.source.state = SourceState::kFound;
  out.source.why = via;
  out.path = got->path;
  return out;
}

std::function<absl::StatusOr<std::string>(absl::string_view,
                                          absl::string_view)>
ModuleDebugFetch(DebugFileFetcher& fetcher, ProgressFn progress,
                 std::vector<InputSource>* sources) {
  return [&fetcher, progress = std::move(progress), sources](
             absl::string_view module,
             absl::string_view build_id) -> absl::StatusOr<std::string> {
    CheckedFetch got = FetchDebugFile(
        fetcher, absl::StrCat("module ", module, " debug"), build_id,
        progress, kModuleDebugLimits);
    const std::string why = got.source.why;
    sources->push_back(std::move(got.source));
    if (got.path.empty()) return absl::NotFoundError(why);
    return got.path;
  };
}

}  // namespace ksym
