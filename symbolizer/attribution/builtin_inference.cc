#include "symbolizer/attribution/builtin_inference.h"

#include <algorithm>
#include <cstdint>
#include <map>
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
  // Members without code: the unit each lies before (units.size() after
  // the last), ascending.
  std::vector<uint32_t> places;
  bool Evidenced() const { return !anchors.empty() || !places.empty(); }
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
    case InferenceRule::kModuleLicense: return "module license";
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

namespace {

// One inference: the evidence rules label units, the link-order rules
// claim the units between and around them, naming habit settles meeting
// runs. One method per rule; InferBuiltinModules runs them in order.
class Inference {
 public:
  explicit Inference(const BuiltinInferenceInputs& in)
      : in_(in), units_(in.units), state_(units_.size()), finder_(units_) {
    for (uint32_t u = 0; u < units_.size(); ++u) {
      unit_of_.try_emplace(units_[u].object_path, u);
    }
  }

  BuiltinInference Run() {
    LabelKnownObjects();
    FindComposites();
    InitcallEvidence();
    DynamicDebugEvidence();
    ModuleLicenseEvidence();
    CollectAnchorsAndConflicts();
    FindBlindComposites();
    claim_.assign(units_.size(), -1);
    claim_rule_.assign(units_.size(), InferenceRule::kNone);
    claimers_.assign(units_.size(), {});
    for (size_t m = 0; m < composites_.size(); ++m) {
      if (!composites_[m].Evidenced()) {
        ClaimLoneDirectory(m);
      } else {
        ClaimBetweenMembers(m);
        if (!blind_[m]) ClaimRunsToBoundaries(m);
      }
    }
    SettleByNameAffinity();
    return Result();
  }

 private:
  // Modules already described exactly are not inferred; their objects
  // (and core objects) are labelled from the exact facts.
  void LabelKnownObjects() {
    for (const auto& [object, modules] : in_.known_objects) {
      known_modules_.insert(modules.begin(), modules.end());
    }
    for (uint32_t u = 0; u < units_.size(); ++u) {
      auto it = in_.known_objects.find(units_[u].object_path);
      if (it != in_.known_objects.end()) {
        state_[u].label =
            it->second.empty() ? Label::kCore : Label::kOtherModule;
      }
    }
  }

  // Composite modules: a module file that is not itself an object. A
  // unit without code that holds a license (lib/bitrev.o: a table) is
  // such an object too.
  void FindComposites() {
    absl::flat_hash_set<absl::string_view> seen;
    absl::flat_hash_set<absl::string_view> licensed;
    for (const LicenseSite& site : in_.license_sites) {
      licensed.insert(site.object_path);
    }
    for (const auto& [module, file] : in_.module_files) {
      if (!seen.insert(module).second) continue;
      const std::string object = absl::StrCat(file, ".o");
      auto single = unit_of_.find(object);
      if (single != unit_of_.end()) {
        UnitState& s = state_[single->second];
        if (s.label == Label::kUnknown) s.label = Label::kOtherModule;
        continue;
      }
      if (licensed.contains(object)) continue;
      if (known_modules_.contains(module)) continue;
      absl::string_view dir = Dirname(file);
      if (dir.empty()) continue;
      composite_of_.emplace(module, static_cast<int>(composites_.size()));
      composites_.push_back({module, std::string(dir), {}});
    }
  }

  // Direct evidence: the object carries a KBUILD_MODNAME. Evidence that
  // names a module of no composite (its own basename, a single-object
  // module) is "not a member" (kCore): for a member, KBUILD_MODNAME is
  // always the module's name.
  void Evidence(uint32_t u, absl::string_view modname, InferenceRule rule) {
    UnitState& s = state_[u];
    if (s.label == Label::kOtherModule || s.label == Label::kCore) {
      // Exact facts win; a disagreeing name is only reported.
      return;
    }
    const std::string& path = units_[u].object_path;
    auto c = composite_of_.find(modname);
    const bool member = c != composite_of_.end() &&
                        Under(path, composites_[c->second].dir);
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
  }

  // __initcall__kmod_MODNAME_...: the object of the function it calls.
  void InitcallEvidence() {
    absl::flat_hash_map<absl::string_view, std::optional<uint64_t>> address_of;
    std::vector<std::pair<std::string, std::string>> calls;
    for (const NamedAddress& s : in_.symbols) {
      std::string modname, fn;
      if (ParseInitcallName(s.name, &modname, &fn)) {
        calls.emplace_back(std::move(modname), std::move(fn));
      }
    }
    absl::flat_hash_set<std::string> wanted;
    for (const auto& [m, fn] : calls) wanted.insert(fn);
    for (const NamedAddress& s : in_.symbols) {
      if (!wanted.contains(s.name)) continue;
      auto [it, inserted] = address_of.try_emplace(s.name, s.address);
      if (!inserted && it->second != s.address) it->second.reset();
    }
    for (const auto& [modname, fn] : calls) {
      auto it = address_of.find(fn);
      // A function name defined twice cannot say which object it is.
      if (it == address_of.end() || !it->second) continue;
      std::optional<uint32_t> u = finder_.Find(*it->second);
      if (u) Evidence(*u, modname, InferenceRule::kInitcall);
    }
  }

  // A dynamic debug site's KBUILD_MODNAME, for the .c file it names.
  void DynamicDebugEvidence() {
    for (const DyndbgSite& d : in_.dyndbg) {
      absl::string_view file = d.filename;
      // __FILE__ of a header names the header, not the object.
      if (!absl::ConsumeSuffix(&file, ".c")) continue;
      auto it = unit_of_.find(absl::StrCat(file, ".o"));
      if (it != unit_of_.end()) {
        Evidence(it->second, d.modname, InferenceRule::kDynamicDebug);
      }
    }
  }

  // The k-th license variable of a directory's units holds the k-th file
  // record of its modules; taken only when every pair agrees in size and
  // the unit lies in the record's module directory.
  void ModuleLicenseEvidence() {
    if (in_.file_records.empty() || in_.license_sites.empty()) return;
    auto read = [&](absl::string_view dir) {
      for (const std::string& r : in_.license_dirs) {
        if (dir == r || Under(dir, r)) return true;
      }
      return false;
    };
    std::vector<absl::string_view> dirs;
    for (const Composite& c : composites_) dirs.push_back(c.dir);
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
    for (absl::string_view dir : dirs) {
      if (!read(dir)) continue;
      std::vector<const ModinfoFileRecord*> records;
      for (const ModinfoFileRecord& r : in_.file_records) {
        for (absl::string_view f : absl::StrSplit(r.file, ' ', absl::SkipEmpty())) {
          if (Under(f, dir)) {
            records.push_back(&r);
            break;
          }
        }
      }
      std::vector<std::pair<const LicenseSite*, uint32_t>> vars;
      for (const LicenseSite& site : in_.license_sites) {
        if (!Under(site.object_path, dir)) continue;
        for (uint32_t size : site.sizes) vars.emplace_back(&site, size);
      }
      std::string why = PairingProblem(records, vars);
      if (!why.empty()) {
        out_.unpaired_license_dirs.push_back(absl::StrCat(dir, ": ", why));
        continue;
      }
      for (size_t k = 0; k < records.size(); ++k) {
        if (absl::StrContains(records[k]->module, ':')) continue;
        auto it = unit_of_.find(vars[k].first->object_path);
        if (it != unit_of_.end()) {
          Evidence(it->second, records[k]->module,
                   InferenceRule::kModuleLicense);
        } else {
          Place(*vars[k].first, records[k]->module);
        }
      }
    }
  }

  // A license in a unit without code: a member of `module` at its place
  // in link order, when that place is known.
  void Place(const LicenseSite& site, const std::string& module) {
    if (!site.after_object.has_value()) return;
    auto c = composite_of_.find(module);
    if (c == composite_of_.end() ||
        !Under(site.object_path, composites_[c->second].dir)) {
      return;
    }
    uint32_t p = 0;
    if (!site.after_object->empty()) {
      auto a = unit_of_.find(*site.after_object);
      if (a == unit_of_.end()) return;
      p = a->second + 1;
    }
    composites_[c->second].places.push_back(p);
    place_owners_.emplace(p, c->second);
  }

  // Whether a member without code of a module other than m lies before
  // unit p (between p - 1 and p): no run of m crosses it.
  bool OtherPlace(int64_t p, size_t m) const {
    auto [b, e] = place_owners_.equal_range(static_cast<uint32_t>(p));
    for (auto it = b; it != e; ++it) {
      if (it->second != static_cast<int>(m)) return true;
    }
    return false;
  }

  // A module's members in link order as spans of units [lo, hi): one
  // unit for an object with code, an empty span at its place for one
  // without.
  static std::vector<std::pair<uint32_t, uint32_t>> Spans(const Composite& c) {
    std::vector<std::pair<uint32_t, uint32_t>> s;
    for (uint32_t u : c.anchors) s.emplace_back(u, u + 1);
    for (uint32_t p : c.places) s.emplace_back(p, p);
    std::sort(s.begin(), s.end());
    return s;
  }

  // Why the records and variables of a directory do not pair up, or "".
  static std::string PairingProblem(
      const std::vector<const ModinfoFileRecord*>& records,
      const std::vector<std::pair<const LicenseSite*, uint32_t>>& vars) {
    if (records.size() != vars.size()) {
      return absl::StrCat(records.size(), " file records, ", vars.size(),
                          " license variables");
    }
    for (size_t k = 0; k < records.size(); ++k) {
      const ModinfoFileRecord& r = *records[k];
      const std::string& object = vars[k].first->object_path;
      if (vars[k].second != r.size) {
        return absl::StrCat(object, " holds a license variable of ",
                            vars[k].second, " bytes where `", r.module,
                            ".file=", r.file, "` has ", r.size);
      }
      bool in_dir = false;
      for (absl::string_view f : absl::StrSplit(r.file, ' ', absl::SkipEmpty())) {
        in_dir |= Under(object, Dirname(f));
      }
      if (!in_dir) {
        return absl::StrCat(object, " pairs with `", r.module, ".file=",
                            r.file, "`, outside its directory");
      }
    }
    return "";
  }

  void CollectAnchorsAndConflicts() {
    for (uint32_t u = 0; u < units_.size(); ++u) {
      if (state_[u].label == Label::kMember) {
        composites_[state_[u].member_of].anchors.push_back(u);
      } else if (state_[u].label == Label::kConflict) {
        out_.conflicts.push_back(
            absl::StrCat(units_[u].object_path, ": ", state_[u].evidence));
      }
    }
  }

  // A directory with a module that has no evidence at all: its members may
  // be any unknown object there, so nobody extends into it. A module
  // placed only by members without code (LicenseSite::after_object) still
  // blinds it for the others: where its code lies beside the place, only
  // its own run may claim (un-blinding lib/crypto for such a place gave
  // the core chacha.o to libcryptoutils on the netguest build).
  void FindBlindComposites() {
    auto dirs_overlap = [](absl::string_view a, absl::string_view b) {
      return a == b || Under(a, b) || Under(b, a);
    };
    blind_.assign(composites_.size(), false);
    for (size_t m = 0; m < composites_.size(); ++m) {
      for (size_t o = 0; o < composites_.size(); ++o) {
        if (o != m && composites_[o].anchors.empty() &&
            dirs_overlap(composites_[m].dir, composites_[o].dir)) {
          blind_[m] = true;
        }
      }
    }
  }

  // Claims by the link-order rules: unit → (module, rule); every module
  // that claims a unit is kept, to settle or report conflicts.
  void AddClaim(uint32_t u, int m, InferenceRule rule) {
    std::vector<int>& who = claimers_[u];
    if (std::find(who.begin(), who.end(), m) == who.end()) who.push_back(m);
    if (claim_[u] == -1) {
      claim_[u] = m;
      claim_rule_[u] = rule;
    } else if (claim_[u] != m) {
      claim_[u] = -2;
    }
  }

  bool Open(const Composite& c, uint32_t u) const {
    return Under(units_[u].object_path, c.dir) &&
           state_[u].label == Label::kUnknown;
  }

  // No evidence at all: only a directory that holds nothing else, in one
  // run, is taken whole (no other module's directory is it or below it).
  void ClaimLoneDirectory(size_t m) {
    const Composite& c = composites_[m];
    bool alone = true;
    for (size_t o = 0; o < composites_.size() && alone; ++o) {
      const std::string& d = composites_[o].dir;
      alone = o == m || !(d == c.dir || Under(d, c.dir));
    }
    int64_t first = -1, last = -1, count = 0;
    for (uint32_t u = 0; u < units_.size() && alone; ++u) {
      if (!Under(units_[u].object_path, c.dir)) continue;
      alone = state_[u].label == Label::kUnknown;
      if (first < 0) first = u;
      last = u;
      ++count;
    }
    if (!alone || count == 0 || last - first + 1 != count) return;
    for (int64_t u = first; u <= last; ++u) {
      AddClaim(static_cast<uint32_t>(u), static_cast<int>(m),
               InferenceRule::kDirectoryRun);
    }
  }

  // The unknown objects of its directory between two members.
  void ClaimBetweenMembers(size_t m) {
    const Composite& c = composites_[m];
    const std::vector<std::pair<uint32_t, uint32_t>> a = Spans(c);
    for (size_t k = 0; k + 1 < a.size(); ++k) {
      const uint32_t from = a[k].second, to = a[k + 1].first;
      bool clean = true;
      for (uint32_t u = from; u < to && clean; ++u) {
        // (another module's place in the gap of m's own place: no order)
        clean = Open(c, u) &&
                ((u == from && a[k].first == a[k].second) || !OtherPlace(u, m));
      }
      clean = clean && (a[k + 1].first == a[k + 1].second ||
                        !OtherPlace(to, m));
      if (!clean) continue;
      for (uint32_t u = from; u < to; ++u) {
        AddClaim(u, static_cast<int>(m), InferenceRule::kBetweenMembers);
      }
    }
  }

  // A run may end where the directory's objects end or at an object of
  // another module; ending at a core object leaves the boundary unknown.
  void ClaimRunsToBoundaries(size_t m) {
    const Composite& c = composites_[m];
    const std::vector<std::pair<uint32_t, uint32_t>> a = Spans(c);
    auto stop_ok = [&](int64_t u) {
      if (u < 0 || u >= static_cast<int64_t>(units_.size())) return true;
      if (!Under(units_[u].object_path, c.dir)) return true;
      const UnitState& s = state_[u];
      return s.label == Label::kOtherModule ||
             (s.label == Label::kMember && s.member_of != static_cast<int>(m));
    };
    // Another module's member without code between two units ends the
    // run there, as an object of another module does.
    // (Two places in one gap have no order: another module's at the
    // place of m's own first or last member does not fence it.)
    const int64_t front = a.front().first, back = a.back().second;
    const bool front_place = a.front().first == a.front().second;
    const bool back_place = a.back().first == a.back().second;
    int64_t lo = front - 1;
    bool fenced = false;
    while (lo >= 0) {
      if ((lo + 1 < front || !front_place) && OtherPlace(lo + 1, m)) {
        fenced = true;
        break;
      }
      if (!Open(c, static_cast<uint32_t>(lo))) break;
      --lo;
    }
    if (fenced || stop_ok(lo)) {
      for (int64_t u = lo + 1; u < front; ++u) {
        AddClaim(static_cast<uint32_t>(u), static_cast<int>(m),
                 InferenceRule::kDirectoryRun);
      }
    }
    int64_t hi = back;
    fenced = false;
    while (hi < static_cast<int64_t>(units_.size())) {
      if ((hi > back || !back_place) && OtherPlace(hi, m)) {
        fenced = true;
        break;
      }
      if (!Open(c, static_cast<uint32_t>(hi))) break;
      ++hi;
    }
    if (fenced || stop_ok(hi)) {
      for (int64_t u = back; u < hi; ++u) {
        AddClaim(static_cast<uint32_t>(u), static_cast<int>(m),
                 InferenceRule::kDirectoryRun);
      }
    }
  }

  // Two runs that meet claim the objects between them. The kernel's naming
  // habit settles it only when one module's name words (>= 3 letters) name
  // most of the object's functions and the other's name none:
  // uncore_snb.o's snb_uncore_* between intel_uncore and intel_cstate.
  void SettleByNameAffinity() {
    std::vector<std::vector<absl::string_view>> names(units_.size());
    bool any = false;
    for (uint32_t u = 0; u < units_.size(); ++u) any |= claim_[u] == -2;
    if (!any) return;
    for (const NamedAddress& sym : in_.symbols) {
      if (absl::StartsWith(sym.name, "__initcall")) continue;
      std::optional<uint32_t> u = finder_.Find(sym.address);
      if (u && claim_[*u] == -2) names[*u].push_back(sym.name);
    }
    // Each object's own verdict: its functions' names, else its path's.
    std::vector<int> verdict(units_.size(), -1);
    for (uint32_t u = 0; u < units_.size(); ++u) {
      if (claim_[u] != -2) continue;
      int winner = names[u].empty() ? -1 : NameAffinityWinner(u, names[u]);
      if (winner < 0) winner = PathAffinityWinner(u);
      if (winner >= 0) verdict[u] = claimers_[u][winner];
    }
    for (uint32_t begin = 0; begin < units_.size();) {
      if (claim_[begin] != -2) {
        ++begin;
        continue;
      }
      uint32_t end = begin + 1;
      while (end < units_.size() && claim_[end] == -2 &&
             claimers_[end] == claimers_[begin]) {
        ++end;
      }
      SettleRun(begin, end, verdict);
      begin = end;
    }
  }

  // The module a unit belongs to so far (evidence or one claim), or -1.
  int Owner(int64_t u) const {
    if (u < 0 || u >= static_cast<int64_t>(units_.size())) return -1;
    if (state_[u].label == Label::kMember) return state_[u].member_of;
    return claim_[u] >= 0 ? claim_[u] : -1;
  }

  // Units [begin, end) that the same two modules' runs claim. A module's
  // objects are one run in link order, so when module `first` owns the
  // unit before and `second` the unit after, the boundary is one cut:
  // every unit up to the last one whose verdict is `first` is first's (by
  // the verdict or between it and first's members), every unit from the
  // first one whose verdict is `second` on is second's. Verdicts out of
  // that order settle nothing; without the two owners around, each unit
  // takes its own verdict only.
  void SettleRun(uint32_t begin, uint32_t end, const std::vector<int>& verdict) {
    const std::vector<int>& who = claimers_[begin];
    const int first = Owner(static_cast<int64_t>(begin) - 1);
    const int second = Owner(end);
    const bool ordered = who.size() == 2 && first != second &&
                         (first == who[0] || first == who[1]) &&
                         (second == who[0] || second == who[1]);
    if (!ordered) {
      for (uint32_t u = begin; u < end; ++u) {
        if (verdict[u] >= 0) Settle(u, verdict[u], InferenceRule::kNameAffinity);
      }
      return;
    }
    int64_t last_first = -1, first_second = end;
    for (uint32_t u = begin; u < end; ++u) {
      if (verdict[u] == first) last_first = u;
      if (verdict[u] == second && first_second == end) first_second = u;
    }
    if (last_first >= first_second) return;  // out of order
    for (int64_t u = begin; u <= last_first; ++u) {
      Settle(static_cast<uint32_t>(u), first,
             verdict[u] == first ? InferenceRule::kNameAffinity
                                 : InferenceRule::kBetweenMembers);
    }
    for (int64_t u = first_second; u < end; ++u) {
      Settle(static_cast<uint32_t>(u), second,
             verdict[u] == second ? InferenceRule::kNameAffinity
                                  : InferenceRule::kBetweenMembers);
    }
  }

  void Settle(uint32_t u, int m, InferenceRule rule) {
    claim_[u] = m;
    claim_rule_[u] = rule;
  }

  // The claimer (index into claimers_[u]) whose name words (>= 3 letters,
  // not in another claimer's name) alone are words of the unit's path
  // below that claimer's directory ("compress/huf_compress" below lib/zstd:
  // zstd_compress, not zstd_decompress), or -1. Below the module's own
  // directory: drivers/cxl/core/suspend.o (core) does not name cxl_core,
  // whose directory is drivers/cxl/core.
  int PathAffinityWinner(uint32_t u) const {
    const std::vector<int>& who = claimers_[u];
    std::vector<std::vector<absl::string_view>> own(who.size());
    for (size_t k = 0; k < who.size(); ++k) {
      for (absl::string_view t :
           absl::StrSplit(composites_[who[k]].name, '_')) {
        if (t.size() >= 3) own[k].push_back(t);
      }
    }
    int winner = -1;
    for (size_t k = 0; k < who.size(); ++k) {
      absl::string_view rel = units_[u].object_path;
      const std::string& dir = composites_[who[k]].dir;
      if (!Under(rel, dir)) continue;
      rel.remove_prefix(dir.size() + 1);
      absl::ConsumeSuffix(&rel, ".o");
      std::vector<absl::string_view> words =
          absl::StrSplit(rel, absl::ByAnyChar("/_-."), absl::SkipEmpty());
      bool match = false;
      for (absl::string_view t : own[k]) {
        // A word both names hold ("zstd") tells them apart in nothing.
        bool shared = false;
        for (size_t o = 0; o < who.size(); ++o) {
          shared |= o != k && std::find(own[o].begin(), own[o].end(), t) !=
                                  own[o].end();
        }
        match |= !shared && std::find(words.begin(), words.end(), t) !=
                                words.end();
      }
      if (!match) continue;
      if (winner != -1) return -1;
      winner = static_cast<int>(k);
    }
    return winner;
  }

  // The claimer (index into claimers_[u]) whose name words alone name more
  // than half of `names`, or -1.
  int NameAffinityWinner(uint32_t u,
                         const std::vector<absl::string_view>& names) const {
    std::vector<size_t> exclusive(claimers_[u].size(), 0);
    for (absl::string_view name : names) {
      std::vector<absl::string_view> words =
          absl::StrSplit(name, absl::ByAnyChar("_."), absl::SkipEmpty());
      int only = -1;
      size_t matching = 0;
      for (size_t k = 0; k < claimers_[u].size(); ++k) {
        bool match = false;
        for (absl::string_view t :
             absl::StrSplit(composites_[claimers_[u][k]].name, '_')) {
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
      winner = winner == -1 && exclusive[k] * 2 > names.size()
                   ? static_cast<int>(k)
                   : -2;
    }
    return winner;
  }

  BuiltinInference Result() {
    out_.composite_modules = composites_.size();
    std::vector<bool> found(composites_.size(), false);
    for (uint32_t u = 0; u < units_.size(); ++u) {
      const UnitState& s = state_[u];
      if (s.label == Label::kMember) {
        out_.objects.push_back(
            {units_[u].object_path, composites_[s.member_of].name, s.rule});
        found[s.member_of] = true;
      } else if (claim_[u] >= 0) {
        out_.objects.push_back({units_[u].object_path,
                                composites_[claim_[u]].name, claim_rule_[u]});
        found[claim_[u]] = true;
      } else if (claim_[u] == -2) {
        std::vector<absl::string_view> who;
        for (int m : claimers_[u]) who.push_back(composites_[m].name);
        out_.conflicts.push_back(absl::StrCat(units_[u].object_path,
                                              ": claimed by ",
                                              absl::StrJoin(who, " and ")));
      }
    }
    for (size_t m = 0; m < composites_.size(); ++m) {
      if (!found[m]) out_.modules_without_objects.push_back(composites_[m].name);
    }
    std::sort(out_.modules_without_objects.begin(),
              out_.modules_without_objects.end());
    return std::move(out_);
  }

  const BuiltinInferenceInputs& in_;
  const std::vector<LinkedUnit>& units_;
  std::vector<UnitState> state_;
  const UnitFinder finder_;
  absl::flat_hash_map<absl::string_view, uint32_t> unit_of_;
  absl::flat_hash_set<absl::string_view> known_modules_;
  std::vector<Composite> composites_;
  absl::flat_hash_map<std::string, int> composite_of_;
  // Members without code: place (the unit they lie before) → module.
  std::multimap<uint32_t, int> place_owners_;
  std::vector<bool> blind_;
  std::vector<int> claim_;  // module index; -1 none, -2 several
  std::vector<InferenceRule> claim_rule_;
  std::vector<std::vector<int>> claimers_;
  BuiltinInference out_;
};

}  // namespace

std::vector<std::string> LicenseDirectories(
    const std::vector<std::pair<std::string, std::string>>& module_files,
    const std::vector<LinkedUnit>& units) {
  absl::flat_hash_set<absl::string_view> objects;
  for (const LinkedUnit& u : units) objects.insert(u.object_path);
  std::vector<std::string> dirs;
  for (const auto& [module, file] : module_files) {
    absl::string_view dir = Dirname(file);
    if (!dir.empty() && !objects.contains(absl::StrCat(file, ".o"))) {
      dirs.emplace_back(dir);
    }
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  return dirs;
}

BuiltinInference InferBuiltinModules(const BuiltinInferenceInputs& in) {
  return Inference(in).Run();
}

}  // namespace ksym
