// A stand-in for libFuzzer's driver, so every fuzz target also builds and
// runs as a plain regression test with any compiler:
//
//   bazel-bin/fuzz/kallsyms_fuzzer fuzz/corpus/kallsyms crash-1234
//
// Each argument is a file or a directory (its files, recursively). Every
// input is run as is, then as truncations (every prefix of short inputs,
// 64 spread-out prefixes of long ones) and as kMutations deterministic
// mutations (byte flips, insertions, deletions, duplicated slices), so the
// test reaches error paths the seeds alone do not. An input that crashes
// the target aborts the process like libFuzzer would; the test passes when
// every input returns. On a crash (abort, SIGSEGV, a sanitizer report with
// abort_on_error) the input is saved as crash-input in
// $TEST_UNDECLARED_OUTPUTS_DIR (bazel-testlogs/.../test.outputs/) or the
// working directory, to replay with the same binary or the libFuzzer one.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc,
                                                          char*** argv);

namespace {

constexpr int kMutations = 48;
constexpr size_t kAllPrefixesUpTo = 512;
constexpr int kSpreadPrefixes = 64;

bool CollectFiles(const std::string& path, std::vector<std::string>* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "fuzz_main: %s: no such file or directory\n",
                 path.c_str());
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    out->push_back(path);
    return true;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    std::fprintf(stderr, "fuzz_main: %s: cannot open directory\n",
                 path.c_str());
    return false;
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());  // same order in every run
  for (const std::string& name : names) {
    if (!CollectFiles(path + "/" + name, out)) return false;
  }
  return true;
}

// xorshift64*: a fixed, portable sequence (std:: distributions are not).
struct Rng {
  uint64_t state;
  uint64_t Next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : Next() % n; }
};

std::string Mutate(const std::string& in, Rng& rng) {
  std::string s = in;
  const int edits = 1 + static_cast<int>(rng.Below(4));
  static const char kInteresting[] = {'\0', '\n', '\t', ' ',    '0',   'f', 'x',
                                      '[',  ']',  '{',  '}',    ':',   '=', '+',
                                      '/',  '.',  '-',  '\xff', '\x7f'};
  for (int k = 0; k < edits; ++k) {
    const size_t pos = rng.Below(s.size() + 1);
    switch (rng.Below(5)) {
      case 0:  // flip bits
        if (!s.empty()) s[rng.Below(s.size())] ^= 1 << rng.Below(8);
        break;
      case 1:  // overwrite with an interesting byte
        if (!s.empty()) {
          s[rng.Below(s.size())] =
              kInteresting[rng.Below(sizeof(kInteresting))];
        }
        break;
      case 2:  // insert an interesting byte
        s.insert(pos, 1, kInteresting[rng.Below(sizeof(kInteresting))]);
        break;
      case 3:  // delete a slice
        if (pos < s.size()) s.erase(pos, 1 + rng.Below(16));
        break;
      case 4: {  // duplicate a slice
        if (s.empty() || s.size() > (1u << 20)) break;
        const size_t from = rng.Below(s.size());
        const size_t len = 1 + rng.Below(std::min<size_t>(64, s.size() - from));
        s.insert(pos, s.substr(from, len));
        break;
      }
    }
  }
  return s;
}

// What runs now, for the crash handler.
const std::string* g_input = nullptr;
std::string g_where;
std::string g_crash_path;

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void OnCrash(int sig) {
  const char* msg = "fuzz_main: crashed on ";
  WriteAll(2, msg, std::strlen(msg));
  WriteAll(2, g_where.data(), g_where.size());
  if (g_input != nullptr) {
    const int fd =
        open(g_crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      WriteAll(fd, g_input->data(), g_input->size());
      close(fd);
      const char* saved = "; input saved to ";
      WriteAll(2, saved, std::strlen(saved));
      WriteAll(2, g_crash_path.data(), g_crash_path.size());
    }
  }
  WriteAll(2, "\n", 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

void Run(const std::string& input) {
  g_input = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
  g_input = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const char* out_dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  g_crash_path =
      std::string(out_dir != nullptr ? out_dir : ".") + "/crash-input";
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    signal(sig, OnCrash);
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!CollectFiles(argv[i], &files)) return 1;
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...  (no inputs found)\n",
                 argv[0]);
    return 1;
  }
  uint64_t runs = 0;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in) {
      std::fprintf(stderr, "fuzz_main: %s: read error\n", file.c_str());
      return 1;
    }
    const std::string input = buffer.str();
    g_where = file + " as is";
    Run(input);
    ++runs;
    std::vector<size_t> prefixes;
    if (input.size() <= kAllPrefixesUpTo) {
      for (size_t n = 0; n < input.size(); ++n) prefixes.push_back(n);
    } else {
      for (int k = 0; k < kSpreadPrefixes; ++k) {
        prefixes.push_back(input.size() * k / kSpreadPrefixes);
      }
    }
    for (size_t n : prefixes) {
      g_where = file + " truncated to " + std::to_string(n) + " bytes";
      Run(input.substr(0, n));
      ++runs;
    }
    Rng rng{0x9e3779b97f4a7c15ull ^ input.size()};
    for (int k = 0; k < kMutations; ++k, ++runs) {
      g_where = file + " mutation " + std::to_string(k);
      Run(Mutate(input, rng));
    }
  }
  std::printf("fuzz_main: %zu files, %llu runs, no crash\n", files.size(),
              static_cast<unsigned long long>(runs));
  return 0;
}
