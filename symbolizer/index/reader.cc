#include "symbolizer/index/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/index/structure_verifier.h"

namespace ksym {
IndexReader::~IndexReader() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::Open(
    const std::string& path, IndexOptions options) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot open"));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot stat"));
  }
  std::unique_ptr<IndexReader> r(new IndexReader());
  if (st.st_size > 0) {
    void* m = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                   MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      int err = errno;
      close(fd);
      return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot mmap"));
    }
    r->mapping_ = m;
    r->mapping_size_ = static_cast<size_t>(st.st_size);
    r->data_ = absl::string_view(static_cast<const char*>(m),
                                 r->mapping_size_);
  }
  close(fd);
  absl::Status s = r->Init(path, options);
  if (!s.ok()) return s;
  return r;
}

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::FromBuffer(
    std::string bytes, absl::string_view label, IndexOptions options) {
  std::unique_ptr<IndexReader> r(new IndexReader());
  r->owned_ = std::move(bytes);
  r->data_ = r->owned_;
  absl::Status s = r->Init(label, options);
  if (!s.ok()) return s;
  return r;
}

absl::Status IndexReader::Init(absl::string_view label, IndexOptions options) {
  label_ = std::string(label);
  auto loss = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat(label_, ": ", parts...));
  };
  const absl::StatusOr<SectionDirectory> dir =
      ReadSectionDirectory(data_, label_, options.verify_checksums);
  if (!dir.ok()) return dir.status();
  address_space_ = (dir->flags & format::kFlagRuntimeAddresses)
                       ? AddressSpace::kRuntime
                       : AddressSpace::kStatic;
  symbol_count_ = dir->symbol_count;
  const uint64_t n = symbol_count_;
  const absl::string_view* sec = dir->section;
  const bool* present = dir->present;
  // Counted tables: u32 count, u32 reserved, count fixed-size entries.
  auto counted = [&](uint32_t id, uint64_t entry, uint64_t* count,
                     const char** table,
                     bool exact) -> absl::Status {
    absl::string_view s = sec[id];
    if (s.size() < 8) {
      return loss("section ", format::SectionName(id), " is ", s.size(),
                  " bytes, too short for its count");
    }
    *count = bytes::Load32(s.data());
    *table = s.data() + 8;
    const uint64_t need = 8 + *count * entry;
    if (exact ? s.size() != need : s.size() < need) {
      return loss("section ", format::SectionName(id), " is ", s.size(),
                  " bytes, but its count ", *count, " needs ", need);
    }
    return absl::OkStatus();
  };
  auto fixed = [&](uint32_t id, uint64_t want) -> absl::Status {
    if (sec[id].size() != want) {
      return loss("section ", format::SectionName(id), " is ",
                  sec[id].size(), " bytes, expected ", want, " for ", n,
                  " symbols");
    }
    return absl::OkStatus();
  };

  strings_ = sec[format::kStrings];
  if (strings_.size() < 2 || bytes::Load16(strings_.data()) != 0) {
    return loss("section strings does not start with the empty string");
  }
  if (absl::Status s = fixed(format::kIdentity, 32); !s.ok()) return s;
  {
    const char* id = sec[format::kIdentity].data();
    kaslr_offset_ = static_cast<int64_t>(bytes::Load64(id));
    for (int k = 0; k < 3; ++k) identity_refs_[k] = bytes::Load32(id + 8 + 4 * k);
    release_ = StringAt(identity_refs_[0]);
    build_id_ = StringAt(identity_refs_[1]);
    arch_ = StringAt(identity_refs_[2]);
    kaslr_offset_known_ =
        (bytes::Load32(id + 24) & format::kIdentityKaslrUnknown) == 0;
  }
  if (present[format::kSources]) {
    uint64_t count = 0;
    const char* table = nullptr;
    if (absl::Status s = counted(format::kSources, 16, &count, &table, true);
        !s.ok()) {
      return s;
    }
    source_table_ = table;
    source_count_ = count;
    for (uint64_t k = 0; k < count; ++k) {
      const char* e = table + 16 * k;
      const uint32_t state = bytes::Load32(e + 12);
      if (state > static_cast<uint32_t>(SourceState::kRejected)) {
        return loss("source ", k, " has state ", state, ", not 0, 1 or 2");
      }
      sources_.push_back({StringAt(bytes::Load32(e)),
                          StringAt(bytes::Load32(e + 4)),
                          StringAt(bytes::Load32(e + 8)),
                          static_cast<SourceState>(state)});
    }
  }
  uint64_t count = 0;
  if (absl::Status s = counted(format::kSegments, 16, &count, &segments_, true);
      !s.ok()) {
    return s;
  }
  segment_count_ = static_cast<uint32_t>(count);
  {
    // Segments must tile 0..n-1 in order with ascending bases: lookups
    // rely on it to stay in bounds.
    uint64_t next = 0;
    for (uint32_t k = 0; k < segment_count_; ++k) {
      const char* e = segments_ + 16 * uint64_t{k};
      const uint64_t b = bytes::Load64(e);
      const uint32_t first = bytes::Load32(e + 8), cnt = bytes::Load32(e + 12);
      if (first != next || cnt == 0 ||
          (k > 0 && b <= bytes::Load64(e - 16))) {
        return loss("segment ", k, " (base 0x", absl::Hex(b), ", first ",
                    first, ", count ", cnt,
                    ") does not continue the previous one");
      }
      next += cnt;
    }
    if (next != n) {
      return loss("segments cover ", next, " symbols, header says ", n);
    }
  }
  if (absl::Status s = fixed(format::kAddressOffsets, 4 * n); !s.ok()) {
    return s;
  }
  offsets_ = sec[format::kAddressOffsets].data();
  if (present[format::kSizes]) {
    if (absl::Status s = fixed(format::kSizes, 4 * n); !s.ok()) return s;
    sizes_ = sec[format::kSizes].data();
  }
  absl::StatusOr<NameDecoder> decoder =
      NameDecoder::Open(sec[format::kNameTable]);
  if (!decoder.ok()) {
    return loss("section name_table: ", decoder.status().message());
  }
  names_ = *decoder;
  name_data_ = sec[format::kNameData];
  name_block_count_ = (n + format::kNameBlockSize - 1) / format::kNameBlockSize;
  if (absl::Status s = fixed(format::kNameBlocks, 4 * name_block_count_);
      !s.ok()) {
    return s;
  }
  name_blocks_ = sec[format::kNameBlocks].data();
  if (absl::Status s =
          counted(format::kModuleSets, 8, &count, &module_sets_, false);
      !s.ok()) {
    return s;
  }
  module_set_count_ = static_cast<uint32_t>(count);
  if (module_set_count_ == 0) return loss("module set 0 (empty) is missing");
  {
    const uint64_t rest = sec[format::kModuleSets].size() - 8 - 8 * count;
    if (rest % 4 != 0) {
      return loss("section module_sets has a partial module reference");
    }
    module_refs_ = module_sets_ + 8 * count;
    module_ref_count_ = rest / 4;
  }
  if (absl::Status s = counted(format::kObjects, 8, &count, &objects_, true);
      !s.ok()) {
    return s;
  }
  object_count_ = static_cast<uint32_t>(count);
  if (present[format::kModuleRules]) {
    if (sec[format::kModuleRules].size() != object_count_) {
      return loss("section module_rules is ", sec[format::kModuleRules].size(),
                  " bytes, expected one per object (", object_count_, ")");
    }
    module_rules_ = sec[format::kModuleRules].data();
  }
  if (absl::Status s = counted(format::kAttribution, 12, &count, &runs_, true);
      !s.ok()) {
    return s;
  }
  run_count_ = static_cast<uint32_t>(count);
  if (n > 0 && (run_count_ == 0 || bytes::Load32(runs_) != 0)) {
    return loss("section attribution does not start at symbol 0");
  }
  if (absl::Status s =
          counted(format::kOverlaps, 32, &overlap_count_, &overlaps_, true);
      !s.ok()) {
    return s;
  }
  {
    absl::string_view h = sec[format::kNameHash];
    if (h.size() < 8) return loss("section name_hash is too short");
    bucket_count_ = bytes::Load32(h.data());
    const uint64_t need = 8 + 4 * (uint64_t{bucket_count_} + 1) + 4 * n;
    if (bucket_count_ == 0 || h.size() != need) {
      return loss("section name_hash is ", h.size(), " bytes, but ",
                  bucket_count_, " buckets and ", n, " symbols need ", need);
    }
    name_hash_tagged_ = bytes::Load32(h.data() + 4) & format::kNameHashTagged;
    hash_offsets_ = h.data() + 8;
    hash_slots_ = hash_offsets_ + 4 * (uint64_t{bucket_count_} + 1);
  }
  sampled_addresses_.reserve(n / kSampleStride + 1);
  for (uint64_t i = 0; i < n; i += kSampleStride) {
    sampled_addresses_.push_back(Address(static_cast<uint32_t>(i)));
  }
  return absl::OkStatus();
}

absl::Status IndexReader::VerifyChecksums() const {
  return VerifySectionChecksums(data_, label_);
}

absl::Status IndexReader::VerifyStructure() const {
  return StructureVerifier(*this).Run();
}

std::vector<SectionInfo> IndexReader::sections() const {
  return ListSections(data_);
}

std::vector<IndexReader::Segment> IndexReader::segments() const {
  std::vector<Segment> out;
  for (uint32_t k = 0; k < segment_count_; ++k) {
    const char* e = segments_ + 16 * uint64_t{k};
    out.push_back(
        {bytes::Load64(e), bytes::Load32(e + 8), bytes::Load32(e + 12)});
  }
  return out;
}

absl::string_view IndexReader::StringAt(uint32_t ref) const {
  if (uint64_t{ref} + 2 > strings_.size()) return {};
  const uint16_t len = bytes::Load16(strings_.data() + ref);
  if (uint64_t{ref} + 2 + len > strings_.size()) return {};
  return strings_.substr(ref + 2, len);
}

size_t IndexReader::SegmentOfSymbol(uint32_t i) const {
  // Few segments (typically 1-3): a linear scan from the back is fastest.
  size_t k = segment_count_;
  while (k > 1 && bytes::Load32(segments_ + 16 * (k - 1) + 8) > i) --k;
  return k - 1;
}

uint64_t IndexReader::Address(uint32_t i) const {
  if (i >= symbol_count_) return 0;
  const char* seg = segments_ + 16 * SegmentOfSymbol(i);
  return bytes::Load64(seg) + bytes::Load32(offsets_ + 4 * uint64_t{i});
}

bool IndexReader::NameRecord(uint32_t i, char* type,
                             absl::string_view* encoded) const {
  if (i >= symbol_count_) return false;
  const uint64_t block = i / format::kNameBlockSize;
  uint64_t off = bytes::Load32(name_blocks_ + 4 * block);
  const char* p = name_data_.data() + std::min<uint64_t>(off, name_data_.size());
  const char* end = name_data_.data() + name_data_.size();
  for (uint32_t skip = i % format::kNameBlockSize;; --skip) {
    if (p >= end) return false;
    const char t = *p++;
    uint64_t len;
    if (!bytes::ReadVarint(&p, end, 2, &len) ||
        len > static_cast<uint64_t>(end - p)) {
      return false;
    }
    if (skip == 0) {
      *type = t;
      *encoded = absl::string_view(p, len);
      return true;
    }
    p += len;
  }
}

char IndexReader::Type(uint32_t i) const {
  char type;
  absl::string_view enc;
  return NameRecord(i, &type, &enc) ? type : '?';
}

size_t IndexReader::Name(uint32_t i, char* buf, size_t cap) const {
  char type;
  absl::string_view enc;
  if (!NameRecord(i, &type, &enc)) return 0;
  return std::min(names_->Decode(enc, buf, cap), cap);
}

std::string IndexReader::NameString(uint32_t i) const {
  char buf[kMaxNameLength];
  return std::string(buf, Name(i, buf, sizeof(buf)));
}

bool IndexReader::NameEquals(uint32_t i, absl::string_view name) const {
  char type;
  absl::string_view enc;
  return NameRecord(i, &type, &enc) && names_->Equals(enc, name);
}

bool IndexReader::SizeExact(uint32_t i) const {
  return sizes_ != nullptr && i < symbol_count_ &&
         bytes::Load32(sizes_ + 4 * uint64_t{i}) != format::kSizeInferred;
}

uint64_t IndexReader::End(uint32_t i) const {
  const uint64_t a = Address(i);
  if (SizeExact(i)) return a + bytes::Load32(sizes_ + 4 * uint64_t{i});
  // The next higher address follows the last symbol at `a`: O(log n) however
  // many aliases share `a`.
  const std::optional<uint32_t> last = Predecessor(a);
  if (last && uint64_t{*last} + 1 < symbol_count_) {
    const uint64_t b = Address(*last + 1);
    if (b > a) return b;
  }
  return a;
}

uint32_t IndexReader::AliasGroupBegin(uint32_t i) const {
  const uint64_t a = Address(i);
  if (a == 0) return 0;
  const std::optional<uint32_t> below = Predecessor(a - 1);
  const uint32_t begin = below ? *below + 1 : 0;
  return std::min(begin, i);  // a damaged (unsorted) file stays in bounds
}

uint32_t IndexReader::AliasGroupEnd(uint32_t i) const {
  const std::optional<uint32_t> last = Predecessor(Address(i));
  return last && *last >= i ? *last + 1 : i + 1;
}

std::optional<uint32_t> IndexReader::Predecessor(uint64_t addr) const {
  // Both searches are branch-free (the comparison feeds a conditional
  // move): random addresses mispredict half of a branchy search's steps,
  // which cost more than the memory reads (symbolizer_benchmark
  // BM_LocateRandom: 190 -> see symbolizer/README.md).
  // Block: the last sample <= addr.
  if (sampled_addresses_.empty() || sampled_addresses_[0] > addr) {
    return std::nullopt;
  }
  const uint64_t* sample = sampled_addresses_.data();
  for (size_t len = sampled_addresses_.size(); len > 1;) {
    const size_t half = len / 2;
    sample += sample[half] <= addr ? half : 0;
    len -= half;
  }
  const uint64_t block = sample - sampled_addresses_.data();
  uint32_t lo = static_cast<uint32_t>(block * kSampleStride);
  uint32_t hi = static_cast<uint32_t>(
      std::min<uint64_t>(symbol_count_, lo + uint64_t{kSampleStride}));
  // Last symbol <= addr in [lo, hi); symbol lo qualifies by construction.
  const size_t seg = SegmentOfSymbol(lo);
  const char* sp = segments_ + 16 * seg;
  const uint64_t base = bytes::Load64(sp);
  const uint64_t seg_end = uint64_t{bytes::Load32(sp + 8)} + bytes::Load32(sp + 12);
  if (hi <= seg_end && addr - base <= 0xffffffffull && addr >= base) {
    // Common case: the block lies in one segment; compare 32-bit offsets.
    const uint32_t target = static_cast<uint32_t>(addr - base);
    uint32_t at = lo;
    for (uint32_t len = hi - lo; len > 1;) {
      const uint32_t half = len / 2;
      at += bytes::Load32(offsets_ + 4 * uint64_t{at + half}) <= target ? half
                                                                        : 0;
      len -= half;
    }
    return at;
  }
  uint32_t l = lo + 1, r = hi;
  while (l < r) {
    const uint32_t mid = l + (r - l) / 2;
    if (Address(mid) <= addr) {
      l = mid + 1;
    } else {
      r = mid;
    }
  }
  return l - 1;
}

uint32_t IndexReader::RunOf(uint32_t i) const {
  uint32_t lo = 0, hi = run_count_;
  while (lo < hi) {
    const uint32_t mid = (lo + hi) / 2;
    if (bytes::Load32(runs_ + 12 * uint64_t{mid}) <= i) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? ~0u : lo - 1;
}

void IndexReader::Attribution(uint32_t i, uint32_t* module_set,
                              uint32_t* object) const {
  *module_set = kNoModules;
  *object = format::kNoObjectId;
  const uint32_t run = RunOf(i);
  if (run == ~0u) return;
  const char* e = runs_ + 12 * uint64_t{run};
  const uint32_t set = bytes::Load32(e + 4), obj = bytes::Load32(e + 8);
  if (set < module_set_count_) *module_set = set;
  if (obj < object_count_) *object = obj;
}

uint32_t IndexReader::ModuleSetOf(uint32_t i) const {
  uint32_t set, obj;
  Attribution(i, &set, &obj);
  return set;
}

uint32_t IndexReader::ObjectOf(uint32_t i) const {
  uint32_t set, obj;
  Attribution(i, &set, &obj);
  return obj;
}

size_t IndexReader::TypeAndName(uint32_t i, char* type, char* buf,
                                size_t cap) const {
  absl::string_view enc;
  if (!NameRecord(i, type, &enc)) {
    *type = '?';
    return 0;
  }
  return std::min(names_->Decode(enc, buf, cap), cap);
}

size_t IndexReader::ModuleSetSize(uint32_t set) const {
  if (set >= module_set_count_) return 0;
  const char* e = module_sets_ + 8 * uint64_t{set};
  const uint64_t first = bytes::Load32(e), size = bytes::Load16(e + 4);
  if (first > module_ref_count_ || size > module_ref_count_ - first) return 0;
  return size;
}

absl::string_view IndexReader::ModuleName(uint32_t set, size_t j) const {
  if (j >= ModuleSetSize(set)) return {};
  const uint64_t first = bytes::Load32(module_sets_ + 8 * uint64_t{set});
  return StringAt(bytes::Load32(module_refs_ + 4 * (first + j)));
}

bool IndexReader::ModuleSetLoadable(uint32_t set) const {
  if (set >= module_set_count_) return false;
  return bytes::Load16(module_sets_ + 8 * uint64_t{set} + 6) &
         format::kModuleSetLoadable;
}

absl::string_view IndexReader::ObjectPath(uint32_t object) const {
  if (object >= object_count_) return {};
  return StringAt(bytes::Load32(objects_ + 8 * uint64_t{object}));
}

uint8_t IndexReader::ObjectModuleRule(uint32_t object) const {
  if (module_rules_ == nullptr || object >= object_count_) return 0;
  return static_cast<uint8_t>(module_rules_[object]);
}

absl::string_view IndexReader::ObjectAnnotation(uint32_t object) const {
  if (object >= object_count_) return {};
  const uint32_t start = bytes::Load32(objects_ + 8 * uint64_t{object} + 4);
  absl::string_view path = ObjectPath(object);
  if (start == format::kNoAnnotation || start >= path.size()) return {};
  return path.substr(start);
}

IndexReader::Overlap IndexReader::OverlapAt(uint64_t pos) const {
  const char* e = overlaps_ + 32 * pos;
  return {bytes::Load64(e), bytes::Load64(e + 8), bytes::Load64(e + 16),
          bytes::Load32(e + 24)};
}

}  // namespace ksym
