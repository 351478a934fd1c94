// Readers and a writer process: N threads share one Symbolizer opened from a
// file and keep looking up and resolving while another process replaces the
// file, again and again, with WriteFileAtomically (write a temporary file,
// fsync, rename over the path). The threads also reopen the path: every
// reopen must see one whole index, the old one or the new one (checksums
// verified, structure intact, and answers all from one version), and the
// mapping opened first must keep answering as it did, since rename leaves
// the mapped file alive. Run under ThreadSanitizer:
//
//   bazel test --config=tsan //symbolizer/query:concurrency_test
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace {

constexpr int kReaders = 4;
constexpr uint32_t kSymbols = 20000;
// Each reader must see each version this many times before the writer is
// stopped: proof that reopens really raced with the replacements.
constexpr int kSightingsPerVersion = 3;
constexpr auto kDeadline = std::chrono::seconds(40);

// Version v (0 or 1) of a kernel: symbol i of version v is "v<v>_fn_<i>"
// at Base(v) + 16 * i. The versions share no address and no name, so an
// index mixing them cannot answer like either.
uint64_t Base(int v) {
  return v == 0 ? 0xffffffff81000000 : 0xffffffff91000000;
}
std::string Name(int v, uint32_t i) { return absl::StrCat("v", v, "_fn_", i); }

std::string IndexBytes(int v) {
  Catalog c;
  c.identity.release = absl::StrCat("6.1.0-", v, "-cloud-amd64");
  c.identity.arch = "x86_64";
  const uint32_t mod = c.InternModuleSet({absl::StrCat("mod", v)});
  for (uint32_t i = 0; i < kSymbols; ++i) {
    Symbol s;
    s.address = Base(v) + 16 * uint64_t{i};
    s.type = 't';
    s.name = Name(v, i);
    if (i % 7 == 0) s.module_set = mod;
    c.symbols.push_back(std::move(s));
  }
  c.FinalizeSizes();
  absl::StatusOr<std::string> bytes = SerializeIndex(c);
  if (!bytes.ok()) {
    ADD_FAILURE() << bytes.status();
    return "";
  }
  return *std::move(bytes);
}

// Checks a few answers of `s` against version v; returns false (with a
// failure recorded) on the first wrong one.
bool AnswersLike(const Symbolizer& s, int v, std::mt19937_64& rng) {
  std::uniform_int_distribution<uint32_t> pick(0, kSymbols - 2);
  for (int k = 0; k < 8; ++k) {
    const uint32_t i = pick(rng);
    const uint64_t addr = Base(v) + 16 * uint64_t{i} + (rng() % 16);
    LookupResult r = s.Lookup(addr);
    if (!r.found || r.symbol.name() != Name(v, i) ||
        r.offset != addr - (Base(v) + 16 * uint64_t{i})) {
      ADD_FAILURE() << "version " << v << ": Lookup(0x" << std::hex << addr
                    << ") = " << (r.found ? r.symbol.name() : "not found");
      return false;
    }
    absl::StatusOr<std::vector<Candidate>> c = s.Resolve(Name(v, i));
    if (!c.ok() || c->size() != 1 ||
        (*c)[0].address != Base(v) + 16 * uint64_t{i}) {
      ADD_FAILURE() << "version " << v << ": Resolve(" << Name(v, i)
                    << ") gave " << (c.ok() ? c->size() : 0) << " candidates";
      return false;
    }
    if (!s.Resolve(Name(1 - v, i))->empty()) {
      ADD_FAILURE() << "version " << v << " resolves " << Name(1 - v, i);
      return false;
    }
  }
  return true;
}

// The writer process: alternately installs version 1 and version 0 until a
// byte arrives on `stop_fd`. Exits 0, or 1 when a write failed.
[[noreturn]] void WriterProcess(const std::string& path,
                                const std::string versions[2], int stop_fd) {
  for (int n = 1;; ++n) {
    char byte;
    if (read(stop_fd, &byte, 1) != -1 || errno != EAGAIN) _exit(0);
    if (!WriteFileAtomically(path, versions[n % 2]).ok()) _exit(1);
  }
}

TEST(ConcurrencyTest, ReadersSeeWholeIndexesWhileAnotherProcessReplacesIt) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/concurrency.ksym");
  const std::string versions[2] = {IndexBytes(0), IndexBytes(1)};
  ASSERT_FALSE(versions[0].empty());
  ASSERT_FALSE(versions[1].empty());
  ASSERT_TRUE(WriteFileAtomically(path, versions[0]).ok());

  absl::StatusOr<std::unique_ptr<Symbolizer>> opened = Symbolizer::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const Symbolizer& first = **opened;

  // Fork before any thread exists, so the child is a plain one-threaded
  // process.
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC), 0);
  const pid_t writer = fork();
  ASSERT_NE(writer, -1);
  if (writer == 0) {
    close(pipe_fds[1]);
    WriterProcess(path, versions, pipe_fds[0]);
  }
  close(pipe_fds[0]);

  std::atomic<bool> stop{false};
  std::atomic<int> done_readers{0};
  std::atomic<uint64_t> lookups{0}, reopens{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(t + 1);
      int seen[2] = {0, 0};
      bool counted = false;
      while (!stop.load(std::memory_order_relaxed)) {
        // The first mapping keeps answering as version 0.
        bool ok = true;
        for (int k = 0; k < 16 && ok; ++k) ok = AnswersLike(first, 0, rng);
        if (!ok) break;
        lookups.fetch_add(16 * 8, std::memory_order_relaxed);
        // A reopen sees one whole version.
        IndexOptions options;
        options.verify_checksums = true;
        absl::StatusOr<std::unique_ptr<Symbolizer>> again =
            Symbolizer::Open(path, options);
        if (!again.ok()) {
          ADD_FAILURE() << "reopen: " << again.status();
          break;
        }
        const IndexReader& index = (*again)->index();
        const int v = index.release() == "6.1.0-1-cloud-amd64" ? 1 : 0;
        if (index.release() != absl::StrCat("6.1.0-", v, "-cloud-amd64") ||
            index.symbol_count() != kSymbols) {
          ADD_FAILURE() << "reopened index: release " << index.release() << ", "
                        << index.symbol_count() << " symbols";
          break;
        }
        absl::Status structure = index.VerifyStructure();
        if (!structure.ok()) {
          ADD_FAILURE() << "reopened index: " << structure;
          break;
        }
        if (!AnswersLike(**again, v, rng)) break;
        reopens.fetch_add(1, std::memory_order_relaxed);
        ++seen[v];
        if (!counted && seen[0] >= kSightingsPerVersion &&
            seen[1] >= kSightingsPerVersion) {
          counted = true;
          done_readers.fetch_add(1);
        }
      }
      if (!counted) done_readers.fetch_add(1);  // failed: let the test end
    });
  }

  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (done_readers.load() < kReaders &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool in_time = done_readers.load() == kReaders;
  // Stop the writer first, so the readers also run after the last rename.
  ASSERT_EQ(write(pipe_fds[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(writer, &status, 0), writer);
  close(pipe_fds[1]);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop.store(true);
  for (std::thread& t : readers) t.join();

  std::printf("%llu lookups (and 2 resolves each), %llu reopens\n",
              static_cast<unsigned long long>(lookups.load()),
              static_cast<unsigned long long>(reopens.load()));
  EXPECT_TRUE(in_time) << "readers did not see both versions "
                       << kSightingsPerVersion << " times each in time ("
                       << reopens.load() << " reopens)";
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "a WriteFileAtomically call failed";
  EXPECT_GT(lookups.load(), 0u);
  std::mt19937_64 rng(99);
  EXPECT_TRUE(AnswersLike(first, 0, rng));
  // The writer left no temporary file behind.
  EXPECT_NE(access(absl::StrCat(path, ".tmp.", writer).c_str(), F_OK), 0);
}

}  // namespace
}  // namespace ksym
