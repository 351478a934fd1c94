// Source line -> addresses, as every front end answers `resolve FILE:LINE`
// and `probe FILE:LINE` (and perf probe's `FUNC:REL_LINE`): the reverse of
// source_lines.h, from the index's line section (index/line_section.h).
//
//   absl::StatusOr<LineSites> l = ResolveLineQuery(s, "fs/inode.c:123");
//   for (const std::string& t : LineSiteTexts(*l)) puts(t.c_str());
//   //   ffffffff81371230 inode_init_once+0x40 (fs/inode.c:123:2 in inode_init_once)
//   //   ffffffff813a0a1c init_once+0x1c {fs/ext4/super.o} (fs/inode.c:123:2
//   //     in inode_init_once, inlined into init_once)
//   puts(LineSitesJson(s, "fs/inode.c:123", *l).c_str());
//
// Both line tables are searched: the vmlinux's (kLines, link-time
// addresses, placed by the KASLR offset) and the loadable modules'
// (kModuleLines, at their load addresses); a module's site is named with
// its `[mod]` (`ext4_fill_super+0x1c [ext4]`) and probed as PlaceProbe
// places a module's symbol. A table the index lacks is said in `notes`
// (and in the reason when nothing is found).
//
// A site is where the line's statements start: a row of a function's
// line table whose file:line matches and whose previous row had another
// file:line (or the function's first row), one per place the line's code
// was put (the out-of-line function, and each copy of it inlined
// elsewhere, named with the function it was inlined into). The index
// keeps the row in force at each address (the last of the DWARF rows at
// one address, as lookups answer), not DWARF's is_stmt flag: a site is a
// row start of that file:line in the DWARF line table, where the line's
// code begins, which perf probe also takes as the probe point.
//
// The scan is linear in the rows, decoded per function: a CLI query's
// cost (Debian 6.1 vmlinux, 15 MB line section: `ksym resolve
// fs/inode.c:444` 0.05-0.06 s CPU against 0.01-0.02 s for `ksym resolve
// __iget`, /usr/bin/time, whole process).
#ifndef KSYM_SYMBOLIZER_API_LINE_QUERIES_H_
#define KSYM_SYMBOLIZER_API_LINE_QUERIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/api/probe.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/query/line_query.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct LineSite {
  // From the loadable modules' line table (kModuleLines): `address` is
  // the load address the row was placed at, and there is no link-time
  // address (static_address 0).
  bool in_module = false;
  uint64_t static_address = 0;  // link-time (vmlinux)
  // In the index's space (runtime: + KASLR offset; a module's site: its
  // load address, valid also when not `placed`); valid with `placed`.
  uint64_t address = 0;
  bool placed = false;  // a symbol of the index holds it
  std::string not_placed;  // why not (unknown KASLR offset, no symbol)
  SymbolInfo symbol;
  uint64_t offset = 0;  // address - symbol.address
  std::string select;   // a query selecting symbol + offset (SelectingQuery)
  // The statement's row: its file (views into the index), line, column.
  LineFrame statement;
  // The frame of `lines` the statement belongs to: the innermost whose
  // file:line is the statement's (a caller's call site when another
  // line's row follows at the address, e.g. the inlined callee's first
  // statement), else 0.
  size_t frame = 0;
  // The frames at the address, innermost first (frames[0] is the line's
  // own function; the next ones what it was inlined into).
  SourceLines lines;
};

struct LineSites {
  enum class State : uint8_t {
    kFound,        // sites filled
    kNoLineTable,  // the index has no line section (why)
    kNoFile,       // no file of the line table matches (why)
    kNoFunction,   // FUNC:REL_LINE: no function of that name with lines
    kNoCode,       // the file has no code at that line (nearest)
    kDamaged,      // the line section is damaged (why)
  };
  State state = State::kNoLineTable;
  std::string why;
  LineQuery query;
  // The source lines asked, "fs/inode.c:123" (FUNC:REL_LINE: made
  // absolute from each copy of FUNC's first line), one per matching file.
  std::vector<std::string> asked;
  std::vector<LineSite> sites;  // by address
  // kNoCode: the nearest lines before and after with code, "fs/inode.c:120".
  std::vector<std::string> nearest;
  // What was inferred (FUNC's first line), one sentence each.
  std::vector<std::string> notes;
};

// The sites of a parsed line query.
LineSites ResolveLine(const Symbolizer& s, const LineQuery& query);
// Parses (line_query.h) then resolves; InvalidArgument for bad syntax.
absl::StatusOr<LineSites> ResolveLineQuery(const Symbolizer& s,
                                           absl::string_view text);

// `ksym resolve FILE:LINE`'s stdout, one line a site:
// "ADDRESS SELECT (FILE:LINE[:COL] in FUNC[, inlined into CALLER[, into
// ...]])", FUNC the function of the statement's frame (`frame`)
// where SELECT is `name+0xOFF [mod] {obj}` (a query selecting that copy);
// a site no symbol holds: "ADDRESS ?? (link-time address; WHY) (...)" (a
// module's: "load address").
std::vector<std::string> LineSiteTexts(const LineSites& l);
// Why there are no sites (the state's message, "no code at fs/inode.c:123;
// nearest lines with code: fs/inode.c:120, fs/inode.c:125"); "" when found.
std::string LineSitesProblem(const LineSites& l);
// One JSON object: "query", "line_query" {"file","function","line"},
// "asked", "candidates" (per site: the resolve record's symbol fields,
// "target", "offset", "select", "static_address" (null for a module's
// site), "statement" {"file",
// "prefix","line","column"}, and "location", "inlined" as `lookup --lines
// --json` gives them at that address), "notes",
// and when none "missing" (LineSitesProblem) and "nearest".
std::string LineSitesJson(const Symbolizer& s, absl::string_view query,
                          const LineSites& l);

// `ksym probe FILE:LINE`: the probe at the one site of the line (its
// SELECT query through PlaceProbe). NotFound with LineSitesProblem when
// the line has no code or no line table; FailedPrecondition listing each
// site's query, one a line, when the line's code is at several places
// (perf probe would probe them all: pick them one by one).
absl::StatusOr<ProbePlacement> PlaceLineProbe(const Symbolizer& s,
                                              const ProbeRequest& request);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_LINE_QUERIES_H_
