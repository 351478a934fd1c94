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
  const uint64_t n = r_.symbol_count_;
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
    const size_t len = r_.names_->Decode(enc, buf, sizeof(buf));
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
  for (uint32_t r = 0; r < r_.run_count_; ++r) {
    const char* e = r_.runs_ + 12 * uint64_t{r};
    if (r > 0 && bytes::Load32(e) <= bytes::Load32(e - 12)) {
      return bad("attribution run ", r, " is out of order");
    }
    if (bytes::Load32(e + 4) >= r_.module_set_count_) {
      return bad("attribution run ", r, " names module set ",
                 bytes::Load32(e + 4), " of ", r_.module_set_count_);
    }
    const uint32_t obj = bytes::Load32(e + 8);
    if (obj != format::kNoObjectId && obj >= r_.object_count_) {
      return bad("attribution run ", r, " names object ", obj, " of ",
                 r_.object_count_);
    }
  }
  uint32_t prev = 0;
  for (uint64_t b = 0; b <= r_.bucket_count_; ++b) {
    const uint32_t o = bytes::Load32(r_.hash_offsets_ + 4 * b);
    if (o < prev || o > n || (b == r_.bucket_count_ && o != n)) {
      return bad("name hash bucket ", b, " has offset ", o,
                 " out of order");
    }
    prev = o;
  }
  for (uint64_t b = 0; b < r_.bucket_count_; ++b) {
    const uint32_t lo = bytes::Load32(r_.hash_offsets_ + 4 * b);
    const uint32_t hi = bytes::Load32(r_.hash_offsets_ + 4 * (b + 1));
    for (uint32_t k = lo; k < hi; ++k) {
      const uint32_t slot = bytes::Load32(r_.hash_slots_ + 4 * uint64_t{k});
      const uint32_t s =
          r_.name_hash_tagged_ ? slot & format::kNameHashSymbolMask : slot;
      if (s >= n) return bad("name hash slot ", k, " names symbol ", s);
      const size_t len = r_.Name(s, buf, sizeof(buf));
      const uint64_t h = format::NameHash(absl::string_view(buf, len));
      if (h % r_.bucket_count_ != b ||
          (r_.name_hash_tagged_ &&
           slot >> 24 != static_cast<uint32_t>(h >> 56))) {
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
  // The strings section is a run of `u16 length, bytes` records; a string
  // ref must point at the start of one (a ref into the middle of a record
  // would read as another, shorter string).
  std::vector<bool> record_start(r_.strings_.size(), false);
  for (uint64_t pos = 0; pos < r_.strings_.size();) {
    if (pos + 2 > r_.strings_.size() ||
        pos + 2 + bytes::Load16(r_.strings_.data() + pos) >
            r_.strings_.size()) {
      return bad("strings section: the record at byte ", pos,
                 " runs past its end");
    }
    record_start[pos] = true;
    pos += 2 + bytes::Load16(r_.strings_.data() + pos);
  }
  auto valid_ref = [&](uint32_t ref) {
    return ref < record_start.size() && record_start[ref];
  };
  {
    const char* names[] = {"release", "build_id", "arch"};
    for (int k = 0; k < 3; ++k) {
      const uint32_t ref = r_.identity_refs_[k];
      if (!valid_ref(ref)) {
        return bad("identity ", names[k], " string ref ", ref,
                   " is not a string of the strings section");
      }
    }
  }
  for (uint32_t set = 0; set < r_.module_set_count_; ++set) {
    const char* e = r_.module_sets_ + 8 * uint64_t{set};
    const uint64_t first = bytes::Load32(e), size = bytes::Load16(e + 4);
    const uint16_t flags = bytes::Load16(e + 6);
    if (first > r_.module_ref_count_ || size > r_.module_ref_count_ - first) {
      return bad("module set ", set, " (first ", first, ", size ", size,
                 ") runs past its ", r_.module_ref_count_, " module references");
    }
    if (set == 0 && size != 0) return bad("module set 0 is not empty");
    if (flags & ~uint16_t{format::kModuleSetLoadable}) {
      return bad("module set ", set, " has unknown flags 0x",
                 absl::Hex(flags));
    }
    for (uint64_t j = 0; j < size; ++j) {
      const uint32_t ref = bytes::Load32(r_.module_refs_ + 4 * (first + j));
      if (!valid_ref(ref) || r_.StringAt(ref).empty()) {
        return bad("module set ", set, " member ", j, " has string ref ", ref,
                   ", which is not a module name in the strings section");
      }
      if (j > 0 && !(r_.ModuleName(set, j - 1) < r_.ModuleName(set, j))) {
        return bad("module set ", set, " is not sorted and duplicate-free");
      }
    }
  }
  for (uint64_t k = 0; k < r_.source_count_; ++k) {
    const char* e = r_.source_table_ + 16 * k;
    const char* fields[] = {"what", "path", "why"};
    for (int f = 0; f < 3; ++f) {
      const uint32_t ref = bytes::Load32(e + 4 * f);
      if (!valid_ref(ref) || (f == 0 && r_.StringAt(ref).empty())) {
        return bad("source ", k, " has ", fields[f], " string ref ", ref,
                   f == 0 ? ", which is not a name in the strings section"
                          : ", which is not a string of the strings section");
      }
    }
  }
  if (r_.module_rules_ != nullptr) {
    for (uint32_t o = 0; o < r_.object_count_; ++o) {
      const uint8_t rule = static_cast<uint8_t>(r_.module_rules_[o]);
      if (rule > format::kLastModuleRule) {
        return bad("object ", o, " has module rule ", rule, ", not 0 to ",
                   format::kLastModuleRule);
      }
    }
    // A rule says how the module set of the object's symbols was
    // inferred: symbols of such an object have one.
    for (uint32_t run = 0; run < r_.run_count_; ++run) {
      const char* e = r_.runs_ + 12 * uint64_t{run};
      const uint32_t obj = bytes::Load32(e + 8);
      if (obj < r_.object_count_ && r_.module_rules_[obj] != 0 &&
          bytes::Load32(e + 4) == 0) {
        return bad("attribution run ", run, " gives object ", obj,
                   ", whose module set was inferred, no module set");
      }
    }
  }
  for (uint32_t o = 0; o < r_.object_count_; ++o) {
    const char* e = r_.objects_ + 8 * uint64_t{o};
    const uint32_t ref = bytes::Load32(e), start = bytes::Load32(e + 4);
    if (!valid_ref(ref) || r_.StringAt(ref).empty()) {
      return bad("object ", o, " has string ref ", ref,
                 ", which is not a path in the strings section");
    }
    if (start != format::kNoAnnotation && start >= r_.StringAt(ref).size()) {
      return bad("object ", o, " annotation starts at byte ", start,
                 " of its ", r_.StringAt(ref).size(), "-byte path");
    }
  }
  return absl::OkStatus();
}

absl::Status StructureVerifier::VerifyOverlaps() const {
  auto bad = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat(r_.label_, ": ", parts...));
  };
  const uint64_t n = r_.symbol_count_;
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
    if (k >= r_.overlap_count_) {
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
  if (k != r_.overlap_count_) {
    return bad("overlaps table has ", r_.overlap_count_, " entries, ", k,
               " symbols reach past their successor");
  }
  // max_end of each node is the largest end in its subtree, the contiguous
  // positions [pos - 2^k + 1, pos + 2^k - 1] (clipped): O(n log n) in all.
  for (uint64_t pos = 0; pos < r_.overlap_count_; ++pos) {
    const int level = __builtin_ctzll(~pos);
    const uint64_t span = (uint64_t{1} << level) - 1;
    const uint64_t hi = std::min(r_.overlap_count_ - 1, pos + span);
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
