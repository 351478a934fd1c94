#include "symbolizer/sources/loaded_modules.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

absl::Status LineError(absl::string_view filename, size_t line,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(filename, ":", line, ": ", what));
}

}  // namespace

absl::StatusOr<std::vector<LoadedModule>> ParseProcModules(
    absl::string_view text, absl::string_view filename) {
  std::vector<LoadedModule> out;
  size_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 6) {
      return LineError(filename, line_no,
                       absl::StrCat("expected `NAME SIZE REFS USERS STATE "
                                    "0xADDRESS`, got \"",
                                    line.substr(0, 200), "\""));
    }
    LoadedModule m;
    m.name = std::string(f[0]);
    if (!absl::SimpleAtoi(f[1], &m.size)) {
      return LineError(filename, line_no,
                       absl::StrCat("size \"", f[1], "\" is not a number"));
    }
    m.state = std::string(f[4]);
    if (!ParsePrefixedHex(f[5], &m.address)) {
      return LineError(filename, line_no,
                       absl::StrCat("address \"", f[5].substr(0, 40),
                                    "\" is not 0x followed by hex digits"));
    }
    out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<uint64_t> ParseSectionAddress(absl::string_view text,
                                             absl::string_view filename) {
  absl::string_view t = text;
  absl::ConsumeSuffix(&t, "\n");
  uint64_t address = 0;
  if (!ParsePrefixedHex(t, &address)) {
    return LineError(filename, 1,
                     absl::StrCat("expected 0x followed by hex digits, got \"",
                                  t.substr(0, 40), "\""));
  }
  return address;
}

std::string ModuleNameOfFile(absl::string_view path) {
  return IsModuleFileName(path) ? ModuleNameOfPath(path) : "";
}

absl::StatusOr<std::vector<ModuleFile>> ParseModulesDep(
    absl::string_view text, absl::string_view filename) {
  std::vector<ModuleFile> out;
  size_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) {
      return LineError(filename, line_no,
                       absl::StrCat("expected `PATH: DEPENDENCIES`, got \"",
                                    line.substr(0, 200), "\""));
    }
    absl::string_view path = line.substr(0, colon);
    std::string name = ModuleNameOfFile(path);
    if (name.empty()) {
      return LineError(filename, line_no,
                       absl::StrCat("\"", path.substr(0, 200),
                                    "\" is not a .ko file"));
    }
    out.push_back({std::move(name), std::string(path)});
  }
  return out;
}

}  // namespace ksym
