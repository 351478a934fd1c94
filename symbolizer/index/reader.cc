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
  const absl::StatusOr<SectionDirectory> dir =
      ReadSectionDirectory(data_, label_, options.verify_checksums);
  if (!dir.ok()) return dir.status();
  address_space_ = (dir->flags & format::kFlagRuntimeAddresses)
                       ? AddressSpace::kRuntime
                       : AddressSpace::kStatic;
  absl::StatusOr<IndexSections> sections = DecodeSections(*dir);
  if (!sections.ok()) {
    return absl::Status(sections.status().code(),
                        absl::StrCat(label_, ": ", sections.status().message()));
  }
  s_ = *std::move(sections);
  release_ = StringAt(s_.identity.refs[0]);
  build_id_ = StringAt(s_.identity.refs[1]);
  arch_ = StringAt(s_.identity.refs[2]);
  for (uint64_t k = 0; k < s_.sources.count(); ++k) {
    const SourcesSection::Entry e = s_.sources.At(k);
    sources_.push_back(
        {StringAt(e.what), StringAt(e.path), StringAt(e.why), e.state});
  }
  const uint64_t n = s_.symbol_count;
  sampled_addresses_.reserve(n / kSampleStride + 1);
  for (uint64_t i = 0; i < n; i += kSampleStride) {
    sampled_addresses_.push_back(Address(static_cast<uint32_t>(i)));
  }
  return absl::OkStatus();
}

IndexReader::Module IndexReader::ModuleAt(uint32_t k) const {
  const ModuleSection::Entry e = s_.modules.At(k);
  return {StringAt(e.name),
          StringAt(e.build_id),
          e.base,
          e.size,
          (e.flags & format::kModuleRangeInferred) != 0,
          (e.flags & format::kModuleFromKo) != 0,
          (e.flags & format::kModuleDebugRead) != 0,
          e.first_section,
          e.section_count};
}

std::pair<absl::string_view, uint64_t> IndexReader::ModuleSectionAt(
    uint32_t j) const {
  const ModuleSection::Placed p = s_.modules.Section(j);
  return {StringAt(p.name), p.address};
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
  const AddressSection& a = s_.addresses;
  std::vector<Segment> out;
  for (uint32_t k = 0; k < a.segment_count(); ++k) {
    out.push_back({a.SegmentBase(k), a.SegmentFirst(k), a.SegmentSymbols(k)});
  }
  return out;
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
  return std::min(s_.names.decoder().Decode(enc, buf, cap), cap);
}

std::string IndexReader::NameString(uint32_t i) const {
  char buf[kMaxNameLength];
  return std::string(buf, Name(i, buf, sizeof(buf)));
}

bool IndexReader::NameEquals(uint32_t i, absl::string_view name) const {
  char type;
  absl::string_view enc;
  return NameRecord(i, &type, &enc) && s_.names.decoder().Equals(enc, name);
}

uint64_t IndexReader::End(uint32_t i) const {
  const uint64_t a = Address(i);
  if (SizeExact(i)) return a + s_.extents.Size(i);
  // The next higher address follows the last symbol at `a`: O(log n) however
  // many aliases share `a`.
  const std::optional<uint32_t> last = Predecessor(a);
  if (last && uint64_t{*last} + 1 < s_.symbol_count) {
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

uint32_t IndexReader::PredecessorFrom(uint32_t from, uint64_t addr) const {
  const uint64_t n = s_.symbol_count;
  if (from >= n || Address(from) > addr) {
    const std::optional<uint32_t> p = Predecessor(addr);
    return p ? *p : from;  // (a caller breaking the contract gets from)
  }
  // Gallop: from + 1, + 3, + 7, + 15 (the cache lines next to from's,
  // still warm) until past addr; farther jumps go through Predecessor,
  // which costs the same wherever the answer is (a random batch then pays
  // only these few warm probes).
  uint64_t lo = from, hi = n;
  for (uint64_t step = 1;; step *= 2) {
    if (step > 8) {
      const std::optional<uint32_t> p = Predecessor(addr);
      return p ? *p : from;
    }
    const uint64_t probe = lo + step;
    if (probe >= n) break;
    if (Address(static_cast<uint32_t>(probe)) > addr) {
      hi = probe;
      break;
    }
    lo = probe;
  }
  while (hi - lo > 1) {  // Address(lo) <= addr < Address(hi)
    const uint64_t mid = lo + (hi - lo) / 2;
    if (Address(static_cast<uint32_t>(mid)) <= addr) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return static_cast<uint32_t>(lo);
}

std::optional<uint32_t> IndexReader::SearchPredecessor(uint64_t addr) const {
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
      std::min<uint64_t>(s_.symbol_count, lo + uint64_t{kSampleStride}));
  // Last symbol <= addr in [lo, hi); symbol lo qualifies by construction.
  const AddressSection& addresses = s_.addresses;
  const size_t seg = addresses.SegmentOf(lo);
  const uint64_t base = addresses.SegmentBase(seg);
  const uint64_t seg_end = uint64_t{addresses.SegmentFirst(seg)} +
                           addresses.SegmentSymbols(seg);
  if (hi <= seg_end && addr - base <= 0xffffffffull && addr >= base) {
    // Common case: the block lies in one segment; compare 32-bit offsets.
    const uint32_t target = static_cast<uint32_t>(addr - base);
    uint32_t at = lo;
    for (uint32_t len = hi - lo; len > 1;) {
      const uint32_t half = len / 2;
      at += addresses.Offset(at + half) <= target ? half : 0;
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

void IndexReader::Attribution(uint32_t i, uint32_t* module_set,
                              uint32_t* object) const {
  *module_set = kNoModules;
  *object = format::kNoObjectId;
  const AttributionSection& runs = s_.attribution;
  const uint32_t run = runs.RunOf(i);
  if (run == ~0u) return;
  const uint32_t set = runs.RunModuleSet(run), obj = runs.RunObject(run);
  if (set < s_.module_sets.count()) *module_set = set;
  if (obj < s_.objects.count()) *object = obj;
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
  return std::min(s_.names.decoder().Decode(enc, buf, cap), cap);
}

size_t IndexReader::ModuleSetSize(uint32_t set) const {
  return s_.module_sets.CheckedSize(set);
}

absl::string_view IndexReader::ModuleName(uint32_t set, size_t j) const {
  if (j >= ModuleSetSize(set)) return {};
  return StringAt(s_.module_sets.Ref(s_.module_sets.First(set) + j));
}

bool IndexReader::ModuleSetLoadable(uint32_t set) const {
  if (set >= s_.module_sets.count()) return false;
  return s_.module_sets.Flags(set) & format::kModuleSetLoadable;
}

absl::string_view IndexReader::ObjectPath(uint32_t object) const {
  if (object >= s_.objects.count()) return {};
  return StringAt(s_.objects.PathRef(object));
}

uint8_t IndexReader::ObjectModuleRule(uint32_t object) const {
  if (object >= s_.objects.count()) return 0;
  return s_.objects.ModuleRule(object);
}

absl::string_view IndexReader::ObjectAnnotation(uint32_t object,
                                                NameKind kind) const {
  if (object >= s_.objects.count()) return {};
  const uint32_t start = s_.objects.AnnotationStart(object, kind);
  absl::string_view path = ObjectPath(object);
  if (start == format::kNoAnnotation || start >= path.size()) return {};
  return path.substr(start);
}

}  // namespace ksym
