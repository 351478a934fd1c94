// lookup.cc: the C API from C++ (g++), same output as lookup.c:
//   lookup INDEX [--lines] ADDR... [-- QUERY...]
// --lines prints from ksym_lookup_location's frames (lookup.c prints
// ksym_format_location's text): the same, for paths of printable bytes.
// Build: g++ lookup.cc $(pkg-config --cflags --libs ksym)
#include <ksym/ksym.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Close {
  void operator()(ksym_index* idx) const { ksym_close(idx); }
};
using Index = std::unique_ptr<ksym_index, Close>;

// Any ksym string function, into a std::string of the right size.
template <typename F>
std::string Text(F f) {
  std::string s(64, '\0');
  int n = f(&s[0], s.size());
  if (n < 0) return "";
  if (static_cast<size_t>(n) >= s.size()) {
    s.resize(n + 1);
    f(&s[0], s.size());
  }
  s.resize(n);
  return s;
}

// The --lines lines of addr from its source frames, as `ksym lookup
// --lines` prints them.
void PrintLocation(ksym_index* idx, uint64_t addr) {
  ksym_hit hit;
  if (ksym_lookup(idx, addr, &hit) != 0) return;  // the frame said why
  int n = ksym_lookup_location(idx, addr, nullptr, 0);
  if (n < 0) {
    std::printf("  ?? (%s)\n", ksym_last_error());
    return;
  }
  std::vector<ksym_source_frame> f(n);
  for (ksym_source_frame& x : f) x.type_size = sizeof(x);
  ksym_lookup_location(idx, addr, f.data(), f.size());
  for (const ksym_source_frame& x : f) {
    std::string where = *x.file ? x.file : "??";
    where += ":" + std::to_string(x.line);
    if (x.column != 0) where += ":" + std::to_string(x.column);
    std::printf("  %s %s%s\n", x.function, where.c_str(),
                x.inlined ? " (inlined)" : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  ksym_index* raw = nullptr;
  if (argc < 2 || ksym_open(argv[1], &raw) != 0) {
    std::fprintf(stderr, "lookup: %s\n", ksym_last_error());
    return 2;
  }
  Index idx(raw);
  int k = 2;
  const bool lines = k < argc && std::string(argv[k]) == "--lines";
  k += lines;
  for (; k < argc && std::string(argv[k]) != "--"; ++k) {
    const uint64_t addr = std::stoull(argv[k], nullptr, 16);
    std::string frame = Text([&](char* b, size_t n) {
      return ksym_format_frame(idx.get(), addr, b, n);
    });
    std::printf("%016" PRIx64 " %s\n", addr, frame.c_str());
    if (lines) PrintLocation(idx.get(), addr);
  }
  for (++k; k < argc; ++k) {
    const int n = ksym_resolve(idx.get(), argv[k], nullptr, 0);
    if (n <= 0) continue;
    std::vector<ksym_candidate> c(n);
    ksym_resolve(idx.get(), argv[k], c.data(), c.size());
    for (const ksym_candidate& x : c) {
      std::string q = Text([&](char* b, size_t len) {
        return ksym_candidate_resolved(idx.get(), &x, b, len);
      });
      std::printf("%016" PRIx64 " %s\n", x.address, q.c_str());
    }
  }
  return 0;
}
