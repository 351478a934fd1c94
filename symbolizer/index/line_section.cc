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
// row of the same list, the first from (base_offset, file 0, line 0).
void EncodeRows(const LineRow* const* begin, const LineRow* const* end,
                uint32_t base_offset, std::string* data) {
  uint32_t offset = base_offset, file = 0;
  int64_t line = 0;
  for (const LineRow* const* it = begin; it != end; ++it) {
    const LineRow* r = *it;
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

void EncodeRows(const std::vector<const LineRow*>& rows, std::string* data) {
  EncodeRows(rows.data(), rows.data() + rows.size(), 0, data);
}

// A row another row follows at the same offset answers no address (a
// statement of another line starting there too): it goes to `shadowed`,
// the statement rows lookups never decode.
void SplitRows(const LineTable& t, const FunctionLines& f,
               std::vector<const LineRow*>* rows,
               std::vector<const LineRow*>* shadowed) {
  for (uint32_t i = 0; i < f.row_count; ++i) {
    const LineRow& r = t.rows[f.first_row + i];
    const bool followed =
        i + 1 < f.row_count && t.rows[f.first_row + i + 1].offset == r.offset;
    (followed ? shadowed : rows)->push_back(&r);
  }
}

// Ranges are sorted in DWARF order, not always by address: a begin is a
// signed delta from the previous range's end.
void EncodeRanges(const LineTable& t, const InlineCall& c, std::string* data) {
  bytes::AppendVarint(data, c.range_count);
  uint32_t end = 0;
  for (uint32_t r = 0; r < c.range_count; ++r) {
    const OffsetRange& range = t.inline_ranges[c.first_range + r];
    bytes::AppendVarint(data, ZigZag(int64_t{range.begin} - end));
    bytes::AppendVarint(data, range.end - range.begin);
    end = range.end;
  }
}

// Layout 1 (kFlagStatements).
void EncodeFunction(const LineTable& t, const FunctionLines& f,
                    BlobBuilder& strings, std::string* data) {
  bytes::AppendVarint(data, strings.Add(t.names[f.name]));
  std::vector<const LineRow*> rows, shadowed;
  SplitRows(t, f, &rows, &shadowed);
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
    EncodeRanges(t, c, data);
  }
}

// Layout 2: call `i` of `f` as `varint skip` (the bytes of the rest of its
// encoding, its descendants' included), its ranges, name, call site, then
// its children.
void EncodeCall(const LineTable& t, const FunctionLines& f,
                const std::vector<std::vector<uint32_t>>& children, uint32_t i,
                BlobBuilder& strings, std::string* out) {
  const InlineCall& c = t.calls[f.first_call + i];
  std::string body;
  EncodeRanges(t, c, &body);
  bytes::AppendVarint(&body, strings.Add(t.names[c.name]));
  bytes::AppendVarint(&body, c.call_file);
  bytes::AppendVarint(&body, c.call_line);
  bytes::AppendVarint(&body, c.call_column);
  for (uint32_t child : children[i + 1]) {
    EncodeCall(t, f, children, child, strings, &body);
  }
  bytes::AppendVarint(out, body.size());
  out->append(body);
}

// Layout 2 (kFlagStatements | kFlagCheckpoints): name, the call tree,
// the rows with their checkpoints, the statement rows.
absl::Status EncodeFunction2(const LineTable& t, const FunctionLines& f,
                             BlobBuilder& strings, std::string* data) {
  bytes::AppendVarint(data, strings.Add(t.names[f.name]));
  // children[p + 1]: the calls whose parent is p, in table order.
  std::vector<std::vector<uint32_t>> children(f.call_count + 1);
  for (uint32_t i = 0; i < f.call_count; ++i) {
    const InlineCall& c = t.calls[f.first_call + i];
    const uint64_t parent = c.parent == kNoParent ? 0 : uint64_t{c.parent} + 1;
    if (parent > i) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line table function ", t.names[f.name], ": inline call ", i,
          " has parent ", c.parent, ", not an earlier call (preorder)"));
    }
    children[parent].push_back(i);
  }
  std::string calls;
  for (uint32_t child : children[0]) {
    EncodeCall(t, f, children, child, strings, &calls);
  }
  bytes::AppendVarint(data, calls.size());
  data->append(calls);

  std::vector<const LineRow*> rows, shadowed;
  SplitRows(t, f, &rows, &shadowed);
  constexpr size_t kB = LineSection::kRowsPerCheckpoint;
  bytes::AppendVarint(data, rows.size());
  if (rows.size() <= kB) {
    EncodeRows(rows, data);
  } else {
    // Checkpoint b >= 1: the offset of row b * kB and where its block of
    // rows starts, each a delta from the checkpoint before (b = 0: 0, 0).
    // A block's rows are deltas from (its checkpoint's offset, file 0,
    // line 0).
    std::string table, blocks;
    uint32_t previous_offset = 0;
    size_t previous_at = 0;
    for (size_t first = 0; first < rows.size(); first += kB) {
      const uint32_t base = first == 0 ? 0 : rows[first]->offset;
      if (first > 0) {
        bytes::AppendVarint(&table, base - previous_offset);
        bytes::AppendVarint(&table, blocks.size() - previous_at);
        previous_offset = base;
        previous_at = blocks.size();
      }
      EncodeRows(rows.data() + first,
                 rows.data() + std::min(rows.size(), first + kB), base,
                 &blocks);
    }
    bytes::AppendVarint(data, table.size());
    data->append(table);
    data->append(blocks);
  }
  bytes::AppendVarint(data, shadowed.size());
  EncodeRows(shadowed, data);
  return absl::OkStatus();
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

absl::Status LineSection::Bad(uint64_t k, absl::string_view what) const {
  return SectionError(id_, "function ", k, ": ", what);
}

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
  if (file >= file_refs_.size()) return false;
  if (file == 0) {
    frame->prefix = frame->path = {};
    return true;
  }
  const FileRef& f = file_refs_[file];
  frame->prefix = prefix_names_[f.prefix];
  frame->path = absl::string_view(strings_.data() + f.path, f.path_size);
  return true;
}

absl::Status LineSection::AppendFrames(uint64_t k, absl::string_view function,
                                       LineFrame innermost, const Call* chain,
                                       size_t depth, LineFrames* frames) const {
  absl::string_view inner_name = function;
  if (depth > 0 && !String(chain[depth - 1].name, &inner_name)) {
    return Bad(k, "has a bad inline name");
  }
  innermost.function = inner_name;
  frames->push_back(innermost);
  for (size_t j = depth; j-- > 0;) {
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
  return AppendFrames(k, function, innermost, chain.data(), chain.size(),
                      frames);
}

absl::Status LineSection::DecodeFunction2(uint64_t k, uint32_t target,
                                          LineFrames* frames) const {
  const char* fn = functions_ + kFunctionEntrySize * k;
  const char* const data_end = data_.data() + data_.size();
  const char* p = data_.data() + bytes::Load32(fn + 12);
  // The record's first cache lines at once: a small record is read in
  // one wait rather than one miss after another as its rows are reached.
  for (int line = 1; line < 4; ++line) {
    if (data_end - p > 64 * line) __builtin_prefetch(p + 64 * line);
  }
  auto next = [](const char** at, const char* end, uint64_t* v) {
    return bytes::ReadVarint(at, end, 10, v);
  };
  auto next32 = [](const char** at, const char* end, uint32_t* v) {
    uint64_t x;
    if (!bytes::ReadVarint(at, end, 10, &x) || x > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  };
  uint32_t name;
  if (!next32(&p, data_end, &name)) return Bad(k, "has a bad name");
  // Its string is read last: the miss overlaps the decode below.
  if (name < strings_.size()) __builtin_prefetch(strings_.data() + name);
  uint64_t calls_bytes;
  if (!next(&p, data_end, &calls_bytes) ||
      calls_bytes > static_cast<uint64_t>(data_end - p)) {
    return Bad(k, "has a bad call tree size");
  }
  const char* const calls_end = p + calls_bytes;
  // Down the call tree: the first child holding the offset, then its
  // children (LineTable::Symbolize); the siblings after it and the
  // subtrees of calls not holding it are skipped unread.
  absl::InlinedVector<Call, 16> chain;
  const char* end = calls_end;
  while (p < end) {
    uint64_t skip, range_count;
    if (!next(&p, end, &skip) || skip > static_cast<uint64_t>(end - p)) {
      return Bad(k, "has a cut inline call");
    }
    const char* const call_end = p + skip;
    if (!next(&p, call_end, &range_count)) {
      return Bad(k, "has a cut inline call");
    }
    bool holds = false;
    int64_t range_end = 0;
    for (uint64_t j = 0; j < range_count; ++j) {
      uint64_t zbegin, length;
      if (!next(&p, call_end, &zbegin) || !next(&p, call_end, &length) ||
          length > UINT32_MAX) {
        return Bad(k, "has a cut inline call");
      }
      const int64_t begin = range_end + UnZigZag(zbegin);
      range_end = begin + static_cast<int64_t>(length);
      if (begin < 0 || range_end > UINT32_MAX) {
        return Bad(k, "has an inline call out of range");
      }
      holds |= begin <= target && target < range_end;
    }
    if (!holds) {
      p = call_end;
      continue;
    }
    Call c;
    if (!next32(&p, call_end, &c.name) || !next32(&p, call_end, &c.file) ||
        !next32(&p, call_end, &c.line) || !next32(&p, call_end, &c.column)) {
      return Bad(k, "has a cut inline call");
    }
    if (c.file >= file_count_) return Bad(k, "has an inline call out of range");
    if (chain.size() >= kMaxInlineDepth) return Bad(k, "nests too deep");
    if (c.name < strings_.size()) __builtin_prefetch(strings_.data() + c.name);
    __builtin_prefetch(&file_refs_[c.file]);
    chain.push_back(c);
    end = call_end;
  }
  p = calls_end;

  uint32_t row_count;
  if (!next32(&p, data_end, &row_count)) return Bad(k, "has a bad row count");
  uint64_t offset = 0;  // the block's base offset
  uint32_t rows = row_count;
  if (row_count > kRowsPerCheckpoint) {
    uint64_t table_bytes;
    if (!next(&p, data_end, &table_bytes) ||
        table_bytes > static_cast<uint64_t>(data_end - p)) {
      return Bad(k, "has a bad checkpoint table");
    }
    const char* t = p;
    const char* const rows_start = p + table_bytes;
    uint64_t checkpoint = 0, at = 0, skip = 0;
    uint32_t block = 0;
    const uint32_t blocks = (row_count - 1) / kRowsPerCheckpoint;
    for (uint32_t b = 1; b <= blocks; ++b) {
      uint64_t offset_delta, at_delta;
      if (!next(&t, rows_start, &offset_delta) ||
          !next(&t, rows_start, &at_delta) || offset_delta > UINT32_MAX ||
          at_delta > data_.size()) {
        return Bad(k, "has a bad checkpoint table");
      }
      checkpoint += offset_delta;
      at += at_delta;
      if (checkpoint > target) break;
      block = b;
      offset = checkpoint;
      skip = at;
    }
    if (skip > static_cast<uint64_t>(data_end - rows_start)) {
      return Bad(k, "has a checkpoint past its rows");
    }
    p = rows_start + skip;
    rows = std::min(kRowsPerCheckpoint, row_count - block * kRowsPerCheckpoint);
  }
  uint64_t file = 0, row_file = 0;
  int64_t line = 0;
  LineFrame innermost;
  for (uint32_t i = 0; i < rows; ++i) {
    uint64_t step, zline, column;
    if (!next(&p, data_end, &step) ||
        (step & 1 && !next(&p, data_end, &file)) ||
        !next(&p, data_end, &zline) || !next(&p, data_end, &column)) {
      return Bad(k, absl::StrCat("row ", i, " of its block is cut"));
    }
    offset += step >> 2;
    line += UnZigZag(zline);
    if (file >= file_count_ || line < 0 || line > UINT32_MAX ||
        column > UINT32_MAX || offset > UINT32_MAX) {
      return Bad(k, absl::StrCat("row ", i, " of its block is out of range"));
    }
    if (offset > target) break;  // offsets ascend (VerifyAll)
    if (step & 1) __builtin_prefetch(&file_refs_[file]);
    row_file = file;
    innermost.line = static_cast<uint32_t>(line);
    innermost.column = static_cast<uint32_t>(column);
  }
  if (!File(row_file, &innermost)) return Bad(k, "has a bad file entry");
  absl::string_view function;
  if (!String(name, &function)) return Bad(k, "has a bad name");
  return AppendFrames(k, function, innermost, chain.data(), chain.size(),
                      frames);
}

absl::Status LineSection::VerifyCalls2(uint64_t k) const {
  const char* const data_end = data_.data() + data_.size();
  RecordReader r(
      data_.data() + bytes::Load32(functions_ + kFunctionEntrySize * k + 12),
      data_end);
  uint64_t name, calls_bytes;
  if (!r.Next(&name) || !r.Next(&calls_bytes) ||
      calls_bytes > static_cast<uint64_t>(data_end - r.position())) {
    return Bad(k, "has a bad call tree size");
  }
  const char* p = r.position();
  // The ends of the calls p is inside, outermost first.
  absl::InlinedVector<const char*, 16> ends = {p + calls_bytes};
  while (true) {
    while (!ends.empty() && p == ends.back()) ends.pop_back();
    if (ends.empty()) break;
    if (ends.size() > kMaxInlineDepth + 1) return Bad(k, "nests too deep");
    RecordReader c(p, ends.back());
    uint64_t skip, range_count;
    if (!c.Next(&skip) ||
        skip > static_cast<uint64_t>(ends.back() - c.position())) {
      return Bad(k, "has a cut inline call");
    }
    const char* const call_end = c.position() + skip;
    c = RecordReader(c.position(), call_end);
    if (!c.Next(&range_count)) return Bad(k, "has a cut inline call");
    int64_t range_end = 0;
    for (uint64_t j = 0; j < range_count; ++j) {
      uint64_t zbegin, length;
      if (!c.Next(&zbegin) || !c.Next(&length) || length > UINT32_MAX) {
        return Bad(k, "has a cut inline call");
      }
      const int64_t begin = range_end + UnZigZag(zbegin);
      range_end = begin + static_cast<int64_t>(length);
      if (begin < 0 || range_end > UINT32_MAX) {
        return Bad(k, "has an inline call out of range");
      }
    }
    uint32_t call_name, file, line, column;
    absl::string_view unused;
    if (!c.Next32(&call_name) || !c.Next32(&file) || !c.Next32(&line) ||
        !c.Next32(&column)) {
      return Bad(k, "has a cut inline call");
    }
    if (!String(call_name, &unused) || file >= file_count_) {
      return Bad(k, "has an inline call out of range");
    }
    p = c.position();
    ends.push_back(call_end);
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
              std::vector<ScannedRow>* out, uint64_t base_offset = 0) {
  uint64_t offset = base_offset, file = 0;
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
  std::vector<ScannedRow> rows, shadowed;
  if (layout() == kLayoutCheckpoints) {
    uint64_t calls_bytes;
    if (!r.Next(&calls_bytes) || !r.Skip(calls_bytes)) {
      return Bad(k, "has a bad call tree size");
    }
    if (!r.Next32(&row_count)) return Bad(k, "has a bad row count");
    // The checkpoints (offset, position in the rows) of blocks 1.. .
    std::vector<std::pair<uint64_t, uint64_t>> checkpoints;
    if (row_count > kRowsPerCheckpoint) {
      uint64_t table_bytes;
      if (!r.Next(&table_bytes)) return Bad(k, "has a bad checkpoint table");
      const char* const table = r.position();
      if (!r.Skip(table_bytes)) return Bad(k, "has a bad checkpoint table");
      RecordReader t(table, r.position());
      uint64_t offset = 0, at = 0;
      for (uint32_t b = 1; b <= (row_count - 1) / kRowsPerCheckpoint; ++b) {
        uint64_t offset_delta, at_delta;
        if (!t.Next(&offset_delta) || !t.Next(&at_delta) ||
            offset_delta > UINT32_MAX || at_delta > data_.size()) {
          return Bad(k, "has a bad checkpoint table");
        }
        offset += offset_delta;
        at += at_delta;
        checkpoints.emplace_back(offset, at);
      }
      if (t.position() != r.position()) {
        return Bad(k, "has a bad checkpoint table");
      }
    }
    // Block by block, each where its checkpoint says, starting at its
    // checkpoint's offset, all ascending: what a lookup decoding one
    // block from its checkpoint sees.
    const char* const rows_start = r.position();
    for (uint32_t b = 0, first = 0; first < row_count;
         ++b, first += kRowsPerCheckpoint) {
      uint64_t base = 0;
      if (b > 0) {
        const auto& [offset, at] = checkpoints[b - 1];
        if (static_cast<uint64_t>(r.position() - rows_start) != at ||
            offset < rows.back().offset) {
          return Bad(k, absl::StrCat("checkpoint ", b, " is not its rows'"));
        }
        base = offset;
      }
      const size_t before = rows.size();
      if (!ReadRows(r, std::min(kRowsPerCheckpoint, row_count - first), 2,
                    file_count_, true, &rows, base)) {
        return Bad(k, "has a cut or out-of-range row");
      }
      if (b > 0 && rows[before].offset != base) {
        return Bad(k, absl::StrCat("checkpoint ", b, " is not its rows'"));
      }
    }
    for (size_t i = 1; i < rows.size(); ++i) {
      if (rows[i].offset < rows[i - 1].offset) {
        return Bad(k, absl::StrCat("row ", i, " goes back"));
      }
    }
    uint64_t count;
    if (!r.Next(&count) ||
        !ReadRows(r, count, 2, file_count_, true, &shadowed)) {
      return Bad(k, "has bad statement rows");
    }
  } else {
    if (!r.Next32(&row_count)) return Bad(k, "has a bad row count");
    if (!ReadRows(r, row_count, step_shift_, file_count_, has_statements(),
                  &rows)) {
      return Bad(k, "has a cut or out-of-range row");
    }
  }
  if (layout() == kLayoutStatements) {
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
  // The last function starting at or before `address`: its bucket's
  // functions and the one before them, searched branch-free.
  if (address < bucket_base_) return false;
  const uint64_t bucket = (address - bucket_base_) >> bucket_shift_;
  const uint64_t buckets = buckets_.size() - 1;
  const uint64_t first = bucket < buckets ? buckets_[bucket] : function_count_;
  const uint64_t end = bucket < buckets ? buckets_[bucket + 1] : function_count_;
  // Every function before `first` starts at or below `address`; function
  // 0 starts at bucket_base_.
  uint64_t at = first == 0 ? 0 : first - 1;
  for (uint64_t len = end - at; len > 1;) {
    const uint64_t half = len / 2;
    at +=
        bytes::Load64(functions_ + kFunctionEntrySize * (at + half)) <= address
            ? half
            : 0;
    len -= half;
  }
  const uint64_t lo = at + 1;
  const char* fn = functions_ + kFunctionEntrySize * (lo - 1);
  const uint64_t offset = address - bytes::Load64(fn);
  if (offset >= bytes::Load32(fn + 8)) return false;
  if (absl::Status s =
          layout() == kLayoutCheckpoints
              ? DecodeFunction2(lo - 1, static_cast<uint32_t>(offset), frames)
              : DecodeFunction(lo - 1, static_cast<uint32_t>(offset), frames);
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
    if (layout() == kLayoutCheckpoints) {
      if (absl::Status s = DecodeFunction2(k, 0, &frames); !s.ok()) return s;
      if (absl::Status s = VerifyCalls2(k); !s.ok()) return s;
    } else if (absl::Status s = DecodeFunction(k, 0, &frames); !s.ok()) {
      return s;
    }
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
      return SectionError(id_, "prefix ", p, " is not a string");
    }
    t.prefixes.emplace_back(s);
  }
  for (uint64_t f = 0; f < file_count_; ++f) {
    const char* e = files_ + kFileEntrySize * f;
    if (!String(bytes::Load32(e + 4), &s)) {
      return SectionError(id_, "file ", f, " has a bad path");
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
    f.first_call = static_cast<uint32_t>(t.calls.size());
    // One inline call: its ranges (as EncodeRanges writes them) and, in
    // layout 1, its name, parent and call site around them.
    auto ranges = [&](RecordReader& r, InlineCall& c) {
      if (!r.Next32(&c.range_count)) return false;
      c.first_range = static_cast<uint32_t>(t.inline_ranges.size());
      int64_t range_end = 0;
      for (uint32_t j = 0; j < c.range_count; ++j) {
        uint64_t zbegin, length;
        if (!r.Next(&zbegin) || !r.Next(&length)) return false;
        const int64_t begin = range_end + UnZigZag(zbegin);
        if (begin < 0 || length > UINT32_MAX ||
            begin + static_cast<int64_t>(length) > UINT32_MAX) {
          return false;
        }
        range_end = begin + static_cast<int64_t>(length);
        t.inline_ranges.push_back({static_cast<uint32_t>(begin),
                                   static_cast<uint32_t>(range_end)});
      }
      return true;
    };
    if (layout() == kLayoutCheckpoints) {
      // The call tree after the name: each call `skip` bytes long, its
      // ranges, name and call site, then its children; read in preorder,
      // which is the order the encoder walks them back in.
      RecordReader head(data_.data() + bytes::Load32(e + 12), end);
      uint64_t ignored, tree_bytes;
      if (!head.Next(&ignored) || !head.Next(&tree_bytes) ||
          tree_bytes > static_cast<uint64_t>(end - head.position())) {
        return Bad(k, "has a bad call tree size");
      }
      struct Open {
        const char* end;
        uint32_t parent;
      };
      std::vector<Open> stack = {{head.position() + tree_bytes, kNoParent}};
      const char* p = head.position();
      while (!stack.empty()) {
        if (p == stack.back().end) {
          stack.pop_back();
          continue;
        }
        if (stack.size() > kMaxInlineDepth + 1) return Bad(k, "nests too deep");
        RecordReader r(p, stack.back().end);
        uint64_t body;
        if (!r.Next(&body) ||
            body > static_cast<uint64_t>(stack.back().end - r.position())) {
          return Bad(k, "has a bad inline call size");
        }
        const char* body_end = r.position() + body;
        RecordReader b(r.position(), body_end);
        const uint32_t i = static_cast<uint32_t>(t.calls.size()) - f.first_call;
        InlineCall c;
        if (!ranges(b, c) || !b.Next(&ref) || !b.Next32(&c.call_file) ||
            !b.Next32(&c.call_line) || !b.Next32(&c.call_column)) {
          return Bad(k, absl::StrCat("inline call ", i, " is cut"));
        }
        if (!name(ref, &c.name)) return Bad(k, "has a bad inline name");
        if (c.call_file >= file_count_) {
          return Bad(k, absl::StrCat("inline call ", i, " is out of range"));
        }
        c.parent = stack.back().parent;
        t.calls.push_back(c);
        // Its children come next; after them (at body_end), its siblings.
        stack.push_back({body_end, i});
        p = b.position();
      }
      f.call_count = static_cast<uint32_t>(t.calls.size()) - f.first_call;
      t.functions.push_back(f);
      continue;
    }
    RecordReader r(at, end);
    if (!r.Next32(&f.call_count)) return Bad(k, "has a bad call count");
    for (uint32_t i = 0; i < f.call_count; ++i) {
      InlineCall c;
      uint32_t parent;
      if (!r.Next(&ref) || !r.Next32(&parent) || !r.Next32(&c.call_file) ||
          !r.Next32(&c.call_line) || !r.Next32(&c.call_column) ||
          !ranges(r, c)) {
        return Bad(k, absl::StrCat("inline call ", i, " is cut"));
      }
      if (!name(ref, &c.name)) return Bad(k, "has a bad inline name");
      if (parent > i || c.call_file >= file_count_) {
        return Bad(k, absl::StrCat("inline call ", i, " is out of range"));
      }
      c.parent = parent == 0 ? kNoParent : parent - 1;
      t.calls.push_back(c);
    }
    t.functions.push_back(f);
  }
  return t;
}

absl::Status LineSection::Encode(const Catalog& catalog,
                                 StringTableBuilder& /*strings*/,
                                 EncodedSections* out) {
  return EncodeLayout(catalog, kLayoutCheckpoints, out);
}

absl::Status LineSection::EncodeLayout(const Catalog& catalog, uint32_t layout,
                                       EncodedSections* out) {
  if (catalog.lines == nullptr) return absl::OkStatus();
  return EncodeTable(*catalog.lines, format::kLines, layout, out);
}

absl::Status LineSection::EncodeTable(const LineTable& t, uint32_t id,
                                      uint32_t layout, EncodedSections* out) {
  if (layout != kLayoutStatements && layout != kLayoutCheckpoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("no line section layout ", layout));
  }
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
    if (layout == kLayoutCheckpoints) {
      if (absl::Status s = EncodeFunction2(t, f, strings, &data); !s.ok()) {
        return s;
      }
    } else {
      EncodeFunction(t, f, strings, &data);
    }
  }
  std::string s;
  bytes::Append32(&s, static_cast<uint32_t>(t.functions.size()));
  bytes::Append32(&s, static_cast<uint32_t>(t.files.size()));
  bytes::Append32(&s, static_cast<uint32_t>(t.prefixes.size()));
  bytes::Append32(&s, layout == kLayoutCheckpoints
                          ? kFlagStatements | kFlagCheckpoints
                          : kFlagStatements);
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
  out->push_back({id, std::move(s)});
  return absl::OkStatus();
}

absl::StatusOr<LineSection> LineSection::Decode(const SectionDirectory& dir) {
  return DecodeId(dir, format::kLines);
}

absl::StatusOr<LineSection> LineSection::DecodeId(const SectionDirectory& dir,
                                                  uint32_t id) {
  LineSection s;
  s.id_ = id;
  if (!dir.present[id]) return s;
  const absl::string_view b = dir.section[id];
  if (b.size() < kHeaderSize) {
    return SectionError(id, "is ", b.size(), " bytes, shorter than its ",
                        kHeaderSize, "-byte header");
  }
  s.function_count_ = bytes::Load32(b.data());
  s.file_count_ = bytes::Load32(b.data() + 4);
  s.prefix_count_ = bytes::Load32(b.data() + 8);
  const uint32_t flags = bytes::Load32(b.data() + 12);
  const uint64_t strings_size = bytes::Load64(b.data() + 16);
  const uint64_t data_size = bytes::Load64(b.data() + 24);
  if ((flags & ~(kFlagStatements | kFlagCheckpoints)) != 0 ||
      flags == kFlagCheckpoints) {
    return SectionError(id, "has unknown flags ", flags);
  }
  s.flags_ = flags;
  s.step_shift_ = (flags & kFlagStatements) != 0 ? 2 : 1;
  if (s.file_count_ == 0 || s.prefix_count_ == 0) {
    return SectionError(id, "has no file 0 or no prefix 0");
  }
  const uint64_t prefixes_size = (4 * s.prefix_count_ + 7) / 8 * 8;
  const uint64_t tables = kHeaderSize + prefixes_size +
                          kFileEntrySize * s.file_count_ +
                          kFunctionEntrySize * s.function_count_;
  // Counts are u32, so `tables` cannot overflow; the blob sizes can.
  if (strings_size > b.size() || data_size > b.size() ||
      tables + strings_size + data_size != b.size()) {
    return SectionError(id, "is ", b.size(), " bytes, not the ", tables,
                        " of its tables + ", strings_size, " of strings + ",
                        data_size, " of records");
  }
  s.prefixes_ = b.data() + kHeaderSize;
  s.files_ = s.prefixes_ + prefixes_size;
  s.functions_ = s.files_ + kFileEntrySize * s.file_count_;
  s.strings_ = b.substr(tables, strings_size);
  s.data_ = b.substr(tables + strings_size, data_size);
  absl::string_view text;
  s.prefix_names_.reserve(s.prefix_count_);
  for (uint64_t p = 0; p < s.prefix_count_; ++p) {
    if (!s.String(bytes::Load32(s.prefixes_ + 4 * p), &text)) {
      return SectionError(id, "prefix ", p, " is not a string");
    }
    s.prefix_names_.push_back(text);
  }
  s.file_refs_.reserve(s.file_count_);
  for (uint64_t f = 0; f < s.file_count_; ++f) {
    const char* e = s.files_ + kFileEntrySize * f;
    const uint32_t prefix = bytes::Load32(e);
    if (prefix >= s.prefix_count_ || !s.String(bytes::Load32(e + 4), &text)) {
      return SectionError(id, "file ", f, " has a bad prefix or path");
    }
    // strings_ is at most the section's size, checked above: < 2^32 for
    // any file Encode writes; a larger one cannot be described here.
    const uint64_t at = text.data() - s.strings_.data();
    if (at > UINT32_MAX || text.size() > UINT32_MAX) {
      return SectionError(id, "file ", f, " has a path past 4 GiB");
    }
    s.file_refs_.push_back({prefix, static_cast<uint32_t>(at),
                            static_cast<uint32_t>(text.size())});
  }
  uint64_t previous_end = 0;
  for (uint64_t k = 0; k < s.function_count_; ++k) {
    const char* e = s.functions_ + kFunctionEntrySize * k;
    const uint64_t start = bytes::Load64(e);
    const uint64_t end = start + bytes::Load32(e + 8);
    if (start < previous_end || end < start) {
      return SectionError(id, "function ", k, " at 0x", absl::Hex(start),
                          " is out of order or overlaps the one before it");
    }
    if (bytes::Load32(e + 12) >= data_size) {
      return SectionError(id, "function ", k, " points past the records");
    }
    previous_end = end;
  }
  if (s.function_count_ > 0) {
    // At most one bucket per function: the smallest shift that gives it.
    s.bucket_base_ = bytes::Load64(s.functions_);
    const uint64_t span =
        bytes::Load64(s.functions_ + kFunctionEntrySize * (s.function_count_ - 1)) -
        s.bucket_base_;
    s.bucket_shift_ = 4;
    while ((span >> s.bucket_shift_) + 1 > s.function_count_) ++s.bucket_shift_;
    const uint64_t buckets = (span >> s.bucket_shift_) + 1;
    s.buckets_.assign(buckets + 1, static_cast<uint32_t>(s.function_count_));
    uint64_t b = 0;
    for (uint64_t k = 0; k < s.function_count_; ++k) {
      const uint64_t kb =
          (bytes::Load64(s.functions_ + kFunctionEntrySize * k) - s.bucket_base_) >>
          s.bucket_shift_;
      for (; b <= kb; ++b) s.buckets_[b] = static_cast<uint32_t>(k);
    }
  }
  s.present_ = true;
  return s;
}

absl::Status ModuleLineSection::Encode(const Catalog& catalog,
                                       StringTableBuilder& /*strings*/,
                                       EncodedSections* out) {
  if (catalog.module_lines == nullptr) return absl::OkStatus();
  return EncodeTable(*catalog.module_lines, format::kModuleLines,
                     kLayoutCheckpoints, out);
}

absl::StatusOr<ModuleLineSection> ModuleLineSection::Decode(
    const SectionDirectory& dir) {
  absl::StatusOr<LineSection> s = DecodeId(dir, format::kModuleLines);
  if (!s.ok()) return s.status();
  return ModuleLineSection(*std::move(s));
}

}  // namespace ksym
