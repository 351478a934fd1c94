#include "symbolizer/disambiguation/disambiguate.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/names/qualified_name.h"
#include "absl/strings/string_view.h"

namespace ksym {
namespace {

uint32_t ObjectOf(const Catalog& catalog, const Symbol& symbol) {
  return symbol.object < catalog.objects.size() ? symbol.object : kNoObject;
}

absl::string_view AnnotationOf(const Catalog& catalog, const Symbol& symbol) {
  uint32_t object = ObjectOf(catalog, symbol);
  if (object == kNoObject) return {};
  return catalog.objects[object].Annotation(NameKindOf(symbol.type));
}

// The last `components` components of `path`, or all of it.
absl::string_view PathSuffix(absl::string_view path, size_t components) {
  size_t start = path.size();
  for (size_t i = 0; i < components; ++i) {
    if (start == 0) return path;
    size_t slash = path.rfind('/', start - 1);
    if (slash == absl::string_view::npos) return path;
    if (i + 1 == components) return path.substr(slash + 1);
    start = slash;
  }
  return path;
}

// For each object of one colliding group, the number of trailing path
// components it needs so that its suffix is not a suffix of any other
// object's path: one more than the longest component-wise common suffix it
// shares with another object, which (as with LCPs of sorted strings) is
// found next to it once the objects are sorted by reversed components.
void RequireComponents(const Catalog& catalog,
                       const std::vector<uint32_t>& objects,
                       std::vector<uint32_t>& required) {
  struct Entry {
    uint32_t object;
    std::vector<absl::string_view> reversed;
  };
  std::vector<Entry> entries;
  entries.reserve(objects.size());
  for (uint32_t object : objects) {
    Entry e{object, absl::StrSplit(catalog.objects[object].path, '/')};
    std::reverse(e.reversed.begin(), e.reversed.end());
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.reversed, a.object) < std::tie(b.reversed, b.object);
  });
  auto common = [](const Entry& a, const Entry& b) {
    size_t n = std::min(a.reversed.size(), b.reversed.size());
    size_t i = 0;
    while (i < n && a.reversed[i] == b.reversed[i]) ++i;
    return i;
  };
  std::vector<size_t> longest(entries.size(), 0);
  for (size_t i = 1; i < entries.size(); ++i) {
    size_t c = common(entries[i - 1], entries[i]);
    longest[i - 1] = std::max(longest[i - 1], c);
    longest[i] = std::max(longest[i], c);
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    size_t need = std::min(longest[i] + 1, entries[i].reversed.size());
    uint32_t& r = required[entries[i].object];
    r = std::max<uint32_t>(r, need);
  }
}

std::string AmbiguityReason(const Catalog& catalog,
                            const std::vector<uint32_t>& run) {
  for (uint32_t i : run) {
    if (ObjectOf(catalog, catalog.symbols[i]) == kNoObject) {
      return "no object attribution";
    }
  }
  uint32_t object = catalog.symbols[run.front()].object;
  for (uint32_t i : run) {
    if (catalog.symbols[i].object != object) {
      std::string reason = "different objects annotated";
      AppendQualifiers(std::vector<std::string>{},
                       AnnotationOf(catalog, catalog.symbols[run.front()]),
                       &reason);
      return reason;
    }
  }
  return absl::StrCat("same object ", catalog.objects[object].path,
                      " (pre-linked with ld -r?)");
}

// The rules for the symbols of one NameKind: fills that kind's annotations
// and adds its counts and ambiguous names to the report.
void DisambiguateKind(Catalog& catalog, NameKind kind,
                      DisambiguationReport& report) {
  for (ObjectFile& object : catalog.objects) object.Annotation(kind).clear();
  const std::vector<Symbol>& symbols = catalog.symbols;
  DisambiguationReport::Counts& counts =
      kind == NameKind::kText ? report.text : report.data;

  // One hash lookup per text symbol; only repeated names get a group.
  struct Seen {
    uint32_t first;
    uint32_t group;
  };
  constexpr uint32_t kNoGroup = 0xffffffffu;
  absl::flat_hash_map<absl::string_view, Seen> seen;
  seen.reserve(symbols.size());
  std::vector<std::vector<uint32_t>> groups;
  for (uint32_t i = 0; i < symbols.size(); ++i) {
    if (NameKindOf(symbols[i].type) != kind) continue;
    auto [it, inserted] = seen.try_emplace(symbols[i].name, Seen{i, kNoGroup});
    if (inserted) continue;
    if (it->second.group == kNoGroup) {
      it->second.group = groups.size();
      groups.push_back({it->second.first});
    }
    groups[it->second.group].push_back(i);
  }
  // A __pfx_ padding symbol repeats exactly when its function does, and
  // shares its object: it is disambiguated with it, not counted again.
  auto padding = [&](const std::vector<uint32_t>& group) {
    return IsPaddingSymbol(symbols[group[0]].name);
  };
  for (const std::vector<uint32_t>& group : groups) {
    counts.duplicate_names_before += !padding(group);
  }

  auto key = [&](uint32_t i) {
    const Symbol& s = symbols[i];
    return std::make_tuple(s.module_set, ObjectOf(catalog, s), s.address, i);
  };
  // Runs of one (name, module set) with more than one symbol.
  std::vector<std::pair<std::vector<uint32_t>*, std::pair<size_t, size_t>>>
      colliding;
  std::vector<uint32_t> required(catalog.objects.size(), 0);
  std::vector<uint32_t> objects;
  for (std::vector<uint32_t>& group : groups) {
    std::sort(group.begin(), group.end(),
              [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
    for (size_t begin = 0, end; begin < group.size(); begin = end) {
      end = begin + 1;
      while (end < group.size() && symbols[group[end]].module_set ==
                                       symbols[group[begin]].module_set) {
        ++end;
      }
      if (end - begin < 2) continue;
      counts.duplicate_names_after_modules += !padding(group);
      colliding.push_back({&group, {begin, end}});
      objects.clear();
      bool unattributed = false;
      for (size_t k = begin; k < end; ++k) {
        uint32_t object = ObjectOf(catalog, symbols[group[k]]);
        if (object == kNoObject) {
          unattributed = true;
        } else if (objects.empty() || objects.back() != object) {
          objects.push_back(object);  // sorted by object within the run
        }
      }
      if (objects.size() + (unattributed ? 1 : 0) < 2) continue;
      RequireComponents(catalog, objects, required);
    }
  }

  for (uint32_t object = 0; object < catalog.objects.size(); ++object) {
    if (required[object] == 0) continue;
    ObjectFile& file = catalog.objects[object];
    file.Annotation(kind) =
        std::string(PathSuffix(file.path, required[object]));
    ++counts.annotated_objects;
  }

  // Uniqueness check. Names hold no whitespace, so only symbols of one
  // (name, module set) run can share a qualified name.
  std::vector<uint32_t> run;
  for (const auto& [group, range] : colliding) {
    std::vector<uint32_t> members(group->begin() + range.first,
                                  group->begin() + range.second);
    std::sort(members.begin(), members.end(), [&](uint32_t a, uint32_t b) {
      return std::make_tuple(AnnotationOf(catalog, symbols[a]), key(a)) <
             std::make_tuple(AnnotationOf(catalog, symbols[b]), key(b));
    });
    for (size_t begin = 0, end; begin < members.size(); begin = end) {
      absl::string_view annotation =
          AnnotationOf(catalog, symbols[members[begin]]);
      end = begin + 1;
      while (end < members.size() &&
             AnnotationOf(catalog, symbols[members[end]]) == annotation) {
        ++end;
      }
      if (end - begin < 2) continue;
      run.assign(members.begin() + begin, members.begin() + end);
      AmbiguousName name;
      name.kind = kind;
      name.qualified = QualifiedName(catalog, symbols[run.front()]);
      for (uint32_t i : run) name.addresses.push_back(symbols[i].address);
      std::sort(name.addresses.begin(), name.addresses.end());
      name.reason = AmbiguityReason(catalog, run);
      report.ambiguous.push_back(std::move(name));
    }
  }
}

}  // namespace

DisambiguationReport Disambiguate(Catalog& catalog) {
  DisambiguationReport report;
  DisambiguateKind(catalog, NameKind::kText, report);
  DisambiguateKind(catalog, NameKind::kData, report);
  report.duplicate_names_before = report.text.duplicate_names_before;
  report.duplicate_names_after_modules =
      report.text.duplicate_names_after_modules;
  report.annotated_objects = report.text.annotated_objects;
  std::sort(report.ambiguous.begin(), report.ambiguous.end(),
            [](const AmbiguousName& a, const AmbiguousName& b) {
              return std::tie(a.qualified, a.kind, a.addresses) <
                     std::tie(b.qualified, b.kind, b.addresses);
            });
  return report;
}

std::string KallmodsymsSuffix(const Catalog& catalog, const Symbol& symbol) {
  std::string out;
  QualifierWriter<StringAppender> w(StringAppender{&out}, "\t");
  // Every symbol shows its modules (the naming rule of catalog.h: text
  // and data alike) and its object's annotation for its kind.
  if (symbol.module_set < catalog.module_sets.size()) {
    w.Modules(catalog.module_sets[symbol.module_set]);
  }
  w.Object(AnnotationOf(catalog, symbol));
  return out;
}

std::string QualifiedName(const Catalog& catalog, const Symbol& symbol) {
  std::string out = KallmodsymsSuffix(catalog, symbol);
  if (!out.empty()) out[0] = ' ';
  return absl::StrCat(symbol.name, out);
}

}  // namespace ksym
