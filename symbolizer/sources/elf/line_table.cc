#include "symbolizer/sources/elf/line_table.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// Heap bytes of a string beyond the object (short strings live inside it).
size_t StringHeapBytes(const std::string& s) {
  return s.capacity() > sizeof(std::string) - 1 ? s.capacity() + 1 : 0;
}

bool Contains(const LineTable& table, const InlineCall& call, uint32_t offset) {
  for (uint32_t i = 0; i < call.range_count; ++i) {
    const OffsetRange& r = table.inline_ranges[call.first_range + i];
    if (r.begin <= offset && offset < r.end) return true;
  }
  return false;
}

}  // namespace

const FunctionLines* LineTable::FindFunction(uint64_t address,
                                             uint32_t section) const {
  auto after = std::upper_bound(
      functions.begin(), functions.end(), std::make_tuple(section, address),
      [](const std::tuple<uint32_t, uint64_t>& key, const FunctionLines& f) {
        return key < std::make_tuple(f.section, f.start);
      });
  if (after == functions.begin()) return nullptr;
  const FunctionLines& f = *(after - 1);
  if (f.section != section || address - f.start >= f.size) return nullptr;
  return &f;
}

std::vector<SourceFrame> LineTable::Symbolize(uint64_t address,
                                              uint32_t section) const {
  std::vector<SourceFrame> frames;
  const FunctionLines* f = FindFunction(address, section);
  if (f == nullptr) return frames;
  uint32_t offset = static_cast<uint32_t>(address - f->start);

  // The chain of inlined calls holding the offset, outermost first: descend
  // into the first child that holds it, as LLVM's
  // getInlinedChainForAddress does.
  std::vector<uint32_t> chain;
  uint32_t current = kNoParent;
  for (uint32_t i = 0; i < f->call_count; ++i) {
    const InlineCall& call = calls[f->first_call + i];
    if (call.parent == current && Contains(*this, call, offset)) {
      chain.push_back(i);
      current = i;
    }
  }

  SourceFrame innermost;
  innermost.function =
      names[chain.empty() ? f->name : calls[f->first_call + chain.back()].name];
  const LineRow* rows_begin = rows.data() + f->first_row;
  const LineRow* rows_end = rows_begin + f->row_count;
  const LineRow* row = std::upper_bound(
      rows_begin, rows_end, offset,
      [](uint32_t off, const LineRow& r) { return off < r.offset; });
  if (row != rows_begin) {
    --row;
    innermost.file = FilePath(row->file);
    innermost.file_id = row->file;
    innermost.line = row->line;
    innermost.column = row->column;
  }
  frames.push_back(std::move(innermost));
  for (size_t k = chain.size(); k-- > 0;) {
    const InlineCall& call = calls[f->first_call + chain[k]];
    SourceFrame caller;
    caller.function =
        names[k == 0 ? f->name : calls[f->first_call + chain[k - 1]].name];
    caller.file = FilePath(call.call_file);
    caller.file_id = call.call_file;
    caller.line = call.call_line;
    caller.column = call.call_column;
    frames.push_back(std::move(caller));
  }
  return frames;
}

std::string LineTable::FilePath(uint32_t file) const {
  if (file == 0 || file >= files.size()) return "";
  const SourceFile& f = files[file];
  return absl::StrCat(prefixes[f.prefix], f.path);
}

std::string LineTable::SourcePath(uint32_t file) const {
  if (file == 0 || file >= files.size()) return "";
  return files[file].path;
}

size_t LineTable::MemoryBytes() const {
  size_t bytes = sizeof(*this) + VectorBytes(sections) + VectorBytes(prefixes) +
                 VectorBytes(files) + VectorBytes(names) +
                 VectorBytes(functions) + VectorBytes(rows) +
                 VectorBytes(calls) + VectorBytes(inline_ranges);
  for (const std::string& s : sections) bytes += StringHeapBytes(s);
  for (const std::string& s : prefixes) bytes += StringHeapBytes(s);
  for (const SourceFile& f : files) bytes += StringHeapBytes(f.path);
  for (const std::string& s : names) bytes += StringHeapBytes(s);
  return bytes;
}

}  // namespace ksym
