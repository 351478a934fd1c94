#include "symbolizer/sources/elf/line_program.h"

#include <dwarf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

absl::Status Invalid(uint64_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "line program at 0x%x of .debug_line: %s", offset, what));
}

// A bounded cursor over [begin, end) of one section.
class Cursor {
 public:
  Cursor(absl::string_view bytes, bool big_endian)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())),
        size_(bytes.size()),
        big_endian_(big_endian) {}

  size_t size() const { return size_; }
  uint8_t at(size_t pos) const { return data_[pos]; }
  const char* chars(size_t pos) const {
    return reinterpret_cast<const char*>(data_ + pos);
  }

  // An unsigned little- or big-endian integer of n bytes (n <= 8) at pos.
  uint64_t Fixed(size_t pos, size_t n) const {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t b = data_[pos + i];
      v |= big_endian_ ? b << (8 * (n - 1 - i)) : b << (8 * i);
    }
    return v;
  }

  // libdw's ULEB128: at most 10 bytes and never past `end`; without a
  // last byte, all ones.
  uint64_t Uleb(size_t* pos, size_t end) const {
    size_t max = *pos < end ? std::min<size_t>(10, end - *pos) : 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < max; ++i) {
      uint8_t b = data_[(*pos)++];
      acc |= uint64_t{b & 0x7fu} << (i * 7);
      if ((b & 0x80) == 0) return acc;
    }
    return UINT64_MAX;
  }

  int64_t Sleb(size_t* pos, size_t end) const {
    size_t max = *pos < end ? std::min<size_t>(10, end - *pos) : 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < max; ++i) {
      uint8_t b = data_[(*pos)++];
      acc |= uint64_t{b & 0x7fu} << (i * 7);
      if ((b & 0x80) == 0) {
        if ((b & 0x40) && i < 9) acc |= -(uint64_t{1} << ((i + 1) * 7));
        return static_cast<int64_t>(acc);
      }
    }
    return INT64_MAX;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  bool big_endian_;
};

// A NUL-terminated string at `offset` of a string section.
bool SectionString(absl::string_view section, uint64_t offset,
                   absl::string_view* out) {
  if (offset >= section.size()) return false;
  const char* s = section.data() + offset;
  const void* nul = memchr(s, '\0', section.size() - offset);
  if (nul == nullptr) return false;
  *out = absl::string_view(s, static_cast<const char*>(nul) - s);
  return true;
}

// One field of a DWARF 5 directory or file entry: its length from `pos`
// (bounded by `end`), and its string or unsigned value where it has one.
struct Field {
  size_t length = 0;
  bool has_string = false;
  absl::string_view string;
  bool has_udata = false;
  uint64_t udata = 0;
};

absl::Status ReadField(const Cursor& c, const LineProgramSections& sections,
                       uint64_t unit, size_t offset_size, uint64_t form,
                       size_t pos, size_t end, Field* f) {
  *f = Field();
  auto need = [&](size_t n) { return end - pos >= n; };
  switch (form) {
    case DW_FORM_string: {
      const void* nul = memchr(c.chars(pos), '\0', end - pos);
      if (nul == nullptr) return Invalid(unit, "unterminated string");
      f->length = static_cast<const char*>(nul) - c.chars(pos) + 1;
      f->has_string = true;
      f->string = absl::string_view(c.chars(pos), f->length - 1);
      return absl::OkStatus();
    }
    case DW_FORM_strp:
    case DW_FORM_line_strp: {
      if (!need(offset_size)) return Invalid(unit, "truncated entry");
      f->length = offset_size;
      absl::string_view section =
          form == DW_FORM_strp ? sections.str : sections.line_str;
      if (!SectionString(section, c.Fixed(pos, offset_size), &f->string)) {
        return Invalid(unit, "string offset outside its section");
      }
      f->has_string = true;
      return absl::OkStatus();
    }
    case DW_FORM_data1:
    case DW_FORM_data2:
    case DW_FORM_data4:
    case DW_FORM_data8: {
      size_t n = form == DW_FORM_data1   ? 1
                 : form == DW_FORM_data2 ? 2
                 : form == DW_FORM_data4 ? 4
                                         : 8;
      if (!need(n)) return Invalid(unit, "truncated entry");
      f->length = n;
      f->has_udata = true;
      f->udata = c.Fixed(pos, n);
      return absl::OkStatus();
    }
    case DW_FORM_data16:
      if (!need(16)) return Invalid(unit, "truncated entry");
      f->length = 16;
      return absl::OkStatus();
    case DW_FORM_udata: {
      size_t p = pos;
      f->udata = c.Uleb(&p, end);
      f->has_udata = true;
      f->length = p - pos;
      return absl::OkStatus();
    }
    case DW_FORM_block: {
      size_t p = pos;
      uint64_t n = c.Uleb(&p, end);
      if (n > end - p) return Invalid(unit, "truncated entry");
      f->length = p - pos + n;
      return absl::OkStatus();
    }
    default:
      return absl::UnimplementedError(absl::StrFormat(
          "line program at 0x%x: entry form 0x%x not read", unit, form));
  }
}

struct Header {
  uint64_t unit = 0;        // offset of the unit in .debug_line
  size_t end = 0;           // end of the unit
  size_t offset_size = 4;   // 4, or 8 for 64-bit DWARF
  size_t header_end = 0;    // end of the header: the program starts here
  size_t opcode_lengths = 0;  // position of standard_opcode_lengths[1]
  uint16_t version = 0;
  uint8_t min_inst_length = 1;
  uint8_t max_ops = 1;
  uint8_t default_is_stmt = 0;
  int8_t line_base = 0;
  uint8_t line_range = 0;
  uint8_t opcode_base = 0;
  size_t files_start = 0;  // after the opcode lengths
};

absl::Status ReadHeader(const Cursor& c, uint64_t offset,
                        uint8_t address_size, Header* h) {
  h->unit = offset;
  if (offset > c.size() || c.size() - offset < 4) {
    return Invalid(offset, "offset past the end of the section");
  }
  size_t pos = offset;
  uint64_t length = c.Fixed(pos, 4);
  pos += 4;
  if (length == 0xffffffff) {
    if (c.size() - pos < 8) return Invalid(offset, "truncated header");
    length = c.Fixed(pos, 8);
    pos += 8;
    h->offset_size = 8;
  }
  if (length > c.size() - pos) return Invalid(offset, "longer than .debug_line");
  h->end = pos + length;
  const size_t end = h->end;
  if (end - pos < 2) return Invalid(offset, "truncated header");
  h->version = static_cast<uint16_t>(c.Fixed(pos, 2));
  pos += 2;
  if (h->version < 2 || h->version > 5) {
    return Invalid(offset, absl::StrCat("version ", h->version));
  }
  if (h->version >= 5) {
    if (end - pos < 2) return Invalid(offset, "truncated header");
    if (c.at(pos) != address_size || c.at(pos + 1) != 0) {
      return Invalid(offset, "address or segment selector size");
    }
    pos += 2;
  }
  if (end - pos < h->offset_size) return Invalid(offset, "truncated header");
  uint64_t header_length = c.Fixed(pos, h->offset_size);
  pos += h->offset_size;
  if (header_length > end - pos) return Invalid(offset, "header too long");
  h->header_end = pos + header_length;
  if (end - pos < 1) return Invalid(offset, "truncated header");
  h->min_inst_length = c.at(pos++);
  if (h->version >= 4) {
    if (end - pos < 1) return Invalid(offset, "truncated header");
    h->max_ops = c.at(pos++);
    if (h->max_ops == 0) return Invalid(offset, "maximum_operations_per_instruction 0");
  }
  if (end - pos < 4) return Invalid(offset, "truncated header");
  h->default_is_stmt = c.at(pos++);
  h->line_base = static_cast<int8_t>(c.at(pos++));
  h->line_range = c.at(pos++);
  h->opcode_base = c.at(pos++);
  h->opcode_lengths = pos;
  // As libdw: opcode_base 0 steps back over its own byte.
  if (h->opcode_base == 0) {
    pos -= 1;
  } else {
    if (end - pos < size_t{h->opcode_base} - 1u) {
      return Invalid(offset, "truncated opcode lengths");
    }
    pos += h->opcode_base - 1u;
  }
  h->files_start = pos;
  return absl::OkStatus();
}

// standard_opcode_lengths[op] as libdw reads it: the header byte at that
// place, even past the array; false when that is outside the unit.
bool OpcodeLength(const Cursor& c, const Header& h, unsigned op,
                  uint8_t* out) {
  size_t pos = h.opcode_lengths + op - 1;
  if (op == 0 || pos >= h.end) return false;
  *out = c.at(pos);
  return true;
}

absl::Status ReadEntryFormats(const Cursor& c, const Header& h, size_t* pos,
                              size_t end, std::vector<uint64_t>* forms,
                              int* path, int* index) {
  forms->clear();
  *path = *index = -1;
  if (end - *pos < 1) return Invalid(h.unit, "truncated entry formats");
  unsigned count = c.at((*pos)++);
  for (unsigned i = 0; i < count; ++i) {
    if (end - *pos < 1) return Invalid(h.unit, "truncated entry formats");
    uint64_t desc = c.Uleb(pos, end) & 0xffff;
    if (end - *pos < 1) return Invalid(h.unit, "truncated entry formats");
    uint64_t form = c.Uleb(pos, end) & 0xffff;
    forms->push_back(form);
    if (desc == DW_LNCT_path) *path = static_cast<int>(i);
    if (desc == DW_LNCT_directory_index) *index = static_cast<int>(i);
  }
  return absl::OkStatus();
}

absl::Status ReadTables(const Cursor& c, const LineProgramSections& sections,
                        const Header& h,
                        std::optional<absl::string_view> comp_dir,
                        LineProgram* out) {
  const size_t end = h.header_end;
  size_t pos = h.files_start;
  if (pos > end) return Invalid(h.unit, "opcode lengths past the header");
  out->dirs.clear();
  out->files.clear();
  // File 0 until a version 5 table names it.
  out->files.push_back({"???", 0, false});
  if (h.version < 5) {
    out->dirs.push_back(comp_dir);
    while (pos < end && c.at(pos) != 0) {
      const void* nul = memchr(c.chars(pos), '\0', end - pos);
      if (nul == nullptr) return Invalid(h.unit, "unterminated directory");
      size_t n = static_cast<const char*>(nul) - c.chars(pos);
      out->dirs.emplace_back(absl::string_view(c.chars(pos), n));
      pos += n + 1;
    }
    if (pos >= end) return Invalid(h.unit, "unterminated directories");
    ++pos;
    if (pos >= end) return Invalid(h.unit, "no file names");
    while (pos < end && c.at(pos) != 0) {
      const void* nul = memchr(c.chars(pos), '\0', end - pos);
      if (nul == nullptr) return Invalid(h.unit, "unterminated file name");
      size_t n = static_cast<const char*>(nul) - c.chars(pos);
      LineProgram::File file{absl::string_view(c.chars(pos), n), 0, true};
      pos += n + 1;
      if (pos >= end) return Invalid(h.unit, "truncated file entry");
      file.dir = c.Uleb(&pos, end);
      if (file.dir >= out->dirs.size()) {
        return Invalid(h.unit, "directory index out of range");
      }
      for (int field = 0; field < 2; ++field) {  // mtime, length
        if (pos >= end) return Invalid(h.unit, "truncated file entry");
        c.Uleb(&pos, end);
      }
      out->files.push_back(file);
    }
    if (pos >= end) return Invalid(h.unit, "unterminated file names");
    ++pos;
  } else {
    std::vector<uint64_t> forms;
    int path = -1, index = -1;
    Field f;
    for (int table = 0; table < 2; ++table) {
      if (absl::Status s =
              ReadEntryFormats(c, h, &pos, end, &forms, &path, &index);
          !s.ok()) {
        return s;
      }
      if (!forms.empty() && (path < 0 || (table == 1 && index < 0))) {
        return Invalid(h.unit, "entry format without a path or directory");
      }
      if (end - pos < 1) return Invalid(h.unit, "truncated entry count");
      uint64_t count = c.Uleb(&pos, end);
      if (forms.empty() && count != 0) {
        return Invalid(h.unit, "entries without a format");
      }
      if (!forms.empty() && count > (end - pos) / forms.size()) {
        return Invalid(h.unit, "more entries than bytes");
      }
      for (uint64_t n = 0; n < count; ++n) {
        absl::string_view name;
        bool has_name = false;
        uint64_t dir = UINT64_MAX;
        for (size_t m = 0; m < forms.size(); ++m) {
          if (absl::Status s = ReadField(c, sections, h.unit, h.offset_size,
                                         forms[m], pos, end, &f);
              !s.ok()) {
            return s;
          }
          if (static_cast<int>(m) == path) {
            if (!f.has_string) {
              return absl::UnimplementedError(absl::StrFormat(
                  "line program at 0x%x: path form 0x%x not read", h.unit,
                  forms[m]));
            }
            name = f.string;
            has_name = true;
          } else if (static_cast<int>(m) == index) {
            if (!f.has_udata) {
              return absl::UnimplementedError(absl::StrFormat(
                  "line program at 0x%x: directory index form 0x%x not read",
                  h.unit, forms[m]));
            }
            dir = f.udata;
          }
          pos += f.length;
        }
        if (!has_name) return Invalid(h.unit, "entry without a path");
        if (table == 0) {
          out->dirs.emplace_back(name);
          continue;
        }
        if (dir == UINT64_MAX) return Invalid(h.unit, "file without a directory");
        if (dir >= out->dirs.size()) {
          return Invalid(h.unit, "directory index out of range");
        }
        LineProgram::File file{name, dir, true};
        if (n == 0) {
          out->files[0] = file;
        } else {
          out->files.push_back(file);
        }
      }
    }
  }
  // An NVIDIA CUBIN's 4-byte string offset, which libdw skips.
  if (end >= 4 && pos == end - 4) pos += 4;
  if (pos != end) return Invalid(h.unit, "header length disagrees with its tables");
  return absl::OkStatus();
}

struct State {
  uint64_t address = 0;
  uint32_t op_index = 0;
  uint32_t file = 1;
  int64_t line = 1;
  uint32_t column = 0;
  uint8_t is_stmt = 0;
  uint32_t isa = 0;
};

// Sorts rows as libdw does: by address, an end of sequence first, else in
// program order, which is a stable sort by (address, not an end). Each
// sequence is already in order (addresses only grow in it), so the runs in
// order are merged pairwise, left before right on ties: most units have a
// handful (.text, .init.text, .exit.text, code the linker discarded).
void SortRows(std::vector<LineProgramRow>* rows,
              std::vector<LineProgramRow>* buffer) {
  auto key_less = [](const LineProgramRow& a, const LineProgramRow& b) {
    if (a.address != b.address) return a.address < b.address;
    return a.end_sequence > b.end_sequence;
  };
  std::vector<size_t> bounds = {0};  // run starts, then the end
  for (size_t i = 1; i < rows->size(); ++i) {
    if (key_less((*rows)[i], (*rows)[i - 1])) bounds.push_back(i);
  }
  bounds.push_back(rows->size());
  while (bounds.size() > 2) {
    buffer->resize(rows->size());
    std::vector<size_t> merged = {0};
    for (size_t r = 0; r + 1 < bounds.size(); r += 2) {
      auto first = rows->begin();
      size_t b = bounds[r], m = bounds[r + 1];
      size_t e = r + 2 < bounds.size() ? bounds[r + 2] : m;
      std::merge(first + b, first + m, first + m, first + e,
                 buffer->begin() + b, key_less);
      merged.push_back(e);
    }
    rows->swap(*buffer);
    bounds.swap(merged);
  }
}

}  // namespace

std::string LineProgram::FilePath(size_t index) const {
  if (index >= files.size()) return "";
  const File& f = files[index];
  if (!f.joined || (!f.name.empty() && f.name[0] == '/') ||
      f.dir >= dirs.size() || !dirs[f.dir].has_value()) {
    return std::string(f.name);
  }
  return absl::StrCat(*dirs[f.dir], "/", f.name);
}

absl::Status ParseLineProgram(const LineProgramSections& sections,
                              uint64_t offset, uint8_t address_size,
                              std::optional<absl::string_view> comp_dir,
                              LineProgram* out) {
  out->rows.clear();
  out->dirs.clear();
  out->files.clear();
  if (address_size != 4 && address_size != 8) {
    return Invalid(offset, absl::StrCat("address size ", address_size));
  }
  const Cursor c(sections.line, sections.big_endian);
  Header h;
  if (absl::Status s = ReadHeader(c, offset, address_size, &h); !s.ok()) {
    return s;
  }
  out->version = h.version;
  if (absl::Status s = ReadTables(c, sections, h, comp_dir, out); !s.ok()) {
    return s;
  }
  const size_t end = h.end;
  size_t pos = h.header_end;
  State st;
  st.is_stmt = h.default_is_stmt;
  const uint32_t min_len = h.min_inst_length;
  const uint32_t max_ops = h.max_ops;
  // libdw's 32-bit operation advance.
  auto advance = [&](uint32_t ops) {
    uint32_t total = st.op_index + ops;
    st.address += static_cast<uint32_t>(min_len * (total / max_ops));
    st.op_index = total % max_ops;
  };
  std::vector<LineProgramRow>& rows = out->rows;
  auto add_row = [&](bool end_sequence) -> bool {
    if (st.line < std::numeric_limits<int32_t>::min() ||
        st.line > std::numeric_limits<int32_t>::max() || st.column > 0xffff ||
        st.is_stmt > 1 || st.isa > 0xff) {
      return false;
    }
    rows.push_back(LineProgramRow{st.address, st.file,
                                  static_cast<int32_t>(st.line), st.column,
                                  st.is_stmt != 0, end_sequence});
    return true;
  };
  auto length_is = [&](unsigned op, uint8_t want) {
    uint8_t n = 0;
    return OpcodeLength(c, h, op, &n) && n == want;
  };
  while (pos < end) {
    const unsigned op = c.at(pos++);
    if (op >= h.opcode_base) {
      if (h.line_range == 0) return Invalid(offset, "line_range 0");
      st.line += h.line_base + static_cast<int>((op - h.opcode_base) % h.line_range);
      advance((op - h.opcode_base) / h.line_range);
      if (!add_row(false)) return Invalid(offset, "row out of range");
    } else if (op == 0) {
      if (end - pos < 2) return Invalid(offset, "truncated extended opcode");
      const uint8_t len = c.at(pos++);
      if (end - pos < len) return Invalid(offset, "truncated extended opcode");
      const unsigned sub = c.at(pos++);
      switch (sub) {
        case DW_LNE_end_sequence:
          if (!add_row(true)) return Invalid(offset, "row out of range");
          st = State();
          st.is_stmt = h.default_is_stmt;
          break;
        case DW_LNE_set_address:
          st.op_index = 0;
          if (end - pos < address_size) return Invalid(offset, "truncated address");
          st.address = c.Fixed(pos, address_size);
          pos += address_size;
          break;
        case DW_LNE_define_file: {
          const void* nul = memchr(c.chars(pos), '\0', end - pos);
          if (nul == nullptr) return Invalid(offset, "unterminated file name");
          size_t n = static_cast<const char*>(nul) - c.chars(pos);
          LineProgram::File file{absl::string_view(c.chars(pos), n), 0, true};
          pos += n + 1;
          if (pos >= end) return Invalid(offset, "truncated file entry");
          file.dir = c.Uleb(&pos, end) & 0xffffffffu;
          if (file.dir >= out->dirs.size()) {
            return Invalid(offset, "directory index out of range");
          }
          for (int field = 0; field < 2; ++field) {
            if (pos >= end) return Invalid(offset, "truncated file entry");
            c.Uleb(&pos, end);
          }
          out->files.push_back(file);
          break;
        }
        case DW_LNE_set_discriminator:
          if (!length_is(DW_LNE_set_discriminator, 1)) {
            return Invalid(offset, "opcode length");
          }
          if (pos >= end) return Invalid(offset, "truncated operand");
          c.Uleb(&pos, end);
          break;
        default:
          // Unknown: skipped by its length (counted from the sub-opcode).
          if (end - (pos - 1) < len) return Invalid(offset, "truncated opcode");
          pos = pos - 1 + len;
          break;
      }
    } else if (op <= DW_LNS_set_isa) {
      static constexpr uint8_t kOperands[] = {0, 0, 1, 1, 1, 1, 0,
                                              0, 0, 1, 0, 0, 1};
      if (!length_is(op, kOperands[op])) return Invalid(offset, "opcode length");
      switch (op) {
        case DW_LNS_copy:
          if (!add_row(false)) return Invalid(offset, "row out of range");
          break;
        case DW_LNS_advance_pc:
          if (pos >= end) return Invalid(offset, "truncated operand");
          advance(static_cast<uint32_t>(c.Uleb(&pos, end)));
          break;
        case DW_LNS_advance_line:
          if (pos >= end) return Invalid(offset, "truncated operand");
          st.line += static_cast<int32_t>(c.Sleb(&pos, end));
          break;
        case DW_LNS_set_file:
          if (pos >= end) return Invalid(offset, "truncated operand");
          st.file = static_cast<uint32_t>(c.Uleb(&pos, end));
          break;
        case DW_LNS_set_column:
          if (pos >= end) return Invalid(offset, "truncated operand");
          st.column = static_cast<uint32_t>(c.Uleb(&pos, end));
          break;
        case DW_LNS_negate_stmt:
          st.is_stmt = static_cast<uint8_t>(1 - st.is_stmt);
          break;
        case DW_LNS_const_add_pc:
          if (h.line_range == 0) return Invalid(offset, "line_range 0");
          advance((255 - h.opcode_base) / h.line_range);
          break;
        case DW_LNS_fixed_advance_pc:
          if (end - pos < 2) return Invalid(offset, "truncated operand");
          st.address += c.Fixed(pos, 2);
          pos += 2;
          st.op_index = 0;
          break;
        case DW_LNS_set_isa:
          if (pos >= end) return Invalid(offset, "truncated operand");
          st.isa = static_cast<uint32_t>(c.Uleb(&pos, end));
          break;
        default:  // basic_block, prologue_end, epilogue_begin
          break;
      }
    } else {
      // A standard opcode this reader does not know: skip its operands.
      uint8_t n = 0;
      if (!OpcodeLength(c, h, op, &n)) return Invalid(offset, "opcode length");
      for (; n > 0; --n) {
        if (pos >= end) return Invalid(offset, "truncated operand");
        c.Uleb(&pos, end);
      }
    }
  }
  SortRows(&rows, &out->sort_buffer);
  if (!rows.empty()) rows.back().end_sequence = true;
  return absl::OkStatus();
}

}  // namespace ksym
