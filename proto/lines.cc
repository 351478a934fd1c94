#include "proto/lines.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/index/line_section.h"
#include "symbolizer/sources/elf/line_table.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

absl::Status CheckUtf8(absl::string_view s, absl::string_view what) {
  if (FirstInvalidUtf8(s) == absl::string_view::npos) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("line table ", what, " \"", absl::CHexEscape(s),
                   "\" is not UTF-8, which protobuf strings must be"));
}

}  // namespace

absl::Status ExportLines(const LineSection& section, proto::LineTable* out,
                         std::string* note) {
  absl::StatusOr<LineTable> t = section.DecodeTable();
  if (!t.ok()) return t.status();
  if (!section.has_statements() && note != nullptr) {
    absl::StrAppend(note, note->empty() ? "" : "; ",
                    "the index's line section predates DWARF's is_stmt "
                    "flags: every row is exported with is_stmt false "
                    "(rebuild the index to keep them)");
  }
  for (const std::string& p : t->prefixes) {
    if (absl::Status s = CheckUtf8(p, "prefix"); !s.ok()) return s;
    out->add_prefixes(p);
  }
  for (const SourceFile& f : t->files) {
    if (absl::Status s = CheckUtf8(f.path, "path"); !s.ok()) return s;
    proto::LineTable::File* pf = out->add_files();
    pf->set_prefix(f.prefix);
    pf->set_path(f.path);
  }
  for (const std::string& n : t->names) {
    if (absl::Status s = CheckUtf8(n, "name"); !s.ok()) return s;
    out->add_names(n);
  }
  uint64_t previous = 0;
  out->mutable_functions()->Reserve(static_cast<int>(t->functions.size()));
  for (const FunctionLines& f : t->functions) {
    proto::LineTable::Function* pf = out->add_functions();
    pf->set_start_delta(f.start - previous);
    previous = f.start;
    pf->set_size(f.size);
    pf->set_name(f.name);
    uint32_t offset = 0;
    for (uint32_t i = 0; i < f.row_count; ++i) {
      const LineRow& r = t->rows[f.first_row + i];
      pf->add_row_offset_deltas(r.offset - offset);
      offset = r.offset;
      pf->add_row_files(r.file);
      pf->add_row_lines(r.line);
      pf->add_row_columns(r.column);
      pf->add_row_is_stmt(r.is_stmt);
    }
    for (uint32_t i = 0; i < f.call_count; ++i) {
      const InlineCall& c = t->calls[f.first_call + i];
      proto::LineTable::InlinedCall* pc = pf->add_calls();
      pc->set_name(c.name);
      pc->set_parent(c.parent == kNoParent ? 0 : c.parent + 1);
      pc->set_call_file(c.call_file);
      pc->set_call_line(c.call_line);
      pc->set_call_column(c.call_column);
      for (uint32_t j = 0; j < c.range_count; ++j) {
        const OffsetRange& r = t->inline_ranges[c.first_range + j];
        pc->add_range_begins(r.begin);
        pc->add_range_ends(r.end);
      }
    }
  }
  return absl::OkStatus();
}

namespace {

// Builds "LABEL: TABLE.FIELD: WHAT" errors (TABLE: lines, module_lines).
class LineErrors {
 public:
  LineErrors(absl::string_view label, absl::string_view table)
      : label_(label), table_(table) {}
  absl::Status Bad(absl::string_view field, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(label_, ": ", table_, ".", field, ": ", what));
  }

 private:
  absl::string_view label_;
  absl::string_view table_;
};

// "functions[K] (NAME)", naming the function for the user.
std::string FunctionField(const proto::LineTable& t, int k) {
  const uint32_t name = t.functions(k).name();
  return absl::StrCat(
      "functions[", k, "] (",
      name < static_cast<uint32_t>(t.names_size())
          ? absl::StrCat("\"", absl::CHexEscape(t.names(name)), "\"")
          : std::string("bad name"),
      ")");
}

absl::Status CheckFunction(const LineErrors& e, const proto::LineTable& pt,
                           int k, uint64_t start, LineTable* t) {
  const proto::LineTable::Function& pf = pt.functions(k);
  const std::string field = FunctionField(pt, k);
  const uint64_t files = t->files.size();
  FunctionLines f;
  f.start = start;
  f.size = pf.size();
  f.name = pf.name();
  if (f.name >= t->names.size()) {
    return e.Bad(absl::StrCat(field, ".name"),
                 absl::StrCat(f.name, " is out of range (expected below ",
                              t->names.size(), ", the names)"));
  }
  if (f.size > std::numeric_limits<uint32_t>::max() ||
      f.size > std::numeric_limits<uint64_t>::max() - start) {
    return e.Bad(absl::StrCat(field, ".size"),
                 absl::StrCat(f.size, " at 0x", absl::Hex(start),
                              " is too large (expected at most 2^32 - 1, "
                              "ending inside the address space)"));
  }
  const int rows = pf.row_offset_deltas_size();
  for (const auto& [column, size] :
       {std::make_pair("row_files", pf.row_files_size()),
        std::make_pair("row_lines", pf.row_lines_size()),
        std::make_pair("row_columns", pf.row_columns_size()),
        std::make_pair("row_is_stmt", pf.row_is_stmt_size())}) {
    if (size != rows) {
      return e.Bad(absl::StrCat(field, ".", column),
                   absl::StrCat(size, " entries for ", rows,
                                " rows (expected as many as "
                                "row_offset_deltas)"));
    }
  }
  if (t->rows.size() + rows > std::numeric_limits<uint32_t>::max()) {
    return e.Bad(field, "more than 2^32 - 1 rows in all");
  }
  f.first_row = static_cast<uint32_t>(t->rows.size());
  f.row_count = static_cast<uint32_t>(rows);
  uint64_t offset = 0;
  for (int i = 0; i < rows; ++i) {
    offset += pf.row_offset_deltas(i);
    if (offset >= f.size) {
      return e.Bad(absl::StrCat(field, ".row_offset_deltas[", i, "]"),
                   absl::StrCat("puts the row at offset 0x", absl::Hex(offset),
                                ", outside the function's 0x",
                                absl::Hex(f.size), " bytes (expected below)"));
    }
    if (pf.row_files(i) >= files) {
      return e.Bad(absl::StrCat(field, ".row_files[", i, "]"),
                   absl::StrCat(pf.row_files(i),
                                " is out of range (expected below ", files,
                                ", the files)"));
    }
    t->rows.push_back({static_cast<uint32_t>(offset), pf.row_files(i),
                       pf.row_lines(i), pf.row_columns(i), pf.row_is_stmt(i)});
  }
  const int calls = pf.calls_size();
  if (t->calls.size() + calls > std::numeric_limits<uint32_t>::max()) {
    return e.Bad(field, "more than 2^32 - 1 inlined calls in all");
  }
  f.first_call = static_cast<uint32_t>(t->calls.size());
  f.call_count = static_cast<uint32_t>(calls);
  std::vector<uint32_t> depth(calls);
  for (int i = 0; i < calls; ++i) {
    const proto::LineTable::InlinedCall& pc = pf.calls(i);
    const std::string call = absl::StrCat(field, ".calls[", i, "]");
    InlineCall c;
    c.name = pc.name();
    if (c.name >= t->names.size()) {
      return e.Bad(absl::StrCat(call, ".name"),
                   absl::StrCat(c.name, " is out of range (expected below ",
                                t->names.size(), ", the names)"));
    }
    if (pc.parent() > static_cast<uint32_t>(i)) {
      return e.Bad(absl::StrCat(call, ".parent"),
                   absl::StrCat(pc.parent(),
                                " is not an earlier call (expected 0 for the "
                                "function or k for calls[k - 1], k at most ",
                                i, ")"));
    }
    c.parent = pc.parent() == 0 ? kNoParent : pc.parent() - 1;
    depth[i] = pc.parent() == 0 ? 1 : depth[pc.parent() - 1] + 1;
    if (depth[i] > LineSection::kMaxInlineDepth) {
      return e.Bad(call, absl::StrCat("is nested ", depth[i],
                                      " deep (expected at most ",
                                      LineSection::kMaxInlineDepth, ")"));
    }
    if (pc.call_file() >= files) {
      return e.Bad(absl::StrCat(call, ".call_file"),
                   absl::StrCat(pc.call_file(),
                                " is out of range (expected below ", files,
                                ", the files)"));
    }
    c.call_file = pc.call_file();
    c.call_line = pc.call_line();
    c.call_column = pc.call_column();
    if (pc.range_ends_size() != pc.range_begins_size()) {
      return e.Bad(absl::StrCat(call, ".range_ends"),
                   absl::StrCat(pc.range_ends_size(), " entries for ",
                                pc.range_begins_size(),
                                " range_begins (expected as many)"));
    }
    if (t->inline_ranges.size() + pc.range_begins_size() >
        std::numeric_limits<uint32_t>::max()) {
      return e.Bad(call, "more than 2^32 - 1 inline ranges in all");
    }
    c.first_range = static_cast<uint32_t>(t->inline_ranges.size());
    c.range_count = static_cast<uint32_t>(pc.range_begins_size());
    for (int j = 0; j < pc.range_begins_size(); ++j) {
      const uint32_t begin = pc.range_begins(j), end = pc.range_ends(j);
      if (begin > end || end > f.size) {
        return e.Bad(absl::StrCat(call, ".range_begins[", j, "]"),
                     absl::StrCat("[0x", absl::Hex(begin), ", 0x",
                                  absl::Hex(end),
                                  ") is not a range inside the function's 0x",
                                  absl::Hex(f.size),
                                  " bytes (expected begin <= end <= size)"));
      }
      t->inline_ranges.push_back({begin, end});
    }
    t->calls.push_back(c);
  }
  t->functions.push_back(f);
  return absl::OkStatus();
}

}  // namespace

namespace {

// One LineTable message (`field` names it in errors) into `out`.
absl::Status CheckLineTable(const proto::LineTable& pt,
                            absl::string_view label, absl::string_view field,
                            std::shared_ptr<const LineTable>* out) {
  const LineErrors e(label, field);
  auto t = std::make_shared<LineTable>();
  t->sections = {""};
  if (pt.prefixes_size() == 0 || !pt.prefixes(0).empty()) {
    return e.Bad("prefixes[0]", "missing or not \"\" (expected \"\", no prefix)");
  }
  t->prefixes.assign(pt.prefixes().begin(), pt.prefixes().end());
  if (pt.files_size() == 0 || pt.files(0).prefix() != 0 ||
      !pt.files(0).path().empty()) {
    return e.Bad("files[0]", "missing or not the unknown file (expected "
                             "prefix 0, path \"\")");
  }
  for (int i = 0; i < pt.files_size(); ++i) {
    const proto::LineTable::File& f = pt.files(i);
    if (f.prefix() >= static_cast<uint32_t>(pt.prefixes_size())) {
      return e.Bad(absl::StrCat("files[", i, "].prefix"),
                   absl::StrCat(f.prefix(), " is out of range (expected below ",
                                pt.prefixes_size(), ", the prefixes)"));
    }
    t->files.push_back({f.prefix(), f.path()});
  }
  t->names.assign(pt.names().begin(), pt.names().end());
  uint64_t start = 0, previous_end = 0;
  t->functions.reserve(pt.functions_size());
  for (int k = 0; k < pt.functions_size(); ++k) {
    const uint64_t delta = pt.functions(k).start_delta();
    if (delta > std::numeric_limits<uint64_t>::max() - start ||
        (k > 0 && start + delta < previous_end)) {
      return e.Bad(absl::StrCat(FunctionField(pt, k), ".start_delta"),
                   absl::StrCat(delta, " after 0x", absl::Hex(start),
                                " overflows or overlaps the function before, "
                                "which ends at 0x", absl::Hex(previous_end),
                                " (expected a start at or after it)"));
    }
    start += delta;
    if (absl::Status s = CheckFunction(e, pt, k, start, t.get()); !s.ok()) {
      return s;
    }
    previous_end = start + pt.functions(k).size();
  }
  *out = std::move(t);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTableLines(const proto::SymbolTable& table,
                             absl::string_view label, Catalog* catalog) {
  if (table.has_lines()) {
    if (absl::Status s =
            CheckLineTable(table.lines(), label, "lines", &catalog->lines);
        !s.ok()) {
      return s;
    }
  }
  if (table.has_module_lines()) {
    return CheckLineTable(table.module_lines(), label, "module_lines",
                          &catalog->module_lines);
  }
  return absl::OkStatus();
}

}  // namespace ksym
