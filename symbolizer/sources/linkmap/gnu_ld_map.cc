// GNU ld -Map files: ParseGnuLdMap (linker_map.h).
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
#include "symbolizer/sources/linkmap/map_text.h"

namespace ksym {
namespace {

using namespace linkmap;  // NOLINT: this file is one of linkmap's parts

// GNU ld pads section names to this column (SECTION_NAME_MAP_LENGTH in
// ld/ldlang.c); a name of 14 or more characters gets a line of its own.
constexpr size_t kNameColumn = 16;
constexpr size_t kLongestInlineName = 13;

constexpr absl::string_view kGnuShape =
    "(expected SECTION 0xADDRESS 0xSIZE OBJECT)";

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

}  // namespace

absl::StatusOr<LinkerMap> ParseGnuLdMap(absl::string_view text,
                                        absl::string_view filename) {
  return GnuParser(text, filename).Parse();
}

}  // namespace ksym
