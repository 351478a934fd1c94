// BPF program frames on this machine: loads real BPF programs (bpf(2)
// BPF_PROG_LOAD, as root), symbolizes addresses inside them through the
// live overlay of the running kernel's cached index, unloads them and shows
// that the cache was neither rebuilt nor rewritten.
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/api/default_index.h"
#include "symbolizer/api/live_pseudo.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

// A socket filter of `n` instructions: r0 = 0 ... exit.
int LoadProgram(const char* name, int n) {
  std::vector<bpf_insn> insns(n);
  for (int i = 0; i < n - 1; ++i) {
    insns[i] = {};
    insns[i].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = i
    insns[i].dst_reg = BPF_REG_0;
    insns[i].imm = i;
  }
  insns[n - 1] = {};
  insns[n - 1].code = BPF_JMP | BPF_EXIT;
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = reinterpret_cast<uint64_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(n);
  static const char kLicense[] = "GPL";
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  std::strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
  return static_cast<int>(syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)));
}

// The kallsyms address of the BPF program whose name ends in "_NAME", 0
// when not listed.
uint64_t KallsymsAddress(const std::string& name) {
  absl::StatusOr<std::string> text = ReadFileToString("/proc/kallsyms");
  if (!text.ok()) return 0;
  const std::string suffix = absl::StrCat("_", name, "\t[bpf]");
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::EndsWith(line, suffix)) continue;
    uint64_t a = 0;
    if (absl::SimpleHexAtoi(line.substr(0, line.find(' ')), &a)) return a;
  }
  return 0;
}

struct Opened {
  std::unique_ptr<Symbolizer> s;
  int built = 0, stale = 0;
};

Opened OpenCache() {
  Opened o;
  DefaultIndexOptions options;
  options.on_build = [&](const std::string&) { ++o.built; };
  options.on_stale = [&](const std::string&, const std::string&) { ++o.stale; };
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = OpenDefaultIndex(options);
  EXPECT_TRUE(s.ok()) << s.status();
  if (s.ok()) o.s = *std::move(s);
  return o;
}

TEST(LiveBpfTest, ProgramFramesAreAnsweredLiveAndTheCacheStays) {
  ASSERT_EQ(geteuid(), 0u) << "loading BPF programs needs root";
  const std::string cache = absl::StrCat(std::getenv("TEST_TMPDIR"), "/xdg");
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  unsetenv("KSYM_INDEX");
  Opened first = OpenCache();
  ASSERT_NE(first.s, nullptr);
  absl::StatusOr<std::string> path = RunningKernelIndexPath();
  ASSERT_TRUE(path.ok());
  struct stat before;
  ASSERT_EQ(stat(path->c_str(), &before), 0);

  const int a = LoadProgram("ksym_live_a", 8);
  const int b = LoadProgram("ksym_live_b", 32);
  ASSERT_GE(a, 0) << "BPF_PROG_LOAD: " << std::strerror(errno);
  ASSERT_GE(b, 0) << "BPF_PROG_LOAD: " << std::strerror(errno);
  const uint64_t at_a = KallsymsAddress("ksym_live_a");
  const uint64_t at_b = KallsymsAddress("ksym_live_b");
  ASSERT_NE(at_a, 0u) << "no [bpf] line (net.core.bpf_jit_kallsyms off?)";
  ASSERT_NE(at_b, 0u);

  // A command that starts now sees them; the cache is still fresh.
  Opened during = OpenCache();
  ASSERT_NE(during.s, nullptr);
  EXPECT_EQ(during.built + during.stale, 0);
  ASSERT_TRUE(IsRunningKernelIndex(during.s->index()));
  LiveOverlay live(*during.s, "/");
  for (const auto& [at, name] : {std::pair<uint64_t, const char*>{at_a, "ksym_live_a"},
                                 {at_b, "ksym_live_b"}}) {
    std::optional<PseudoHit> hit = live.Lookup(at + 4);
    ASSERT_TRUE(hit.has_value()) << name << " " << live.read_status();
    const std::string text = LiveFrameText(*hit);
    EXPECT_TRUE(absl::StartsWith(text, "bpf_prog_")) << text;
    EXPECT_TRUE(absl::EndsWith(text, absl::StrCat("_", name, "+0x4 [bpf]")))
        << text;
  }

  close(a);
  close(b);
  // Freed after an RCU grace period: wait for the lines to go.
  for (int i = 0; i < 100 && (KallsymsAddress("ksym_live_a") != 0 ||
                              KallsymsAddress("ksym_live_b") != 0);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(KallsymsAddress("ksym_live_a"), 0u);
  Opened after = OpenCache();
  ASSERT_NE(after.s, nullptr);
  EXPECT_EQ(after.built + after.stale, 0);
  LiveOverlay gone(*after.s, "/");
  std::optional<PseudoHit> hit = gone.Lookup(at_a + 4);
  EXPECT_TRUE(!hit.has_value() ||
              !absl::StrContains(hit->symbol->name, "ksym_live_a"));
  struct stat now;
  ASSERT_EQ(stat(path->c_str(), &now), 0);
  EXPECT_EQ(now.st_ino, before.st_ino);
  EXPECT_EQ(now.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(now.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

}  // namespace
}  // namespace ksym
