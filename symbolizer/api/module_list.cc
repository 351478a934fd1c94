#include "symbolizer/api/module_list.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/names/printable.h"

namespace ksym {
namespace {

std::string Hex(uint64_t v) { return absl::StrFormat("0x%016x", v); }

}  // namespace

std::vector<ModuleListing> ListModules(const IndexReader& index) {
  std::vector<ModuleListing> out;
  out.reserve(index.module_count());
  for (uint32_t k = 0; k < index.module_count(); ++k) {
    const IndexReader::Module m = index.ModuleAt(k);
    ModuleListing l;
    l.name = std::string(m.name);
    l.base = m.base;
    l.size = m.size;
    l.range_inferred = m.range_inferred;
    l.build_id = std::string(m.build_id);
    l.symbols_from_ko = m.symbols_from_ko;
    l.debug_read = m.debug_read;
    for (uint32_t j = m.first_section; j < m.first_section + m.section_count;
         ++j) {
      const auto [name, address] = index.ModuleSectionAt(j);
      l.sections.emplace_back(std::string(name), address);
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::string ModuleSymbolsFrom(const ModuleListing& m) {
  if (!m.symbols_from_ko) return "symbols from kallsyms only";
  return m.debug_read ? "symbols from .ko with debug data"
                      : "symbols from .ko, no debug data";
}

std::string ModuleLine(const ModuleListing& m) {
  return absl::StrCat(
      EscapeUnprintable(m.name), " ", Hex(m.base), "-", Hex(m.base + m.size),
      m.range_inferred ? " (range inferred from its symbols)" : "",
      " build-id ",
      m.build_id.empty() ? "(unknown)" : EscapeUnprintable(m.build_id), " ",
      ModuleSymbolsFrom(m), ", ", m.sections.size(),
      m.sections.size() == 1 ? " section" : " sections");
}

std::vector<std::string> ModuleSectionLines(const ModuleListing& m) {
  std::vector<std::string> lines;
  for (const auto& [name, address] : m.sections) {
    lines.push_back(absl::StrCat("  ", EscapeUnprintable(name), " ",
                                 Hex(address)));
  }
  return lines;
}

std::string ModuleJson(const ModuleListing& m) {
  std::string sections = "[";
  for (const auto& [name, address] : m.sections) {
    if (sections.size() > 1) sections += ",";
    sections += JsonLine().Field("name", name).Field("address", Hex(address))
                    .Finish();
  }
  sections += "]";
  JsonLine j;
  j.Field("name", m.name)
      .Field("base", Hex(m.base))
      .Field("size", m.size)
      .Field("end", Hex(m.base + m.size))
      .Bool("range_inferred", m.range_inferred);
  if (m.build_id.empty()) {
    j.Null("build_id");
  } else {
    j.Field("build_id", m.build_id);
  }
  j.Bool("symbols_from_ko", m.symbols_from_ko)
      .Bool("debug_read", m.debug_read)
      .Field("symbols_from", ModuleSymbolsFrom(m))
      .Raw("sections", sections);
  return j.Finish();
}

std::string NoModulesText(const IndexReader& index) {
  if (index.address_space() == AddressSpace::kStatic) {
    return "no loadable modules: a static index holds the kernel image's "
           "link-time addresses only";
  }
  for (uint32_t set = 0; set < index.module_set_count(); ++set) {
    if (index.ModuleSetLoadable(set)) {
      return "no loadable modules listed, but the index has module symbols: "
             "it was built before ksym recorded modules (rebuild it)";
    }
  }
  return "no loadable modules: the kernel had none loaded";
}

}  // namespace ksym
