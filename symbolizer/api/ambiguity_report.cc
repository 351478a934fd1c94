#include "symbolizer/api/ambiguity_report.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/format.h"
#include "symbolizer/names/printable.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/query/ambiguity.h"

namespace ksym {
namespace {

std::string ModuleKind(const Symbolizer& s, const SymbolInfo& sym) {
  if (sym.module_set == kNoModules) return "core kernel";
  return s.index().ModuleSetLoadable(sym.module_set)
             ? "loadable module (from kallsyms)"
             : "built-in module (modules.builtin*, kbuild .cmd files)";
}

std::string ModuleList(const Symbolizer& s, const SymbolInfo& sym) {
  const IndexReader& r = s.index();
  std::string out;
  QualifierWriter<StringAppender> w(StringAppender{&out}, "");
  for (size_t j = 0; j < r.ModuleSetSize(sym.module_set); ++j) {
    w.Module(r.ModuleName(sym.module_set, j));
  }
  return out.empty() ? "none" : out;
}

std::vector<AmbiguousGroup> GroupsOf(const Symbolizer& s,
                                     const std::vector<uint32_t>& indices) {
  std::map<std::pair<std::string, NameKind>, AmbiguousGroup> by_name;
  for (uint32_t i : indices) {
    SymbolInfo sym = s.Symbol(i);
    AmbiguousGroup& g =
        by_name[{s.QualifiedName(sym), NameKindOf(sym.type)}];
    g.symbols.push_back(sym);
  }
  std::vector<AmbiguousGroup> out;
  for (auto& [key, g] : by_name) {
    g.qualified = key.first;
    g.kind = key.second;
    if (g.symbols.size() >= 2) {
      out.push_back(g);  // copied: a data entry below may still read it
      ExplainGroup(s, &out.back());
      continue;
    }
    // A data symbol alone of its kind, printed as a function of its name
    // is: the name selects the function (text over data), the data symbol
    // only by address.
    if (key.second != NameKind::kData) continue;
    auto text = by_name.find({key.first, NameKind::kText});
    if (text == by_name.end()) continue;
    AmbiguousGroup cross = g;
    for (const SymbolInfo& t : text->second.symbols) cross.symbols.push_back(t);
    std::sort(cross.symbols.begin(), cross.symbols.end(),
              [](const SymbolInfo& a, const SymbolInfo& b) {
                return a.address < b.address;
              });
    cross.reason = absl::StrCat(
        "a data symbol prints as ", text->second.symbols.size(),
        " function(s) of its name do, and the name selects the function");
    cross.remedy = "select the data symbol by address (@0xADDR)";
    out.push_back(std::move(cross));
  }
  return out;
}

}  // namespace

void ExplainGroup(const Symbolizer& s, AmbiguousGroup* g) {
  const IndexReader& r = s.index();
  size_t no_object = 0, loadable = 0;
  absl::flat_hash_set<uint32_t> objects;
  for (const SymbolInfo& sym : g->symbols) {
    if (sym.object == format::kNoObjectId) {
      ++no_object;
    } else {
      objects.insert(sym.object);
    }
    if (sym.module_set != kNoModules && r.ModuleSetLoadable(sym.module_set)) {
      ++loadable;
    }
  }
  const size_t n = g->symbols.size();
  if (no_object > 0) {
    if (loadable == n) {
      g->reason = absl::StrCat(n, " symbols of one loadable module without "
                                  "object files (no debug .ko was read "
                                  "for it)");
      g->remedy = "install the module's debug .ko (Debian/Ubuntu -dbg or "
                  "-dbgsym, Fedora kernel-debuginfo) and rebuild on the live "
                  "system (or with --root); else select one by address "
                  "(@0xADDR)";
    } else if (r.object_count() == 0) {
      g->reason = absl::StrCat(
          "the index has no object files at all (built from kallsyms or "
          "System.map alone): ", n, " symbols share the name");
      g->remedy = "build with --vmlinux (DWARF) or --linker-map/--build-dir "
                  "to name each one's object file";
    } else if (g->kind == NameKind::kData) {
      g->reason = absl::StrCat(no_object, " of ", n,
                               " have no object file: no linker map section, "
                               "DWARF variable or STT_FILE group places them");
      g->remedy = "a linker map (--linker-map vmlinux.map, or --build-dir) "
                  "covers every input section; else select by address "
                  "(@0xADDR)";
    } else {
      g->reason = absl::StrCat(no_object, " of ", n,
                               " have no object file: no DWARF compile unit "
                               "or linker map range covers them");
      g->remedy = "a linker map (--linker-map vmlinux.map, or --build-dir) "
                  "covers every input section; else select by address "
                  "(@0xADDR)";
    }
  } else if (objects.size() == 1) {
    g->reason = absl::StrCat(
        "all ", n, " are in one object file, ",
        r.ObjectPath(*objects.begin()),
        " (pre-linked with ld -r, or the same static name twice in one "
        "file): nothing in the build output tells them apart");
    g->remedy = "select one by address (@0xADDR)";
  } else {
    g->reason = absl::StrCat(n, " symbols in ", objects.size(),
                             " object files whose paths the annotation does "
                             "not separate");
    g->remedy = "rebuild the index with this version of ksym; meanwhile "
                "select by address (@0xADDR)";
  }
}

std::vector<AmbiguousGroup> AmbiguousGroups(const Symbolizer& s) {
  // Names first (cheap), then only the repeated ones grouped.
  const IndexReader& r = s.index();
  absl::flat_hash_map<std::string, std::vector<uint32_t>> by_name;
  char buf[IndexReader::kMaxNameLength];
  for (uint64_t i = 0; i < r.symbol_count(); ++i) {
    const uint32_t k = static_cast<uint32_t>(i);
    by_name[std::string(buf, r.Name(k, buf, sizeof(buf)))].push_back(k);
  }
  std::vector<AmbiguousGroup> out;
  for (const auto& [name, indices] : by_name) {
    if (indices.size() < 2) continue;
    for (AmbiguousGroup& g : GroupsOf(s, indices)) out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(),
            [](const AmbiguousGroup& a, const AmbiguousGroup& b) {
              return std::tie(a.qualified, a.kind) <
                     std::tie(b.qualified, b.kind);
            });
  return out;
}

std::string WhyText(const Symbolizer& s, absl::string_view name) {
  std::vector<uint32_t> indices;
  s.index().ForEachNamed(name, [&](uint32_t i) { indices.push_back(i); });
  if (indices.empty()) return "";
  // Names, modules and object paths come from the index's inputs: each is
  // escaped (names/printable.h), so none drives a terminal or splits a line.
  std::string out = absl::StrCat(EscapeUnprintable(name), ": ", indices.size(),
                                 " symbol", indices.size() == 1 ? "" : "s", "\n");
  for (uint32_t i : indices) {
    const SymbolInfo sym = s.Symbol(i);
    const NameAmbiguity a = Ambiguity(s, sym);
    absl::string_view obj = s.index().ObjectPath(sym.object);
    absl::StrAppend(
        &out, "  0x", absl::Hex(sym.address, absl::kZeroPad16), " ",
        EscapeUnprintable(std::string(1, sym.type)), " size 0x",
        absl::Hex(sym.size),
        sym.size_exact ? " (ELF)" : " (to the next symbol)",
        sym.size_exact && s.KernelLength(sym) != sym.size
            ? absl::StrCat(", frames print /0x", absl::Hex(s.KernelLength(sym)),
                           " (to the next symbol)")
            : "",
        "\n",
        "    modules: ", EscapeUnprintable(ModuleList(s, sym)), ", ",
        ModuleKind(s, sym), "\n",
        "    object:  ", obj.empty() ? "none" : EscapeUnprintable(obj), "\n",
        "    select:  ", EscapeUnprintable(a.query),
        a.unique ? "" : "   (its qualified name is shared)", "\n");
  }
  for (const AmbiguousGroup& g : GroupsOf(s, indices)) {
    absl::StrAppend(&out, "still ambiguous: ", EscapeUnprintable(g.qualified),
                    " (", g.symbols.size(), " symbols): ",
                    EscapeUnprintable(g.reason), "\n",
                    "  what would separate them: ", g.remedy, "\n");
  }
  return out;
}

std::string WhyName(const Symbolizer& s, absl::string_view query) {
  bool named = false;
  s.index().ForEachNamed(query, [&](uint32_t) { named = true; });
  if (named) return std::string(query);
  absl::StatusOr<std::vector<Candidate>> c = s.Resolve(query);
  if (!c.ok() || c->empty()) return "";
  return std::string((*c)[0].symbol.name());
}

std::string WhyJson(const Symbolizer& s, absl::string_view name) {
  std::vector<uint32_t> indices;
  s.index().ForEachNamed(name, [&](uint32_t i) { indices.push_back(i); });
  std::string syms = "[", groups = "[";
  for (uint32_t i : indices) {
    const SymbolInfo sym = s.Symbol(i);
    JsonLine j;
    AddSymbolFields(s, sym, j);
    j.Field("module_kind", ModuleKind(s, sym));
    if (syms.size() > 1) syms.push_back(',');
    syms += j.Finish();
  }
  for (const AmbiguousGroup& g : GroupsOf(s, indices)) {
    JsonLine j;
    j.Field("qualified", g.qualified)
        .Field("symbols", g.symbols.size())
        .Field("reason", g.reason)
        .Field("remedy", g.remedy);
    if (groups.size() > 1) groups.push_back(',');
    groups += j.Finish();
  }
  syms.push_back(']');
  groups.push_back(']');
  JsonLine j;
  j.Field("name", name).Raw("symbols", syms).Raw("ambiguous", groups);
  return j.Finish();
}

}  // namespace ksym
