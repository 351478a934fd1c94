#include "symbolizer/api/build_index.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "symbolizer/index/writer.h"

namespace ksym {

absl::StatusOr<BuiltIndex> WriteIndexFile(BuildOutput output,
                                          const std::string& path,
                                          absl::Time start) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "the index path is empty (-o ''): name a file");
  }
  absl::StatusOr<std::string> bytes = SerializeIndex(output.catalog);
  if (!bytes.ok()) return bytes.status();
  if (absl::Status s = WriteIndexAtomically(path, *bytes,
                                            /*create_parents=*/true);
      !s.ok()) {
    return s;
  }
  BuiltIndex built;
  built.path = path;
  built.file_size = bytes->size();
  built.elapsed = absl::Now() - start;
  built.output = std::move(output);
  return built;
}

absl::StatusOr<BuiltIndex> BuildIndexFile(const BuildInputs& inputs,
                                          const std::string& path,
                                          const ProgressFn& progress) {
  const absl::Time start = absl::Now();
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "the index path is empty (-o ''): name a file");
  }
  absl::StatusOr<BuildOutput> out = BuildCatalog(inputs, progress);
  if (!out.ok()) return out.status();
  if (progress) progress(0, 0, "writing index");
  return WriteIndexFile(*std::move(out), path, start);
}

std::vector<std::string> BuildSummary(const BuiltIndex& built) {
  std::vector<std::string> lines;
  const BuildOutput& out = built.output;
  const Catalog& c = out.catalog;
  lines.push_back(absl::StrFormat(
      "wrote %s: %zu symbols, %u bytes (%.1f/symbol) in %s", built.path,
      c.symbols.size(), built.file_size,
      c.symbols.empty()
          ? 0.0
          : static_cast<double>(built.file_size) / c.symbols.size(),
      absl::FormatDuration(built.elapsed)));
  // Sources found or rejected, and those missing that were looked for.
  for (const InputSource& s : c.sources) {
    if (s.state == SourceState::kMissing && s.why == "not given") continue;
    lines.push_back(absl::StrCat("source ", s.what, ": ",
                                 SourceStateName(s.state), " ",
                                 s.path.empty() ? "-" : s.path,
                                 s.why.empty() ? "" : ": ", s.why));
  }
  for (const std::string& note : out.notes) lines.push_back(note);
  for (const std::string& warning : out.warnings) {
    lines.push_back(absl::StrCat("warning: ", warning));
  }
  const AttributionStats& at = out.attribution;
  lines.push_back(absl::StrFormat(
      "%zu text symbols: %zu with an object, %zu with a built-in or loadable "
      "module",
      at.text_symbols, at.text_with_object, at.text_with_module));
  const DisambiguationReport& r = out.report;
  lines.push_back(absl::StrFormat(
      "%zu data symbols: %zu with an object",
      at.symbols - at.text_symbols, at.with_object - at.text_with_object));
  lines.push_back(absl::StrFormat(
      "duplicate text names: %zu; after module sets: %zu; duplicate data "
      "names: %zu; after module sets: %zu; still ambiguous: %zu",
      r.text.duplicate_names_before, r.text.duplicate_names_after_modules,
      r.data.duplicate_names_before, r.data.duplicate_names_after_modules,
      r.ambiguous.size()));
  size_t shown = 0;
  for (const AmbiguousName& a : r.ambiguous) {
    if (++shown > 10) {
      lines.push_back(absl::StrFormat(
          "  ... and %zu more (ksym info lists them)", r.ambiguous.size() - 10));
      break;
    }
    lines.push_back(absl::StrFormat("  ambiguous: %s (%zu symbols): %s",
                                    a.qualified, a.addresses.size(), a.reason));
  }
  return lines;
}

}  // namespace ksym
