// Symbolizer: the query API over an open .ksym index.
//
//   absl::StatusOr<std::unique_ptr<Symbolizer>> s = Symbolizer::Open(path);
//   LookupResult r = (*s)->Lookup(0xffffffff81234567);
//   if (r.found) printf("%s+0x%lx\n", (*s)->QualifiedName(r.symbol).c_str(),
//                       r.offset);
//   absl::StatusOr<Candidate> c = (*s)->ResolveUnique("init_once {inode.o}");
//
//   // Without copying a name: a 16-byte handle, names decoded on request.
//   SymbolHit h = (*s)->Locate(addr);
//   char name[512];
//   if (h.found()) (*s)->QualifiedName(h.symbol, name, sizeof(name));
//
// Address -> symbol: the symbols covering an address are those at its
// predecessor address (aliases) plus any longer symbol reaching over it
// (format.h kOverlaps). Addresses below the kernel text are "not a kernel
// address"; a symbol without an exact size ends at the next higher address
// unless that is absurdly far; a symbol whose end nothing tells (the
// highest) covers only itself (address_rule.h). Lookup picks the innermost
// (highest start, then smallest extent); among aliases it names what the
// kernel's %pS names: the first in kallsyms order (alias_order.h: non-weak,
// not a linker-script __start_/__stop_/_end name, fewer leading
// underscores, then name bytes); in a loadable module, the first of its
// aliases in the module's symtab, as kernel/module/kallsyms.c
// find_kallsyms_symbol does (format.h kModuleAliasFirst, set by the
// builder). LookupAll returns every covering symbol in that same order.
//
// Name -> symbol: Resolve matches the name exactly, and a name without a
// Clang LTO suffix also matches its NAME.llvm.HASH copies. `/0xLEN` keeps
// the symbols whose kernel length (distance to the next symbol, as %pS and
// scripts/faddr2line print it) is LEN, else those whose ELF size is LEN;
// Candidate::length_match says which.
//
// Names shared by many symbols (made-up or hostile inputs: a real kernel
// repeats a name a dozen times at most) are examined once per name and
// the findings kept (name_groups.h), so that asking about each of N copies
// costs O(N) in all, not O(N^2).
//
// All methods are const and thread-safe. Lookup does not allocate.
#ifndef KSYM_SYMBOLIZER_QUERY_SYMBOLIZER_H_
#define KSYM_SYMBOLIZER_QUERY_SYMBOLIZER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/query/address_rule.h"
#include "symbolizer/query/name_groups.h"
#include "symbolizer/query/query_parser.h"

namespace ksym {

// What the index says about one symbol, except its name (SymbolFacts is
// 40 bytes; decode the name with Symbolizer::Name when it is wanted).
struct SymbolFacts {
  uint32_t index = 0;
  uint64_t address = 0;
  uint64_t size = 0;
  bool size_exact = false;
  char type = '?';
  uint32_t module_set = 0;
  uint32_t object = 0xffffffffu;
};

// One symbol of the index, with its name copied into an inline buffer so
// that lookups need no allocation (~560 bytes: prefer Locate + SymbolFacts
// where many results are kept).
struct SymbolInfo : SymbolFacts {
  static constexpr size_t kNameCapacity = 512;  // kernel KSYM_NAME_LEN

  uint16_t name_length = 0;
  char name_buffer[kNameCapacity];

  absl::string_view name() const { return {name_buffer, name_length}; }
};

enum class NotFoundReason : uint8_t {
  kNone = 0,
  kEmptyIndex,
  kBelowFirstSymbol,
  kPastLastSymbol,  // after the end of the highest symbol
  kInGap,           // between the end of one symbol and the next
  kNotKernelAddress,  // below the kernel text (address_rule.h)
};
const char* NotFoundReasonText(NotFoundReason reason);

struct LookupResult {
  bool found = false;
  NotFoundReason reason = NotFoundReason::kNone;
  uint64_t offset = 0;  // address - symbol.address
  SymbolInfo symbol;
};

// The answer of Locate: which symbol covers the address (the one Lookup
// returns) and where in it, without decoding anything. 16 bytes.
struct SymbolHit {
  static constexpr uint32_t kNoSymbol = 0xffffffffu;
  uint32_t symbol = kNoSymbol;  // symbol index, kNoSymbol when none covers
  NotFoundReason reason = NotFoundReason::kNone;  // why none does
  uint64_t offset = 0;                            // address - symbol start

  bool found() const { return symbol != kNoSymbol; }
};

// Which size a query's `/0xLEN` matched.
enum class LengthMatch : uint8_t {
  kNotAsked = 0,    // the query has no LEN
  kKallsymsLength,  // the distance to the next symbol (%pS, faddr2line)
  kElfSize,         // only the ELF size: no candidate had the kernel's
};
// "", "the kernel's length, ...", "the ELF size only; ...".
const char* LengthMatchText(LengthMatch match);

// "foo" for "foo.llvm.8412793480197" (Clang ThinLTO's promoted statics),
// else "".
absl::string_view LlvmBaseName(absl::string_view name);

// A symbol matching a query; `address` is symbol address + query offset.
struct Candidate {
  uint64_t address = 0;
  SymbolInfo symbol;
  LengthMatch length_match = LengthMatch::kNotAsked;
};

class Symbolizer {
 public:
  static absl::StatusOr<std::unique_ptr<Symbolizer>> Open(
      const std::string& path, IndexOptions options = {});
  explicit Symbolizer(std::unique_ptr<IndexReader> index);

  const IndexReader& index() const { return *index_; }

  // The symbol covering `address` (the innermost; among aliases the one
  // the kernel's %pS names), except in the padding after a nested label:
  // where no symbol of the last address at or below `address` covers it
  // (their ELF sizes end before it) but an enclosing symbol does
  // (retbleed_return_thunk, size 2, inside retbleed_untrain_ret, size 9),
  // the answer is the kernel's (kernel/kallsyms.c get_symbol_pos: the
  // nearest symbol at or below), at an offset past its size; the enclosing
  // symbol is LookupAll's first (PastSize tells such an answer).
  LookupResult Lookup(uint64_t address) const;
  // Whether a found answer lies past its symbol's size: Lookup's answer in
  // the padding after a nested label, named by the kernel's rule.
  // (A symbol whose size is unknown still names its own address.)
  static bool PastSize(const SymbolFacts& s, uint64_t offset) {
    return offset >= s.size && (offset != 0 || s.size_exact);
  }
  // Every symbol covering `address`, best first, at most kMaxCovering of
  // them; empty when none (Lookup's answer is not among them in the
  // padding after a nested label). Returns how many cover it: more than
  // out->size() when the list was cut, which the caller must say.
  size_t LookupAll(uint64_t address, std::vector<SymbolInfo>* out) const;
  // out[i] = Lookup(addresses[i]); out.size() must equal addresses.size().
  // Sorted input is fastest: LocateBatch's merge picks the symbols, each
  // filled once per run of addresses in it.
  void LookupBatch(absl::Span<const uint64_t> addresses,
                   absl::Span<LookupResult> out) const;

  // Lookups that copy no name. Locate(a) picks the same symbol as
  // Lookup(a) but returns only its index and the offset; ask Facts, Name or
  // QualifiedName for the rest when it is wanted.
  SymbolHit Locate(uint64_t address) const;
  // out[i] = Locate(addresses[i]) for i < min(sizes). Sorted input is
  // fastest: a run of ascending addresses is a merge with the address
  // column (consecutive addresses in one symbol skip the search, the next
  // symbol is found by galloping forward); any order is answered.
  void LocateBatch(absl::Span<const uint64_t> addresses,
                   absl::Span<SymbolHit> out) const;
  // Everything about symbol `index` (< symbol_count) but its name.
  SymbolFacts Facts(uint32_t index) const;
  // The name, or the qualified name ("name [mod]... {obj}"), of symbol
  // `index` written into buf as snprintf does: at most cap - 1 bytes and a
  // terminating NUL when cap > 0. Returns the full length, so a result >=
  // cap means the buffer was too small.
  size_t Name(uint32_t index, char* buf, size_t cap) const;
  size_t QualifiedName(uint32_t index, char* buf, size_t cap) const;

  // Every symbol matching the query (syntax in query_parser.h), in address
  // order. An empty vector means no match; errors are syntax errors.
  absl::StatusOr<std::vector<Candidate>> Resolve(absl::string_view query) const;
  std::vector<Candidate> Resolve(const Query& query) const;
  // Exactly one match, or NotFound, or FailedPrecondition whose message
  // lists, one a line, a query selecting each candidate (SelectingQuery,
  // with the query's offset); the candidates are also stored in *ambiguous
  // if given.
  // Where several match, a candidate whose qualified name is exactly the
  // query wins, then text symbols over data: every name `list` prints
  // resolves back to its symbol.
  absl::StatusOr<Candidate> ResolveUnique(
      absl::string_view query,
      std::vector<Candidate>* ambiguous = nullptr) const;

  // A query that ResolveUnique maps back to exactly this symbol (with
  // `offset` as +0xOFF): its qualified name, or where that still matches
  // several, the qualified name and `@0xADDR`.
  std::string SelectingQuery(const SymbolInfo& symbol,
                             std::optional<uint64_t> offset = {}) const;

  // Over the symbols named `name` (IndexReader::ForEachNamed, no LLVM
  // copies): how many there are, and how many of them print as `symbol`
  // prints (the same shown module set and {object}), text ones apart.
  struct SameNameCounts {
    uint32_t named = 0;
    uint32_t printed_alike = 0;
    uint32_t printed_alike_text = 0;
  };
  SameNameCounts CountSameName(const SymbolFacts& symbol,
                               absl::string_view name) const;

  // Names of at least `symbols` symbols are examined once and the findings
  // kept (default kLargeNameGroup). Call before any query; tests set 1 to
  // compare the kept findings with the per-query path on every name.
  void set_large_name_group_for_testing(uint32_t symbols) {
    large_name_group_ = symbols;
  }

  SymbolInfo Symbol(uint32_t index) const;
  // The length the kernel prints after the slash of %pS
  // (`name+0xOFF/0xLEN`), in oopses and what scripts/faddr2line compares:
  // the distance to the next symbol's address, padding included
  // (kallsyms_lookup_size_offset). Where no next symbol tells it (the
  // highest symbol, or one absurdly far: address_rule.h), the ELF size.
  uint64_t KernelLength(const SymbolFacts& s) const;
  // "name [mod1] [mod2] {obj.o}": the unique name of the symbol.
  std::string QualifiedName(const SymbolInfo& symbol) const;
  // The /proc/kallmodsyms line, without newline:
  // "ffffffff97d91a80 t cn23xx_vf_mbox_thread\t[liquidio] [liquidio_vf]
  // {cn23xx_vf_device.o}".
  std::string KallmodsymsLine(const SymbolInfo& symbol) const;
  // The module names the symbol is annotated with (every symbol: the
  // naming rule of catalog.h NameKind), and its {object} or "": the
  // annotation of its object for its kind (text or data).
  std::vector<absl::string_view> DisplayModules(const SymbolFacts& s) const;
  absl::string_view DisplayObject(const SymbolFacts& s) const;
  absl::string_view DisplayObject(uint32_t object, char type) const;

 private:
  static constexpr uint64_t kUnknownEnd = ~uint64_t{0};
  // `inferred_end` is the end of the symbol if its size is inferred, when
  // the caller knows it; kUnknownEnd makes FillSymbol find it.
  void FillSymbol(uint32_t index, SymbolInfo* out,
                  uint64_t inferred_end) const;
  void FillFacts(uint32_t index, SymbolFacts* out, uint64_t inferred_end) const;
  // FillSymbol's inferred_end for symbol i found without Covering, when
  // its neighbours tell it without a search; else kUnknownEnd.
  uint64_t InferredEndHint(uint32_t i) const;
  // Collects covering symbol indices, best first, into out (capacity cap);
  // returns how many there are (may exceed cap). *inferred_end is where
  // inferred-size symbols of the predecessor's alias group end. When
  // `named` is given, *named is the symbol Lookup names: out[0] except
  // in the padding after a nested label (NestedPadding); kNoSymbol when
  // nothing covers the address.
  size_t Covering(uint64_t address, uint32_t* out, size_t cap,
                  NotFoundReason* reason, uint64_t* inferred_end,
                  uint32_t* named = nullptr) const;
  // Better's order among the aliases of one address, ends aside.
  bool BetterAlias(uint32_t a, uint32_t b) const;
  // Locate's answer when its fast path applies, given p, the last symbol
  // at or below `address` (a kernel address): false when Covering must
  // rank the candidates.
  bool LocateAt(uint64_t address, uint32_t p, SymbolHit* hit) const;
  // Symbol p's address segment (format.h kSegments): its base and the
  // symbols [first, end) whose 32-bit offsets are from that base.
  struct Segment {
    uint64_t base = 0;
    uint32_t first = 0, end = 0;
  };
  Segment SegmentOf(uint32_t p) const;
  // LocateAt with p's segment known: reads raw offsets, no Address() call
  // (with its segment scan and bounds check) on the common path.
  bool LocateIn(uint64_t address, uint32_t p, const Segment& seg,
                SymbolHit* hit) const;
  // The same given p (near.symbol), its address and its neighbours'
  // (from the locate table's line, or read by LocateIn).
  bool LocateNear(const LocateSection::Near& near, uint64_t address,
                  SymbolHit* hit) const;
  // Locate through Covering (aliases, overlapping symbols).
  SymbolHit LocateCovering(uint64_t address) const;
  bool Better(uint32_t a, uint32_t b) const;
  // Resolve, then narrowed as ResolveUnique narrows: the exactly printed
  // name, then text over data.
  std::vector<Candidate> Narrowed(const Query& query) const;
  // The kept findings on `name` when it has at least large_name_group_
  // symbols (computed on first use), else nullptr with *hits set to its
  // symbols, for the caller to walk.
  const NameGroup* LargeNameGroup(absl::string_view name,
                                  std::vector<uint32_t>* hits) const;
  NameGroup BuildNameGroup(const std::vector<uint32_t>& members) const;
  // Whether `q` (a query SelectingQuery built for `s`, without @ADDR)
  // selects `s` alone, from the kept findings on its name; nullopt when
  // they cannot tell (then Narrowed must).
  std::optional<bool> SelectsAlone(const NameGroup& group, const Query& q,
                                   const SymbolInfo& s) const;
  // Calls f(module name) for each module DisplayModules lists.
  template <typename F>
  void ForEachDisplayModule(const SymbolFacts& s, F f) const {
    const uint32_t set = s.module_set;
    if (set == kNoModules) return;
    const size_t k = index_->ModuleSetSize(set);
    for (size_t j = 0; j < k; ++j) f(index_->ModuleName(set, j));
  }
  void RankLargeAliasGroups();
  void FindSimpleSymbols();
  // In an index with overlapping symbols: whether symbol i is alone at its
  // address and no earlier symbol reaches its address. Then what covers
  // an address whose predecessor is i is i alone, or nothing: Locate
  // answers it without the overlap search (a vmlinux index: most symbols).
  bool Simple(uint32_t i) const {
    return (simple_[i >> 6] >> (i & 63)) & 1;
  }

  // The symbols named BASE.llvm.HASH, by BASE; nullptr when none. Built on
  // first use (one walk over all names).
  const std::vector<uint32_t>* LlvmSuffixed(absl::string_view base) const;

  std::unique_ptr<IndexReader> index_;
  KernelAddressRule rule_;
  struct LlvmNames {
    std::once_flag flag;
    absl::flat_hash_map<std::string, std::vector<uint32_t>> by_base;
  };
  std::unique_ptr<LlvmNames> llvm_once_ = std::make_unique<LlvmNames>();

  // Alias groups larger than kLargeAliasGroup symbols (one address shared by
  // thousands of names only happens in made-up or hostile inputs), ranked
  // once at construction so that a lookup costs O(log n), not O(group):
  // `ranked` is the group in Better order, which sorts by extent end
  // first, so the members covering an address are a suffix found by binary
  // search on `cover_end` (the exclusive end up to which each one covers).
  struct RankedGroup {
    uint32_t begin = 0, end = 0;
    std::vector<uint32_t> ranked;
    std::vector<uint64_t> cover_end;
  };
  static constexpr uint32_t kLargeAliasGroup = 128;
  // Where only enclosing symbols cover an address whose predecessor's
  // alias group is g0..p (ranked when large): the member the kernel names.
  uint32_t NestedPadding(uint32_t g0, uint32_t p,
                         const RankedGroup* ranked) const;
  std::vector<RankedGroup> large_groups_;  // by begin

  static constexpr uint32_t kLargeNameGroup = 64;
  uint32_t large_name_group_ = kLargeNameGroup;
  std::unique_ptr<NameGroupCache> name_groups_ =
      std::make_unique<NameGroupCache>();
  // Bit i: Simple(i). Empty unless the index has overlaps. 1 bit a symbol.
  std::vector<uint64_t> simple_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_SYMBOLIZER_H_
