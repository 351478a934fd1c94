// lld -Map files: ParseLldMap (linker_map.h).
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

}  // namespace

namespace linkmap {
bool IsLldHeader(absl::string_view line) { return LldNumberColumns(line) != 0; }
}  // namespace linkmap

namespace {

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

}  // namespace

absl::StatusOr<LinkerMap> ParseLldMap(absl::string_view text,
                                      absl::string_view filename) {
  return ParseLld(text, filename);
}

}  // namespace ksym
