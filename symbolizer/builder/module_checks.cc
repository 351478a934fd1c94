#include "symbolizer/builder/module_checks.h"

#include "absl/strings/str_cat.h"
#include "symbolizer/builder/module_symbols.h"
#include "symbolizer/names/printable.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

// UTF-8 without C0, DEL or C1 controls: what a path written by a compiler
// is. ('\' is allowed: IsPrintable would refuse it, a path may hold it.)
bool IsText(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c < 0x20 || c == 0x7f)) return false;
    if (n == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      return false;  // U+0080..U+009F
    }
    i += n;
  }
  return true;
}

}  // namespace

std::string ModuleSymbolsProblem(const ElfSymbolTable& symtab) {
  for (const ElfSymbol& s : symtab.symbols) {
    if (!Placeable(s)) continue;
    if (s.size <= s.section_size && s.value <= s.section_size - s.size) {
      continue;
    }
    return absl::StrCat("symbol ", QuoteBounded(s.name, kMaxEchoed),
                        " has size 0x", absl::Hex(s.size), " at 0x",
                        absl::Hex(s.value), " in section ",
                        QuoteBounded(s.section_name, kMaxEchoed), ", which is 0x",
                        absl::Hex(s.section_size), " bytes");
  }
  return "";
}

std::string ModuleUnitsProblem(const DwarfUnits& units) {
  for (const DwarfUnit& u : units.units) {
    for (const auto& [attribute, value] :
         {std::pair<const char*, const std::string*>{"DW_AT_name", &u.name},
          {"DW_AT_comp_dir", &u.comp_dir}}) {
      if (IsText(*value)) continue;
      return absl::StrCat("compile unit at 0x", absl::Hex(u.offset), " has ",
                          attribute, " \"", QuoteBounded(*value, 40),
                          "\", not text (damaged .debug_str or "
                          ".debug_line_str?)");
    }
  }
  return "";
}

}  // namespace ksym
