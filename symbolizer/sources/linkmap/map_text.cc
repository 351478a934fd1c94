#include "symbolizer/sources/linkmap/map_text.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace linkmap {
namespace {

// Splits "ARCHIVE(MEMBER)" (and lld's LTO form "ARCHIVE(MEMBER at OFFSET)").
void SplitObject(absl::string_view text, std::string* object,
                 std::string* archive) {
  size_t open = text.find('(');
  if (open == absl::string_view::npos || open == 0 || text.back() != ')') {
    if (HasDotComponent(text)) {
      *object = NormalizeObjectPath("", text);
    } else {
      object->assign(text.data(), text.size());
    }
    archive->clear();
    return;
  }
  absl::string_view archive_path = text.substr(0, open);
  absl::string_view member = text.substr(open + 1, text.size() - open - 2);
  size_t at = member.rfind(" at ");
  uint64_t offset;
  if (at != absl::string_view::npos &&
      ParseDecimal(member.substr(at + 4), &offset)) {
    member = member.substr(0, at);
  }
  *object = NormalizeObjectPath(archive_path, member);
  archive->assign(archive_path.data(), archive_path.size());
}

// The longest path the kernel build can hand a linker (PATH_MAX - 1).
constexpr size_t kMaxObjectPath = 4095;

// Why `text` cannot be an object as a linker prints it, or "": too long, a
// NUL
// byte, bytes that are not UTF-8 (kbuild paths are ASCII; a map damaged or
// re-encoded on the way), or parentheses that are not one trailing
// ARCHIVE(MEMBER) pair ("vmlinux.a(init/main.o" is a cut line).
std::string BadObject(absl::string_view text) {
  if (text.size() > kMaxObjectPath) {
    return absl::StrCat("object ", QuoteInput(text), " of ", text.size(),
                        " bytes is longer than a path can be (",
                        kMaxObjectPath, ", PATH_MAX - 1)");
  }
  if (const size_t nul = text.find('\0'); nul != absl::string_view::npos) {
    return absl::StrCat("object ", QuoteInput(text), " has a NUL byte at byte ",
                        nul);
  }
  if (const size_t bad = FirstInvalidUtf8(text);
      bad != absl::string_view::npos) {
    return absl::StrCat("object ", QuoteInput(text), " is not UTF-8 (byte 0x",
                        absl::Hex(static_cast<unsigned char>(text[bad])),
                        " at byte ", bad, ")");
  }
  const size_t opens = std::count(text.begin(), text.end(), '(');
  const size_t closes = std::count(text.begin(), text.end(), ')');
  if (opens == 0 && closes == 0) return "";
  if (opens != 1 || closes != 1 || text.find('(') == 0 ||
      text.back() != ')') {
    return absl::StrCat("object ", QuoteInput(text),
                        " has unbalanced parentheses (expected a path or "
                        "ARCHIVE(MEMBER))");
  }
  return "";
}

// Keys (address, position in map order) in ascending order.
using SortKey = std::pair<uint64_t, size_t>;

// Maps are made of ascending runs (one per output section, most of them
// ascending across sections; per-CPU and non-allocated sections restart at
// 0): merge the runs pairwise, O(n log runs).
void SortRuns(std::vector<SortKey>& keys) {
  std::vector<size_t> starts = {0};
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].first < keys[i - 1].first) starts.push_back(i);
  }
  std::vector<SortKey> buffer(keys.size());
  while (starts.size() > 1) {
    std::vector<size_t> merged;
    for (size_t r = 0; r < starts.size(); r += 2) {
      size_t begin = starts[r];
      size_t middle = r + 1 < starts.size() ? starts[r + 1] : keys.size();
      size_t end = r + 2 < starts.size() ? starts[r + 2] : keys.size();
      std::merge(keys.begin() + begin, keys.begin() + middle,
                 keys.begin() + middle, keys.begin() + end,
                 buffer.begin() + begin);
      merged.push_back(begin);
    }
    keys.swap(buffer);
    starts.swap(merged);
  }
}

}  // namespace

bool HasDotComponent(absl::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == absl::string_view::npos) end = path.size();
    absl::string_view c = path.substr(start, end - start);
    if (c.empty() || c == "." || c == "..") return true;
    start = end + 1;
  }
  return false;
}

// "0x" and 1 to 16 hex digits, as GNU ld prints addresses and sizes.
bool ParseGnuHex(absl::string_view s, uint64_t* value) {
  return s.size() > 2 && s[0] == '0' && s[1] == 'x' &&
         ParseHexDigits(s.substr(2), value);
}

bool ParseDecimal(absl::string_view s, uint64_t* value) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *value = v;
  return true;
}

size_t CountSpaces(absl::string_view s, size_t pos) {
  size_t n = 0;
  while (pos + n < s.size() && s[pos + n] == ' ') ++n;
  return n;
}

// Splits off the next space-delimited token of *s, skipping leading spaces.
absl::string_view NextToken(absl::string_view* s) {
  size_t start = CountSpaces(*s, 0);
  size_t end = s->find(' ', start);
  if (end == absl::string_view::npos) end = s->size();
  absl::string_view token = s->substr(start, end - start);
  s->remove_prefix(end);
  return token;
}

std::string ObjectCache::Set(absl::string_view text,
                             MapInputSection* section) {
  if (!valid_ || text != raw_) {
    if (std::string why = BadObject(text); !why.empty()) return why;
    raw_.assign(text.data(), text.size());
    SplitObject(text, &object_, &archive_);
    valid_ = true;
  }
  section->object = object_;
  section->archive = archive_;
  return "";
}

absl::Status CheckEnd(absl::string_view filename, size_t line,
                      absl::string_view name, uint64_t address, uint64_t size) {
  if (size > std::numeric_limits<uint64_t>::max() - address) {
    return LineError(
        filename, line,
        absl::StrCat("section ", QuoteInput(name), " at 0x", absl::Hex(address),
                     " with size 0x", absl::Hex(size), " ends past 2^64"));
  }
  return absl::OkStatus();
}

void SortByAddress(LinkerMap& map) {
  std::vector<SortKey> keys;
  keys.reserve(map.sections.size());
  bool sorted = true;
  for (size_t i = 0; i < map.sections.size(); ++i) {
    keys.emplace_back(map.sections[i].address, i);
    if (i > 0 && keys[i].first < keys[i - 1].first) sorted = false;
  }
  if (sorted) return;
  // Sort the keys, not the 150-byte sections, then move each section once.
  SortRuns(keys);
  std::vector<MapInputSection> result;
  result.reserve(keys.size());
  for (const SortKey& key : keys) {
    result.push_back(std::move(map.sections[key.second]));
  }
  map.sections = std::move(result);
}

}  // namespace linkmap
}  // namespace ksym
