#include "symbolizer/builder/source_lines.h"

#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/sources/elf/dwarf_lines.h"

namespace ksym {

void ReadSourceLines(const std::string& root, const std::string& vmlinux,
                     bool wanted, Catalog& catalog,
                     BuildLog& log) {
  InputSource source;
  source.what = kLineTablesSource;
  source.path = vmlinux;
  if (!wanted) {
    source.why = "not read: built with --no-lines";
  } else if (vmlinux.empty()) {
    source.why =
        "no vmlinux with DWARF (install the kernel's -dbg/-dbgsym/"
        "debuginfo package, or set DEBUGINFOD_URLS, and rebuild)";
  } else {
    log.Progress(absl::StrCat("reading source lines of ", vmlinux));
    absl::StatusOr<LineTable> t = ReadLineTableFile(vmlinux, root);
    if (t.ok()) {
      source.state = SourceState::kFound;
      log.Note(absl::StrCat("lines: DWARF of ", vmlinux, " (",
                            t->functions.size(), " functions, ",
                            t->rows.size(), " rows, ", t->calls.size(),
                            " inlined calls, ", t->files.size() - 1,
                            " files)"));
      if (t->overlapping_functions > 0) {
        log.Warn(absl::StrCat(t->overlapping_functions,
                              " functions' DWARF overlaps another's code "
                              "(code the linker discarded); their lines are "
                              "left out"));
      }
      catalog.lines = std::make_shared<const LineTable>(*std::move(t));
    } else if (absl::IsFailedPrecondition(t.status())) {
      source.why = std::string(t.status().message());
    } else {
      source.state = SourceState::kRejected;
      source.why = std::string(t.status().message());
      log.Warn(absl::StrCat("source lines left out: ", t.status().message()));
    }
  }
  catalog.sources.push_back(std::move(source));
}

}  // namespace ksym
