#include "symbolizer/sources/linkmap/linker_map.h"

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
namespace {

// GNU ld pads section names to this column (SECTION_NAME_MAP_LENGTH in
// ld/ldlang.c); a name of 14 or more characters gets a line of its own.
constexpr size_t kNameColumn = 16;
constexpr size_t kLongestInlineName = 13;

constexpr absl::string_view kGnuMemoryMap = "Linker script and memory map";
constexpr absl::string_view kCrossReference = "Cross Reference Table";
constexpr absl::string_view kGnuShape =
    "(expected SECTION 0xADDRESS 0xSIZE OBJECT)";

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

// Object names repeat section after section: remember the last split.
class ObjectCache {
 public:
  // Fills section->object and ->archive; returns BadObject's reason.
  std::string Set(absl::string_view text, MapInputSection* section) {
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

 private:
  bool valid_ = false;
  std::string raw_;
  std::string object_;
  std::string archive_;
};

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

// ---- GNU ld ----

// A line with 16 spaces, then "0x": the address line of a long section name.
bool IsGnuContinuation(absl::string_view line) {
  return line.size() > kNameColumn + 2 && CountSpaces(line, 0) == kNameColumn &&
         line[kNameColumn] == '0' && line[kNameColumn + 1] == 'x';
}

// Linker script keywords GNU ld prints alone in column 1 (CONSTRUCTORS,
// CREATE_OBJECT_SYMBOLS): not section names awaiting an address line.
bool IsKeyword(absl::string_view token) {
  for (char c : token) {
    if (!(absl::ascii_isupper(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

class GnuParser {
 public:
  GnuParser(absl::string_view text, absl::string_view filename)
      : reader_(text), filename_(filename) {}

  absl::StatusOr<LinkerMap> Parse() {
    absl::string_view line;
    bool found = false;
    while (reader_.Next(&line)) {
      if (line == kGnuMemoryMap) {
        found = true;
        break;
      }
    }
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename_, ": no \"", kGnuMemoryMap,
                       "\" line (expected a GNU ld -Map file)"));
    }
    while (reader_.Next(&line)) {
      if (line.empty()) continue;
      absl::Status status;
      if (line[0] != ' ') {
        if (line == kCrossReference) break;
        status = OutputSectionLine(line);
      } else if (line.size() > 1 && line[1] != ' ') {
        status = InputSectionLine(line);
      }
      // Lines indented further are symbols, assignments, data and
      // "(size before relaxing)": nothing to take.
      if (!status.ok()) return status;
    }
    SortByAddress(map_);
    return std::move(map_);
  }

 private:
  absl::Status OutputSectionLine(absl::string_view line) {
    size_t space = line.find(' ');
    if (space == absl::string_view::npos) {
      // OUTPUT(file) without a target, or a section name; a name of 15 or
      // more characters has its address on the next line, an empty
      // section none.
      if (absl::StrContains(line, '(')) return absl::OkStatus();
      current_output_.assign(line.data(), line.size());
      // An assignment may follow instead ("0xADDRESS   . = ALIGN (8)").
      absl::string_view next;
      if (reader_.Peek(&next) && IsGnuContinuation(next)) {
        absl::string_view fields = next.substr(kNameColumn);
        NextToken(&fields);
        if (absl::StartsWith(NextToken(&fields), "0x")) {
          reader_.Next(&next);
          return AddOutputSection(line, next.substr(kNameColumn));
        }
      }
      return absl::OkStatus();
    }
    absl::string_view rest = line.substr(space);
    rest.remove_prefix(CountSpaces(rest, 0));
    // LOAD, START GROUP, END GROUP, OUTPUT(file target), "Address of
    // section .text set to ..." are not sections.
    if (!absl::StartsWith(rest, "0x")) return absl::OkStatus();
    absl::string_view name = line.substr(0, space);
    current_output_.assign(name.data(), name.size());
    return AddOutputSection(name, rest);
  }

  // `fields` is "0xADDRESS 0xSIZE[ load address 0xLMA]".
  absl::Status AddOutputSection(absl::string_view name,
                                absl::string_view fields) {
    MapOutputSection section;
    section.name = std::string(name);
    absl::string_view address = NextToken(&fields);
    absl::string_view size = NextToken(&fields);
    if (!ParseGnuHex(address, &section.address)) {
      return LineError(filename_, reader_.number(),
                       absl::StrCat("bad address ", QuoteInput(address),
                                    " (expected 0x and 1 to 16 hex digits)"));
    }
    if (size.empty()) {
      return LineError(filename_, reader_.number(),
                       "missing size after the address (expected NAME "
                       "0xADDRESS 0xSIZE)");
    }
    if (!ParseGnuHex(size, &section.size)) {
      return LineError(filename_, reader_.number(),
                       absl::StrCat("bad size ", QuoteInput(size),
                                    " (expected 0x and 1 to 16 hex digits)"));
    }
    absl::Status status = CheckEnd(filename_, reader_.number(), name,
                                   section.address, section.size);
    if (!status.ok()) return status;
    map_.output_sections.push_back(std::move(section));
    return absl::OkStatus();
  }

  absl::Status InputSectionLine(absl::string_view line) {
    absl::string_view body = line.substr(1);
    // *fill*, *(.text .text.*), *default*.
    if (body[0] == '*') return absl::OkStatus();
    size_t space = body.find(' ');
    absl::string_view name = body.substr(0, std::min(space, body.size()));
    // Input section patterns: KEEP(*(.init)), head_64.o(.head.text).
    if (absl::StrContains(name, '(')) return absl::OkStatus();
    if (space == absl::string_view::npos) {
      absl::string_view next;
      if (reader_.Peek(&next) && IsGnuContinuation(next)) {
        reader_.Next(&next);
        return AddInputSection(name, next.substr(kNameColumn));
      }
      if (name.size() > kLongestInlineName && !IsKeyword(name)) {
        return LineError(
            filename_, reader_.number(),
            absl::StrCat("input section name ", QuoteInput(name),
                         " is not followed by its address, size and object "
                         "(expected a next line of 16 spaces, 0xADDRESS "
                         "0xSIZE OBJECT)"));
      }
      return absl::OkStatus();
    }
    absl::string_view rest = body.substr(space);
    size_t spaces = CountSpaces(rest, 0);
    rest.remove_prefix(spaces);
    // Short names are padded to column 16; other text there ("FILL mask
    // 0x90909090", "KEEP (...)") is a script statement.
    bool padded = name.size() <= kLongestInlineName &&
                  1 + name.size() + spaces == kNameColumn;
    if (!padded && !absl::StartsWith(rest, "0x")) return absl::OkStatus();
    return AddInputSection(name, rest);
  }

  // `fields` is "0xADDRESS 0xSIZE OBJECT".
  absl::Status AddInputSection(absl::string_view name,
                               absl::string_view fields) {
    MapInputSection section;
    absl::string_view address = NextToken(&fields);
    absl::string_view size = NextToken(&fields);
    if (!ParseGnuHex(address, &section.address)) {
      return LineError(filename_, reader_.number(),
                       absl::StrCat("bad address ", QuoteInput(address),
                                    " (expected 0x and 1 to 16 hex digits)"));
    }
    if (size.empty()) {
      return LineError(
          filename_, reader_.number(),
          absl::StrCat("missing size after the address ", kGnuShape));
    }
    if (!ParseGnuHex(size, &section.size)) {
      return LineError(filename_, reader_.number(),
                       absl::StrCat("bad size ", QuoteInput(size),
                                    " (expected 0x and 1 to 16 hex digits)"));
    }
    absl::string_view object = absl::StripAsciiWhitespace(fields);
    if (object.empty()) {
      return LineError(
          filename_, reader_.number(),
          absl::StrCat("missing object file after the size ", kGnuShape));
    }
    absl::Status status = CheckEnd(filename_, reader_.number(), name,
                                   section.address, section.size);
    if (!status.ok()) return status;
    section.output_section = current_output_;
    section.input_section = std::string(name);
    if (std::string why = objects_.Set(object, &section); !why.empty()) {
      return LineError(filename_, reader_.number(), why);
    }
    map_.sections.push_back(std::move(section));
    return absl::OkStatus();
  }

  LineReader reader_;
  absl::string_view filename_;
  std::string current_output_;
  ObjectCache objects_;
  LinkerMap map_;
};

// ---- lld ----

constexpr absl::string_view kLldColumns[] = {"VMA", "LMA", "Size",  "Align",
                                             "Out", "In",  "Symbol"};
constexpr absl::string_view kLld7Columns[] = {"Address", "Size", "Align",
                                              "Out",     "In",   "Symbol"};
constexpr size_t kLldInIndent = 8;
constexpr size_t kLldSymbolIndent = 16;

template <size_t N>
bool HeaderIs(const std::vector<absl::string_view>& tokens,
              const absl::string_view (&columns)[N]) {
  return tokens.size() == N &&
         std::equal(tokens.begin(), tokens.end(), columns);
}

// The number of numeric columns the header announces, or 0.
size_t LldNumberColumns(absl::string_view header) {
  std::vector<absl::string_view> tokens =
      absl::StrSplit(header, ' ', absl::SkipEmpty());
  if (HeaderIs(tokens, kLldColumns)) return 4;
  if (HeaderIs(tokens, kLld7Columns)) return 3;
  return 0;
}

bool IsLldHeader(absl::string_view line) { return LldNumberColumns(line) != 0; }

absl::StatusOr<LinkerMap> ParseLld(absl::string_view text,
                                   absl::string_view filename) {
  LineReader reader(text);
  absl::string_view line;
  bool have_header = false;
  while (reader.Next(&line)) {
    if (!absl::StripAsciiWhitespace(line).empty()) {
      have_header = true;
      break;
    }
  }
  size_t columns = have_header ? LldNumberColumns(line) : 0;
  if (columns == 0) {
    return LineError(
        filename, have_header ? reader.number() : 1,
        absl::StrCat("not an lld map header ", QuoteInput(line),
                     " (expected \"VMA LMA Size Align Out In Symbol\")"));
  }
  // Column names for messages, in line order.
  const absl::string_view names4[] = {"VMA", "LMA", "size", "alignment"};
  const absl::string_view names3[] = {"address", "size", "alignment"};
  const absl::string_view* names = columns == 4 ? names4 : names3;
  const size_t size_column = columns - 2;

  LinkerMap map;
  std::string current_output;
  ObjectCache objects;
  while (reader.Next(&line)) {
    if (line.empty()) continue;
    if (line == kCrossReference) break;
    absl::string_view rest = line;
    uint64_t values[4] = {};
    for (size_t i = 0; i < columns; ++i) {
      absl::string_view token = NextToken(&rest);
      if (token.empty()) {
        return LineError(filename, reader.number(),
                         absl::StrCat("missing ", names[i], " (expected ",
                                      columns == 4 ? "VMA LMA SIZE ALIGN"
                                                   : "ADDRESS SIZE ALIGN",
                                      " then a name)"));
      }
      bool ok = i + 1 == columns ? ParseDecimal(token, &values[i])
                                 : ParseHexDigits(token, &values[i]);
      if (!ok) {
        return LineError(
            filename, reader.number(),
            absl::StrCat("bad ", names[i], " ", QuoteInput(token),
                         i + 1 == columns ? " (expected decimal digits)"
                                          : " (expected 1 to 16 hex digits)"));
      }
    }
    size_t spaces = CountSpaces(rest, 0);
    absl::string_view name = rest.substr(spaces);
    if (name.empty()) {
      return LineError(filename, reader.number(),
                       "missing name after the alignment (expected an output "
                       "section, input section or symbol)");
    }
    size_t indent = spaces - 1;
    uint64_t address = values[0];
    uint64_t size = values[size_column];
    if (indent == 0) {
      // Assignments outside sections: ". = ALIGN ( 0x1000 )", "_end = .".
      if (absl::StrContains(name, ' ')) continue;
      absl::Status status =
          CheckEnd(filename, reader.number(), name, address, size);
      if (!status.ok()) return status;
      current_output.assign(name.data(), name.size());
      map.output_sections.push_back({current_output, address, size});
    } else if (indent == kLldInIndent) {
      // FILE:(SECTION); anything else is an assignment or a data command.
      size_t colon = name.rfind(":(");
      if (colon == absl::string_view::npos || colon == 0 ||
          name.back() != ')') {
        continue;
      }
      absl::string_view section_name =
          name.substr(colon + 2, name.size() - colon - 3);
      absl::Status status =
          CheckEnd(filename, reader.number(), section_name, address, size);
      if (!status.ok()) return status;
      MapInputSection section;
      section.output_section = current_output;
      section.input_section = std::string(section_name);
      section.address = address;
      section.size = size;
      if (std::string why = objects.Set(name.substr(0, colon), &section);
          !why.empty()) {
        return LineError(filename, reader.number(), why);
      }
      map.sections.push_back(std::move(section));
    } else if (indent != kLldSymbolIndent) {
      return LineError(
          filename, reader.number(),
          absl::StrCat("name ", QuoteInput(name), " at indentation ", indent,
                       " (expected 0 for Out, 8 for In or 16 for "
                       "Symbol)"));
    }
  }
  SortByAddress(map);
  return map;
}

// ---- ranges ----

bool IsNonAllocated(absl::string_view output_section) {
  static constexpr absl::string_view kExact[] = {
      ".comment",          ".symtab",        ".strtab",
      ".shstrtab",         ".line",          "/DISCARD/",
      ".note.GNU-stack",   ".gnu_debuglink", ".gnu_debugaltlink",
      ".GCC.command.line", ".symtab_shndx"};
  static constexpr absl::string_view kPrefixes[] = {".debug",
                                                    ".zdebug",
                                                    ".stab",
                                                    ".gnu.build.attributes",
                                                    ".gnu.lto_",
                                                    ".llvm_addrsig",
                                                    ".llvm.call-graph-profile"};
  for (absl::string_view s : kExact) {
    if (output_section == s) return true;
  }
  for (absl::string_view p : kPrefixes) {
    if (absl::StartsWith(output_section, p)) return true;
  }
  return absl::EndsWith(output_section, ".attributes");
}

bool IsPseudoObject(absl::string_view object) {
  return object == "<internal>" || object == "linker stubs";
}

}  // namespace

std::string NormalizeObjectPath(absl::string_view archive,
                                absl::string_view member) {
  std::string joined;
  if (!member.empty() && member[0] == '/') {
    joined = std::string(member);
  } else {
    size_t slash = archive.rfind('/');
    if (slash == absl::string_view::npos) {
      joined = std::string(member);
    } else {
      joined = absl::StrCat(archive.substr(0, slash + 1), member);
    }
  }
  if (!HasDotComponent(joined)) return joined;
  bool absolute = !joined.empty() && joined[0] == '/';
  std::vector<absl::string_view> parts;
  for (absl::string_view c : absl::StrSplit(joined, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (c == ".." && absolute) {
      continue;  // "/.." is "/".
    } else {
      parts.push_back(c);
    }
  }
  return absl::StrCat(absolute ? "/" : "", absl::StrJoin(parts, "/"));
}

absl::StatusOr<LinkerMap> ParseGnuLdMap(absl::string_view text,
                                        absl::string_view filename) {
  return GnuParser(text, filename).Parse();
}

absl::StatusOr<LinkerMap> ParseLldMap(absl::string_view text,
                                      absl::string_view filename) {
  return ParseLld(text, filename);
}

absl::StatusOr<LinkerMap> ParseLinkerMap(absl::string_view text,
                                         absl::string_view filename) {
  LineReader reader(text);
  absl::string_view line;
  while (reader.Next(&line)) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (IsLldHeader(line)) return ParseLld(text, filename);
    break;
  }
  LineReader gnu(text);
  while (gnu.Next(&line)) {
    if (line == kGnuMemoryMap) return GnuParser(text, filename).Parse();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      filename,
      ": not a GNU ld or lld map file (expected an lld header \"VMA LMA Size "
      "Align Out In Symbol\" or a GNU ld line \"",
      kGnuMemoryMap, "\")"));
}

absl::StatusOr<LinkerMap> ReadLinkerMapFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseLinkerMap(*text, path);
}

LinkerMap ExpandRelocatableObject(const LinkerMap& final_map,
                                  absl::string_view relocatable_object,
                                  const LinkerMap& relocatable_map) {
  // `ld -r` puts every output section at 0; use the recorded base anyway.
  absl::flat_hash_map<absl::string_view, uint64_t> base;
  for (const MapOutputSection& out : relocatable_map.output_sections) {
    base.try_emplace(out.name, out.address);
  }
  absl::flat_hash_map<absl::string_view, std::vector<const MapInputSection*>>
      members;
  for (const MapInputSection& in : relocatable_map.sections) {
    members[in.output_section].push_back(&in);
  }
  LinkerMap result;
  result.output_sections = final_map.output_sections;
  for (const MapInputSection& section : final_map.sections) {
    auto it = section.object == relocatable_object
                  ? members.find(section.input_section)
                  : members.end();
    if (it == members.end()) {
      result.sections.push_back(section);
      continue;
    }
    auto b = base.find(section.input_section);
    uint64_t start = b == base.end() ? 0 : b->second;
    for (const MapInputSection* member : it->second) {
      if (member->address < start) continue;
      uint64_t offset = member->address - start;
      MapInputSection moved = *member;
      moved.output_section = section.output_section;
      moved.address = section.address + std::min(offset, section.size);
      // The -r map can overstate merged sections (.rodata.str1.1).
      moved.size = offset >= section.size
                       ? 0
                       : std::min(member->size, section.size - offset);
      result.sections.push_back(std::move(moved));
    }
  }
  SortByAddress(result);
  return result;
}

std::vector<ObjectRangeLite> ObjectRanges(const LinkerMap& map) {
  std::vector<ObjectRangeLite> ranges;
  absl::flat_hash_map<absl::string_view, size_t> last;  // object → index
  for (const MapInputSection& s : map.sections) {
    if (s.size == 0 || IsNonAllocated(s.output_section) ||
        IsPseudoObject(s.object)) {
      continue;
    }
    uint64_t end = s.address + s.size;
    auto it = last.find(s.object);
    if (it != last.end()) {
      ObjectRangeLite& r = ranges[it->second];
      if (s.address >= r.begin && s.address <= r.end) {
        r.end = std::max(r.end, end);
        continue;
      }
    }
    ranges.push_back({s.address, end, s.object});
    last[s.object] = ranges.size() - 1;
  }
  return ranges;
}

std::vector<SectionOverlap> OverlappingSections(const LinkerMap& map) {
  std::vector<SectionOverlap> out;
  const MapInputSection* reach = nullptr;  // the kept section ending last
  for (const MapInputSection& s : map.sections) {
    if (s.size == 0 || IsNonAllocated(s.output_section) ||
        IsPseudoObject(s.object)) {
      continue;
    }
    if (reach != nullptr && s.address < reach->address + reach->size &&
        s.object != reach->object) {
      out.push_back({reach, &s});
    }
    if (reach == nullptr ||
        s.address + s.size > reach->address + reach->size) {
      reach = &s;
    }
  }
  return out;
}

}  // namespace ksym
