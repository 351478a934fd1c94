// Symbolizer: name -> symbol (Resolve, ResolveUnique, SelectingQuery).
// See symbolizer.h for the query rules.
#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/names/printable.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/query/address_rule.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

absl::string_view LlvmBaseName(absl::string_view name) {
  // Clang ThinLTO promotes a static function to a global named
  // NAME.llvm.HASH (HASH decimal); kallsyms prints it so since 6.12.
  const size_t at = name.rfind(".llvm.");
  if (at == absl::string_view::npos || at == 0) return {};
  const absl::string_view hash = name.substr(at + 6);
  if (hash.empty()) return {};
  for (char c : hash) {
    if (!absl::ascii_isdigit(c)) return {};
  }
  return name.substr(0, at);
}

const char* LengthMatchText(LengthMatch m) {
  switch (m) {
    case LengthMatch::kNotAsked: return "";
    case LengthMatch::kKallsymsLength:
      return "the kernel's length, the distance to the next symbol";
    case LengthMatch::kElfSize:
      return "the ELF size only; no candidate has it as the kernel's length";
  }
  return "";
}

const std::vector<uint32_t>* Symbolizer::LlvmSuffixed(
    absl::string_view base) const {
  std::call_once(llvm_once_->flag, [this] {
    char name[IndexReader::kMaxNameLength];
    const uint64_t n = index_->symbol_count();
    for (uint64_t k = 0; k < n; ++k) {
      const uint32_t i = static_cast<uint32_t>(k);
      const absl::string_view v(name, index_->Name(i, name, sizeof(name)));
      const absl::string_view b = LlvmBaseName(v);
      if (!b.empty()) llvm_once_->by_base[std::string(b)].push_back(i);
    }
  });
  auto it = llvm_once_->by_base.find(base);
  return it == llvm_once_->by_base.end() ? nullptr : &it->second;
}

absl::StatusOr<std::vector<Candidate>> Symbolizer::Resolve(
    absl::string_view query) const {
  absl::StatusOr<Query> q = ParseQuery(query);
  if (!q.ok()) return q.status();
  return Resolve(*q);
}

std::vector<Candidate> Symbolizer::Resolve(const Query& q) const {
  absl::InlinedVector<uint32_t, 8> hits;
  index_->ForEachNamed(q.name, [&](uint32_t i) { hits.push_back(i); });
  // `foo` also finds Clang LTO's foo.llvm.HASH copies.
  if (LlvmBaseName(q.name).empty()) {
    if (const std::vector<uint32_t>* more = LlvmSuffixed(q.name)) {
      hits.insert(hits.end(), more->begin(), more->end());
      std::sort(hits.begin(), hits.end());
    }
  }
  auto set_has_all = [&](uint32_t set, bool exact) {
    const size_t k = index_->ModuleSetSize(set);
    if (exact && k != q.modules.size()) return false;
    for (const std::string& m : q.modules) {
      bool in = false;
      for (size_t j = 0; j < k && !in; ++j) in = index_->ModuleName(set, j) == m;
      if (!in) return false;
    }
    return true;
  };
  if (!q.modules.empty()) {
    absl::InlinedVector<uint32_t, 8> kept, exact;
    for (uint32_t i : hits) {
      const uint32_t set = index_->ModuleSetOf(i);
      if (!set_has_all(set, false)) continue;
      kept.push_back(i);
      if (set_has_all(set, true)) exact.push_back(i);
    }
    // `name [a]` prefers symbols in exactly [a] over those in [a] [b].
    hits = exact.empty() ? std::move(kept) : std::move(exact);
  }
  if (!q.object.empty()) {
    // `{kernel/smp.o}` is the whole path of one object and a suffix of
    // another's (arm64's arch/arm64/kernel/smp.o): the object of that path
    // is the one meant, as ksym prints the other {arm64/kernel/smp.o}.
    absl::InlinedVector<uint32_t, 8> kept, whole;
    absl::string_view object = q.object;
    absl::ConsumeSuffix(&object, ".o");
    for (uint32_t i : hits) {
      absl::string_view path = index_->ObjectPath(index_->ObjectOf(i));
      if (!ObjectSuffixMatches(path, object)) continue;
      kept.push_back(i);
      absl::ConsumeSuffix(&path, ".o");
      if (path == object) whole.push_back(i);
    }
    hits = whole.empty() ? std::move(kept) : std::move(whole);
  }
  std::vector<Candidate> out;
  out.reserve(hits.size());
  for (uint32_t i : hits) {
    if (q.address.has_value() && index_->Address(i) != *q.address) continue;
    Candidate c;
    FillSymbol(i, &c.symbol, kUnknownEnd);
    c.address = c.symbol.address + q.offset.value_or(0);
    out.push_back(std::move(c));
  }
  if (!q.length.has_value()) {
    std::vector<Candidate> kept;
    for (Candidate& c : out) {
      if (!q.offset.has_value() || *q.offset <= c.symbol.size) {
        kept.push_back(std::move(c));
      }
    }
    return kept;
  }
  // `name+0xOFF/0xLEN`: LEN as the kernel prints it (%pS, oopses,
  // scripts/faddr2line) is the distance to the next kallsyms symbol, padding
  // included. Candidates matching that are the answer; the ELF size is the
  // fallback when none does, and each candidate says which matched.
  const uint64_t len = *q.length;
  std::vector<Candidate> by_kernel, by_elf;
  for (Candidate& c : out) {
    if (q.offset.value_or(0) > len) continue;
    const SymbolInfo& s = c.symbol;
    if (KernelLength(s) == len) {
      c.length_match = LengthMatch::kKallsymsLength;
      by_kernel.push_back(std::move(c));
    } else if (s.size_exact && s.size == len) {
      c.length_match = LengthMatch::kElfSize;
      by_elf.push_back(std::move(c));
    }
  }
  return by_kernel.empty() ? by_elf : by_kernel;
}

std::vector<Candidate> Symbolizer::Narrowed(const Query& q) const {
  std::vector<Candidate> all = Resolve(q);
  // A name as ksym prints it must select its symbol even where a looser
  // reading matches more: `frontend_changed` (core) next to
  // `frontend_changed [xenbus_probe_frontend]`, or a function next to a
  // data symbol of the same name (probes want the function).
  auto narrow = [&all](auto keep) {
    std::vector<Candidate> kept;
    for (const Candidate& c : all) {
      if (keep(c)) kept.push_back(c);
    }
    if (!kept.empty()) all = std::move(kept);
  };
  if (all.size() > 1) {
    const std::string printed = FormatQualifiedName(
        q.name, q.modules, q.object.empty() ? "" : absl::StrCat(q.object, ".o"));
    narrow([&](const Candidate& c) { return QualifiedName(c.symbol) == printed; });
  }
  if (all.size() > 1) {
    narrow([](const Candidate& c) { return IsTextType(c.symbol.type); });
  }
  return all;
}

std::string Symbolizer::SelectingQuery(const SymbolInfo& s,
                                       std::optional<uint64_t> offset) const {
  Query q;
  q.name = std::string(s.name());
  for (absl::string_view m : DisplayModules(s)) q.modules.emplace_back(m);
  std::sort(q.modules.begin(), q.modules.end());
  absl::string_view obj = DisplayObject(s);
  absl::ConsumeSuffix(&obj, ".o");
  q.object = std::string(obj);
  q.offset = offset;
  // Asked for each of N copies of a name, Narrowed would walk all N each
  // time; a name of many symbols is answered from what was kept about it.
  std::vector<uint32_t> unused;
  std::optional<bool> alone;
  if (const NameGroup* g = LargeNameGroup(q.name, &unused)) {
    alone = SelectsAlone(*g, q, s);
  }
  if (!alone.has_value()) {
    std::vector<Candidate> hits = Narrowed(q);
    alone = hits.size() == 1 && hits[0].symbol.index == s.index;
  }
  if (!*alone) q.address = s.address;
  return q.ToString();
}

absl::StatusOr<Candidate> Symbolizer::ResolveUnique(
    absl::string_view query, std::vector<Candidate>* ambiguous) const {
  absl::StatusOr<Query> q = ParseQuery(query);
  if (!q.ok()) return q.status();
  std::vector<Candidate> all = Narrowed(*q);
  if (all.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no symbol matches \"", QuoteBounded(query, kMaxEchoed), "\""));
  }
  if (all.size() == 1) return std::move(all[0]);
  std::string list;
  for (const Candidate& c : all) {
    absl::StrAppend(&list, "\n  ",
                    EscapeUnprintable(SelectingQuery(c.symbol, q->offset)));
  }
  absl::Status st = absl::FailedPreconditionError(
      absl::StrCat("\"", QuoteBounded(query, kMaxEchoed), "\" is ambiguous: ",
                   all.size(), " symbols match; select one with:", list));
  if (ambiguous != nullptr) *ambiguous = std::move(all);
  return st;
}

}  // namespace ksym
