#include "symbolizer/api/source_lines.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/api/static_address.h"
#include "symbolizer/names/printable.h"

namespace ksym {
namespace {

constexpr absl::string_view kLineTables = "line tables";
constexpr absl::string_view kModuleLineTables = "module line tables";

std::string ModuleLineTableReason(const IndexReader& index);

// Why a loadable module's address has no lines: the index has no module
// line section (NoModuleLineTableReason), or the module's debug .ko was
// not read.
std::string NoModuleLinesReason(const IndexReader& index,
                                const SymbolInfo& symbol) {
  std::string module;
  if (index.ModuleSetSize(symbol.module_set) == 1) {
    module = std::string(index.ModuleName(symbol.module_set, 0));
  }
  if (index.module_lines().present()) {
    for (uint32_t k = 0; k < index.module_count(); ++k) {
      const IndexReader::Module m = index.ModuleAt(k);
      if (m.name == module && !m.debug_read) {
        return absl::StrCat("the index has no lines of module ",
                            EscapeUnprintable(module),
                            ": its debug .ko was not read");
      }
    }
    return "";
  }
  return ModuleLineTableReason(index);
}

// NoModuleLineTableReason, also for an index without loadable modules.
std::string ModuleLineTableReason(const IndexReader& index) {
  for (const IndexReader::Source& src : index.sources()) {
    if (src.what != kModuleLineTables) continue;
    return absl::StrCat(
        "the index has no loadable module's lines: ",
        EscapeUnprintable(src.why.empty() ? "not read" : src.why));
  }
  return "the index has no loadable module's lines: it was built by a ksym "
         "that reads none (rebuild it)";
}

// Asks one line section (the vmlinux's or the modules') for `addr`, the
// symbol's address plus `offset`, and fills `out`'s frames, or its state
// and why: damaged, padding past the function's end, or `uncovered`.
void AskLineSection(const LineSection& section, uint64_t addr,
                    const SymbolInfo& symbol, uint64_t offset,
                    absl::string_view uncovered, SourceLines& out) {
  absl::StatusOr<bool> found = section.Symbolize(addr, &out.frames);
  if (!found.ok()) {
    out.state = SourceLines::State::kDamaged;
    out.why = std::string(found.status().message());
  } else if (!*found) {
    out.state = SourceLines::State::kNotCovered;
    out.why = symbol.size_exact && offset >= symbol.size
                  ? absl::StrCat("past the end of the function's code (size 0x",
                                 absl::Hex(symbol.size), "): padding")
                  : std::string(uncovered);
  } else {
    out.state = SourceLines::State::kFound;
    out.symbol_name = std::string(symbol.name());
  }
}

std::string FileText(const LineFrame& f) {
  if (f.path.empty()) return "??";
  // A path outside the build prefix (/usr/include/...) is printed whole.
  return EscapeUnprintable(f.path);
}

}  // namespace

std::string NoLineTableReason(const IndexReader& index) {
  if (index.lines().present()) return "";
  for (const IndexReader::Source& src : index.sources()) {
    if (src.what != kLineTables) continue;
    return absl::StrCat("the index has no line table: ",
                        EscapeUnprintable(src.why.empty() ? "not read" : src.why));
  }
  return "the index has no line table: it was built by a ksym that reads no "
         "source lines (rebuild it)";
}

std::string NoModuleLineTableReason(const IndexReader& index) {
  if (index.module_lines().present() || index.module_count() == 0) return "";
  return ModuleLineTableReason(index);
}

std::string LinesWarning(const IndexReader& index) {
  if (index.lines().present()) return "";
  if (!index.module_lines().present()) return NoLineTableReason(index);
  // The modules' lines are there: only the vmlinux's frames go without.
  std::string why = NoLineTableReason(index);
  absl::string_view rest = why;
  absl::ConsumePrefix(&rest, "the index has no line table: ");
  return absl::StrCat(
      "the index has no line table of the vmlinux (its frames come without "
      "lines; the loadable modules' have theirs): ",
      rest);
}

SourceLines LocateSourceLines(const Symbolizer& s, const SymbolInfo& symbol,
                              uint64_t offset) {
  SourceLines out;
  const IndexReader& index = s.index();
  if (index.ModuleSetLoadable(symbol.module_set) &&
      (index.lines().present() || index.module_lines().present())) {
    // Placed at the module's load addresses (or a fleet module index's
    // section bases, fleet/module_index.h): asked at the symbol's own.
    // Said per frame (kNotCovered): the index may have the vmlinux's.
    out.why = NoModuleLinesReason(index, symbol);
    if (!out.why.empty()) {
      out.state = SourceLines::State::kNotCovered;
      return out;
    }
    AskLineSection(index.module_lines(), symbol.address + offset, symbol,
                   offset,
                   "no DWARF function of the module's debug .ko covers this "
                   "address",
                   out);
    return out;
  }
  if (!index.lines().present()) {
    out.state = SourceLines::State::kNoLineTable;
    out.why = NoLineTableReason(index);
    return out;
  }
  std::optional<uint64_t> start;
  if (index.address_space() == AddressSpace::kStatic) {
    start = symbol.address;
  } else {
    start = StaticStart(s, symbol);
  }
  if (!start) {
    out.state = SourceLines::State::kNotCovered;
    out.why = index.ModuleSetLoadable(symbol.module_set)
                  ? "the line table holds the vmlinux's lines, not a "
                    "loadable module's"
                  : "no link-time address (KASLR offset unknown, or an "
                    "absolute symbol)";
    return out;
  }
  AskLineSection(index.lines(), *start + offset, symbol, offset,
                 "no DWARF function covers this address", out);
  return out;
}

absl::string_view FrameFunction(const SourceLines& lines, size_t i) {
  const absl::string_view f = lines.frames[i].function;
  if (f.empty() && i + 1 == lines.frames.size()) return lines.symbol_name;
  return f;
}

std::string LocationText(const LineFrame& f, bool column) {
  std::string out = absl::StrCat(FileText(f), ":", f.line);
  if (column && f.column != 0) absl::StrAppend(&out, ":", f.column);
  return out;
}

std::vector<std::string> SourceLineTexts(const SourceLines& lines) {
  std::vector<std::string> out;
  if (lines.state != SourceLines::State::kFound) {
    out.push_back(absl::StrCat("  ?? (", lines.why, ")"));
    return out;
  }
  for (size_t i = 0; i < lines.frames.size(); ++i) {
    const LineFrame& f = lines.frames[i];
    out.push_back(absl::StrCat("  ", EscapeUnprintable(FrameFunction(lines, i)), " ",
                               LocationText(f),
                               i + 1 < lines.frames.size() ? " (inlined)" : ""));
  }
  return out;
}

namespace {

std::string FrameJson(const LineFrame& f, absl::string_view function) {
  JsonLine j;
  j.Field("function", function)
      .Field("file", f.path)
      .Field("prefix", f.prefix)
      .Field("line", f.line)
      .Field("column", f.column);
  return j.Finish();
}

}  // namespace

void AddSourceLineFields(const SourceLines& lines, JsonLine& j) {
  if (lines.state != SourceLines::State::kFound) {
    j.Null("location").Field("location_missing", lines.why);
    return;
  }
  j.Raw("location", FrameJson(lines.frames[0], FrameFunction(lines, 0)));
  std::string inlined = "[";
  for (size_t i = 1; i < lines.frames.size(); ++i) {
    if (i > 1) inlined.push_back(',');
    inlined += FrameJson(lines.frames[i], FrameFunction(lines, i));
  }
  inlined.push_back(']');
  j.Raw("inlined", inlined);
}

std::string DecodeStacktraceText(const SourceLines& lines) {
  std::string out;
  if (lines.state != SourceLines::State::kFound) return out;
  for (const LineFrame& f : lines.frames) {
    if (!out.empty()) out.push_back(' ');
    absl::StrAppend(&out, LocationText(f, /*column=*/false));
  }
  return out;
}

}  // namespace ksym
