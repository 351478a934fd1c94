#include "symbolizer/attribution/builtin_inference.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ksym {
namespace {

constexpr absl::string_view kInitcallPrefix = "__initcall__kmod_";

absl::string_view Dirname(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? absl::string_view()
                                          : path.substr(0, slash);
}

bool Under(absl::string_view path, absl::string_view dir) {
  return !dir.empty() && path.size() > dir.size() + 1 &&
         absl::StartsWith(path, dir) && path[dir.size()] == '/';
}

// What is known of one unit before the link-order rules run.
enum class Label : uint8_t {
  kUnknown,
  kMember,       // evidence for one inferred module (member_of)
  kOtherModule,  // an object of a module not inferred here
  kCore,         // evidence that it is in no module
  kConflict,     // evidence disagrees
};

struct UnitState {
  Label label = Label::kUnknown;
  int member_of = -1;  // index into the composite modules
  InferenceRule rule = InferenceRule::kNone;
  std::string evidence;  // "initcall says ext4", for conflict reports
};

struct Composite {
  std::string name;
  std::string dir;
  std::vector<uint32_t> anchors;  // unit positions, ascending
};

// The unit whose ranges hold `address` (smallest range first).
class UnitFinder {
 public:
  explicit UnitFinder(const std::vector<LinkedUnit>& units) {
    for (uint32_t u = 0; u < units.size(); ++u) {
      for (const auto& [b, e] : units[u].ranges) {
        if (b < e) ranges_.push_back({b, e, u});
      }
    }
    std::sort(ranges_.begin(), ranges_.end(),
              [](const R& a, const R& b) { return a.begin < b.begin; });
    max_len_ = 0;
    for (const R& r : ranges_) max_len_ = std::max(max_len_, r.end - r.begin);
  }

  std::optional<uint32_t> Find(uint64_t address) const {
    auto it = std::upper_bound(
        ranges_.begin(), ranges_.end(), address,
        [](uint64_t a, const R& r) { return a < r.begin; });
    std::optional<uint32_t> best;
    uint64_t best_len = ~uint64_t{0};
    while (it != ranges_.begin()) {
      --it;
      if (address - it->begin >= max_len_) break;
      if (address < it->end && it->end - it->begin < best_len) {
        best_len = it->end - it->begin;
        best = it->unit;
      }
    }
    return best;
  }

 private:
  struct R {
    uint64_t begin, end;
    uint32_t unit;
  };
  std::vector<R> ranges_;
  uint64_t max_len_ = 0;
};

}  // namespace

absl::string_view InferenceRuleName(InferenceRule rule) {
  switch (rule) {
    case InferenceRule::kNone: return "none";
    case InferenceRule::kInitcall: return "initcall";
    case InferenceRule::kDynamicDebug: return "dynamic debug";
    case InferenceRule::kBetweenMembers: return "between members";
    case InferenceRule::kDirectoryRun: return "directory run";
    case InferenceRule::kNameAffinity: return "name affinity";
  }
  return "unknown";
}

bool ParseInitcallName(absl::string_view symbol, std::string* modname,
                       std::string* function) {
  if (!absl::ConsumePrefix(&symbol, kInitcallPrefix)) return false;
  // MODNAME "__" COUNTER "_" LINE "_" FN LEVEL; MODNAME may hold '_'.
  for (size_t pos = symbol.find("__"); pos != absl::string_view::npos;
       pos = symbol.find("__", pos + 1)) {
    if (pos == 0) continue;
    absl::string_view rest = symbol.substr(pos + 2);
    size_t i = 0;
    auto digits = [&]() {
      size_t start = i;
      while (i < rest.size() && absl::ascii_isdigit(rest[i])) ++i;
      return i > start;
    };
    if (!digits() || i >= rest.size() || rest[i++] != '_') continue;
    if (!digits() || i >= rest.size() || rest[i++] != '_') continue;
    absl::string_view fn = rest.substr(i);
    if (!absl::ConsumeSuffix(&fn, "early") && !absl::ConsumeSuffix(&fn, "con") &&
        !absl::ConsumeSuffix(&fn, "rootfs")) {
      absl::ConsumeSuffix(&fn, "s");
      if (fn.empty() || !absl::ascii_isdigit(fn.back())) continue;
      fn.remove_suffix(1);
    }
    if (fn.empty()) continue;
    *modname = std::string(symbol.substr(0, pos));
    *function = std::string(fn);
    return true;
  }
  return false;
}

BuiltinInference InferBuiltinModules(const BuiltinInferenceInputs& in) {
  BuiltinInference out;
  const std::vector<LinkedUnit>& units = in.units;
  absl::flat_hash_map<absl::string_view, uint32_t> unit_of;
  for (uint32_t u = 0; u < units.size(); ++u) {
    unit_of.try_emplace(units[u].object_path, u);
  }

  // Modules already described exactly are not inferred.
  absl::flat_hash_set<absl::string_view> known_modules;
  for (const auto& [object, modules] : in.known_objects) {
    known_modules.insert(modules.begin(), modules.end());
  }

  std::vector<UnitState> state(units.size());
  for (uint32_t u = 0; u < units.size(); ++u) {
    auto it = in.known_objects.find(units[u].object_path);
    if (it != in.known_objects.end()) {
      state[u].label = it->second.empty() ? Label::kCore : Label::kOtherModule;
    }
  }

  // Composite modules: a module file that is not itself an object.
  std::vector<Composite> composites;
  absl::flat_hash_map<std::string, int> composite_of;
  absl::flat_hash_set<absl::string_view> seen;
  for (const auto& [module, file] : in.module_files) {
    if (!seen.insert(module).second) continue;
    auto single = unit_of.find(absl::StrCat(file, ".o"));
    if (single != unit_of.end()) {
      UnitState& s = state[single->second];
      if (s.label == Label::kUnknown) s.label = Label::kOtherModule;
      continue;
    }
    if (known_modules.contains(module)) continue;
    absl::string_view dir = Dirname(file);
    if (dir.empty()) continue;
    composite_of.emplace(module, static_cast<int>(composites.size()));
    composites.push_back({module, std::string(dir), {}});
  }
  out.composite_modules = composites.size();

  // Direct evidence: the object carries a KBUILD_MODNAME.
  auto evidence = [&](uint32_t u, absl::string_view modname,
                      InferenceRule rule) {
    UnitState& s = state[u];
    if (s.label == Label::kOtherModule || s.label == Label::kCore) {
      // Exact facts win; a disagreeing name is only reported.
      return;
    }
    const std::string& path = units[u].object_path;
    auto c = composite_of.find(modname);
    const bool member = c != composite_of.end() &&
                        Under(path, composites[c->second].dir);
    std::string what = absl::StrCat(InferenceRuleName(rule), " says ", modname);
    if (s.label == Label::kConflict) {
      absl::StrAppend(&s.evidence, ", ", what);
      return;
    }
    if (s.label == Label::kUnknown) {
      s.label = member ? Label::kMember : Label::kCore;
      s.member_of = member ? c->second : -1;
      s.rule = rule;
      s.evidence = what;
      return;
    }
    // kMember, or kCore from earlier evidence.
    const int now = member ? c->second : -1;
    if (now == s.member_of) return;  // agrees
    if (!member && s.label == Label::kCore) return;
    s.label = Label::kConflict;
    absl::StrAppend(&s.evidence, ", ", what);
  };

  // Evidence that names a module of no composite (its own basename, a
  // single-object module) is "not a member" (kCore above): for a member,
  // KBUILD_MODNAME is always the module's name.
  const UnitFinder finder(units);
  {
    absl::flat_hash_map<absl::string_view, std::optional<uint64_t>> address_of;
    std::vector<std::pair<std::string, std::string>> calls;
    for (const NamedAddress& s : in.symbols) {
      std::string modname, fn;
      if (ParseInitcallName(s.name, &modname, &fn)) {
        calls.emplace_back(std::move(modname), std::move(fn));
      }
    }
    absl::flat_hash_set<std::string> wanted;
    for (const auto& [m, fn] : calls) wanted.insert(fn);
    for (const NamedAddress& s : in.symbols) {
      if (!wanted.contains(s.name)) continue;
      auto [it, inserted] = address_of.try_emplace(s.name, s.address);
      if (!inserted && it->second != s.address) it->second.reset();
    }
    for (const auto& [modname, fn] : calls) {
      auto it = address_of.find(fn);
      // A function name defined twice cannot say which object it is.
      if (it == address_of.end() || !it->second) continue;
      std::optional<uint32_t> u = finder.Find(*it->second);
      if (u) evidence(*u, modname, InferenceRule::kInitcall);
    }
  }
  for (const DyndbgSite& d : in.dyndbg) {
    absl::string_view file = d.filename;
    // __FILE__ of a header names the header, not the object.
    if (!absl::ConsumeSuffix(&file, ".c")) continue;
    auto it = unit_of.find(absl::StrCat(file, ".o"));
    if (it != unit_of.end()) {
      evidence(it->second, d.modname, InferenceRule::kDynamicDebug);
    }
  }

  for (uint32_t u = 0; u < units.size(); ++u) {
    if (state[u].label == Label::kMember) {
      composites[state[u].member_of].anchors.push_back(u);
    } else if (state[u].label == Label::kConflict) {
      out.conflicts.push_back(
          absl::StrCat(units[u].object_path, ": ", state[u].evidence));
    }
  }

  // A directory with a module that has no evidence at all: its members may
  // be any unknown object there, so nobody extends into it.
  auto dirs_overlap = [](absl::string_view a, absl::string_view b) {
    return a == b || Under(a, b) || Under(b, a);
  };
  std::vector<bool> blind(composites.size(), false);
  for (size_t m = 0; m < composites.size(); ++m) {
    for (size_t o = 0; o < composites.size(); ++o) {
      if (o != m && composites[o].anchors.empty() &&
          dirs_overlap(composites[m].dir, composites[o].dir)) {
        blind[m] = true;
      }
    }
  }

  // Claims by the link-order rules: unit → (module, rule); every module
  // that claims a unit is kept, to settle or report conflicts.
  std::vector<int> claim(units.size(), -1);
  std::vector<InferenceRule> claim_rule(units.size(), InferenceRule::kNone);
  std::vector<std::vector<int>> claimers(units.size());
  auto add_claim = [&](uint32_t u, int m, InferenceRule rule) {
    std::vector<int>& who = claimers[u];
    if (std::find(who.begin(), who.end(), m) == who.end()) who.push_back(m);
    if (claim[u] == -1) {
      claim[u] = m;
      claim_rule[u] = rule;
    } else if (claim[u] != m) {
      claim[u] = -2;
    }
  };
  for (size_t m = 0; m < composites.size(); ++m) {
    const Composite& c = composites[m];
    const std::vector<uint32_t>& a = c.anchors;
    auto open = [&](uint32_t u) {
      return Under(units[u].object_path, c.dir) &&
             state[u].label == Label::kUnknown;
    };
    if (a.empty()) {
      // No evidence at all: only a directory that holds nothing else, in
      // one run, is taken whole (no other module's directory is it or
      // below it).
      bool alone = true;
      for (size_t o = 0; o < composites.size() && alone; ++o) {
        const std::string& d = composites[o].dir;
        alone = o == m || !(d == c.dir || Under(d, c.dir));
      }
      int64_t first = -1, last = -1, count = 0;
      for (uint32_t u = 0; u < units.size() && alone; ++u) {
        if (!Under(units[u].object_path, c.dir)) continue;
        alone = state[u].label == Label::kUnknown;
        if (first < 0) first = u;
        last = u;
        ++count;
      }
      if (!alone || count == 0 || last - first + 1 != count) continue;
      for (int64_t u = first; u <= last; ++u) {
        add_claim(static_cast<uint32_t>(u), static_cast<int>(m),
                  InferenceRule::kDirectoryRun);
      }
      continue;
    }
    for (size_t k = 0; k + 1 < a.size(); ++k) {
      bool clean = true;
      for (uint32_t u = a[k] + 1; u < a[k + 1] && clean; ++u) clean = open(u);
      if (!clean) continue;
      for (uint32_t u = a[k] + 1; u < a[k + 1]; ++u) {
        add_claim(u, static_cast<int>(m), InferenceRule::kBetweenMembers);
      }
    }
    if (blind[m]) continue;
    // A run may end where the directory's objects end or at an object of
    // another module; ending at a core object leaves the boundary unknown.
    auto stop_ok = [&](int64_t u) {
      if (u < 0 || u >= static_cast<int64_t>(units.size())) return true;
      if (!Under(units[u].object_path, c.dir)) return true;
      const UnitState& s = state[u];
      return s.label == Label::kOtherModule ||
             (s.label == Label::kMember && s.member_of != static_cast<int>(m));
    };
    int64_t lo = static_cast<int64_t>(a.front()) - 1;
    while (lo >= 0 && open(static_cast<uint32_t>(lo))) --lo;
    if (stop_ok(lo)) {
      for (int64_t u = lo + 1; u < a.front(); ++u) {
        add_claim(static_cast<uint32_t>(u), static_cast<int>(m),
                  InferenceRule::kDirectoryRun);
      }
    }
    int64_t hi = static_cast<int64_t>(a.back()) + 1;
    while (hi < static_cast<int64_t>(units.size()) &&
           open(static_cast<uint32_t>(hi))) {
      ++hi;
    }
    if (stop_ok(hi)) {
      for (int64_t u = a.back() + 1; u < hi; ++u) {
        add_claim(static_cast<uint32_t>(u), static_cast<int>(m),
                  InferenceRule::kDirectoryRun);
      }
    }
  }

  // Two runs that meet claim the objects between them. The kernel's naming
  // habit settles it only when one module's name words (>= 3 letters) name
  // most of the object's functions and the other's name none:
  // uncore_snb.o's snb_uncore_* between intel_uncore and intel_cstate.
  {
    std::vector<std::vector<absl::string_view>> names(units.size());
    bool any = false;
    for (uint32_t u = 0; u < units.size(); ++u) any |= claim[u] == -2;
    if (any) {
      for (const NamedAddress& sym : in.symbols) {
        if (absl::StartsWith(sym.name, "__initcall")) continue;
        std::optional<uint32_t> u = finder.Find(sym.address);
        if (u && claim[*u] == -2) names[*u].push_back(sym.name);
      }
    }
    for (uint32_t u = 0; u < units.size(); ++u) {
      if (claim[u] != -2 || names[u].empty()) continue;
      std::vector<size_t> exclusive(claimers[u].size(), 0);
      for (absl::string_view name : names[u]) {
        std::vector<absl::string_view> words =
            absl::StrSplit(name, absl::ByAnyChar("_."), absl::SkipEmpty());
        int only = -1;
        size_t matching = 0;
        for (size_t k = 0; k < claimers[u].size(); ++k) {
          bool match = false;
          for (absl::string_view t :
               absl::StrSplit(composites[claimers[u][k]].name, '_')) {
            if (t.size() < 3) continue;
            match |= std::find(words.begin(), words.end(), t) != words.end();
          }
          if (match) {
            ++matching;
            only = static_cast<int>(k);
          }
        }
        if (matching == 1) ++exclusive[only];
      }
      int winner = -1;
      for (size_t k = 0; k < exclusive.size(); ++k) {
        if (exclusive[k] == 0) continue;
        winner = winner == -1 && exclusive[k] * 2 > names[u].size()
                     ? static_cast<int>(k)
                     : -2;
      }
      if (winner >= 0) {
        claim[u] = claimers[u][winner];
        claim_rule[u] = InferenceRule::kNameAffinity;
      }
    }
  }

  std::vector<bool> found(composites.size(), false);
  for (uint32_t u = 0; u < units.size(); ++u) {
    const UnitState& s = state[u];
    if (s.label == Label::kMember) {
      out.objects.push_back(
          {units[u].object_path, composites[s.member_of].name, s.rule});
      found[s.member_of] = true;
    } else if (claim[u] >= 0) {
      out.objects.push_back(
          {units[u].object_path, composites[claim[u]].name, claim_rule[u]});
      found[claim[u]] = true;
    } else if (claim[u] == -2) {
      std::vector<absl::string_view> who;
      for (int m : claimers[u]) who.push_back(composites[m].name);
      out.conflicts.push_back(absl::StrCat(units[u].object_path,
                                           ": claimed by ",
                                           absl::StrJoin(who, " and ")));
    }
  }
  for (size_t m = 0; m < composites.size(); ++m) {
    if (!found[m]) out.modules_without_objects.push_back(composites[m].name);
  }
  std::sort(out.modules_without_objects.begin(),
            out.modules_without_objects.end());
  return out;
}

}  // namespace ksym
