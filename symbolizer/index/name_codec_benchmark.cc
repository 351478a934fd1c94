// Name codec speed and compression on this machine's /proc/kallsyms:
//
//   bazel run -c opt //symbolizer/index:name_codec_benchmark
//
// Counters: ns_per_name (time per name), ratio (encoded bytes / name
// bytes), enc_bytes_per_name (encoded bytes per name, no length prefix).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "symbolizer/index/name_codec.h"

namespace ksym {
namespace {

struct Corpus {
  std::vector<std::string> storage;
  std::vector<absl::string_view> names;
  size_t bytes = 0;
};

const Corpus& Kallsyms() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::ifstream in("/proc/kallsyms");
    std::string line;
    while (std::getline(in, line)) {
      std::vector<absl::string_view> f =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      if (f.size() >= 3) c->storage.emplace_back(f[2]);
    }
    for (const std::string& s : c->storage) {
      c->names.push_back(s);
      c->bytes += s.size();
    }
    return c;
  }();
  return *corpus;
}

// Encoded names back to back, as in the index.
struct Encoded {
  std::string blob;
  std::vector<uint32_t> offsets;  // size names + 1
};

Encoded EncodeAll(const NameCodec& codec, const Corpus& c) {
  Encoded e;
  e.offsets.push_back(0);
  for (absl::string_view s : c.names) {
    if (!codec.Encode(s, &e.blob).ok()) std::abort();
    e.offsets.push_back(static_cast<uint32_t>(e.blob.size()));
  }
  return e;
}

bool NeedNames(benchmark::State& state) {
  if (Kallsyms().names.empty()) {
    state.SkipWithError("/proc/kallsyms is unreadable or empty");
    return false;
  }
  return true;
}

void SetPerName(benchmark::State& state, size_t names) {
  state.counters["ns_per_name"] =
      benchmark::Counter(static_cast<double>(names),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

void SetRatio(benchmark::State& state, const NameCodec& codec) {
  const Corpus& c = Kallsyms();
  Encoded e = EncodeAll(codec, c);
  state.counters["ratio"] = static_cast<double>(e.blob.size()) / c.bytes;
  state.counters["enc_bytes_per_name"] =
      static_cast<double>(e.blob.size()) / c.names.size();
  state.counters["plain_bytes_per_name"] =
      static_cast<double>(c.bytes) / c.names.size();
  state.counters["merged_codes"] = codec.merged_codes();
}

void BM_Learn(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  size_t sample = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    NameCodec codec = NameCodec::Learn(c.names, sample);
    benchmark::DoNotOptimize(codec.Serialize().data());
  }
  SetPerName(state, c.names.size());
  SetRatio(state, NameCodec::Learn(c.names, sample));
}
BENCHMARK(BM_Learn)
    ->Arg(1 << 14)
    ->Arg(NameCodec::kDefaultSampleBytes)  // 1 << 15
    ->Arg(1 << 16)
    ->Arg(1 << 17)
    ->Arg(0)  // all names
    ->Unit(benchmark::kMillisecond);

void BM_Encode(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  NameCodec codec = NameCodec::Learn(c.names);
  std::string out;
  out.reserve(c.bytes);
  for (auto _ : state) {
    out.clear();
    for (absl::string_view s : c.names) {
      if (!codec.Encode(s, &out).ok()) std::abort();
    }
    benchmark::DoNotOptimize(out.data());
  }
  SetPerName(state, c.names.size());
  SetRatio(state, codec);
}
BENCHMARK(BM_Encode)->Unit(benchmark::kMillisecond);

void BM_EncodeAll(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  NameCodec codec = NameCodec::Learn(c.names);
  std::string out;
  std::vector<uint32_t> ends;
  out.reserve(c.bytes + 64);
  for (auto _ : state) {
    out.clear();
    if (!codec.EncodeAll(c.names, &out, &ends).ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  SetPerName(state, c.names.size());
}
BENCHMARK(BM_EncodeAll)->Unit(benchmark::kMillisecond);

// What the index writer pays: learn, then encode every name.
void BM_LearnThenEncode(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  std::string out;
  out.reserve(c.bytes);
  for (auto _ : state) {
    NameCodec codec = NameCodec::Learn(c.names);
    out.clear();
    for (absl::string_view s : c.names) {
      if (!codec.Encode(s, &out).ok()) std::abort();
    }
    benchmark::DoNotOptimize(out.data());
  }
  SetPerName(state, c.names.size());
}
BENCHMARK(BM_LearnThenEncode)->Unit(benchmark::kMillisecond);

void BM_LearnThenEncodeAll(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  std::string out;
  std::vector<uint32_t> ends;
  out.reserve(c.bytes + 64);
  for (auto _ : state) {
    NameCodec codec = NameCodec::Learn(c.names);
    out.clear();
    if (!codec.EncodeAll(c.names, &out, &ends).ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  SetPerName(state, c.names.size());
}
BENCHMARK(BM_LearnThenEncodeAll)->Unit(benchmark::kMillisecond);

// A fixed pseudo-random visiting order, as lookups hit names.
std::vector<uint32_t> Shuffled(size_t n) {
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  uint64_t x = 88172645463325252ull;
  for (size_t i = n; i > 1; --i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::swap(order[i - 1], order[x % i]);
  }
  return order;
}

// Decodes the names in `order`, each once per iteration.
void DecodeInOrder(benchmark::State& state, const NameDecoder& dec,
                   const Encoded& e, const std::vector<uint32_t>& order) {
  char buf[1024];
  for (auto _ : state) {
    for (uint32_t i : order) {
      absl::string_view enc(e.blob.data() + e.offsets[i],
                            e.offsets[i + 1] - e.offsets[i]);
      size_t n = dec.Decode(enc, buf, sizeof(buf));
      benchmark::DoNotOptimize(n);
      benchmark::DoNotOptimize(buf[0]);
    }
  }
  SetPerName(state, order.size());
}

void BM_DecodeRandom(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  std::string table = NameCodec::Learn(c.names).Serialize();
  NameDecoder dec = NameDecoder::Open(table).value();
  Encoded e = EncodeAll(NameCodec::FromSerialized(table).value(), c);
  DecodeInOrder(state, dec, e, Shuffled(c.names.size()));
}
BENCHMARK(BM_DecodeRandom)->Unit(benchmark::kMillisecond);

void BM_DecodeSequential(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  NameCodec codec = NameCodec::Learn(c.names);
  std::vector<uint32_t> order(c.names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  DecodeInOrder(state, codec.decoder(), EncodeAll(codec, c), order);
}
BENCHMARK(BM_DecodeSequential)->Unit(benchmark::kMillisecond);

// Equals against the name itself (a hit in the name hash: a full
// comparison). The queries are hot, the encoded names are not.
void BM_EqualsRandom(benchmark::State& state) {
  if (!NeedNames(state)) return;
  const Corpus& c = Kallsyms();
  NameCodec codec = NameCodec::Learn(c.names);
  Encoded e = EncodeAll(codec, c);
  const NameDecoder& dec = codec.decoder();
  std::vector<uint32_t> order = Shuffled(c.names.size());
  std::string queries;
  std::vector<uint32_t> query_at = {0};
  for (uint32_t i : order) {
    queries.append(c.names[i].data(), c.names[i].size());
    query_at.push_back(static_cast<uint32_t>(queries.size()));
  }
  for (auto _ : state) {
    size_t equal = 0;
    for (size_t k = 0; k < order.size(); ++k) {
      uint32_t i = order[k];
      absl::string_view enc(e.blob.data() + e.offsets[i],
                            e.offsets[i + 1] - e.offsets[i]);
      absl::string_view query(queries.data() + query_at[k],
                              query_at[k + 1] - query_at[k]);
      equal += dec.Equals(enc, query);
    }
    if (equal != c.names.size()) std::abort();
  }
  SetPerName(state, c.names.size());
}
BENCHMARK(BM_EqualsRandom)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ksym
