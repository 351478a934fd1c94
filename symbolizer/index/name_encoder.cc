#include "symbolizer/index/name_encoder.h"

#include <cstring>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {

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

NameEncoder::NameEncoder(const NameDecoder& decoder) {
  std::memset(byte_class_, 0, sizeof(byte_class_));
  uint32_t classes = 1;
  for (int c = 0; c < 256; ++c) {
    if (decoder.Expansion(static_cast<uint8_t>(c)).size() == 1) {
      byte_class_[c] = static_cast<uint16_t>(classes++);
    }
  }
  row_size_ = classes + 1;
  GreedyTrie trie(decoder, byte_class_, classes);

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

absl::Status NameEncoder::Encode(absl::string_view name, std::string* out) const {
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
          "name \"", absl::CHexEscape(name), "\" has byte ", absl::StrFormat("0x%02x", s[i]),
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

absl::Status NameEncoder::EncodeAll(absl::Span<const absl::string_view> names,
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

}  // namespace ksym
