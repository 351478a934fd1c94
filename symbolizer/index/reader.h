// Read-only, zero-copy access to a .ksym index (format.h), memory-mapped or
// over a caller's buffer. Open validates the header, the section directory
// and every section's size; all later accessors bounds-check what they
// follow, so a corrupt file gives an error at open or wrong-but-safe
// answers (caught by VerifyChecksums), never an out-of-bounds read.
//
//   absl::StatusOr<std::unique_ptr<IndexReader>> r = IndexReader::Open(path);
//   std::optional<uint32_t> i = (*r)->Predecessor(0xffffffff81234567);
//
// Thread-safe: every method is const and touches no mutable state.
#ifndef KSYM_SYMBOLIZER_INDEX_READER_H_
#define KSYM_SYMBOLIZER_INDEX_READER_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/bytes.h"
#include "symbolizer/index/format.h"
#include "symbolizer/index/name_codec.h"
#include "symbolizer/index/section_directory.h"
#include "symbolizer/index/section_table.h"

namespace ksym {

struct IndexOptions {
  // Check every section's CRC-32 at open, so that a damaged file is an
  // error rather than wrong answers (reads the whole file once: ~0.8 ms for
  // 122k symbols). Callers that verified the file once already (or open the
  // same file again and again) may turn it off.
  bool verify_checksums = true;
};

class IndexReader {
 public:
  // Size of the decoding buffers. Names are at most kMaxSymbolNameLength
  // bytes (the writer refuses longer ones, VerifyStructure reports them);
  // a longer name in a damaged file is cut here.
  static constexpr size_t kMaxNameLength = 1024;

  static absl::StatusOr<std::unique_ptr<IndexReader>> Open(
      const std::string& path, IndexOptions options = {});
  // Takes ownership of `bytes`; `label` names it in error messages.
  static absl::StatusOr<std::unique_ptr<IndexReader>> FromBuffer(
      std::string bytes, absl::string_view label = "<buffer>",
      IndexOptions options = {});

  ~IndexReader();
  IndexReader(const IndexReader&) = delete;
  IndexReader& operator=(const IndexReader&) = delete;

  // CRC-32 of every section (DataLoss naming the first bad one).
  absl::Status VerifyChecksums() const;
  // Full consistency check beyond checksums, O(n log n): sorted addresses;
  // name records that decode to at most kMaxSymbolNameLength bytes with a
  // kallsyms type letter; hash buckets; attribution runs, module sets,
  // objects and identity naming existing strings, sets and objects; the
  // overlaps table holding exactly the symbols whose exact size reaches
  // past their successor, with correct subtree maxima.
  absl::Status VerifyStructure() const;

  uint64_t symbol_count() const { return s_.symbol_count; }
  AddressSpace address_space() const { return address_space_; }
  int64_t kaslr_offset() const { return s_.identity.kaslr_offset; }
  // False when the index says its KASLR offset is unknown (a runtime index
  // from kallsyms alone); kaslr_offset() is then 0 and means nothing.
  bool kaslr_offset_known() const { return s_.identity.kaslr_offset_known; }
  // The sources the build looked for (empty for older indexes).
  struct Source {
    absl::string_view what, path, why;
    SourceState state;
  };
  const std::vector<Source>& sources() const { return sources_; }
  absl::string_view release() const { return release_; }
  absl::string_view build_id() const { return build_id_; }
  absl::string_view arch() const { return arch_; }
  uint64_t file_size() const { return data_.size(); }
  std::vector<SectionInfo> sections() const;
  // (base, first symbol, count) of each address segment.
  struct Segment {
    uint64_t base;
    uint32_t first;
    uint32_t count;
  };
  std::vector<Segment> segments() const;

  // Per-symbol accessors; `i` must be < symbol_count().
  uint64_t Address(uint32_t i) const;
  char Type(uint32_t i) const;
  // Writes the name into buf (up to cap bytes) and returns its length.
  size_t Name(uint32_t i, char* buf, size_t cap) const;
  std::string NameString(uint32_t i) const;
  bool NameEquals(uint32_t i, absl::string_view name) const;
  // Exclusive end of the symbol's extent: address + exact size, or the next
  // higher symbol address when the size was inferred. O(log n).
  uint64_t End(uint32_t i) const;
  bool SizeExact(uint32_t i) const;
  uint32_t ModuleSetOf(uint32_t i) const;
  uint32_t ObjectOf(uint32_t i) const;  // format::kNoObjectId if none
  // Both of the above with one search of the attribution runs.
  void Attribution(uint32_t i, uint32_t* module_set, uint32_t* object) const;
  // Type and name with one walk of the name records; returns the name
  // length (as Name) and sets *type.
  size_t TypeAndName(uint32_t i, char* type, char* buf, size_t cap) const;

  uint32_t module_set_count() const { return s_.module_sets.count(); }
  size_t ModuleSetSize(uint32_t set) const;
  absl::string_view ModuleName(uint32_t set, size_t j) const;
  bool ModuleSetLoadable(uint32_t set) const;
  uint32_t object_count() const { return s_.objects.count(); }
  absl::string_view ObjectPath(uint32_t object) const;
  // 0, or the InferenceRule that inferred the module set of the object's
  // symbols (format.h kModuleRules).
  uint8_t ObjectModuleRule(uint32_t object) const;
  // The {annotation} the object's symbols of `kind` print (catalog.h
  // NameKind; NameKindOf(type)), or "" when they need none.
  absl::string_view ObjectAnnotation(uint32_t object,
                                     NameKind kind = NameKind::kText) const;

  // The optional line section (present() false when the index has none).
  const LineSection& lines() const { return s_.lines; }
  // The optional loadable modules' line section (format.h kModuleLines),
  // asked at runtime addresses.
  const LineSection& module_lines() const { return s_.module_lines; }
  // The loadable modules of a runtime index (format.h kModules), sorted
  // by name; none for an older or static index.
  struct Module {
    absl::string_view name, build_id;
    uint64_t base, size;
    bool range_inferred, symbols_from_ko, debug_read;
    uint32_t first_section, section_count;  // ModuleSectionAt(first ..)
  };
  uint32_t module_count() const { return s_.modules.count(); }
  Module ModuleAt(uint32_t k) const;  // k < module_count()
  // j in [first_section, first_section + section_count) of a module.
  std::pair<absl::string_view, uint64_t> ModuleSectionAt(uint32_t j) const;
  // True for the symbol a loadable module's symtab order makes the kernel
  // name at its address over its aliases (format.h kModuleAliasFirst).
  bool ModuleAliasFirst(uint32_t i) const {
    return s_.modules.alias_first_count() > 0 && s_.modules.IsAliasFirst(i);
  }

  bool has_overlaps() const { return s_.extents.overlap_count() > 0; }
  uint64_t overlap_count() const { return s_.extents.overlap_count(); }

  // Last symbol whose address is <= addr (the last of its alias group).
  std::optional<uint32_t> Predecessor(uint64_t addr) const;
  // The same, given a symbol `from` whose address is <= addr (a sorted
  // batch's previous answer): gallops forward from it, so a batch of
  // ascending addresses is a merge with the address column.
  uint32_t PredecessorFrom(uint32_t from, uint64_t addr) const;
  // Predecessor by the plain search, without the kAddressLocate table
  // (what an older index gets; tests compare the two).
  std::optional<uint32_t> SearchPredecessor(uint64_t addr) const;
  bool has_locate_table() const { return s_.locate.present(); }
  // Predecessor with its address and its neighbours' (locate_section.h
  // Near), read from the kAddressLocate table and the offsets its search
  // touched; false without the table or below the first symbol (then
  // Predecessor answers).
  bool FindNear(uint64_t addr, LocateSection::Near* out) const {
    return s_.locate.present() && s_.locate.FindNear(s_.addresses, addr, out);
  }
  // The address and extent columns themselves, for a merge loop that
  // walks 32-bit offsets within a segment instead of calling Address()
  // (Symbolizer::LocateBatch); symbol indexes must be < symbol_count().
  const AddressSection& address_section() const { return s_.addresses; }
  const ExtentSection& extent_section() const { return s_.extents; }
  // First symbol of the alias group containing symbol i, and one past its
  // last: O(log n) (binary search), however large the group.
  uint32_t AliasGroupBegin(uint32_t i) const;
  uint32_t AliasGroupEnd(uint32_t i) const;

  // Calls f(symbol) for every symbol in the overlap structure whose extent
  // covers addr (see format.h kOverlaps).
  template <typename F>
  void ForEachOverlapCovering(uint64_t addr, F f) const;
  // Calls f(symbol) for every symbol named `name`, ascending.
  template <typename F>
  void ForEachNamed(absl::string_view name, F f) const;

 private:
  friend class StructureVerifier;  // structure_verifier.h
  IndexReader() = default;
  absl::Status Init(absl::string_view label, IndexOptions options);
  absl::string_view StringAt(uint32_t ref) const { return s_.strings.At(ref); }
  bool NameRecord(uint32_t i, char* type, absl::string_view* encoded) const {
    return s_.names.Record(i, type, encoded);
  }
  using Overlap = ExtentSection::Overlap;
  Overlap OverlapAt(uint64_t pos) const { return s_.extents.OverlapAt(pos); }

  // Every kSampleStride-th symbol's address, read at open: the first search
  // steps of Predecessor stay in this small, cache-resident array instead
  // of touching the mapping (see symbolizer_benchmark: ~2x on random
  // lookups).
  static constexpr uint32_t kSampleStride = 64;
  std::vector<uint64_t> sampled_addresses_;

  std::string label_;
  std::string owned_;        // FromBuffer
  void* mapping_ = nullptr;  // Open
  size_t mapping_size_ = 0;
  absl::string_view data_;

  AddressSpace address_space_ = AddressSpace::kStatic;
  IndexSections s_;  // section_table.h
  // Resolved at open from the identity and sources sections.
  absl::string_view release_, build_id_, arch_;
  std::vector<Source> sources_;
};

// ---- inline accessors and templates ----

// Inline: every lookup calls them a few times.
inline uint64_t IndexReader::Address(uint32_t i) const {
  if (i >= s_.symbol_count) return 0;
  return s_.addresses.Address(i);
}

inline bool IndexReader::SizeExact(uint32_t i) const {
  return i < s_.symbol_count && s_.extents.SizeExact(i);
}

// Inline: the whole of a random lookup's search.
inline std::optional<uint32_t> IndexReader::Predecessor(uint64_t addr) const {
  // The page-bucket table (format.h kAddressLocate): one entry and a few
  // offsets, usually one cache line; older indexes have none.
  if (s_.locate.present()) return s_.locate.Predecessor(s_.addresses, addr);
  return SearchPredecessor(addr);
}

template <typename F>
void IndexReader::ForEachOverlapCovering(uint64_t addr, F f) const {
  const uint64_t n = s_.extents.overlap_count();
  if (n == 0) return;
  int root_level = 63 - __builtin_clzll(n);  // floor(log2 n)
  struct Item {
    uint64_t pos;
    int level;
  };
  Item stack[130];  // depth <= 64 levels, one pending sibling each
  int top = 0;
  stack[top++] = {(uint64_t{1} << root_level) - 1, root_level};
  while (top > 0) {
    const Item it = stack[--top];
    if (it.pos >= n) {
      // Missing node: only its left subtree can hold existing positions.
      if (it.level > 0) {
        stack[top++] = {it.pos - (uint64_t{1} << (it.level - 1)), it.level - 1};
      }
      continue;
    }
    const Overlap o = OverlapAt(it.pos);
    if (o.max_end <= addr) continue;  // nothing below reaches addr
    if (o.start <= addr && addr < o.end) f(o.symbol);
    if (it.level == 0) continue;
    const uint64_t half = uint64_t{1} << (it.level - 1);
    stack[top++] = {it.pos - half, it.level - 1};
    // Right subtree starts are >= this start; skip it if that is past addr.
    if (o.start <= addr) stack[top++] = {it.pos + half, it.level - 1};
  }
}

template <typename F>
void IndexReader::ForEachNamed(absl::string_view name, F f) const {
  const NameHashSection& hash = s_.name_hash;
  if (hash.bucket_count() == 0) return;
  const uint64_t h = format::NameHash(name);
  const uint32_t b = static_cast<uint32_t>(h % hash.bucket_count());
  const uint32_t lo = hash.Offset(b);
  const uint32_t hi = std::min<uint64_t>(hash.Offset(uint64_t{b} + 1),
                                         s_.symbol_count);
  const uint32_t mask = hash.SymbolMask();
  const uint32_t tag = hash.TagOf(h);
  for (uint32_t k = lo; k < hi; ++k) {
    const uint32_t slot = hash.Slot(k);
    if ((slot & ~mask) != tag) continue;
    const uint32_t s = slot & mask;
    if (s < s_.symbol_count && NameEquals(s, name)) f(s);
  }
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_READER_H_
