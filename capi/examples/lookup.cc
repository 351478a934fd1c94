// lookup.cc: the C API from C++ (g++), same output as lookup.c:
//   lookup INDEX ADDR... [-- QUERY...]
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

}  // namespace

int main(int argc, char** argv) {
  ksym_index* raw = nullptr;
  if (argc < 2 || ksym_open(argv[1], &raw) != 0) {
    std::fprintf(stderr, "lookup: %s\n", ksym_last_error());
    return 2;
  }
  Index idx(raw);
  int k = 2;
  for (; k < argc && std::string(argv[k]) != "--"; ++k) {
    const uint64_t addr = std::stoull(argv[k], nullptr, 16);
    std::string frame = Text([&](char* b, size_t n) {
      return ksym_format_frame(idx.get(), addr, b, n);
    });
    std::printf("%016" PRIx64 " %s\n", addr, frame.c_str());
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
