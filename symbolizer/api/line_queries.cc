#include "symbolizer/api/line_queries.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/api/static_address.h"
#include "symbolizer/names/printable.h"

namespace ksym {
namespace {

uint64_t Key(uint32_t file, uint32_t line) {
  return uint64_t{file} << 32 | line;
}

std::string FileLine(absl::string_view path, uint32_t line) {
  return absl::StrCat(EscapeUnprintable(path), ":", line);
}

// One line section searched: the vmlinux's (kLines, link-time addresses)
// or the loadable modules' (kModuleLines, their load addresses: the
// index's own). File ids are the section's own.
struct Table {
  const LineSection* lines = nullptr;
  bool modules = false;
};

// The wanted lines of one table: file id -> line. A FILE query wants one
// line of every matching file; FUNC:REL_LINE one line of each copy's file.
struct Wanted {
  absl::flat_hash_set<uint64_t> keys;
  // For kNoCode: every file asked, with the lines that start code in it.
  std::map<uint32_t, std::set<uint32_t>> lines_with_code;
  std::map<uint32_t, uint32_t> asked;  // file id -> line

  void Add(uint32_t file, uint32_t line) {
    keys.insert(Key(file, line));
    asked[file] = line;
    lines_with_code[file];
  }
};

void FillSite(const Symbolizer& s, const Table& table, const LineRowView& row,
              LineSite* site) {
  const IndexReader& index = s.index();
  site->in_module = table.modules;
  table.lines->FileName(row.file, &site->statement.prefix,
                        &site->statement.path);
  site->statement.line = row.line;
  site->statement.column = row.column;
  uint64_t at = row.address;
  if (table.modules) {
    site->static_address = 0;  // a module's code has no link-time address
  } else {
    site->static_address = row.address;
    absl::StatusOr<uint64_t> runtime = RuntimeFromStatic(index, row.address);
    if (!runtime.ok()) {
      site->not_placed = std::string(runtime.status().message());
      return;
    }
    at = *runtime;
  }
  site->address = at;
  LookupResult r = s.Lookup(at);
  if (!r.found) {
    site->not_placed = absl::StrCat("no symbol of the index holds it (",
                                    NotFoundReasonText(r.reason), ")");
    return;
  }
  site->placed = true;
  site->symbol = r.symbol;
  site->offset = r.offset;
  site->select = s.SelectingQuery(r.symbol, r.offset);
  site->lines = LocateSourceLines(s, r.symbol, r.offset);
}

// The frames at a row's address straight from its line section (for a
// site no symbol holds).
void FramesOnly(const Table& table, uint64_t address, LineSite* site) {
  site->lines.state = SourceLines::State::kFound;
  absl::StatusOr<bool> found = table.lines->Symbolize(address, &site->lines.frames);
  if (!found.ok() || !*found) {
    site->lines.state = SourceLines::State::kDamaged;
    site->lines.why = found.ok() ? "no function holds it"
                                 : std::string(found.status().message());
  }
}

// Files whose path under the build prefix ends with `suffix` at a '/'.
std::vector<uint32_t> MatchingFiles(const LineSection& lines,
                                    absl::string_view suffix) {
  std::vector<uint32_t> out;
  absl::string_view prefix, path;
  for (uint64_t f = 1; f < lines.file_count(); ++f) {
    if (lines.FileName(f, &prefix, &path) &&
        SourcePathSuffixMatches(path, suffix)) {
      out.push_back(static_cast<uint32_t>(f));
    }
  }
  return out;
}

absl::string_view PathOf(const LineSection& lines, uint32_t file) {
  absl::string_view prefix, path;
  if (!lines.FileName(file, &prefix, &path)) return {};
  return path;
}

// FUNC:REL_LINE: each copy of FUNC (text symbols of that name) gives its
// first line, the line of the row at its entry: a vmlinux copy from the
// vmlinux's table at its link-time address, a loadable module's from the
// modules' table at its own.
bool WantFunctionLines(const Symbolizer& s, const Table (&tables)[2],
                       LineSites* out, Wanted (&want)[2]) {
  const IndexReader& index = s.index();
  Query q;
  q.name = out->query.function;
  std::vector<Candidate> copies = s.Resolve(q);
  // (prefix, path) -> file ids of each table, filled once.
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>,
                      std::vector<uint32_t>>
      ids[2];
  bool any = false;
  for (const Candidate& c : copies) {
    if (!IsTextType(c.symbol.type)) continue;
    const size_t t = index.ModuleSetLoadable(c.symbol.module_set) ? 1 : 0;
    const LineSection& lines = *tables[t].lines;
    if (!lines.present()) continue;
    std::optional<uint64_t> start =
        t == 1 || index.address_space() == AddressSpace::kStatic
            ? std::optional<uint64_t>(c.symbol.address)
            : StaticStart(s, c.symbol);
    if (!start) continue;
    const absl::string_view space = t == 1 ? " (load address)" : " (link-time)";
    LineFrames frames;
    absl::StatusOr<bool> found = lines.Symbolize(*start, &frames);
    if (!found.ok() || !*found || frames.empty() || frames[0].line == 0) {
      continue;
    }
    if (frames.size() > 1 || frames[0].function != out->query.function) {
      out->notes.push_back(absl::StrCat(
          "the copy at ", JsonAddress(*start), space, " starts with ",
          EscapeUnprintable(frames[0].function),
          "'s code inlined: its first line is not known"));
      continue;
    }
    if (ids[t].empty()) {
      absl::string_view prefix, path;
      for (uint64_t f = 1; f < lines.file_count(); ++f) {
        if (lines.FileName(f, &prefix, &path)) {
          ids[t][{prefix, path}].push_back(static_cast<uint32_t>(f));
        }
      }
    }
    const uint64_t line = uint64_t{frames[0].line} + out->query.line;
    if (line > UINT32_MAX) continue;
    auto it = ids[t].find(std::make_pair(frames[0].prefix, frames[0].path));
    if (it == ids[t].end()) continue;
    any = true;
    out->notes.push_back(absl::StrCat(
        EscapeUnprintable(out->query.function), " at ", JsonAddress(*start),
        space, ": its first line taken as its entry's, ",
        FileLine(frames[0].path, frames[0].line),
        " (the index keeps no DW_AT_decl_line; perf probe counts from it)"));
    for (uint32_t f : it->second) want[t].Add(f, static_cast<uint32_t>(line));
  }
  return any;
}

void NoteNearest(const Wanted& want, const LineSection& lines,
                 std::vector<std::string>* nearest) {
  for (const auto& [file, code] : want.lines_with_code) {
    const uint32_t line = want.asked.at(file);
    auto after = code.upper_bound(line);
    const absl::string_view path = PathOf(lines, file);
    if (after != code.begin()) {
      nearest->push_back(FileLine(path, *std::prev(after)));
    }
    if (after != code.end()) nearest->push_back(FileLine(path, *after));
  }
}

// Appends `text` unless `list` has it (a header's path in both tables).
void AddOnce(std::vector<std::string>* list, std::string text) {
  if (std::find(list->begin(), list->end(), text) == list->end()) {
    list->push_back(std::move(text));
  }
}

// Why one of the two tables is not searched, "" when it is (or, for the
// modules', when the index has no loadable module to have lines of).
std::string NotSearched(const IndexReader& index, bool modules) {
  if (!modules) {
    return index.lines().present()
               ? ""
               : absl::StrCat("the vmlinux's lines are not searched: ",
                              NoLineTableReason(index));
  }
  if (index.module_lines().present()) return "";
  const std::string why = NoModuleLineTableReason(index);
  if (why.empty()) return "";
  return absl::StrCat("loadable modules' lines are not searched: ", why);
}

}  // namespace

LineSites ResolveLine(const Symbolizer& s, const LineQuery& query) {
  LineSites out;
  out.query = query;
  const IndexReader& index = s.index();
  const Table tables[2] = {{&index.lines(), false},
                           {&index.module_lines(), true}};
  if (!tables[0].lines->present() && !tables[1].lines->present()) {
    out.state = LineSites::State::kNoLineTable;
    out.why = NoLineTableReason(index);
    const std::string modules = NoModuleLineTableReason(index);
    if (!modules.empty()) absl::StrAppend(&out.why, "; ", modules);
    return out;
  }
  // What is not searched is said (in the notes, or the reason nothing
  // was found): a line missing from the answer may be in it.
  std::vector<std::string> not_searched;
  for (bool modules : {false, true}) {
    std::string why = NotSearched(index, modules);
    if (!why.empty()) not_searched.push_back(std::move(why));
  }
  const std::string unsearched =
      not_searched.empty()
          ? ""
          : absl::StrCat(" (", absl::StrJoin(not_searched, "; "), ")");
  Wanted want[2];
  if (!query.file.empty()) {
    for (size_t t = 0; t < 2; ++t) {
      if (!tables[t].lines->present()) continue;
      for (uint32_t f : MatchingFiles(*tables[t].lines, query.file)) {
        want[t].Add(f, query.line);
      }
    }
    if (want[0].keys.empty() && want[1].keys.empty()) {
      out.state = LineSites::State::kNoFile;
      out.why = absl::StrCat(
          "no source file of the index's line tables ends with \"",
          QuoteBounded(query.file, kMaxEchoed),
          "\" (paths are matched under the build prefix, at '/' "
          "boundaries)",
          unsearched);
      return out;
    }
  } else if (!WantFunctionLines(s, tables, &out, want)) {
    out.state = LineSites::State::kNoFunction;
    out.why = absl::StrCat("no function \"",
                           QuoteBounded(query.function, kMaxEchoed),
                           "\" has a first line in the line tables to count "
                           "REL_LINE from",
                           unsearched);
    return out;
  }
  for (size_t t = 0; t < 2; ++t) {
    for (const auto& [file, line] : want[t].asked) {
      AddOnce(&out.asked, FileLine(PathOf(*tables[t].lines, file), line));
    }
  }
  for (size_t t = 0; t < 2; ++t) {
    const LineSection& lines = *tables[t].lines;
    if (want[t].keys.empty() || lines.has_statements()) continue;
    out.notes.push_back(absl::StrCat(
        "the index's line table", t == 1 ? " of the loadable modules" : "",
        " has no statement flags (built by an older "
        "ksym): a site is where a run of the line's rows starts, and a line "
        "whose row another line's follows at the same address is not "
        "found; rebuild the index for DWARF's is_stmt"));
  }
  for (size_t t = 0; t < 2; ++t) {
    if (want[t].keys.empty()) continue;
    std::vector<LineRowView> rows;
    absl::Status scanned = tables[t].lines->ForEachRow([&](const LineRowView& r) {
      if (!r.starts_statement) return;
      if (want[t].keys.contains(Key(r.file, r.line))) {
        rows.push_back(r);
      } else if (auto it = want[t].lines_with_code.find(r.file);
                 it != want[t].lines_with_code.end() && r.line != 0) {
        it->second.insert(r.line);
      }
    });
    if (!scanned.ok()) {
      out.state = LineSites::State::kDamaged;
      out.why = std::string(scanned.message());
      out.sites.clear();
      return out;
    }
    // The vmlinux's sites, then the modules' (above them in the index's
    // space), each table's in address order.
    for (const LineRowView& r : rows) {
      LineSite site;
      FillSite(s, tables[t], r, &site);
      if (!site.placed) FramesOnly(tables[t], r.address, &site);
      const LineFrames& frames = site.lines.frames;
      for (size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].line == site.statement.line &&
            frames[i].path == site.statement.path &&
            frames[i].prefix == site.statement.prefix) {
          site.frame = i;
          break;
        }
      }
      if (!query.function.empty() &&
          (site.lines.state != SourceLines::State::kFound ||
           site.lines.frames.empty() ||
           FrameFunction(site.lines, site.frame) != query.function)) {
        continue;  // another function's code from the same file:line
      }
      out.sites.push_back(std::move(site));
    }
  }
  if (out.sites.empty()) {
    out.state = LineSites::State::kNoCode;
    for (size_t t = 0; t < 2; ++t) {
      std::vector<std::string> nearest;
      NoteNearest(want[t], *tables[t].lines, &nearest);
      for (std::string& n : nearest) AddOnce(&out.nearest, std::move(n));
    }
    out.why = absl::StrCat("no code at ", absl::StrJoin(out.asked, ", "));
    if (!out.nearest.empty()) {
      absl::StrAppend(&out.why, "; nearest lines with code: ",
                      absl::StrJoin(out.nearest, ", "));
    }
    absl::StrAppend(&out.why, unsearched);
    return out;
  }
  // Found: what was not searched is a note (else it is in `why`).
  for (std::string& n : not_searched) out.notes.push_back(std::move(n));
  out.state = LineSites::State::kFound;
  return out;
}

absl::StatusOr<LineSites> ResolveLineQuery(const Symbolizer& s,
                                           absl::string_view text) {
  absl::StatusOr<LineQuery> q = ParseLineQuery(text);
  if (!q.ok()) return q.status();
  return ResolveLine(s, *q);
}

namespace {

std::string WhereText(const LineSite& site) {
  const SourceLines& l = site.lines;
  if (l.state != SourceLines::State::kFound || l.frames.empty()) {
    return absl::StrCat("(", l.why, ")");
  }
  // The statement's own file:line: another line's row may follow it at
  // the same address (lookup answers with that one).
  std::string out =
      absl::StrCat("(", LocationText(site.statement), " in ",
                   EscapeUnprintable(FrameFunction(l, site.frame)));
  for (size_t i = site.frame + 1; i < l.frames.size(); ++i) {
    absl::StrAppend(&out, i == site.frame + 1 ? ", inlined into " : ", into ",
                    EscapeUnprintable(FrameFunction(l, i)));
  }
  out.push_back(')');
  return out;
}

// The address of a site no symbol holds: its row's, in its table's space.
std::string UnplacedAddress(const LineSite& site) {
  return AddressText(site.in_module ? site.address : site.static_address);
}

}  // namespace

std::vector<std::string> LineSiteTexts(const LineSites& l) {
  std::vector<std::string> out;
  for (const LineSite& site : l.sites) {
    if (site.placed) {
      out.push_back(AddressLine(
          site.address,
          absl::StrCat(EscapeUnprintable(site.select), " ", WhereText(site))));
    } else {
      out.push_back(absl::StrCat(
          UnplacedAddress(site), " ?? (",
          site.in_module ? "load" : "link-time", " address; ",
          site.not_placed, ") ", WhereText(site)));
    }
  }
  return out;
}

std::string LineSitesProblem(const LineSites& l) {
  return l.state == LineSites::State::kFound ? "" : l.why;
}

std::string LineSitesJson(const Symbolizer& s, absl::string_view query,
                          const LineSites& l) {
  std::string list = "[";
  for (const LineSite& site : l.sites) {
    JsonLine j;
    if (site.placed) {
      AddSymbolFields(s, site.symbol, j);
      j.Field("target", JsonAddress(site.address))
          .Field("offset", site.offset)
          .Field("select", site.select);
    } else {
      j.Null("target").Field("not_placed", site.not_placed);
    }
    if (site.in_module) {
      j.Null("static_address");
    } else {
      j.Field("static_address", JsonAddress(site.static_address));
    }
    JsonLine st;
    st.Field("file", site.statement.path)
        .Field("prefix", site.statement.prefix)
        .Field("line", site.statement.line)
        .Field("column", site.statement.column);
    if (site.lines.state == SourceLines::State::kFound &&
        site.frame < site.lines.frames.size()) {
      st.Field("function", FrameFunction(site.lines, site.frame))
          .Field("frame", site.frame);
    } else {
      st.Null("function").Null("frame");
    }
    j.Raw("statement", st.Finish());
    AddSourceLineFields(site.lines, j);
    if (list.size() > 1) list.push_back(',');
    list += j.Finish();
  }
  list.push_back(']');
  JsonLine q;
  if (l.query.file.empty()) {
    q.Null("file").Field("function", l.query.function);
  } else {
    q.Field("file", l.query.file).Null("function");
  }
  q.Field("line", l.query.line);
  auto views = [](const std::vector<std::string>& v) {
    return std::vector<absl::string_view>(v.begin(), v.end());
  };
  JsonLine j;
  j.Field("query", query)
      .Raw("line_query", q.Finish())
      .Strings("asked", views(l.asked))
      .Raw("candidates", list)
      .Strings("notes", views(l.notes));
  if (l.state != LineSites::State::kFound) {
    j.Field("missing", l.why).Strings("nearest", views(l.nearest));
  }
  return j.Finish();
}

absl::StatusOr<ProbePlacement> PlaceLineProbe(const Symbolizer& s,
                                              const ProbeRequest& request) {
  absl::StatusOr<LineSites> l = ResolveLineQuery(s, request.query);
  if (!l.ok()) return l.status();
  if (l->state != LineSites::State::kFound) {
    return l->state == LineSites::State::kDamaged
               ? absl::DataLossError(l->why)
               : absl::NotFoundError(l->why);
  }
  std::vector<const LineSite*> placed;
  for (const LineSite& site : l->sites) {
    if (site.placed) placed.push_back(&site);
  }
  if (placed.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(QuoteBounded(request.query, kMaxEchoed),
                     " has code only at addresses no symbol of the index "
                     "holds: ",
                     l->sites.front().not_placed));
  }
  if (l->sites.size() > 1) {
    std::string list;
    for (const LineSite& site : l->sites) {
      absl::StrAppend(&list, "\n  ",
                      site.placed ? EscapeUnprintable(site.select)
                                  : UnplacedAddress(site),
                      "  ", WhereText(site));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "\"", QuoteBounded(request.query, kMaxEchoed), "\" has code at ",
        l->sites.size(),
        " places (perf probe would probe them all); probe one of them with:",
        list));
  }
  ProbeRequest one = request;
  one.query = placed[0]->select;
  absl::StatusOr<ProbePlacement> p = PlaceProbe(s, one);
  if (!p.ok()) return p.status();
  p->notes.insert(p->notes.begin(),
                  absl::StrCat(QuoteBounded(request.query, kMaxEchoed),
                               " starts at ", EscapeUnprintable(one.query),
                               " ", WhereText(*placed[0])));
  for (const std::string& n : l->notes) p->notes.push_back(n);
  return p;
}

}  // namespace ksym
