#include "symbolizer/index/structure_verifier.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/index/bytes.h"

namespace ksym {

absl::Status StructureVerifier::Run() const {
  auto bad = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat(r_.label_, ": ", parts...));
  };
  const IndexSections& sec = r_.s_;
  const uint64_t n = sec.symbol_count;
  char buf[IndexReader::kMaxNameLength];
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t s = static_cast<uint32_t>(i);
    if (i > 0 && r_.Address(s - 1) > r_.Address(s)) {
      return bad("symbol ", i, " is below symbol ", i - 1,
                 ": addresses are not sorted");
    }
    char type;
    absl::string_view enc;
    if (!r_.NameRecord(s, &type, &enc)) {
      return bad("name record of symbol ", i, " is out of bounds");
    }
    const size_t len = sec.names.decoder().Decode(enc, buf, sizeof(buf));
    if (len > sizeof(buf)) {
      return bad("name of symbol ", i, " does not decode");
    }
    if (len > kMaxSymbolNameLength) {
      return bad("name of symbol ", i, " is ", len, " bytes, over the limit ",
                 kMaxSymbolNameLength, " (KSYM_NAME_LEN - 1)");
    }
    if (!absl::ascii_isalpha(static_cast<unsigned char>(type)) &&
        type != '?') {
      return bad("symbol ", i, " has type byte 0x",
                 absl::Hex(static_cast<unsigned char>(type)),
                 ", not a kallsyms type letter");
    }
  }
  const AttributionSection& runs = sec.attribution;
  for (uint32_t r = 0; r < runs.run_count(); ++r) {
    if (r > 0 && runs.RunFirst(r) <= runs.RunFirst(r - 1)) {
      return bad("attribution run ", r, " is out of order");
    }
    if (runs.RunModuleSet(r) >= sec.module_sets.count()) {
      return bad("attribution run ", r, " names module set ",
                 runs.RunModuleSet(r), " of ", sec.module_sets.count());
    }
    const uint32_t obj = runs.RunObject(r);
    if (obj != format::kNoObjectId && obj >= sec.objects.count()) {
      return bad("attribution run ", r, " names object ", obj, " of ",
                 sec.objects.count());
    }
  }
  const NameHashSection& hash = sec.name_hash;
  uint32_t prev = 0;
  for (uint64_t b = 0; b <= hash.bucket_count(); ++b) {
    const uint32_t o = hash.Offset(b);
    if (o < prev || o > n || (b == hash.bucket_count() && o != n)) {
      return bad("name hash bucket ", b, " has offset ", o,
                 " out of order");
    }
    prev = o;
  }
  for (uint64_t b = 0; b < hash.bucket_count(); ++b) {
    const uint32_t lo = hash.Offset(b);
    const uint32_t hi = hash.Offset(b + 1);
    for (uint32_t k = lo; k < hi; ++k) {
      const uint32_t slot = hash.Slot(k);
      const uint32_t s = slot & hash.SymbolMask();
      if (s >= n) return bad("name hash slot ", k, " names symbol ", s);
      const size_t len = r_.Name(s, buf, sizeof(buf));
      const uint64_t h = format::NameHash(absl::string_view(buf, len));
      if (h % hash.bucket_count() != b ||
          (slot & ~hash.SymbolMask()) != hash.TagOf(h)) {
        return bad("symbol ", s, " is in the wrong name hash bucket");
      }
    }
  }
  if (absl::Status st = VerifyReferences(); !st.ok()) return st;
  return VerifyOverlaps();
}

absl::Status StructureVerifier::VerifyReferences() const {
  auto bad = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat(r_.label_, ": ", parts...));
  };
  const IndexSections& sec = r_.s_;
  // The strings section is a run of `u16 length, bytes` records; a string
  // ref must point at the start of one (a ref into the middle of a record
  // would read as another, shorter string).
  const absl::string_view strings = sec.strings.bytes();
  std::vector<bool> record_start(strings.size(), false);
  for (uint64_t pos = 0; pos < strings.size();) {
    if (pos + 2 > strings.size() ||
        pos + 2 + bytes::Load16(strings.data() + pos) > strings.size()) {
      return bad("strings section: the record at byte ", pos,
                 " runs past its end");
    }
    record_start[pos] = true;
    pos += 2 + bytes::Load16(strings.data() + pos);
  }
  auto valid_ref = [&](uint32_t ref) {
    return ref < record_start.size() && record_start[ref];
  };
  {
    const char* names[] = {"release", "build_id", "arch"};
    for (int k = 0; k < 3; ++k) {
      const uint32_t ref = sec.identity.refs[k];
      if (!valid_ref(ref)) {
        return bad("identity ", names[k], " string ref ", ref,
                   " is not a string of the strings section");
      }
    }
  }
  const ModuleSetSection& sets = sec.module_sets;
  for (uint32_t set = 0; set < sets.count(); ++set) {
    const uint64_t first = sets.First(set), size = sets.Size(set);
    const uint16_t flags = sets.Flags(set);
    if (first > sets.ref_count() || size > sets.ref_count() - first) {
      return bad("module set ", set, " (first ", first, ", size ", size,
                 ") runs past its ", sets.ref_count(), " module references");
    }
    if (set == 0 && size != 0) return bad("module set 0 is not empty");
    if (flags & ~uint16_t{format::kModuleSetLoadable}) {
      return bad("module set ", set, " has unknown flags 0x",
                 absl::Hex(flags));
    }
    for (uint64_t j = 0; j < size; ++j) {
      const uint32_t ref = sets.Ref(first + j);
      if (!valid_ref(ref) || r_.StringAt(ref).empty()) {
        return bad("module set ", set, " member ", j, " has string ref ", ref,
                   ", which is not a module name in the strings section");
      }
      if (j > 0 && !(r_.ModuleName(set, j - 1) < r_.ModuleName(set, j))) {
        return bad("module set ", set, " is not sorted and duplicate-free");
      }
    }
  }
  for (uint64_t k = 0; k < sec.sources.count(); ++k) {
    const SourcesSection::Entry e = sec.sources.At(k);
    const char* fields[] = {"what", "path", "why"};
    const uint32_t refs[] = {e.what, e.path, e.why};
    for (int f = 0; f < 3; ++f) {
      const uint32_t ref = refs[f];
      if (!valid_ref(ref) || (f == 0 && r_.StringAt(ref).empty())) {
        return bad("source ", k, " has ", fields[f], " string ref ", ref,
                   f == 0 ? ", which is not a name in the strings section"
                          : ", which is not a string of the strings section");
      }
    }
  }
  for (uint32_t k = 0; k < sec.modules.count(); ++k) {
    const ModuleSection::Entry e = sec.modules.At(k);
    if (!valid_ref(e.name) || r_.StringAt(e.name).empty() ||
        !valid_ref(e.build_id)) {
      return bad("module ", k, " has a name or build-id string ref that is "
                 "not a string of the strings section");
    }
    if (k > 0 && !(r_.StringAt(sec.modules.At(k - 1).name) <
                   r_.StringAt(e.name))) {
      return bad("module ", k, " is not in name order after module ", k - 1);
    }
    for (uint32_t j = e.first_section; j < e.first_section + e.section_count;
         ++j) {
      const uint32_t ref = sec.modules.Section(j).name;
      if (!valid_ref(ref) || r_.StringAt(ref).empty()) {
        return bad("module ", k, " section ", j, " has string ref ", ref,
                   ", which is not a name in the strings section");
      }
    }
  }
  const ObjectSection& objects = sec.objects;
  if (objects.has_module_rules()) {
    for (uint32_t o = 0; o < objects.count(); ++o) {
      const uint8_t rule = objects.ModuleRule(o);
      if (rule > format::kLastModuleRule) {
        return bad("object ", o, " has module rule ", rule, ", not 0 to ",
                   format::kLastModuleRule);
      }
    }
    // A rule says how the module set of the object's symbols was
    // inferred: symbols of such an object have one.
    const AttributionSection& runs = sec.attribution;
    for (uint32_t run = 0; run < runs.run_count(); ++run) {
      const uint32_t obj = runs.RunObject(run);
      if (obj < objects.count() && objects.ModuleRule(obj) != 0 &&
          runs.RunModuleSet(run) == 0) {
        return bad("attribution run ", run, " gives object ", obj,
                   ", whose module set was inferred, no module set");
      }
    }
  }
  for (uint32_t o = 0; o < objects.count(); ++o) {
    const uint32_t ref = objects.PathRef(o);
    if (!valid_ref(ref) || r_.StringAt(ref).empty()) {
      return bad("object ", o, " has string ref ", ref,
                 ", which is not a path in the strings section");
    }
    for (NameKind kind : {NameKind::kText, NameKind::kData}) {
      const uint32_t start = objects.AnnotationStart(o, kind);
      if (start != format::kNoAnnotation && start >= r_.StringAt(ref).size()) {
        return bad("object ", o,
                   kind == NameKind::kText ? " annotation" : " data annotation",
                   " starts at byte ", start, " of its ",
                   r_.StringAt(ref).size(), "-byte path");
      }
    }
  }
  // Every function record of the line section decodes (its tables were
  // checked at open).
  if (absl::Status st = sec.lines.VerifyAll(); !st.ok()) {
    return bad(st.message());
  }
  if (absl::Status st = sec.module_lines.VerifyAll(); !st.ok()) {
    return bad(st.message());
  }
  return absl::OkStatus();
}

absl::Status StructureVerifier::VerifyOverlaps() const {
  auto bad = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat(r_.label_, ": ", parts...));
  };
  const uint64_t n = r_.s_.symbol_count;
  const uint64_t overlap_count = r_.s_.extents.overlap_count();
  // Exactly the exact-size symbols reaching past the next higher address
  // are in the overlap table (format.h), in (start, symbol) order, with
  // their own extent and the subtree maxima the stabbing walk relies on.
  uint64_t k = 0;
  uint64_t group_end = 0, next_higher = 0;
  bool has_next = false;
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t s = static_cast<uint32_t>(i);
    if (i >= group_end) {
      const uint32_t last = r_.AliasGroupEnd(s);
      group_end = std::max<uint64_t>(last, i + 1);
      has_next = group_end < n;
      next_higher = has_next ? r_.Address(static_cast<uint32_t>(group_end)) : 0;
    }
    if (!r_.SizeExact(s)) continue;
    const uint64_t end = r_.End(s);
    if (end < r_.Address(s)) {
      return bad("symbol ", i, " has a size that wraps past the top of the "
                 "address space");
    }
    if (!has_next || end <= next_higher) continue;
    if (k >= overlap_count) {
      return bad("symbol ", i, " reaches past the next symbol but is missing "
                 "from the overlaps table");
    }
    const IndexReader::Overlap o = r_.OverlapAt(k);
    if (o.symbol != s || o.start != r_.Address(s) || o.end != end) {
      return bad("overlap entry ", k, " (symbol ", o.symbol,
                 ") does not match symbol ", i,
                 ", the next that reaches past its successor");
    }
    ++k;
  }
  if (k != overlap_count) {
    return bad("overlaps table has ", overlap_count, " entries, ", k,
               " symbols reach past their successor");
  }
  // max_end of each node is the largest end in its subtree, the contiguous
  // positions [pos - 2^k + 1, pos + 2^k - 1] (clipped): O(n log n) in all.
  for (uint64_t pos = 0; pos < overlap_count; ++pos) {
    const int level = __builtin_ctzll(~pos);
    const uint64_t span = (uint64_t{1} << level) - 1;
    const uint64_t hi = std::min(overlap_count - 1, pos + span);
    uint64_t m = 0;
    for (uint64_t q = pos - span; q <= hi; ++q) {
      m = std::max(m, r_.OverlapAt(q).end);
    }
    if (r_.OverlapAt(pos).max_end != m) {
      return bad("overlap entry ", pos, " has max_end 0x",
                 absl::Hex(r_.OverlapAt(pos).max_end), ", its subtree reaches 0x",
                 absl::Hex(m));
    }
  }
  return absl::OkStatus();
}

}  // namespace ksym
