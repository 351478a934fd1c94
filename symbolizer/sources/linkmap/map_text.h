// What the GNU ld and lld map parsers share (internal to linker_map):
// lines, numbers and tokens, object names as linkers print them, the end of
// a section, and the final sort by address.
#ifndef KSYM_SYMBOLIZER_SOURCES_LINKMAP_MAP_TEXT_H_
#define KSYM_SYMBOLIZER_SOURCES_LINKMAP_MAP_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "symbolizer/sources/linkmap/linker_map.h"

namespace ksym {
namespace linkmap {

// The line that starts the part of a GNU ld map ksym reads.
inline constexpr absl::string_view kGnuMemoryMap =
    "Linker script and memory map";
// The cross reference table both linkers may append (--cref): the end.
inline constexpr absl::string_view kCrossReference = "Cross Reference Table";

// Splits text into lines without copying; the last line may lack '\n'.
// A "\r\n" line end (a map copied through Windows; GNU ld and lld write
// "\n") counts as "\n".
class LineReader {
 public:
  explicit LineReader(absl::string_view text) : text_(text) {}

  bool Next(absl::string_view* line) {
    size_t next;
    if (!Cut(line, &next)) return false;
    pos_ = next;
    ++number_;
    return true;
  }

  bool Peek(absl::string_view* line) const {
    size_t next;
    return Cut(line, &next);
  }

  // 1-based number of the line Next() returned last.
  size_t number() const { return number_; }

 private:
  bool Cut(absl::string_view* line, size_t* next) const {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == absl::string_view::npos) end = text_.size();
    *next = end + 1;
    if (end > pos_ && text_[end - 1] == '\r') --end;
    *line = text_.substr(pos_, end - pos_);
    return true;
  }

  absl::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

// True when a path has an empty, "." or ".." component.
bool HasDotComponent(absl::string_view path);

bool ParseGnuHex(absl::string_view s, uint64_t* value);
bool ParseDecimal(absl::string_view s, uint64_t* value);
// The number of spaces from `pos` on.
size_t CountSpaces(absl::string_view s, size_t pos);
// The next space-separated token of *s, which is advanced past it.
absl::string_view NextToken(absl::string_view* s);

// Object names repeat section after section: remember the last split.
class ObjectCache {
 public:
  // Fills section->object and ->archive; returns BadObject's reason.
  std::string Set(absl::string_view text, MapInputSection* section);

 private:
  bool valid_ = false;
  std::string raw_;
  std::string object_;
  std::string archive_;
};

// An error at `line` when a section at `address` of `size` ends past 2^64.
absl::Status CheckEnd(absl::string_view filename, size_t line,
                      absl::string_view name, uint64_t address, uint64_t size);

// Sorts map.sections by address, stable (map order among equal addresses).
void SortByAddress(LinkerMap& map);

// True for lld's column header line (both the current and the lld 7 form).
bool IsLldHeader(absl::string_view line);

}  // namespace linkmap
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_LINKMAP_MAP_TEXT_H_
