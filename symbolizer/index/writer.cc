#include "symbolizer/index/writer.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/index/bytes.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/format.h"
#include "symbolizer/index/name_codec.h"

namespace ksym {
namespace {

using bytes::Append16;
using bytes::Append32;
using bytes::Append64;

// Deduplicating blob of `u16 length, bytes` records; ref 0 is "".
class StringTableBuilder {
 public:
  StringTableBuilder() {
    Append16(&blob_, 0);  // ref 0: the empty string
    refs_.emplace("", 0);
  }

  // `what` names the string in an error ("object path", "module name of
  // symbol x"): the sources check their own limits with file:line, so this
  // fires only for a catalog made some other way.
  absl::StatusOr<uint32_t> Add(absl::string_view s, absl::string_view what) {
    auto it = refs_.find(s);
    if (it != refs_.end()) return it->second;
    if (s.size() > std::numeric_limits<uint16_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " \"", absl::CHexEscape(s.substr(0, 40)), "...\" of ",
          s.size(), " bytes is too long for the index (at most 65535)"));
    }
    uint32_t ref = static_cast<uint32_t>(blob_.size());
    Append16(&blob_, static_cast<uint16_t>(s.size()));
    blob_.append(s.data(), s.size());
    refs_.emplace(std::string(s), ref);
    return ref;
  }

  const std::string& blob() const { return blob_; }

 private:
  std::string blob_;
  absl::flat_hash_map<std::string, uint32_t> refs_;
};

struct OverlapEntry {
  uint64_t start;
  uint64_t end;
  uint64_t max_end;
  uint32_t symbol;
};

// Fills max_end over the implicit tree (format.h, kOverlaps). The subtree of
// the node at position i and level k is the contiguous positions
// [i - 2^k + 1, i + 2^k - 1], clipped to the array; each level's subtrees
// partition the array, so this is O(n log n) in all.
void ComputeMaxEnds(std::vector<OverlapEntry>& a) {
  const uint64_t n = a.size();
  for (uint64_t i = 0; i < n; ++i) {
    const int k = __builtin_ctzll(~i);  // trailing one bits = level
    const uint64_t span = (uint64_t{1} << k) - 1;
    const uint64_t lo = i - span;
    const uint64_t hi = std::min(n - 1, i + span);
    uint64_t m = 0;
    for (uint64_t j = lo; j <= hi; ++j) m = std::max(m, a[j].end);
    a[i].max_end = m;
  }
}

}  // namespace

absl::StatusOr<std::string> SerializeIndex(const Catalog& catalog) {
  const std::vector<Symbol>& syms = catalog.symbols;
  const uint64_t n = syms.size();
  if (n > std::numeric_limits<uint32_t>::max() - 1) {
    return absl::InvalidArgumentError("too many symbols for one index");
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (syms[i].name.size() > kMaxSymbolNameLength) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbol \"", absl::CHexEscape(syms[i].name.substr(0, 40)),
          "...\" at 0x", absl::Hex(syms[i].address), ": name of ",
          syms[i].name.size(), " bytes is longer than ", kMaxSymbolNameLength,
          " (the kernel's KSYM_NAME_LEN - 1)"));
    }
  }
  for (uint64_t i = 1; i < n; ++i) {
    if (syms[i - 1].address > syms[i].address ||
        (syms[i - 1].address == syms[i].address &&
         syms[i - 1].name > syms[i].name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbols are not sorted by (address, name) at ", i, " (",
          syms[i].name, "); call Catalog::FinalizeSizes first"));
    }
  }

  StringTableBuilder strings;
  std::vector<std::pair<uint32_t, std::string>> sections;

  // Identity.
  {
    std::string s;
    Append64(&s, static_cast<uint64_t>(catalog.identity.kaslr_offset));
    const std::pair<const std::string*, const char*> fields[] = {
        {&catalog.identity.release, "kernel release"},
        {&catalog.identity.build_id, "build id"},
        {&catalog.identity.arch, "architecture"}};
    for (const auto& [v, what] : fields) {
      absl::StatusOr<uint32_t> ref = strings.Add(*v, what);
      if (!ref.ok()) return ref.status();
      Append32(&s, *ref);
    }
    Append32(&s, 0);
    Append32(&s, catalog.identity.kaslr_offset_known
                     ? 0
                     : format::kIdentityKaslrUnknown);
    Append32(&s, 0);
    sections.push_back({format::kIdentity, std::move(s)});
  }

  // Sources, when the build recorded them.
  if (!catalog.sources.empty()) {
    std::string s;
    Append32(&s, static_cast<uint32_t>(catalog.sources.size()));
    Append32(&s, 0);
    for (const InputSource& src : catalog.sources) {
      for (const std::string* v : {&src.what, &src.path, &src.why}) {
        absl::StatusOr<uint32_t> ref =
            strings.Add(*v, absl::StrCat("source record of ", src.what));
        if (!ref.ok()) return ref.status();
        Append32(&s, *ref);
      }
      Append32(&s, static_cast<uint32_t>(src.state));
    }
    sections.push_back({format::kSources, std::move(s)});
  }

  // Segments and address offsets.
  {
    std::string seg_body, offsets;
    offsets.reserve(4 * n);
    std::vector<std::pair<uint64_t, std::pair<uint32_t, uint32_t>>> segs;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t a = syms[i].address;
      if (segs.empty() || a - segs.back().first > 0xffffffffull) {
        segs.push_back({a, {static_cast<uint32_t>(i), 0}});
      }
      ++segs.back().second.second;
      Append32(&offsets, static_cast<uint32_t>(a - segs.back().first));
    }
    Append32(&seg_body, static_cast<uint32_t>(segs.size()));
    Append32(&seg_body, 0);
    for (const auto& s : segs) {
      Append64(&seg_body, s.first);
      Append32(&seg_body, s.second.first);
      Append32(&seg_body, s.second.second);
    }
    sections.push_back({format::kSegments, std::move(seg_body)});
    sections.push_back({format::kAddressOffsets, std::move(offsets)});
  }

  // Sizes, only when some size is exact; and the overlap tree.
  {
    bool any_exact = false;
    std::vector<OverlapEntry> overlaps;
    uint64_t group_end = 0;  // index one past the current address group
    uint64_t next_higher = 0;
    bool has_next_higher = false;
    for (uint64_t i = 0; i < n; ++i) {
      const Symbol& s = syms[i];
      if (i >= group_end) {
        group_end = i + 1;
        while (group_end < n && syms[group_end].address == s.address)
          ++group_end;
        has_next_higher = group_end < n;
        next_higher = has_next_higher ? syms[group_end].address : 0;
      }
      if (!s.size_exact) continue;
      any_exact = true;
      if (s.size >= format::kSizeInferred) {
        return absl::InvalidArgumentError(absl::StrCat(
            "symbol ", s.name, " at 0x", absl::Hex(s.address), " has size 0x",
            absl::Hex(s.size), ", more than the index can hold"));
      }
      const uint64_t end = s.address + s.size;
      // Only a symbol reaching past the next higher address can cover an
      // address whose predecessor is another symbol.
      if (has_next_higher && end > next_higher) {
        overlaps.push_back({s.address, end, 0, static_cast<uint32_t>(i)});
      }
    }
    if (any_exact) {
      std::string sizes;
      sizes.reserve(4 * n);
      for (const Symbol& s : syms) {
        Append32(&sizes, s.size_exact ? static_cast<uint32_t>(s.size)
                                      : format::kSizeInferred);
      }
      sections.push_back({format::kSizes, std::move(sizes)});
    }
    // Already in (start, symbol) order because symbols are.
    ComputeMaxEnds(overlaps);
    std::string body;
    Append32(&body, static_cast<uint32_t>(overlaps.size()));
    Append32(&body, 0);
    for (const OverlapEntry& e : overlaps) {
      Append64(&body, e.start);
      Append64(&body, e.end);
      Append64(&body, e.max_end);
      Append32(&body, e.symbol);
      Append32(&body, 0);
    }
    sections.push_back({format::kOverlaps, std::move(body)});
  }

  // Names: codec table, records, block offsets.
  {
    std::vector<absl::string_view> names;
    names.reserve(n);
    for (const Symbol& s : syms) names.push_back(s.name);
    NameCodec codec = NameCodec::Learn(names);
    std::string codes;
    std::vector<uint32_t> ends;
    if (absl::Status st = codec.EncodeAll(names, &codes, &ends); !st.ok()) {
      return st;
    }
    std::string data, blocks;
    data.reserve(codes.size() + 3 * n);
    blocks.reserve(4 * (n / format::kNameBlockSize + 1));
    uint32_t begin = 0;
    for (uint64_t i = 0; i < n; ++i) {
      if (i % format::kNameBlockSize == 0) {
        Append32(&blocks, static_cast<uint32_t>(data.size()));
      }
      const uint32_t len = ends[i] - begin;
      if (len >= (1u << 14)) {
        // Unreachable for names within kMaxSymbolNameLength (checked above).
        return absl::InvalidArgumentError(absl::StrCat(
            "symbol \"", absl::CHexEscape(syms[i].name.substr(0, 40)),
            "...\" at 0x", absl::Hex(syms[i].address), ": its name encodes to ",
            len, " bytes, more than the index holds (16383)"));
      }
      data.push_back(syms[i].type);
      bytes::AppendVarint(&data, len);
      data.append(codes, begin, len);
      begin = ends[i];
    }
    if (data.size() > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError("symbol names exceed 4 GiB");
    }
    sections.push_back({format::kNameTable, codec.Serialize()});
    sections.push_back({format::kNameData, std::move(data)});
    sections.push_back({format::kNameBlocks, std::move(blocks)});
  }

  // Module sets.
  {
    std::string table, refs;
    const uint32_t count = static_cast<uint32_t>(catalog.module_sets.size());
    Append32(&table, count);
    Append32(&table, 0);
    uint32_t first = 0;
    for (uint32_t id = 0; id < count; ++id) {
      const auto& set = catalog.module_sets[id];
      if (set.size() > std::numeric_limits<uint16_t>::max()) {
        return absl::InvalidArgumentError("module set too large");
      }
      Append32(&table, first);
      Append16(&table, static_cast<uint16_t>(set.size()));
      Append16(&table, catalog.loadable_module_sets.contains(id)
                             ? format::kModuleSetLoadable
                             : 0);
      for (const std::string& m : set) {
        absl::StatusOr<uint32_t> ref = strings.Add(m, "module name");
        if (!ref.ok()) return ref.status();
        Append32(&refs, *ref);
      }
      first += static_cast<uint32_t>(set.size());
    }
    table.append(refs);
    sections.push_back({format::kModuleSets, std::move(table)});
  }

  // Objects.
  {
    std::string body;
    Append32(&body, static_cast<uint32_t>(catalog.objects.size()));
    Append32(&body, 0);
    for (const ObjectFile& o : catalog.objects) {
      absl::StatusOr<uint32_t> ref = strings.Add(o.path, "object path");
      if (!ref.ok()) return ref.status();
      uint32_t start = format::kNoAnnotation;
      if (!o.annotation.empty()) {
        absl::string_view path = o.path;
        if (!absl::EndsWith(path, o.annotation)) {
          return absl::InvalidArgumentError(
              absl::StrCat("annotation \"", o.annotation,
                           "\" is not a suffix of object \"", o.path, "\""));
        }
        start = static_cast<uint32_t>(path.size() - o.annotation.size());
      }
      Append32(&body, *ref);
      Append32(&body, start);
    }
    sections.push_back({format::kObjects, std::move(body)});
    std::string rules;
    bool any_rule = false;
    for (const ObjectFile& o : catalog.objects) {
      rules.push_back(static_cast<char>(o.module_rule));
      any_rule |= o.module_rule != 0;
    }
    if (any_rule) sections.push_back({format::kModuleRules, std::move(rules)});
  }

  // Attribution runs.
  {
    std::string runs;
    uint32_t count = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const Symbol& s = syms[i];
      if (s.module_set >= catalog.module_sets.size() ||
          (s.object != kNoObject && s.object >= catalog.objects.size())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "symbol ", s.name, " refers to a module set or object that "
            "does not exist"));
      }
      if (i == 0 || s.module_set != syms[i - 1].module_set ||
          s.object != syms[i - 1].object) {
        Append32(&runs, static_cast<uint32_t>(i));
        Append32(&runs, s.module_set);
        Append32(&runs, s.object == kNoObject ? format::kNoObjectId : s.object);
        ++count;
      }
    }
    std::string body;
    Append32(&body, count);
    Append32(&body, 0);
    body.append(runs);
    sections.push_back({format::kAttribution, std::move(body)});
  }

  // Name hash: symbols bucketed by FNV-1a of the name.
  {
    const uint32_t buckets =
        static_cast<uint32_t>(std::max<uint64_t>(1, n / 3));
    const bool tagged = n <= format::kNameHashSymbolMask;
    std::vector<uint32_t> bucket_of(n), tag_of(n);
    std::vector<uint32_t> offsets(buckets + 1, 0);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t h = format::NameHash(syms[i].name);
      bucket_of[i] = static_cast<uint32_t>(h % buckets);
      tag_of[i] = tagged ? static_cast<uint32_t>(h >> 56) << 24 : 0;
      ++offsets[bucket_of[i] + 1];
    }
    for (uint32_t b = 0; b < buckets; ++b) offsets[b + 1] += offsets[b];
    std::vector<uint32_t> slots(n);
    std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (uint64_t i = 0; i < n; ++i) {
      slots[fill[bucket_of[i]]++] = tag_of[i] | static_cast<uint32_t>(i);
    }
    std::string body;
    body.reserve(8 + 4 * (buckets + 1 + n));
    Append32(&body, buckets);
    Append32(&body, tagged ? format::kNameHashTagged : 0);
    for (uint32_t o : offsets) Append32(&body, o);
    for (uint32_t s : slots) Append32(&body, s);
    sections.push_back({format::kNameHash, std::move(body)});
  }

  sections.push_back({format::kStrings, strings.blob()});
  std::sort(sections.begin(), sections.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  // Lay out: header, directory, sections.
  format::FileHead head;
  head.header.flags =
      catalog.identity.address_space == AddressSpace::kRuntime
          ? format::kFlagRuntimeAddresses
          : 0;
  head.header.symbol_count = n;
  std::string file(format::SectionEntryOffset(sections.size()), '\0');
  for (const auto& [id, body] : sections) {
    while (file.size() % format::kSectionAlignment) file.push_back('\0');
    head.sections.push_back(
        {id, format::SectionCrc(body), file.size(), body.size()});
    file.append(body);
  }
  while (file.size() % format::kSectionAlignment) file.push_back('\0');
  head.header.file_size = file.size();
  head.EncodeOver(&file);
  return file;
}

bool IsRuntimeIndex(absl::string_view index_bytes) {
  const absl::StatusOr<format::FileHeader> h =
      format::FileHeader::Decode(index_bytes);
  return h.ok() && (h->flags & format::kFlagRuntimeAddresses) != 0;
}

absl::Status WriteIndexAtomically(const std::string& path,
                            absl::string_view index_bytes) {
  SafeWriteOptions options;
  options.mode = IsRuntimeIndex(index_bytes) ? 0600 : 0644;
  return WriteFileAtomically(path, index_bytes, options);
}

}  // namespace ksym
