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

using linkmap::HasDotComponent;
using linkmap::IsLldHeader;
using linkmap::kGnuMemoryMap;
using linkmap::LineReader;
using linkmap::SortByAddress;

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

absl::StatusOr<LinkerMap> ParseLinkerMap(absl::string_view text,
                                         absl::string_view filename) {
  LineReader reader(text);
  absl::string_view line;
  while (reader.Next(&line)) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (IsLldHeader(line)) return ParseLldMap(text, filename);
    break;
  }
  LineReader gnu(text);
  while (gnu.Next(&line)) {
    if (line == kGnuMemoryMap) return ParseGnuLdMap(text, filename);
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
