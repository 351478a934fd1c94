#include "symbolizer/sources/elf/dwarf_lines.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/sources/elf/dwarf_file.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/line_program.h"

namespace ksym {
namespace {

constexpr uint32_t kUnset = UINT32_MAX;

// A row of one unit's line table, as libdw sorted them (by address).
struct UnitRow {
  Dwarf_Addr address = 0;
  uint32_t file = 0;  // global file id
  uint32_t line = 0;
  uint32_t column = 0;
  bool end_sequence = false;
  bool is_stmt = false;  // DWARF's is_stmt: a statement starts here
};

// An inlined call of the subprogram being read, addresses absolute.
struct PendingCall {
  uint32_t name = 0;
  uint32_t parent = kNoParent;  // index in the pending list
  uint32_t call_file = 0;
  uint32_t call_line = 0;
  uint32_t call_column = 0;
  std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> ranges;
};

std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> DieRanges(Dwarf_Die* die) {
  std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> ranges;
  Dwarf_Addr base = 0, start = 0, end = 0;
  ptrdiff_t offset = 0;
  while ((offset = dwarf_ranges(die, offset, &base, &start, &end)) > 0) {
    if (start < end) ranges.emplace_back(start, end);
  }
  return ranges;
}

uint32_t UdataAttr(Dwarf_Die* die, int name) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr(die, name, &attr) == nullptr ||
      dwarf_formudata(&attr, &value) != 0) {
    return 0;
  }
  return value > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(value);
}

// The name llvm-symbolizer prints: the linkage name, else DW_AT_name,
// following abstract origins and specifications.
const char* FunctionName(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name}) {
    if (dwarf_attr_integrate(die, name, &attr) != nullptr) {
      if (const char* s = dwarf_formstring(&attr); s != nullptr) return s;
    }
  }
  return nullptr;
}

std::string StringAttr(Dwarf_Die* die, int name) {
  Dwarf_Attribute attr;
  if (dwarf_attr(die, name, &attr) == nullptr) return "";
  const char* s = dwarf_formstring(&attr);
  return s == nullptr ? "" : s;
}

// The attributes of a subprogram or inlined subroutine DIE this reader
// uses, from one pass over them (dwarf_getattrs) instead of a dwarf_attr
// scan each: on the Debian 6.12 vmlinux (1.4M inlined calls) the scans
// and the name lookups through each call's abstract origin were a third of
// the line stage. The first of a repeated attribute counts, as for
// dwarf_attr.
struct DieFacts {
  bool has_name = false;  // a linkage name or name of the DIE's own
  bool has_origin = false, has_specification = false;
  bool has_low = false, has_high = false;
  bool has_call_file = false, has_call_line = false, has_call_column = false;
  Dwarf_Attribute origin, specification, low, high;
  Dwarf_Attribute call_file, call_line, call_column;
};

int CollectFact(Dwarf_Attribute* attr, void* arg) {
  DieFacts& f = *static_cast<DieFacts*>(arg);
  auto keep = [attr](bool* has, Dwarf_Attribute* out) {
    if (!*has) {
      *has = true;
      *out = *attr;
    }
  };
  switch (dwarf_whatattr(attr)) {
    case DW_AT_linkage_name:
    case DW_AT_MIPS_linkage_name:
    case DW_AT_name:
      f.has_name = true;
      break;
    case DW_AT_abstract_origin:
      keep(&f.has_origin, &f.origin);
      break;
    case DW_AT_specification:
      keep(&f.has_specification, &f.specification);
      break;
    case DW_AT_low_pc:
      keep(&f.has_low, &f.low);
      break;
    case DW_AT_high_pc:
      keep(&f.has_high, &f.high);
      break;
    case DW_AT_call_file:
      keep(&f.has_call_file, &f.call_file);
      break;
    case DW_AT_call_line:
      keep(&f.has_call_line, &f.call_line);
      break;
    case DW_AT_call_column:
      keep(&f.has_call_column, &f.call_column);
      break;
    default:
      break;
  }
  return DWARF_CB_OK;
}

// False when libdw refused to walk the attributes (the caller then asks
// dwarf_attr as before).
bool ReadFacts(Dwarf_Die* die, DieFacts* f) {
  *f = DieFacts();
  return dwarf_getattrs(die, CollectFact, f, 0) == 1;
}

uint32_t Clamp(Dwarf_Attribute* attr, bool has) {
  Dwarf_Word value = 0;
  if (!has || dwarf_formudata(attr, &value) != 0) return 0;
  return value > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(value);
}

// DieRanges from the facts where the DIE has DW_AT_low_pc and
// DW_AT_high_pc, read as libdw's dwarf_lowpc/dwarf_highpc read them (a
// high_pc not of DW_FORM_addr is an offset from low_pc); otherwise (ranges
// lists, .cold parts) dwarf_ranges.
std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> FactRanges(Dwarf_Die* die,
                                                          DieFacts* f) {
  if (f->has_low && f->has_high) {
    Dwarf_Addr low = 0, high = 0;
    Dwarf_Word offset = 0;
    bool ok = dwarf_formaddr(&f->low, &low) == 0;
    if (ok && f->high.form == DW_FORM_addr) {
      ok = dwarf_formaddr(&f->high, &high) == 0;
    } else if (ok) {
      ok = dwarf_formudata(&f->high, &offset) == 0;
      high = low + offset;
    }
    if (ok) {
      std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> ranges;
      if (low < high) ranges.emplace_back(low, high);
      return ranges;
    }
  }
  return DieRanges(die);
}

class LineTableBuilder {
 public:
  explicit LineTableBuilder(const DwarfFile& file) : file_(file) {
    table_.relocatable = file.relocatable;
    table_.prefixes.emplace_back();
    table_.files.emplace_back();
    if (!file.relocatable) table_.sections.emplace_back();
  }

  absl::StatusOr<LineTable> Build() {
    if (absl::Status s = FindSourcePrefix(); !s.ok()) return s;
    sections_ = LineProgramSectionsOf(file_.dwarf);
    absl::Status status = file_.elf != nullptr ? ReadUnitsInBatches(file_.elf)
                                               : ReadUnits(file_.dwarf);
    if (!status.ok()) return status;
    SortAndDropOverlaps();
    return std::move(table_);
  }

 private:
  absl::Status ReadUnits(Dwarf* dwarf) {
    Dwarf_CU* cu = nullptr;
    Dwarf_CU* next = nullptr;
    while (true) {
      uint8_t unit_type = 0;
      Dwarf_Die cudie;
      int rc = dwarf_get_units(dwarf, cu, &next, nullptr, &unit_type, &cudie,
                               nullptr);
      if (rc == 1) return absl::OkStatus();
      if (rc != 0) return LibdwError(file_.path, "reading a unit header");
      cu = next;
      if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton) continue;
      if (absl::Status s = ReadUnit(&cudie); !s.ok()) return s;
    }
  }

  // libdw keeps every unit's decoded line program until its handle ends
  // (about 150 MB for a distribution vmlinux): a fresh handle per batch of
  // units lets it go, for a small cost in re-read abbreviations; the pages
  // of the mapped file read so far are let go too.
  absl::Status ReadUnitsInBatches(Elf* elf) {
    constexpr int kUnitsPerBatch = 256;
    Dwarf_Off offset = 0;
    while (true) {
      ReleaseMappedPages(file_);
      std::unique_ptr<Dwarf, int (*)(Dwarf*)> dwarf(
          dwarf_begin_elf(elf, DWARF_C_READ, nullptr), dwarf_end);
      if (dwarf == nullptr) return LibdwError(file_.path, "opening DWARF");
      // Keyed by DIE address: an origin in a dwz alt file is mapped per
      // handle, so a key of the last handle may name another DIE now.
      origin_names_.clear();
      for (int n = 0; n < kUnitsPerBatch; ++n) {
        Dwarf_Off next = 0;
        size_t header_size = 0;
        int rc =
            dwarf_next_unit(dwarf.get(), offset, &next, &header_size, nullptr,
                            nullptr, nullptr, nullptr, nullptr, nullptr);
        if (rc == 1) return absl::OkStatus();
        Dwarf_Die cudie;
        Dwarf_Half version = 0;
        uint8_t unit_type = 0;
        if (rc != 0 ||
            dwarf_offdie(dwarf.get(), offset + header_size, &cudie) ==
                nullptr ||
            dwarf_cu_info(cudie.cu, &version, &unit_type, nullptr, nullptr,
                          nullptr, nullptr, nullptr) != 0) {
          return LibdwError(
              file_.path, absl::StrFormat("reading the unit at 0x%x", offset));
        }
        offset = next;
        if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton) {
          continue;
        }
        if (absl::Status s = ReadUnit(&cudie); !s.ok()) return s;
      }
    }
  }

  // The source tree prefix of names outside every comp_dir (assembler
  // files: "/build/reproducible-path/linux-6.1.192/"), as dwarf_units
  // finds it for object paths.
  absl::Status FindSourcePrefix() {
    std::vector<DwarfUnit> units;
    Dwarf_CU* cu = nullptr;
    Dwarf_CU* next = nullptr;
    Dwarf_Die cudie;
    uint8_t unit_type = 0;
    while (dwarf_get_units(file_.dwarf, cu, &next, nullptr, &unit_type, &cudie,
                           nullptr) == 0) {
      cu = next;
      if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton) continue;
      DwarfUnit& unit = units.emplace_back();
      if (const char* name = dwarf_diename(&cudie)) unit.name = name;
      unit.comp_dir = StringAttr(&cudie, DW_AT_comp_dir);
    }
    source_prefix_ = AssignObjectPaths(&units);
    if (!source_prefix_.empty() && !absl::EndsWith(source_prefix_, "/")) {
      source_prefix_ += '/';
    }
    return absl::OkStatus();
  }

  uint32_t Intern(absl::flat_hash_map<std::string, uint32_t>* ids,
                  std::vector<std::string>* values, absl::string_view s) {
    auto [it, inserted] = ids->try_emplace(s, values->size());
    if (inserted) values->emplace_back(s);
    return it->second;
  }

  uint32_t NameId(const char* name) {
    return Intern(&name_ids_, &table_.names, name == nullptr ? "" : name);
  }

  // The global id of file `index` of the current unit's file table.
  uint32_t FileId(size_t index) {
    if (index >= unit_file_ids_.size()) return 0;
    uint32_t& id = unit_file_ids_[index];
    if (id != kUnset) return id;
    std::string path;
    if (unit_program_ != nullptr) {
      path = unit_program_->FilePath(index);
    } else {
      const char* src = dwarf_filesrc(unit_files_, index, nullptr, nullptr);
      if (src == nullptr) return id = 0;
      path = src;
    }
    // libdw joins a relative directory to the name and stops there;
    // llvm-symbolizer puts it under comp_dir (except DWARF 5's directory 0,
    // which is comp_dir itself).
    if (!absl::StartsWith(path, "/") && !comp_dir_.empty() &&
        !(unit_dir0_.has_value() &&
          absl::StartsWith(path, absl::StrCat(*unit_dir0_, "/")))) {
      path = absl::StrCat(comp_dir_, "/", path);
    }
    // A directory written with a trailing '/' ("arch/x86/include/asm/",
    // from TRACE_INCLUDE_PATH) gets a second one from libdw's join; LLVM's
    // path append writes one.
    for (size_t pos; (pos = path.find("//")) != std::string::npos;) {
      path.erase(pos, 1);
    }
    std::string prefix;
    if (!comp_dir_.empty() && absl::StartsWith(path, comp_dir_ + "/")) {
      prefix = comp_dir_ + "/";
    } else if (!source_prefix_.empty() &&
               absl::StartsWith(path, source_prefix_)) {
      prefix = source_prefix_;
    }
    uint32_t prefix_id = Intern(&prefix_ids_, &table_.prefixes, prefix);
    std::string rest = path.substr(prefix.size());
    auto [it, inserted] =
        file_ids_.try_emplace(std::make_pair(prefix_id, rest),
                              static_cast<uint32_t>(table_.files.size()));
    if (inserted) table_.files.push_back(SourceFile{prefix_id, rest});
    return id = it->second;
  }

  absl::Status ReadUnit(Dwarf_Die* cudie) {
    comp_dir_ = StringAttr(cudie, DW_AT_comp_dir);
    unit_rows_.clear();
    unit_files_ = nullptr;
    unit_program_ = nullptr;
    unit_dir0_.reset();
    unit_file_ids_.clear();
    if (!ReadProgram(cudie)) {
      if (absl::Status s = ReadLibdwLines(cudie); !s.ok()) return s;
    }
    unit_function_ranges_.clear();
    Dwarf_Die child;
    if (dwarf_child(cudie, &child) == 0) {
      do {
        if (dwarf_tag(&child) == DW_TAG_subprogram) {
          if (absl::Status s = ReadFunction(&child); !s.ok()) return s;
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    return AddUncoveredCode(cudie);
  }

  // The unit's rows and files from line_program.h's decoder; false when
  // it cannot read them (no .debug_line, a form it does not read, a
  // malformed program), which leaves the unit to libdw, as before.
  bool ReadProgram(Dwarf_Die* cudie) {
    if (!sections_.has_value()) return false;
    Dwarf_Attribute attr;
    Dwarf_Word offset = 0;
    Dwarf_Die unit_die;
    uint8_t address_size = 0;
    if (dwarf_attr(cudie, DW_AT_stmt_list, &attr) == nullptr ||
        dwarf_formudata(&attr, &offset) != 0 ||
        dwarf_diecu(cudie, &unit_die, &address_size, nullptr) == nullptr) {
      return false;
    }
    std::optional<absl::string_view> comp_dir;
    if (dwarf_attr(cudie, DW_AT_comp_dir, &attr) != nullptr) {
      if (const char* dir = dwarf_formstring(&attr); dir != nullptr) {
        comp_dir = dir;
      }
    }
    if (!ParseLineProgram(*sections_, offset, address_size, comp_dir,
                          &program_)
             .ok()) {
      return false;
    }
    unit_program_ = &program_;
    unit_file_ids_.assign(program_.files.size(), kUnset);
    if (!program_.dirs.empty() && program_.dirs[0].has_value()) {
      unit_dir0_ = std::string(*program_.dirs[0]);
    }
    unit_rows_.reserve(program_.rows.size());
    for (const LineProgramRow& r : program_.rows) {
      UnitRow row;
      row.address = r.address;
      row.file = FileId(r.file);
      row.line = static_cast<uint32_t>(std::max(r.line, 0));
      row.column = r.column;
      row.end_sequence = r.end_sequence;
      row.is_stmt = r.is_stmt;
      unit_rows_.push_back(row);
    }
    return true;
  }

  absl::Status ReadLibdwLines(Dwarf_Die* cudie) {
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(cudie, &unit_files_, &nfiles) == 0) {
      unit_file_ids_.assign(nfiles, kUnset);
      const char* const* dirs = nullptr;
      size_t ndirs = 0;
      if (dwarf_getsrcdirs(unit_files_, &dirs, &ndirs) == 0 && ndirs > 0 &&
          dirs[0] != nullptr) {
        unit_dir0_ = dirs[0];
      }
    } else {
      unit_files_ = nullptr;  // a unit without a line table (data only)
    }
    Dwarf_Lines* lines = nullptr;
    size_t nlines = 0;
    if (unit_files_ != nullptr &&
        dwarf_getsrclines(cudie, &lines, &nlines) == 0) {
      unit_rows_.reserve(nlines);
      for (size_t i = 0; i < nlines; ++i) {
        Dwarf_Line* line = dwarf_onesrcline(lines, i);
        UnitRow row;
        Dwarf_Files* files = nullptr;
        size_t index = 0;
        int lineno = 0, column = 0;
        bool end = false;
        if (line == nullptr || dwarf_lineaddr(line, &row.address) != 0 ||
            dwarf_lineno(line, &lineno) != 0 ||
            dwarf_lineendsequence(line, &end) != 0) {
          return LibdwError(file_.path, "reading a line row");
        }
        dwarf_linecol(line, &column);
        dwarf_linebeginstatement(line, &row.is_stmt);
        if (dwarf_line_file(line, &files, &index) == 0) {
          row.file = FileId(index);
        }
        row.line = static_cast<uint32_t>(std::max(lineno, 0));
        row.column = static_cast<uint32_t>(std::max(column, 0));
        row.end_sequence = end;
        unit_rows_.push_back(row);
      }
      // libdw hands them sorted by address; sort only if it ever does not.
      auto by_address = [](const UnitRow& a, const UnitRow& b) {
        return a.address < b.address;
      };
      if (!std::is_sorted(unit_rows_.begin(), unit_rows_.end(), by_address)) {
        std::stable_sort(unit_rows_.begin(), unit_rows_.end(), by_address);
      }
    }
    return absl::OkStatus();
  }

  // NameId(FunctionName(die)), the name looked up once per DIE that
  // calls refer to: a DIE without a name of its own takes it through
  // DW_AT_abstract_origin (else DW_AT_specification), as
  // dwarf_attr_integrate follows them, and thousands of calls share one
  // origin.
  uint32_t NameOf(Dwarf_Die* die, DieFacts* f) {
    if (f->has_name || (!f->has_origin && !f->has_specification)) {
      return NameId(FunctionName(die));
    }
    Dwarf_Die target;
    if (dwarf_formref_die(f->has_origin ? &f->origin : &f->specification,
                          &target) == nullptr) {
      return NameId(FunctionName(die));
    }
    auto [it, inserted] = origin_names_.try_emplace(target.addr, 0);
    if (inserted) it->second = NameId(FunctionName(&target));
    return it->second;
  }

  // Inlined calls nest as deep as the source's calls (a dozen in a
  // kernel); a DIE tree deeper than this is refused, not recursed into.
  static constexpr int kMaxNesting = 256;

  absl::Status WalkInlined(Dwarf_Die* die, uint32_t parent, int depth) {
    Dwarf_Die child;
    if (dwarf_child(die, &child) != 0) return absl::OkStatus();
    if (depth >= kMaxNesting) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: DIE at 0x%x: inlined calls and lexical blocks nest deeper "
          "than %d levels",
          file_.path, dwarf_dieoffset(die), kMaxNesting));
    }
    do {
      int tag = dwarf_tag(&child);
      uint32_t child_parent = parent;
      if (tag == DW_TAG_inlined_subroutine) {
        PendingCall call;
        DieFacts f;
        const bool facts = ReadFacts(&child, &f);
        call.ranges = facts ? FactRanges(&child, &f) : DieRanges(&child);
        if (!call.ranges.empty()) {
          call.parent = parent;
          if (facts) {
            call.name = NameOf(&child, &f);
            if (f.has_call_file) {
              call.call_file = FileId(Clamp(&f.call_file, true));
            }
            call.call_line = Clamp(&f.call_line, f.has_call_line);
            call.call_column = Clamp(&f.call_column, f.has_call_column);
          } else {
            call.name = NameId(FunctionName(&child));
            Dwarf_Attribute attr;
            if (dwarf_attr(&child, DW_AT_call_file, &attr) != nullptr) {
              call.call_file = FileId(UdataAttr(&child, DW_AT_call_file));
            }
            call.call_line = UdataAttr(&child, DW_AT_call_line);
            call.call_column = UdataAttr(&child, DW_AT_call_column);
          }
          child_parent = static_cast<uint32_t>(pending_.size());
          pending_.push_back(std::move(call));
        }
      } else if (tag != DW_TAG_lexical_block) {
        continue;
      }
      absl::Status s = WalkInlined(&child, child_parent, depth + 1);
      if (!s.ok()) return s;
    } while (dwarf_siblingof(&child, &child) == 0);
    return absl::OkStatus();
  }

  absl::Status ReadFunction(Dwarf_Die* die) {
    DieFacts f;
    const bool facts = ReadFacts(die, &f);
    std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> ranges =
        facts ? FactRanges(die, &f) : DieRanges(die);
    if (ranges.empty()) return absl::OkStatus();  // a declaration
    uint32_t name = facts ? NameOf(die, &f) : NameId(FunctionName(die));
    pending_.clear();
    if (absl::Status s = WalkInlined(die, kNoParent, 0); !s.ok()) return s;
    for (const auto& [low, high] : ranges) {
      unit_function_ranges_.emplace_back(low, high);
      if (absl::Status s = AddFunction(name, low, high); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Code of the unit that no subprogram covers (assembler, bodies GCC
  // describes by line rows alone) becomes a function with no name, so its
  // lines are answered as llvm-symbolizer answers them.
  absl::Status AddUncoveredCode(Dwarf_Die* cudie) {
    std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>>& covered =
        unit_function_ranges_;
    std::sort(covered.begin(), covered.end());
    pending_.clear();
    uint32_t no_name = NameId(nullptr);
    for (auto [low, high] : DieRanges(cudie)) {
      auto it = std::upper_bound(
          covered.begin(), covered.end(), low,
          [](Dwarf_Addr a, const std::pair<Dwarf_Addr, Dwarf_Addr>& r) {
            return a < r.first;
          });
      if (it != covered.begin()) low = std::max(low, (it - 1)->second);
      while (low < high) {
        Dwarf_Addr gap_end =
            it == covered.end() ? high : std::min(high, it->first);
        if (low < gap_end && HasLine(low, gap_end)) {
          if (absl::Status s = AddFunction(no_name, low, gap_end); !s.ok()) {
            return s;
          }
        }
        if (it == covered.end()) break;
        low = std::max(low, it->second);
        ++it;
      }
    }
    return absl::OkStatus();
  }

  // Whether a row with a line starts in [low, high): alignment padding
  // after a function, which only continues its last row, is left out.
  bool HasLine(Dwarf_Addr low, Dwarf_Addr high) const {
    auto it = std::lower_bound(
        unit_rows_.begin(), unit_rows_.end(), low,
        [](const UnitRow& r, Dwarf_Addr a) { return r.address < a; });
    for (; it != unit_rows_.end() && it->address < high; ++it) {
      if (!it->end_sequence && it->line != 0) return true;
    }
    return false;
  }

  absl::Status AddFunction(uint32_t name, Dwarf_Addr low, Dwarf_Addr high) {
    // Rows and inline ranges are 32-bit offsets from the function start.
    if (high - low > UINT32_MAX) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: function %s at 0x%x is 0x%x bytes long, more than 4 GiB",
          file_.path, table_.names[name], low, high - low));
    }
    FunctionLines f;
    f.name = name;
    f.size = high - low;
    if (file_.relocatable) {
      absl::StatusOr<SectionOffset> at = ToSectionOffset(file_, low);
      if (!at.ok()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: function %s at 0x%x lies in no section",
                            file_.path, table_.names[name], low));
      }
      f.section = Intern(&section_ids_, &table_.sections, at->section);
      f.start = at->offset;
    } else {
      f.start = low + file_.bias;
    }
    AddRows(low, high, &f);
    AddCalls(low, high, &f);
    table_.functions.push_back(f);
    return absl::OkStatus();
  }

  // The unit's rows inside [low, high) as offsets from low, the row in
  // force at low first. Of rows at one address the last one counts (as in
  // LLVM's line lookup), an end of sequence becomes a no-line row, and a
  // row repeating the previous location is left out. Statement starts
  // (is_stmt, for `resolve FILE:LINE`) are kept: a statement row that
  // another line's row follows at the same address (GCC's location views)
  // stays before it, and a statement row repeating the location of a
  // non-statement row stays.
  void AddRows(Dwarf_Addr low, Dwarf_Addr high, FunctionLines* f) {
    f->first_row = static_cast<uint32_t>(table_.rows.size());
    auto it = std::lower_bound(
        unit_rows_.begin(), unit_rows_.end(), low,
        [](const UnitRow& r, Dwarf_Addr a) { return r.address < a; });
    auto append = [&](uint32_t offset, const UnitRow& r, bool is_stmt) {
      LineRow row{offset, 0, 0, 0};
      if (!r.end_sequence) {
        row = LineRow{offset, r.file, r.line, r.column, is_stmt};
      }
      size_t count = table_.rows.size() - f->first_row;
      if (count > 0 && table_.rows.back().offset == offset) {
        if (r.end_sequence) return;  // another sequence starts here
        const LineRow& last = table_.rows.back();
        if (last.file == row.file && last.line == row.line) {
          row.is_stmt |= last.is_stmt;
          table_.rows.pop_back();
          --count;
        } else if (!last.is_stmt || last.line == 0) {
          table_.rows.pop_back();
          --count;
        }
      }
      if (count > 0) {
        const LineRow& last = table_.rows.back();
        if (last.file == row.file && last.line == row.line &&
            last.column == row.column && (last.is_stmt || !row.is_stmt)) {
          return;
        }
      }
      table_.rows.push_back(row);
    };
    if (it != unit_rows_.begin() &&
        (it == unit_rows_.end() || it->address != low)) {
      const UnitRow& before = *(it - 1);
      // In force from before the function: no statement starts at low.
      if (!before.end_sequence) append(0, before, /*is_stmt=*/false);
    }
    for (; it != unit_rows_.end() && it->address < high; ++it) {
      append(static_cast<uint32_t>(it->address - low), *it, it->is_stmt);
    }
    f->row_count = static_cast<uint32_t>(table_.rows.size()) - f->first_row;
  }

  // The pending calls with code inside [low, high), ranges clipped and made
  // relative to low; a call whose parent has no code here hangs from the
  // nearest ancestor that has.
  void AddCalls(Dwarf_Addr low, Dwarf_Addr high, FunctionLines* f) {
    f->first_call = static_cast<uint32_t>(table_.calls.size());
    std::vector<uint32_t> new_index(pending_.size(), kNoParent);
    for (size_t i = 0; i < pending_.size(); ++i) {
      const PendingCall& p = pending_[i];
      InlineCall call;
      call.first_range = static_cast<uint32_t>(table_.inline_ranges.size());
      for (const auto& [b, e] : p.ranges) {
        Dwarf_Addr begin = std::max(b, low), end = std::min(e, high);
        if (begin >= end) continue;
        table_.inline_ranges.push_back(
            OffsetRange{static_cast<uint32_t>(begin - low),
                        static_cast<uint32_t>(end - low)});
      }
      call.range_count =
          static_cast<uint32_t>(table_.inline_ranges.size()) - call.first_range;
      uint32_t parent = p.parent == kNoParent ? kNoParent : new_index[p.parent];
      if (call.range_count == 0) {
        new_index[i] = parent;  // children hang from the ancestor
        continue;
      }
      call.name = p.name;
      call.parent = parent;
      call.call_file = p.call_file;
      call.call_line = p.call_line;
      call.call_column = p.call_column;
      new_index[i] = static_cast<uint32_t>(table_.calls.size()) - f->first_call;
      table_.calls.push_back(call);
    }
    f->call_count = static_cast<uint32_t>(table_.calls.size()) - f->first_call;
  }

  void SortAndDropOverlaps() {
    std::vector<FunctionLines>& fs = table_.functions;
    std::stable_sort(fs.begin(), fs.end(),
                     [](const FunctionLines& a, const FunctionLines& b) {
                       return std::make_pair(a.section, a.start) <
                              std::make_pair(b.section, b.start);
                     });
    size_t kept = 0;
    for (size_t i = 0; i < fs.size(); ++i) {
      if (kept > 0 && fs[kept - 1].section == fs[i].section &&
          fs[i].start < fs[kept - 1].start + fs[kept - 1].size) {
        ++table_.overlapping_functions;
        continue;
      }
      fs[kept++] = fs[i];
    }
    fs.resize(kept);
  }

  const DwarfFile& file_;
  LineTable table_;
  std::string source_prefix_;
  absl::flat_hash_map<std::string, uint32_t> name_ids_;
  // Name ids by the DIE (its bytes in .debug_info) that calls name through
  // their origin; emptied per batch of units (ReadUnitsInBatches).
  absl::flat_hash_map<const void*, uint32_t> origin_names_;
  absl::flat_hash_map<std::string, uint32_t> prefix_ids_;
  absl::flat_hash_map<std::string, uint32_t> section_ids_;
  absl::flat_hash_map<std::pair<uint32_t, std::string>, uint32_t> file_ids_;
  // The unit being read.
  std::string comp_dir_;
  Dwarf_Files* unit_files_ = nullptr;          // libdw's, or
  const LineProgram* unit_program_ = nullptr;  // line_program's
  std::optional<std::string> unit_dir0_;
  std::optional<LineProgramSections> sections_;
  LineProgram program_;  // reused unit to unit
  std::vector<uint32_t> unit_file_ids_;
  std::vector<UnitRow> unit_rows_;
  std::vector<PendingCall> pending_;
  std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> unit_function_ranges_;
};

// Drops the vectors' growth room, once libdw has freed its memory (a
// copy while it is alive would raise the peak).
LineTable Compact(LineTable table) {
  table.functions.shrink_to_fit();
  table.rows.shrink_to_fit();
  table.calls.shrink_to_fit();
  table.inline_ranges.shrink_to_fit();
  table.names.shrink_to_fit();
  table.files.shrink_to_fit();
  return table;
}

}  // namespace

std::optional<LineProgramSections> LineProgramSectionsOf(Dwarf* dwarf) {
  Elf* elf = dwarf == nullptr ? nullptr : dwarf_getelf(dwarf);
  size_t shstrndx = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf, &shstrndx) != 0) {
    return std::nullopt;
  }
  const char* ident = elf_getident(elf, nullptr);
  if (ident == nullptr) return std::nullopt;
  LineProgramSections sections;
  sections.big_endian = ident[EI_DATA] == ELFDATA2MSB;
  bool has_line = false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) return std::nullopt;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name == nullptr) continue;
    absl::string_view* out = nullptr;
    if (strcmp(name, ".debug_line") == 0) {
      out = &sections.line;
      has_line = true;
    } else if (strcmp(name, ".debug_str") == 0) {
      out = &sections.str;
    } else if (strcmp(name, ".debug_line_str") == 0) {
      out = &sections.line_str;
    } else if (strncmp(name, ".zdebug_", 8) == 0) {
      return std::nullopt;  // GNU-compressed: left to libdw
    } else {
      continue;
    }
    // libdw has inflated what it reads; one still compressed is not its.
    if ((shdr.sh_flags & SHF_COMPRESSED) != 0) return std::nullopt;
    if (shdr.sh_type == SHT_NOBITS) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return std::nullopt;
    if (data->d_buf != nullptr) {
      *out = absl::string_view(static_cast<const char*>(data->d_buf),
                               data->d_size);
    }
  }
  if (!has_line) return std::nullopt;
  return sections;
}

absl::StatusOr<LineTable> ParseLineTable(absl::string_view bytes,
                                         absl::string_view path) {
  absl::StatusOr<LineTable> result;
  absl::Status status = WithDwarfBytes(bytes, path, [&](const DwarfFile& f) {
    result = LineTableBuilder(f).Build();
    return result.status();
  });
  if (!status.ok()) return status;
  return Compact(*std::move(result));
}

absl::StatusOr<LineTable> ReadLineTableFile(const std::string& path,
                                            const std::string& root) {
  absl::StatusOr<LineTable> result;
  absl::Status status = WithDwarfFile(
      path,
      [&](const DwarfFile& f) {
        result = LineTableBuilder(f).Build();
        return result.status();
      },
      root);
  if (!status.ok()) return status;
  return Compact(*std::move(result));
}

UnitsAndLines ParseUnitsAndLinesInPlace(absl::Span<char> bytes,
                                        absl::string_view path, bool lines) {
  UnitsAndLines out{absl::UnknownError("not visited"), std::nullopt};
  absl::Status status =
      WithDwarfEditableBytes(bytes, path, [&](const DwarfFile& f) {
        out.units = CollectDwarfUnits(f);
        if (!out.units.ok()) return out.units.status();
        if (lines) out.lines = LineTableBuilder(f).Build();
        return absl::OkStatus();
      });
  if (!status.ok()) {
    out.units = status;
    out.lines.reset();
    return out;
  }
  if (out.lines && out.lines->ok()) {
    *out.lines = Compact(*std::move(*out.lines));
  }
  return out;
}

}  // namespace ksym
