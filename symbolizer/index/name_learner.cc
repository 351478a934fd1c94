#include "symbolizer/index/name_learner.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/base/optimization.h"
#include "symbolizer/index/name_table.h"

namespace ksym {
namespace {

constexpr size_t kW = NameDecoder::kMaxTokenLength;

// Byte-pair merging (Re-Pair): the sample is a doubly linked list of codes;
// each round replaces every occurrence of the most frequent adjacent pair
// with a new code. Occurrence lists make a round cost proportional to the
// pair's count, not to the sample: a pair's occurrences all appear in one
// round (initially, or when the newer of its two codes is created), so each
// pair has one contiguous list, and entries made stale by later merges are
// skipped when read.
class PairMerger {
 public:
  static constexpr uint16_t kSeparator = 256;  // between names
  static constexpr uint16_t kDeleted = 257;

  PairMerger(absl::Span<const absl::string_view> sample,
             std::array<uint8_t, 256>* lengths,
             NameSlots* slots)
      : lengths_(*lengths), slots_(*slots) {
    size_t n = 1;
    for (absl::string_view s : sample) n += s.size() + 1;
    sym_.resize(n);
    next_.resize(n);
    prev_.resize(n);
    size_t p = 0;
    sym_[p++] = kSeparator;
    for (absl::string_view s : sample) {
      for (unsigned char c : s) sym_[p++] = c;
      sym_[p++] = kSeparator;
    }
    for (size_t i = 0; i < n; ++i) {
      next_[i] = static_cast<int32_t>(i + 1);
      prev_[i] = static_cast<int32_t>(i) - 1;
    }
  }

  // Assigns merged strings to the codes in `free_codes`, in order, while
  // some pair occurs at least twice.
  void Run(const std::vector<uint8_t>& free_codes) {
    if (free_codes.empty()) return;
    const size_t n = sym_.size();
    count_.assign(1 << 16, 0);
    // Every entry is written below before it is read.
    begin_.reset(new uint32_t[1 << 16]);
    end_.reset(new uint32_t[1 << 16]);
    for (size_t i = 0; i + 1 < n; ++i) {
      if (sym_[i] < 256 && sym_[i + 1] < 256) {
        ++count_[Key(sym_[i], sym_[i + 1])];
      }
    }
    uint32_t total = 0;
    for (uint32_t k = 0; k < (1u << 16); ++k) {
      begin_[k] = end_[k] = total;
      total += count_[k];
      if (count_[k] >= 2) heap_.push_back(Entry(count_[k], k));
    }
    occ_.resize(total);
    for (size_t i = 0; i + 1 < n; ++i) {
      if (sym_[i] < 256 && sym_[i + 1] < 256) {
        occ_[end_[Key(sym_[i], sym_[i + 1])]++] = static_cast<int32_t>(i);
      }
    }
    std::make_heap(heap_.begin(), heap_.end());

    size_t assigned = 0;
    while (assigned < free_codes.size() && !heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end());
      uint64_t top = heap_.back();
      heap_.pop_back();
      uint32_t key = 0xffff - static_cast<uint32_t>(top & 0xffff);
      uint32_t count = static_cast<uint32_t>(top >> 16);
      if (count_[key] != count) {  // decreased since pushed
        if (count_[key] >= 2) Push(count_[key], key);
        continue;
      }
      uint8_t a = key >> 8, b = key & 0xff;
      if (lengths_[a] + lengths_[b] > kW) continue;  // never mergeable
      uint8_t z = free_codes[assigned++];
      lengths_[z] = lengths_[a] + lengths_[b];
      std::memcpy(slots_[z].data(), slots_[a].data(), lengths_[a]);
      std::memcpy(slots_[z].data() + lengths_[a], slots_[b].data(),
                  lengths_[b]);
      Merge(a, b, z);
    }
  }

 private:
  static uint32_t Key(uint32_t a, uint32_t b) { return a << 8 | b; }
  // Max-heap order: higher count first, then lower key (deterministic).
  static uint64_t Entry(uint32_t count, uint32_t key) {
    return static_cast<uint64_t>(count) << 16 | (0xffff - key);
  }
  void Push(uint32_t count, uint32_t key) {
    heap_.push_back(Entry(count, key));
    std::push_heap(heap_.begin(), heap_.end());
  }

  void Merge(uint16_t a, uint16_t b, uint16_t z) {
    created_.clear();
    const uint32_t ab = Key(a, b);
    // Positions ascend, so overlapping runs ("aaa" for pair aa) merge left
    // to right and the stale second occurrence is skipped.
    for (uint32_t i = begin_[ab]; i < end_[ab]; ++i) {
      int32_t p = occ_[i];
      if (sym_[p] != a) continue;
      int32_t q = next_[p];
      if (sym_[q] != b) continue;
      int32_t l = prev_[p], r = next_[q];
      --count_[ab];
      uint16_t sl = sym_[l], sr = sym_[r];
      if (sl < 256) {
        --count_[Key(sl, a)];
        ++count_[Key(sl, z)];
        created_.push_back(static_cast<uint64_t>(Key(sl, z)) << 32 | l);
      }
      if (sr < 256) {
        --count_[Key(b, sr)];
        ++count_[Key(z, sr)];
        created_.push_back(static_cast<uint64_t>(Key(z, sr)) << 32 | p);
      }
      sym_[p] = z;
      sym_[q] = kDeleted;
      next_[p] = r;
      prev_[r] = p;
    }
    // Group the new occurrences by pair, keeping position order: a stable
    // counting sort on the other code (left neighbours, then right ones).
    uint32_t bucket_start[513] = {};
    for (uint64_t c : created_) ++bucket_start[Bucket(c, z) + 1];
    for (int i = 0; i < 512; ++i) bucket_start[i + 1] += bucket_start[i];
    sorted_.resize(created_.size());
    for (uint64_t c : created_) sorted_[bucket_start[Bucket(c, z)]++] = c;
    for (size_t i = 0; i < sorted_.size();) {
      uint32_t key = static_cast<uint32_t>(sorted_[i] >> 32);
      begin_[key] = static_cast<uint32_t>(occ_.size());
      for (; i < sorted_.size() && (sorted_[i] >> 32) == key; ++i) {
        occ_.push_back(static_cast<int32_t>(sorted_[i] & 0xffffffffu));
      }
      end_[key] = static_cast<uint32_t>(occ_.size());
      if (count_[key] >= 2) Push(count_[key], key);
    }
  }

  // (x, z) → x, (z, y) → 256 + y; (z, z) is always a left neighbour's.
  static uint32_t Bucket(uint64_t created, uint32_t z) {
    uint32_t key = static_cast<uint32_t>(created >> 32);
    return (key >> 8) != z ? key >> 8 : 256 + (key & 0xff);
  }

  std::array<uint8_t, 256>& lengths_;
  NameSlots& slots_;
  std::vector<uint16_t> sym_;
  std::vector<int32_t> next_, prev_;
  std::vector<uint32_t> count_;
  std::unique_ptr<uint32_t[]> begin_, end_;
  std::vector<int32_t> occ_;
  std::vector<uint64_t> heap_;
  std::vector<uint64_t> created_, sorted_;
};

// Every k-th name, k chosen for about `sample_bytes` bytes (0: all names).
std::vector<absl::string_view> Sample(absl::Span<const absl::string_view> names,
                                      size_t sample_bytes) {
  size_t total = 0;
  for (absl::string_view s : names) total += s.size();
  size_t stride = 1;
  if (sample_bytes > 0 && total > sample_bytes) {
    stride = (total + sample_bytes - 1) / sample_bytes;
  }
  std::vector<absl::string_view> sample;
  sample.reserve(names.size() / stride + 1);
  for (size_t i = 0; i < names.size(); i += stride) sample.push_back(names[i]);
  return sample;
}

// Literal codes for the bytes in `seen`, merged codes from the sample.
std::string TableFromSample(absl::Span<const absl::string_view> sample,
                            const std::array<uint8_t, 256>& seen) {
  std::array<uint8_t, 256> lengths{};
  NameSlots slots{};
  std::vector<uint8_t> free_codes;
  for (int c = 0; c < 256; ++c) {
    if (seen[c]) {
      lengths[c] = 1;
      slots[c][0] = static_cast<char>(c);
    } else {
      free_codes.push_back(static_cast<uint8_t>(c));
    }
  }
  PairMerger(sample, &lengths, &slots).Run(free_codes);
  return SerializeNameTable(lengths, slots);
}

}  // namespace

std::string LearnNameTable(absl::Span<const absl::string_view> names,
                           size_t sample_bytes) {
  std::vector<absl::string_view> sample = Sample(names, sample_bytes);
  // Every byte value in any name keeps a literal code. Bytes outside the
  // sample's are rare, so this pass only looks for names with one: a table
  // lookup per two bytes, not a store per byte.
  std::array<uint8_t, 256> seen{};
  for (absl::string_view s : sample) {
    for (unsigned char c : s) seen[c] = 1;
  }
  std::vector<uint8_t> unseen_pair(1 << 16);
  for (uint32_t x = 0; x < (1u << 16); ++x) {
    unseen_pair[x] = !seen[x & 0xff] || !seen[x >> 8];
  }
  const uint8_t* const unseen = unseen_pair.data();
  for (absl::string_view s : names) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
    const size_t n = s.size();
    uint32_t any = 0;
    if (n >= 8) {
      // 8-byte words; the last one overlaps the one before.
      for (size_t i = 0;; i += 8) {
        if (i + 8 > n) i = n - 8;
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        any |= unseen[w & 0xffff] | unseen[(w >> 16) & 0xffff] |
               unseen[(w >> 32) & 0xffff] | unseen[w >> 48];
        if (i + 8 == n) break;
      }
    } else {
      for (size_t i = 0; i < n; ++i) any |= !seen[p[i]];
    }
    if (ABSL_PREDICT_FALSE(any)) {
      for (unsigned char c : s) {
        if (seen[c]) continue;
        seen[c] = 1;
        for (uint32_t x = 0; x < 256; ++x) {
          unseen_pair[c | x << 8] = !seen[x];
          unseen_pair[x | c << 8] = !seen[x];
        }
      }
    }
  }
  return TableFromSample(sample, seen);
}

}  // namespace ksym
