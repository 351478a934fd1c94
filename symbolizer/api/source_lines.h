// Source lines of a symbolized address, as every front end prints them:
// the index's line section (index/line_section.h) asked at the symbol's
// link-time address, and the text of the answer.
//
//   SourceLines l = LocateSourceLines(s, r.symbol, r.offset);
//   for (const std::string& t : SourceLineTexts(l)) puts(t.c_str());
//   //   strncpy_from_user lib/strncpy_from_user.c:139:9 (inlined)
//   //   getname_flags fs/namei.c:150:8 (inlined)
//   //   do_sys_openat2 fs/open.c:1300:2
//   DecodeStacktraceText(l)   // "lib/strncpy_from_user.c:139 fs/namei.c:150 fs/open.c:1300"
//
// A loadable module's frame is asked of the modules' line section
// (format.h kModuleLines) at its runtime address; the vmlinux's at its
// link-time address. Frames are innermost first, as `llvm-symbolizer --inlines` prints them:
// the first is the function whose code is at the address (an inlined one,
// or the symbol's) with the line row's file:line:column; each next one is
// the function the previous was inlined into, with the call site. Paths are
// printed under the build prefix (the DWARF comp_dir: what
// scripts/decode_stacktrace.sh strips as its base path); JSON has it too.
#ifndef KSYM_SYMBOLIZER_API_SOURCE_LINES_H_
#define KSYM_SYMBOLIZER_API_SOURCE_LINES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "symbolizer/api/json_writer.h"
#include "symbolizer/index/line_section.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct SourceLines {
  enum class State : uint8_t {
    kFound,         // frames filled (frames[0].line 0: no row there)
    kNoLineTable,   // the index has no line section (why)
    kNotCovered,    // the line table has no function there (why)
    kDamaged,       // the line section is damaged there (why)
  };
  State state = State::kNoLineTable;
  LineFrames frames;
  std::string why;
  // The symbol's name, for an outermost frame whose DWARF gives no
  // function name (assembler code), as llvm-symbolizer takes it from the
  // symbol table.
  std::string symbol_name;
};

// The function of frame i: its DWARF name, else (outermost) the symbol's.
absl::string_view FrameFunction(const SourceLines& lines, size_t i);

// The lines of `symbol` + `offset` (a Lookup's answer).
SourceLines LocateSourceLines(const Symbolizer& s, const SymbolInfo& symbol,
                              uint64_t offset);

// Why the index has no line section: its "line tables" source record, or
// "built by a ksym without line tables". "" when it has one.
std::string NoLineTableReason(const IndexReader& index);

// Why the index has no line section of the loadable modules
// (kModuleLines): its "module line tables" source record, or "built by a
// ksym that reads none". "" when it has one, or holds no loadable module.
std::string NoModuleLineTableReason(const IndexReader& index);

// What a front end asked for lines says once, before the answers: ""
// when the index has the vmlinux's line table; NoLineTableReason when it
// has neither table; and when only the loadable modules' lines are there,
// that the vmlinux's are missing (and why) while the modules' frames get
// theirs ("the index has no line table of the vmlinux (its frames come
// without lines; the loadable modules' have theirs): not read: ...").
std::string LinesWarning(const IndexReader& index);

// "FILE:LINE[:COLUMN]" of a frame, "??:0" when unknown.
std::string LocationText(const LineFrame& frame, bool column = true);

// The lines `lookup --lines` prints after the frame line: one per frame,
// "  FUNCTION FILE:LINE:COL" + " (inlined)" on all but the outermost; or
// one line "  ?? (WHY)" when there are none.
std::vector<std::string> SourceLineTexts(const SourceLines& lines);

// JSON: "location":{"function","file","line","column"} (the first frame)
// and "inlined":[{"function","file","line","column"}...] (the functions
// it was inlined into, innermost first, each with its call site); or
// "location":null and "location_missing":WHY.
void AddSourceLineFields(const SourceLines& lines, JsonLine& j);

// What scripts/decode_stacktrace.sh puts between the parentheses after a
// frame: every frame's FILE:LINE, innermost first, space separated; "" when
// there are none.
std::string DecodeStacktraceText(const SourceLines& lines);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_SOURCE_LINES_H_
