#include "symbolizer/index/name_codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

constexpr char kMagic[4] = {'K', 'S', 'N', 'T'};
constexpr size_t kW = NameDecoder::kMaxTokenLength;
constexpr size_t kLengthsOffset = 8;
constexpr size_t kSlotsOffset = kLengthsOffset + 256;

std::string Hex2(int code) { return absl::StrFormat("0x%02x", code); }

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("name table: ", what));
}

// Checks the layout documented in the header.
absl::Status ValidateTable(absl::string_view table) {
  if (table.size() != NameDecoder::kTableSize) {
    return Corrupt(absl::StrCat(table.size(), " bytes (expected ",
                                NameDecoder::kTableSize, ")"));
  }
  if (std::memcmp(table.data(), kMagic, 4) != 0) {
    return Corrupt(absl::StrCat("bad magic \"",
                                absl::CHexEscape(table.substr(0, 4)),
                                "\" (expected \"KSNT\")"));
  }
  uint32_t version;
  std::memcpy(&version, table.data() + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  version = __builtin_bswap32(version);
#endif
  if (version != NameDecoder::kVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("name table: version ", version, " (expected ",
                     NameDecoder::kVersion, ")"));
  }
  const uint8_t* lengths =
      reinterpret_cast<const uint8_t*>(table.data() + kLengthsOffset);
  const char* slots = table.data() + kSlotsOffset;
  for (int c = 0; c < 256; ++c) {
    const char* slot = slots + kW * c;
    if (lengths[c] > kW) {
      return Corrupt(absl::StrCat("code ", Hex2(c), " has length ", lengths[c],
                                  " (expected at most ", kW, ")"));
    }
    for (size_t i = lengths[c]; i < kW; ++i) {
      if (slot[i] != 0) {
        return Corrupt(absl::StrCat(
            "code ", Hex2(c), " has a non-zero byte after its ", lengths[c],
            "-byte expansion (expected zero padding)"));
      }
    }
    if (lengths[c] == 1 && static_cast<uint8_t>(slot[0]) != c) {
      return Corrupt(
          absl::StrCat("code ", Hex2(c), " expands to the single byte ",
                       Hex2(static_cast<uint8_t>(slot[0])),
                       " (expected a 1-byte expansion to be the code itself)"));
    }
  }
  // The encoder relies on this: a byte inside an expansion can also start
  // a match.
  for (int c = 0; c < 256; ++c) {
    for (size_t i = 0; i < lengths[c]; ++i) {
      uint8_t b = static_cast<uint8_t>(slots[kW * c + i]);
      if (lengths[b] != 1) {
        return Corrupt(absl::StrCat(
            "code ", Hex2(c), " expands to \"",
            absl::CHexEscape(absl::string_view(slots + kW * c, lengths[c])),
            "\" whose byte ", Hex2(b),
            " has no literal code (expected every byte of an expansion to "
            "be a 1-byte code)"));
      }
    }
  }
  // Duplicates: sort the used codes by expansion (slots are zero padded,
  // so comparing lengths then whole slots orders by content).
  std::array<uint8_t, 256> order;
  int used = 0;
  for (int c = 0; c < 256; ++c) {
    if (lengths[c] != 0) order[used++] = static_cast<uint8_t>(c);
  }
  auto less = [&](uint8_t a, uint8_t b) {
    if (lengths[a] != lengths[b]) return lengths[a] < lengths[b];
    int cmp = std::memcmp(slots + kW * a, slots + kW * b, kW);
    return cmp != 0 ? cmp < 0 : a < b;
  };
  std::sort(order.begin(), order.begin() + used, less);
  for (int i = 1; i < used; ++i) {
    uint8_t a = order[i - 1], b = order[i];
    if (lengths[a] == lengths[b] &&
        std::memcmp(slots + kW * a, slots + kW * b, kW) == 0) {
      return Corrupt(absl::StrCat(
          "codes ", Hex2(a), " and ", Hex2(b), " both expand to \"",
          absl::CHexEscape(absl::string_view(slots + kW * a, lengths[a])),
          "\" (expected distinct expansions)"));
    }
  }
  return absl::OkStatus();
}

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
             std::array<std::array<char, kW>, 256>* slots)
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
  std::array<std::array<char, kW>, 256>& slots_;
  std::vector<uint16_t> sym_;
  std::vector<int32_t> next_, prev_;
  std::vector<uint32_t> count_;
  std::unique_ptr<uint32_t[]> begin_, end_;
  std::vector<int32_t> occ_;
  std::vector<uint64_t> heap_;
  std::vector<uint64_t> created_, sorted_;
};

}  // namespace

// --- NameDecoder ------------------------------------------------------------

NameDecoder::NameDecoder(absl::string_view table)
    : lengths_(reinterpret_cast<const uint8_t*>(table.data() + kLengthsOffset)),
      slots_(table.data() + kSlotsOffset) {}

absl::StatusOr<NameDecoder> NameDecoder::Open(absl::string_view table) {
  absl::Status st = ValidateTable(table);
  if (!st.ok()) return st;
  return NameDecoder(table);
}

size_t NameDecoder::Decode(absl::string_view encoded, char* buf,
                           size_t cap) const {
  const uint8_t* in = reinterpret_cast<const uint8_t*>(encoded.data());
  const uint8_t* end = in + encoded.size();
  size_t n = 0;
  // Fast path: whole 16-byte slots while they fit; the bytes past the
  // expansion are overwritten by the next code.
  for (; in < end && n + kW <= cap; ++in) {
    std::memcpy(buf + n, slots_ + kW * *in, kW);
    n += lengths_[*in];
  }
  for (; in < end; ++in) {
    size_t len = lengths_[*in];
    if (n < cap)
      std::memcpy(buf + n, slots_ + kW * *in, std::min(len, cap - n));
    n += len;
  }
  return n;
}

size_t NameDecoder::DecodedSize(absl::string_view encoded) const {
  size_t n = 0;
  for (unsigned char c : encoded) n += lengths_[c];
  return n;
}

bool NameDecoder::Equals(absl::string_view encoded,
                         absl::string_view plain) const {
  // Decoding whole slots into a stack buffer beats comparing code by code.
  char buf[256 + kW];
  if (plain.size() <= 256) {
    size_t n = Decode(encoded, buf, sizeof(buf));
    return n == plain.size() && std::memcmp(buf, plain.data(), n) == 0;
  }
  const char* p = plain.data();
  size_t left = plain.size();
  for (unsigned char c : encoded) {
    size_t len = lengths_[c];
    if (len > left || std::memcmp(p, slots_ + kW * c, len) != 0) return false;
    p += len;
    left -= len;
  }
  return left == 0;
}

// --- NameCodec --------------------------------------------------------------

NameCodec::NameCodec(std::string table)
    : table_(std::move(table)), decoder_(table_) {
  BuildEncoder();
}

NameCodec::NameCodec(const NameCodec& other)
    : table_(other.table_),
      decoder_(table_),
      row_size_(other.row_size_),
      steps_(other.steps_),
      pool_(other.pool_) {
  std::memcpy(byte_class_, other.byte_class_, sizeof(byte_class_));
}

NameCodec& NameCodec::operator=(const NameCodec& other) {
  if (this != &other) *this = NameCodec(other);
  return *this;
}

NameCodec::NameCodec(NameCodec&& other) noexcept
    : table_(std::move(other.table_)),
      decoder_(table_),
      row_size_(other.row_size_),
      steps_(std::move(other.steps_)),
      pool_(std::move(other.pool_)) {
  std::memcpy(byte_class_, other.byte_class_, sizeof(byte_class_));
}

NameCodec& NameCodec::operator=(NameCodec&& other) noexcept {
  table_ = std::move(other.table_);
  decoder_ = NameDecoder(table_);
  row_size_ = other.row_size_;
  steps_ = std::move(other.steps_);
  pool_ = std::move(other.pool_);
  std::memcpy(byte_class_, other.byte_class_, sizeof(byte_class_));
  return *this;
}

namespace {

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

}  // namespace

NameCodec NameCodec::Learn(absl::Span<const absl::string_view> names,
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
  return FromSample(sample, seen);
}

NameCodec NameCodec::FromSample(absl::Span<const absl::string_view> sample,
                                const std::array<uint8_t, 256>& seen) {
  std::array<uint8_t, 256> lengths{};
  std::array<std::array<char, kW>, 256> slots{};
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

  std::string table(kTableSize, '\0');
  std::memcpy(&table[0], kMagic, 4);
  uint32_t version = NameDecoder::kVersion;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  version = __builtin_bswap32(version);
#endif
  std::memcpy(&table[4], &version, 4);
  std::memcpy(&table[kLengthsOffset], lengths.data(), 256);
  for (int c = 0; c < 256; ++c) {
    std::memcpy(&table[kSlotsOffset + kW * c], slots[c].data(), kW);
  }
  return NameCodec(std::move(table));
}

absl::StatusOr<NameCodec> NameCodec::FromSerialized(absl::string_view table) {
  absl::Status st = ValidateTable(table);
  if (!st.ok()) return st;
  return NameCodec(std::string(table));
}

// A step entry (u64): bits 0-31 the next state's row offset in steps_;
// bits 32-39 what it emits: 0..3 codes inline in bits 40-63 (first code
// lowest), kEmitLong = the codes are in pool_ at the offset in bits 40-63
// (a length byte, then the codes), kEmitError = the byte has no code.
namespace {

constexpr uint32_t kEmitLong = 0x80;
constexpr uint32_t kEmitError = 0x81;

// Greedy longest match over a trie of the expansions, one byte at a time.
// Builds the transducer's entries; only used while building the encoder.
class GreedyTrie {
 public:
  GreedyTrie(const NameDecoder& decoder, const uint16_t* byte_class,
             uint32_t classes)
      : decoder_(decoder), byte_class_(byte_class), classes_(classes) {
    AddNode(0, 0);
    for (int c = 0; c < 256; ++c) {
      absl::string_view e = decoder.Expansion(static_cast<uint8_t>(c));
      uint32_t node = 0;
      for (size_t i = 0; i < e.size(); ++i) {
        uint32_t& kid = kids_[node * classes_ + Class(e[i])];
        if (kid == 0) {
          kid = static_cast<uint32_t>(code_.size());
          AddNode(static_cast<uint8_t>(c), static_cast<uint8_t>(i + 1));
        }
        node = kids_[node * classes_ + Class(e[i])];
      }
      if (node != 0) code_[node] = static_cast<int16_t>(c);
    }
    for (uint32_t node = 0; node < code_.size(); ++node) {
      for (uint32_t k = 0; k < classes_; ++k) {
        if (kids_[node * classes_ + k] != 0) has_kids_[node] = true;
      }
    }
  }

  uint32_t size() const { return static_cast<uint32_t>(code_.size()); }
  bool has_kids(uint32_t node) const { return has_kids_[node]; }
  int code(uint32_t node) const { return code_[node]; }

  // Reads one byte of class k in state `node`; appends emitted codes.
  uint32_t Step(uint32_t node, uint32_t k, std::vector<uint8_t>* emit) const {
    while (kids_[node * classes_ + k] == 0) node = Backoff(node, emit);
    return kids_[node * classes_ + k];
  }

  // The name ends in state `node`: emits the rest.
  void Flush(uint32_t node, std::vector<uint8_t>* emit) const {
    while (node != 0) node = Backoff(node, emit);
  }

 private:
  uint32_t Class(char c) const { return byte_class_[static_cast<uint8_t>(c)]; }

  void AddNode(uint8_t via, uint8_t depth) {
    kids_.resize(kids_.size() + classes_, 0);
    code_.push_back(-1);
    via_.push_back(via);
    depth_.push_back(depth);
    has_kids_.push_back(false);
  }

  // No expansion continues the match: emits the longest expansion that is a
  // prefix of what was read, and re-reads the rest from the root.
  uint32_t Backoff(uint32_t node, std::vector<uint8_t>* emit) const {
    absl::string_view read =
        decoder_.Expansion(via_[node]).substr(0, depth_[node]);
    uint32_t n = 0;
    size_t best_len = 0;
    int best = -1;
    for (size_t i = 0; i < read.size(); ++i) {
      n = kids_[n * classes_ + Class(read[i])];
      if (code_[n] >= 0) {
        best = code_[n];
        best_len = i + 1;
      }
    }
    // Every byte of an expansion has a literal code (checked on load).
    emit->push_back(static_cast<uint8_t>(best));
    uint32_t state = 0;
    for (size_t i = best_len; i < read.size(); ++i) {
      state = Step(state, Class(read[i]), emit);
    }
    return state;
  }

  const NameDecoder& decoder_;
  const uint16_t* byte_class_;
  uint32_t classes_;
  std::vector<uint32_t> kids_;  // node * classes_ + class → child, 0 = none
  std::vector<int16_t> code_;   // code whose expansion ends at the node
  std::vector<uint8_t> via_;    // a code whose expansion passes the node
  std::vector<uint8_t> depth_;  // bytes read at the node
  std::vector<bool> has_kids_;
};

inline void StoreLe32(uint8_t* p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32(v);
#endif
  std::memcpy(p, &v, 4);
}

}  // namespace

void NameCodec::BuildEncoder() {
  std::memset(byte_class_, 0, sizeof(byte_class_));
  uint32_t classes = 1;
  for (int c = 0; c < 256; ++c) {
    if (decoder_.Expansion(static_cast<uint8_t>(c)).size() == 1) {
      byte_class_[c] = static_cast<uint16_t>(classes++);
    }
  }
  row_size_ = classes + 1;
  GreedyTrie trie(decoder_, byte_class_, classes);

  // States: the root and every node that some expansion continues from.
  // A match that reaches a leaf is emitted at once and restarts at the root.
  std::vector<uint32_t> row(trie.size(), 0);
  std::vector<uint32_t> states;
  for (uint32_t node = 0; node < trie.size(); ++node) {
    if (node == 0 || trie.has_kids(node)) {
      row[node] = static_cast<uint32_t>(states.size()) * row_size_;
      states.push_back(node);
    }
  }
  steps_.assign(states.size() * row_size_, 0);
  pool_.clear();
  std::vector<uint8_t> emit;
  auto entry = [&](uint32_t next_row, const std::vector<uint8_t>& codes) {
    uint64_t e = next_row;
    if (codes.size() <= 3) {
      e |= static_cast<uint64_t>(codes.size()) << 32;
      for (size_t i = 0; i < codes.size(); ++i) {
        e |= static_cast<uint64_t>(codes[i]) << (40 + 8 * i);
      }
    } else {
      e |= static_cast<uint64_t>(kEmitLong) << 32 |
           static_cast<uint64_t>(pool_.size()) << 40;
      pool_.push_back(static_cast<uint8_t>(codes.size()));
      pool_.insert(pool_.end(), codes.begin(), codes.end());
    }
    return e;
  };
  for (uint32_t node : states) {
    uint64_t* out = &steps_[row[node]];
    out[0] = static_cast<uint64_t>(kEmitError) << 32;
    for (uint32_t k = 1; k < classes; ++k) {
      emit.clear();
      uint32_t next = trie.Step(node, k, &emit);
      if (!trie.has_kids(next)) {
        emit.push_back(static_cast<uint8_t>(trie.code(next)));
        next = 0;
      }
      out[k] = entry(row[next], emit);
    }
    emit.clear();
    trie.Flush(node, &emit);
    out[classes] = entry(0, emit);
  }
}

absl::Status NameCodec::Encode(absl::string_view name, std::string* out) const {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(name.data());
  const size_t n = name.size();
  const size_t old_size = out->size();
  // Codes never outnumber the bytes read; inline emits store 4 bytes.
  out->resize(old_size + n + 3);
  uint8_t* const begin = reinterpret_cast<uint8_t*>(&(*out)[old_size]);
  uint8_t* o = begin;
  const uint64_t* steps = steps_.data();
  uint64_t e = 0;
  for (size_t i = 0; i <= n; ++i) {
    uint32_t col = i < n ? byte_class_[s[i]] : row_size_ - 1;
    // steps + col first: the dependent load then needs no add.
    e = (steps + col)[static_cast<uint32_t>(e)];
    uint32_t emit = static_cast<uint32_t>(e >> 32);
    if (ABSL_PREDICT_TRUE((emit & 0xff) < kEmitLong)) {
      StoreLe32(o, emit >> 8);
      o += emit & 0xff;
    } else if ((emit & 0xff) == kEmitLong) {
      const uint8_t* p = &pool_[emit >> 8];
      std::memcpy(o, p + 1, p[0]);
      o += p[0];
    } else {
      out->resize(old_size);
      return absl::InvalidArgumentError(absl::StrCat(
          "name \"", absl::CHexEscape(name), "\" has byte ", Hex2(s[i]),
          " at offset ", i,
          " that the name table has no code for (expected only bytes that "
          "occurred in the names the table was learned from)"));
    }
  }
  out->resize(old_size + (o - begin));
  return absl::OkStatus();
}

namespace {

// Writes the codes of a step entry at o (see the entry layout above).
inline uint8_t* EmitInline(uint64_t e, uint8_t* o) {
  StoreLe32(o, static_cast<uint32_t>(e >> 40));
  return o + ((e >> 32) & 0xff);
}
inline bool IsInline(uint64_t e) { return ((e >> 32) & 0xff) < kEmitLong; }

// Any entry; nullptr for a byte without a code.
uint8_t* EmitAny(uint64_t e, uint8_t* o, const std::vector<uint8_t>& pool) {
  uint32_t how = (e >> 32) & 0xff;
  if (how < kEmitLong) return EmitInline(e, o);
  if (how != kEmitLong) return nullptr;
  const uint8_t* q = &pool[e >> 40];
  std::memcpy(o, q + 1, q[0]);
  return o + q[0];
}

}  // namespace

absl::Status NameCodec::EncodeAll(absl::Span<const absl::string_view> names,
                                  std::string* out,
                                  std::vector<uint32_t>* ends) const {
  // In Encode() every byte is a table step waiting on the previous one.
  // Here kLanes runs of names (lanes) are encoded in lockstep, so their
  // chains of lookups overlap.
  constexpr int kLanes = 3;
  const size_t n = names.size();
  const size_t old_size = out->size();
  size_t total = 0;
  for (absl::string_view s : names) total += s.size();
  if (old_size + total + 4 * kLanes > UINT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(
        "names of ", total, " bytes (expected the codes to fit 4 GiB)"));
  }
  // Codes never outnumber the bytes read. A lane writes after the previous
  // lane's bound; each may store 3 scratch bytes past its last code.
  ends->resize(n);
  out->resize(old_size + total + 4 * kLanes);
  uint8_t* const base = reinterpret_cast<uint8_t*>(&(*out)[0]);
  uint32_t* const end_of = ends->data();
  const uint64_t* const steps = steps_.data();
  const uint16_t* const cls = byte_class_;
  const uint32_t flush = row_size_ - 1;

  struct Lane {
    size_t name, last;
    const uint8_t* p;
    const uint8_t* end;
    uint8_t* o;
    uint64_t e;
  };
  Lane lanes[kLanes];
  uint8_t* starts[kLanes];
  {
    size_t name = 0, offset = old_size;
    for (int k = 0; k < kLanes; ++k) {
      size_t last = n * (k + 1) / kLanes;
      lanes[k] = {name, last, nullptr, nullptr, base + offset, 0};
      starts[k] = lanes[k].o;
      for (; name < last; ++name) offset += names[name].size();
      offset += 4;
    }
  }
  auto load = [&](Lane* l) {
    l->p = reinterpret_cast<const uint8_t*>(names[l->name].data());
    l->end = l->p + names[l->name].size();
  };
  bool failed = false;
  // A step of a lane; false at its end or on a byte without a code.
  auto step = [&](Lane* l) ABSL_ATTRIBUTE_ALWAYS_INLINE {
    if (ABSL_PREDICT_TRUE(l->p != l->end)) {
      l->e = (steps + cls[*l->p++])[static_cast<uint32_t>(l->e)];
      if (ABSL_PREDICT_TRUE(IsInline(l->e))) {
        l->o = EmitInline(l->e, l->o);
        return true;
      }
      if ((l->o = EmitAny(l->e, l->o, pool_)) != nullptr) return true;
      failed = true;
      return false;
    }
    l->e = (steps + flush)[static_cast<uint32_t>(l->e)];
    if ((l->o = EmitAny(l->e, l->o, pool_)) == nullptr) {
      failed = true;
      return false;
    }
    end_of[l->name] = static_cast<uint32_t>(l->o - base);
    if (++l->name == l->last) return false;
    load(l);
    return true;
  };
  bool all_live = true;
  for (Lane& l : lanes) {
    if (l.name < l.last) {
      load(&l);
    } else {
      all_live = false;
    }
  }
  if (all_live) {
    // Named copies, so that the compiler keeps each lane in registers.
    static_assert(kLanes == 3, "the loop below steps three lanes");
    Lane a = lanes[0], b = lanes[1], c = lanes[2];
    for (;;) {
      bool live = step(&a);
      live &= step(&b);
      live &= step(&c);
      if (!live) break;
    }
    lanes[0] = a;
    lanes[1] = b;
    lanes[2] = c;
  }
  for (Lane& l : lanes) {
    while (!failed && l.name < l.last && step(&l)) {
    }
  }
  if (failed) {
    out->resize(old_size);
    std::string scratch;
    for (absl::string_view s : names) {
      absl::Status st = Encode(s, &scratch);
      if (!st.ok()) return st;
    }
    return absl::InternalError("name codec: EncodeAll failed on no name");
  }
  // Close the gaps between the lanes.
  uint8_t* o = lanes[0].o;
  for (int k = 1; k < kLanes; ++k) {
    size_t len = lanes[k].o - starts[k];
    std::memmove(o, starts[k], len);
    uint32_t shift = static_cast<uint32_t>(starts[k] - o);
    for (size_t i = n * k / kLanes; i < lanes[k].last; ++i) end_of[i] -= shift;
    o += len;
  }
  out->resize(o - base);
  return absl::OkStatus();
}

std::string NameCodec::DecodeToString(absl::string_view encoded) const {
  std::string s(decoder_.DecodedSize(encoded), '\0');
  decoder_.Decode(encoded, &s[0], s.size());
  return s;
}

int NameCodec::merged_codes() const {
  int n = 0;
  for (int c = 0; c < 256; ++c) n += decoder_.Expansion(c).size() > 1;
  return n;
}

}  // namespace ksym
