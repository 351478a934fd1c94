#include "symbolizer/index/line_section.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/index/bytes.h"

namespace ksym {
namespace {

constexpr uint32_t kId = format::kLines;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// The section's own string blob: `varint length, bytes` records, each
// distinct string once.
class BlobBuilder {
 public:
  uint32_t Add(absl::string_view s) {
    auto [it, added] = refs_.try_emplace(s, static_cast<uint32_t>(blob_.size()));
    if (added) {
      bytes::AppendVarint(&blob_, s.size());
      blob_.append(s.data(), s.size());
    }
    return it->second;
  }
  const std::string& blob() const { return blob_; }

 private:
  std::string blob_;
  absl::flat_hash_map<std::string, uint32_t> refs_;
};

// Rows as `step, [file], line delta, column`, deltas from the previous
// row of the same list.
void EncodeRows(const std::vector<const LineRow*>& rows, std::string* data) {
  uint32_t offset = 0, file = 0;
  int64_t line = 0;
  for (const LineRow* r : rows) {
    const bool file_changed = r->file != file;
    bytes::AppendVarint(data, (uint64_t{r->offset - offset} << 2) |
                                  (uint64_t{r->is_stmt} << 1) | file_changed);
    if (file_changed) bytes::AppendVarint(data, r->file);
    bytes::AppendVarint(data, ZigZag(int64_t{r->line} - line));
    bytes::AppendVarint(data, r->column);
    offset = r->offset;
    file = r->file;
    line = r->line;
  }
}

void EncodeFunction(const LineTable& t, const FunctionLines& f,
                    BlobBuilder& strings, std::string* data) {
  bytes::AppendVarint(data, strings.Add(t.names[f.name]));
  // A row another row follows at the same offset answers no address
  // (a statement of another line starting there too): it goes to the
  // statement block, which lookups skip whole.
  std::vector<const LineRow*> rows, shadowed;
  for (uint32_t i = 0; i < f.row_count; ++i) {
    const LineRow& r = t.rows[f.first_row + i];
    const bool followed =
        i + 1 < f.row_count && t.rows[f.first_row + i + 1].offset == r.offset;
    (followed ? shadowed : rows).push_back(&r);
  }
  bytes::AppendVarint(data, rows.size());
  EncodeRows(rows, data);
  std::string block;
  bytes::AppendVarint(&block, shadowed.size());
  EncodeRows(shadowed, &block);
  bytes::AppendVarint(data, block.size());
  data->append(block);
  bytes::AppendVarint(data, f.call_count);
  for (uint32_t i = 0; i < f.call_count; ++i) {
    const InlineCall& c = t.calls[f.first_call + i];
    bytes::AppendVarint(data, strings.Add(t.names[c.name]));
    bytes::AppendVarint(data, c.parent == kNoParent ? 0 : uint64_t{c.parent} + 1);
    bytes::AppendVarint(data, c.call_file);
    bytes::AppendVarint(data, c.call_line);
    bytes::AppendVarint(data, c.call_column);
    bytes::AppendVarint(data, c.range_count);
    uint32_t end = 0;
    for (uint32_t r = 0; r < c.range_count; ++r) {
      const OffsetRange& range = t.inline_ranges[c.first_range + r];
      // Ranges are sorted in DWARF order, not always by address: the
      // begin is a signed delta from the previous end.
      bytes::AppendVarint(data, ZigZag(int64_t{range.begin} - end));
      bytes::AppendVarint(data, range.end - range.begin);
      end = range.end;
    }
  }
}

absl::Status Bad(uint64_t k, absl::string_view what) {
  return SectionError(kId, "function ", k, ": ", what);
}

// A bounded reader over one function's record.
class RecordReader {
 public:
  RecordReader(const char* p, const char* end) : p_(p), end_(end) {}
  bool Next(uint64_t* v) { return bytes::ReadVarint(&p_, end_, 10, v); }
  bool Next32(uint32_t* v) {
    uint64_t x;
    if (!Next(&x) || x > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Skip(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) return false;
    p_ += n;
    return true;
  }
  const char* position() const { return p_; }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace

struct LineSection::Call {
  uint32_t name, file, line, column;
};

bool LineSection::String(uint64_t ref, absl::string_view* out) const {
  if (ref >= strings_.size()) return false;
  const char* p = strings_.data() + ref;
  const char* end = strings_.data() + strings_.size();
  uint64_t len;
  if (!bytes::ReadVarint(&p, end, 5, &len)) return false;
  if (len > static_cast<uint64_t>(end - p)) return false;
  *out = absl::string_view(p, len);
  return true;
}

bool LineSection::File(uint64_t file, LineFrame* frame) const {
  if (file >= file_count_) return false;
  const char* e = files_ + kFileEntrySize * file;
  const uint32_t prefix = bytes::Load32(e);
  if (file == 0) {
    frame->prefix = frame->path = {};
    return true;
  }
  return String(bytes::Load32(prefixes_ + 4 * prefix), &frame->prefix) &&
         String(bytes::Load32(e + 4), &frame->path);
}

absl::Status LineSection::DecodeFunction(uint64_t k, uint32_t target,
                                         LineFrames* frames) const {
  const char* fn = functions_ + kFunctionEntrySize * k;
  const uint32_t at = bytes::Load32(fn + 12);
  RecordReader r(data_.data() + at, data_.data() + data_.size());
  uint32_t name;
  absl::string_view function;
  if (!r.Next32(&name) || !String(name, &function)) {
    return Bad(k, "has a bad name");
  }
  uint32_t row_count;
  if (!r.Next32(&row_count)) return Bad(k, "has a bad row count");
  uint64_t offset = 0, file = 0;
  int64_t line = 0;
  LineFrame innermost;
  for (uint32_t i = 0; i < row_count; ++i) {
    uint64_t step, zline, column;
    if (!r.Next(&step)) return Bad(k, absl::StrCat("row ", i, " is cut"));
    if (step & 1 && !r.Next(&file)) {
      return Bad(k, absl::StrCat("row ", i, " is cut"));
    }
    if (!r.Next(&zline) || !r.Next(&column)) {
      return Bad(k, absl::StrCat("row ", i, " is cut"));
    }
    offset += step >> step_shift_;
    line += UnZigZag(zline);
    if (file >= file_count_ || line < 0 || line > UINT32_MAX ||
        column > UINT32_MAX || offset > UINT32_MAX) {
      return Bad(k, absl::StrCat("row ", i, " is out of range"));
    }
    if (offset <= target) {
      if (!File(file, &innermost)) return Bad(k, "has a bad file entry");
      innermost.line = static_cast<uint32_t>(line);
      innermost.column = static_cast<uint32_t>(column);
    }
  }
  uint64_t block = 0;
  if (has_statements() && (!r.Next(&block) || !r.Skip(block))) {
    return Bad(k, "has a bad statement block");
  }
  uint32_t call_count;
  if (!r.Next32(&call_count)) return Bad(k, "has a bad call count");
  absl::InlinedVector<Call, 16> chain;
  uint32_t current = 0;  // parent + 1 of the next link; 0: the function
  for (uint32_t i = 0; i < call_count; ++i) {
    Call c;
    uint32_t parent, range_count;
    if (!r.Next32(&c.name) || !r.Next32(&parent) || !r.Next32(&c.file) ||
        !r.Next32(&c.line) || !r.Next32(&c.column) ||
        !r.Next32(&range_count)) {
      return Bad(k, absl::StrCat("inline call ", i, " is cut"));
    }
    if (parent > i || c.file >= file_count_) {
      return Bad(k, absl::StrCat("inline call ", i, " is out of range"));
    }
    bool holds = false;
    int64_t end = 0;
    for (uint32_t j = 0; j < range_count; ++j) {
      uint64_t zbegin, length;
      if (!r.Next(&zbegin) || !r.Next(&length)) {
        return Bad(k, absl::StrCat("inline call ", i, " is cut"));
      }
      const int64_t begin = end + UnZigZag(zbegin);
      end = begin + static_cast<int64_t>(length);
      if (begin < 0 || end > UINT32_MAX) {
        return Bad(k, absl::StrCat("inline call ", i, " is out of range"));
      }
      holds |= begin <= target && target < end;
    }
    // As LineTable::Symbolize: descend into the first child that holds it.
    if (parent == current && holds) {
      if (chain.size() >= kMaxInlineDepth) return Bad(k, "nests too deep");
      chain.push_back(c);
      current = i + 1;
    }
  }
  absl::string_view inner_name = function;
  if (!chain.empty() && !String(chain.back().name, &inner_name)) {
    return Bad(k, "has a bad inline name");
  }
  innermost.function = inner_name;
  frames->push_back(innermost);
  for (size_t j = chain.size(); j-- > 0;) {
    LineFrame caller;
    caller.function = function;
    if (j > 0 && !String(chain[j - 1].name, &caller.function)) {
      return Bad(k, "has a bad inline name");
    }
    if (!File(chain[j].file, &caller)) return Bad(k, "has a bad call file");
    caller.line = chain[j].line;
    caller.column = chain[j].column;
    frames->push_back(caller);
  }
  return absl::OkStatus();
}

bool LineSection::FileName(uint64_t file, absl::string_view* prefix,
                           absl::string_view* path) const {
  LineFrame f;
  if (!File(file, &f)) return false;
  *prefix = f.prefix;
  *path = f.path;
  return true;
}

namespace {

struct ScannedRow {
  uint32_t offset, file, line, column;
  bool is_stmt;
};

// `count` rows of a list (EncodeRows), appended to *out; false when cut or
// out of range.
bool ReadRows(RecordReader& r, uint64_t count, uint32_t shift,
              uint64_t file_count, bool statements,
              std::vector<ScannedRow>* out) {
  uint64_t offset = 0, file = 0;
  int64_t line = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t step, zline, column;
    if (!r.Next(&step) || (step & 1 && !r.Next(&file)) || !r.Next(&zline) ||
        !r.Next(&column)) {
      return false;
    }
    offset += step >> shift;
    line += UnZigZag(zline);
    if (file >= file_count || line < 0 || line > UINT32_MAX ||
        column > UINT32_MAX || offset > UINT32_MAX) {
      return false;
    }
    out->push_back({static_cast<uint32_t>(offset), static_cast<uint32_t>(file),
                    static_cast<uint32_t>(line), static_cast<uint32_t>(column),
                    statements && (step & 2) != 0});
  }
  return true;
}

}  // namespace

absl::Status LineSection::ScanRows(
    uint64_t k, absl::FunctionRef<void(const LineRowView&)> visit,
    const char** calls) const {
  const char* fn = functions_ + kFunctionEntrySize * k;
  const uint64_t start = bytes::Load64(fn);
  RecordReader r(data_.data() + bytes::Load32(fn + 12),
                 data_.data() + data_.size());
  uint32_t name, row_count;
  if (!r.Next32(&name)) return Bad(k, "has a bad name");
  if (!r.Next32(&row_count)) return Bad(k, "has a bad row count");
  std::vector<ScannedRow> rows, shadowed;
  if (!ReadRows(r, row_count, step_shift_, file_count_, has_statements(),
                &rows)) {
    return Bad(k, "has a cut or out-of-range row");
  }
  if (has_statements()) {
    uint64_t block, count;
    if (!r.Next(&block)) return Bad(k, "has a bad statement block");
    const char* end = r.position() + std::min<uint64_t>(
        block, data_.data() + data_.size() - r.position());
    RecordReader b(r.position(), end);
    if (!b.Next(&count) || count > block ||
        !ReadRows(b, count, step_shift_, file_count_, true, &shadowed) ||
        b.position() != end || end - r.position() != static_cast<int64_t>(block)) {
      return Bad(k, "has a bad statement block");
    }
    (void)r.Skip(block);
  }
  if (calls != nullptr) *calls = r.position();
  // In table order: the statements sharing an offset with a row come
  // before it.
  LineRowView row;
  row.function = k;
  bool first = true;
  auto emit = [&](const ScannedRow& x) {
    const bool same_line = !first && row.file == x.file && row.line == x.line;
    // Without flags every change of file:line counts as a start.
    row.starts_statement = has_statements()
                               ? x.is_stmt && !(same_line && row.is_stmt)
                               : !same_line;
    row.is_stmt = x.is_stmt;
    row.address = start + x.offset;
    row.file = x.file;
    row.line = x.line;
    row.column = x.column;
    first = false;
    visit(row);
  };
  size_t j = 0;
  for (const ScannedRow& x : rows) {
    for (; j < shadowed.size() && shadowed[j].offset <= x.offset; ++j) {
      emit(shadowed[j]);
    }
    emit(x);
  }
  for (; j < shadowed.size(); ++j) emit(shadowed[j]);
  return absl::OkStatus();
}

absl::Status LineSection::ForEachRow(
    absl::FunctionRef<void(const LineRowView&)> visit) const {
  for (uint64_t k = 0; k < function_count_; ++k) {
    if (absl::Status s = ScanRows(k, visit); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> LineSection::Symbolize(uint64_t address,
                                            LineFrames* frames) const {
  frames->clear();
  if (function_count_ == 0) return false;
  // The last function starting at or before `address`.
  uint64_t lo = 0, hi = function_count_;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (bytes::Load64(functions_ + kFunctionEntrySize * mid) <= address) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return false;
  const char* fn = functions_ + kFunctionEntrySize * (lo - 1);
  const uint64_t offset = address - bytes::Load64(fn);
  if (offset >= bytes::Load32(fn + 8)) return false;
  if (absl::Status s = DecodeFunction(lo - 1, static_cast<uint32_t>(offset),
                                      frames);
      !s.ok()) {
    frames->clear();
    return s;
  }
  return true;
}

absl::Status LineSection::VerifyAll() const {
  LineFrames frames;
  for (uint64_t k = 0; k < function_count_; ++k) {
    frames.clear();
    if (absl::Status s = DecodeFunction(k, 0, &frames); !s.ok()) return s;
    if (absl::Status s = ScanRows(k, [](const LineRowView&) {}); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LineTable> LineSection::DecodeTable() const {
  LineTable t;
  if (!present_) return t;
  t.sections = {""};
  absl::string_view s;
  for (uint64_t p = 0; p < prefix_count_; ++p) {
    if (!String(bytes::Load32(prefixes_ + 4 * p), &s)) {
      return SectionError(kId, "prefix ", p, " is not a string");
    }
    t.prefixes.emplace_back(s);
  }
  for (uint64_t f = 0; f < file_count_; ++f) {
    const char* e = files_ + kFileEntrySize * f;
    if (!String(bytes::Load32(e + 4), &s)) {
      return SectionError(kId, "file ", f, " has a bad path");
    }
    t.files.push_back({bytes::Load32(e), std::string(s)});
  }
  absl::flat_hash_map<absl::string_view, uint32_t> names;
  auto name = [&](uint64_t ref, uint32_t* id) {
    absl::string_view n;
    if (!String(ref, &n)) return false;
    auto [it, added] =
        names.try_emplace(n, static_cast<uint32_t>(t.names.size()));
    if (added) t.names.emplace_back(n);
    *id = it->second;
    return true;
  };
  t.functions.reserve(function_count_);
  for (uint64_t k = 0; k < function_count_; ++k) {
    const char* e = functions_ + kFunctionEntrySize * k;
    FunctionLines f;
    f.start = bytes::Load64(e);
    f.size = bytes::Load32(e + 8);
    f.first_row = static_cast<uint32_t>(t.rows.size());
    const char* at = nullptr;
    if (absl::Status st = ScanRows(
            k,
            [&](const LineRowView& row) {
              t.rows.push_back({static_cast<uint32_t>(row.address - f.start),
                                row.file, row.line, row.column, row.is_stmt});
            },
            &at);
        !st.ok()) {
      return st;
    }
    f.row_count = static_cast<uint32_t>(t.rows.size()) - f.first_row;
    const char* end = data_.data() + data_.size();
    RecordReader fn_name(data_.data() + bytes::Load32(e + 12), end);
    uint64_t ref;
    if (!fn_name.Next(&ref) || !name(ref, &f.name)) {
      return Bad(k, "has a bad name");
    }
    RecordReader r(at, end);
    f.first_call = static_cast<uint32_t>(t.calls.size());
    if (!r.Next32(&f.call_count)) return Bad(k, "has a bad call count");
    for (uint32_t i = 0; i < f.call_count; ++i) {
      InlineCall c;
      uint32_t parent;
      if (!r.Next(&ref) || !r.Next32(&parent) || !r.Next32(&c.call_file) ||
          !r.Next32(&c.call_line) || !r.Next32(&c.call_column) ||
          !r.Next32(&c.range_count)) {
        return Bad(k, absl::StrCat("inline call ", i, " is cut"));
      }
      if (!name(ref, &c.name)) return Bad(k, "has a bad inline name");
      if (parent > i || c.call_file >= file_count_) {
        return Bad(k, absl::StrCat("inline call ", i, " is out of range"));
      }
      c.parent = parent == 0 ? kNoParent : parent - 1;
      c.first_range = static_cast<uint32_t>(t.inline_ranges.size());
      int64_t range_end = 0;
      for (uint32_t j = 0; j < c.range_count; ++j) {
        uint64_t zbegin, length;
        if (!r.Next(&zbegin) || !r.Next(&length)) {
          return Bad(k, absl::StrCat("inline call ", i, " is cut"));
        }
        const int64_t begin = range_end + UnZigZag(zbegin);
        if (begin < 0 || length > UINT32_MAX ||
            begin + static_cast<int64_t>(length) > UINT32_MAX) {
          return Bad(k, absl::StrCat("inline call ", i, " is out of range"));
        }
        range_end = begin + static_cast<int64_t>(length);
        t.inline_ranges.push_back({static_cast<uint32_t>(begin),
                                   static_cast<uint32_t>(range_end)});
      }
      t.calls.push_back(c);
    }
    t.functions.push_back(f);
  }
  return t;
}

absl::Status LineSection::Encode(const Catalog& catalog,
                                 StringTableBuilder& /*strings*/,
                                 EncodedSections* out) {
  if (catalog.lines == nullptr) return absl::OkStatus();
  const LineTable& t = *catalog.lines;
  if (t.relocatable) {
    return absl::InvalidArgumentError(
        "the line section holds a linked file's lines, not a module's");
  }
  if (t.functions.size() > UINT32_MAX || t.files.size() > UINT32_MAX ||
      t.prefixes.size() > UINT32_MAX || t.files.empty() ||
      t.prefixes.empty()) {
    return absl::InvalidArgumentError("line table too large or without file 0");
  }
  BlobBuilder strings;
  std::string data;
  std::string functions;
  uint64_t previous_end = 0;
  for (const FunctionLines& f : t.functions) {
    if (f.section != 0 || f.size > UINT32_MAX || f.start < previous_end) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line table function ", t.names[f.name], " at 0x",
          absl::Hex(f.start), " overlaps the one before it or is too large"));
    }
    previous_end = f.start + f.size;
    if (data.size() > UINT32_MAX) {
      return absl::InvalidArgumentError("line records past 4 GiB");
    }
    bytes::Append64(&functions, f.start);
    bytes::Append32(&functions, static_cast<uint32_t>(f.size));
    bytes::Append32(&functions, static_cast<uint32_t>(data.size()));
    EncodeFunction(t, f, strings, &data);
  }
  std::string s;
  bytes::Append32(&s, static_cast<uint32_t>(t.functions.size()));
  bytes::Append32(&s, static_cast<uint32_t>(t.files.size()));
  bytes::Append32(&s, static_cast<uint32_t>(t.prefixes.size()));
  bytes::Append32(&s, LineSection::kFlagStatements);
  std::string prefixes, files;
  for (const std::string& p : t.prefixes) {
    bytes::Append32(&prefixes, strings.Add(p));
  }
  while (prefixes.size() % 8 != 0) prefixes.push_back('\0');
  for (const SourceFile& f : t.files) {
    if (f.prefix >= t.prefixes.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line table file ", f.path, " has no prefix"));
    }
    bytes::Append32(&files, f.prefix);
    bytes::Append32(&files, strings.Add(f.path));
  }
  bytes::Append64(&s, strings.blob().size());
  bytes::Append64(&s, data.size());
  absl::StrAppend(&s, prefixes, files, functions, strings.blob(), data);
  out->push_back({kId, std::move(s)});
  return absl::OkStatus();
}

absl::StatusOr<LineSection> LineSection::Decode(const SectionDirectory& dir) {
  LineSection s;
  if (!dir.present[kId]) return s;
  const absl::string_view b = dir.section[kId];
  if (b.size() < kHeaderSize) {
    return SectionError(kId, "is ", b.size(), " bytes, shorter than its ",
                        kHeaderSize, "-byte header");
  }
  s.function_count_ = bytes::Load32(b.data());
  s.file_count_ = bytes::Load32(b.data() + 4);
  s.prefix_count_ = bytes::Load32(b.data() + 8);
  const uint32_t flags = bytes::Load32(b.data() + 12);
  const uint64_t strings_size = bytes::Load64(b.data() + 16);
  const uint64_t data_size = bytes::Load64(b.data() + 24);
  if ((flags & ~kFlagStatements) != 0) {
    return SectionError(kId, "has unknown flags ", flags);
  }
  s.flags_ = flags;
  s.step_shift_ = (flags & kFlagStatements) != 0 ? 2 : 1;
  if (s.file_count_ == 0 || s.prefix_count_ == 0) {
    return SectionError(kId, "has no file 0 or no prefix 0");
  }
  const uint64_t prefixes_size = (4 * s.prefix_count_ + 7) / 8 * 8;
  const uint64_t tables = kHeaderSize + prefixes_size +
                          kFileEntrySize * s.file_count_ +
                          kFunctionEntrySize * s.function_count_;
  // Counts are u32, so `tables` cannot overflow; the blob sizes can.
  if (strings_size > b.size() || data_size > b.size() ||
      tables + strings_size + data_size != b.size()) {
    return SectionError(kId, "is ", b.size(), " bytes, not the ", tables,
                        " of its tables + ", strings_size, " of strings + ",
                        data_size, " of records");
  }
  s.prefixes_ = b.data() + kHeaderSize;
  s.files_ = s.prefixes_ + prefixes_size;
  s.functions_ = s.files_ + kFileEntrySize * s.file_count_;
  s.strings_ = b.substr(tables, strings_size);
  s.data_ = b.substr(tables + strings_size, data_size);
  absl::string_view unused;
  for (uint64_t p = 0; p < s.prefix_count_; ++p) {
    if (!s.String(bytes::Load32(s.prefixes_ + 4 * p), &unused)) {
      return SectionError(kId, "prefix ", p, " is not a string");
    }
  }
  for (uint64_t f = 0; f < s.file_count_; ++f) {
    const char* e = s.files_ + kFileEntrySize * f;
    if (bytes::Load32(e) >= s.prefix_count_ ||
        !s.String(bytes::Load32(e + 4), &unused)) {
      return SectionError(kId, "file ", f, " has a bad prefix or path");
    }
  }
  uint64_t previous_end = 0;
  for (uint64_t k = 0; k < s.function_count_; ++k) {
    const char* e = s.functions_ + kFunctionEntrySize * k;
    const uint64_t start = bytes::Load64(e);
    const uint64_t end = start + bytes::Load32(e + 8);
    if (start < previous_end || end < start) {
      return SectionError(kId, "function ", k, " at 0x", absl::Hex(start),
                          " is out of order or overlaps the one before it");
    }
    if (bytes::Load32(e + 12) >= data_size) {
      return SectionError(kId, "function ", k, " points past the records");
    }
    previous_end = end;
  }
  s.present_ = true;
  return s;
}

}  // namespace ksym
