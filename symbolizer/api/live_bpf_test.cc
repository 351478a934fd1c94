// BPF program frames on this machine: loads real BPF programs (bpf(2)
// BPF_PROG_LOAD, as root; and a clang -target bpf -g object through
// libbpf), symbolizes addresses inside them through the live overlay of the
// running kernel's cached index, with their source lines from the
// programs' BTF, unloads them and shows that the cache was neither rebuilt
// nor rewritten.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/running_kernel/default_index.h"
#include "symbolizer/api/live_pseudo.h"
#include "symbolizer/rewriter/rewriter.h"
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
  for (const auto& [at, name, fd] :
       {std::tuple<uint64_t, const char*, int>{at_a, "ksym_live_a", a},
        {at_b, "ksym_live_b", b}}) {
    std::optional<PseudoHit> hit = live.Lookup(at + 4);
    ASSERT_TRUE(hit.has_value()) << name << " " << live.read_status();
    const std::string text = LiveFrameText(*hit);
    EXPECT_TRUE(absl::StartsWith(text, "bpf_prog_")) << text;
    // Loaded without BTF: the program's id, and no line to give.
    bpf_prog_info info;
    std::memset(&info, 0, sizeof(info));
    uint32_t len = sizeof(info);
    ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
    EXPECT_TRUE(absl::EndsWith(
        text, absl::StrCat("_", name, "+0x4 [bpf] (BPF program ", info.id,
                           ", no line info)")))
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

// The line numbers of the "LINE:tag" comments of a source file.
std::map<std::string, uint32_t> MarkedLines(const std::string& path) {
  std::map<std::string, uint32_t> out;
  absl::StatusOr<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return out;
  uint32_t n = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++n;
    const size_t at = line.find("// LINE:");
    if (at != absl::string_view::npos) out[std::string(line.substr(at + 8))] = n;
  }
  return out;
}

TEST(LiveBpfTest, ProgramFramesCarryTheirBtfSourceLines) {
  ASSERT_EQ(geteuid(), 0u) << "loading BPF programs needs root";
  const std::string cache = absl::StrCat(std::getenv("TEST_TMPDIR"), "/xdg2");
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  unsetenv("KSYM_INDEX");
  const std::map<std::string, uint32_t> marks =
      MarkedLines("testdata/bpf/lines_prog.c");
  ASSERT_EQ(marks.size(), 5u);

  bpf_object* obj = bpf_object__open_file("testdata/bpf/lines_prog.o", nullptr);
  ASSERT_NE(obj, nullptr) << std::strerror(errno);
  ASSERT_EQ(bpf_object__load(obj), 0) << std::strerror(errno);
  const int fd =
      bpf_program__fd(bpf_object__find_program_by_name(obj, "ksym_lines_prog"));
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
  const uint64_t prog_at = KallsymsAddress("ksym_lines_prog");
  const uint64_t scale_at = KallsymsAddress("ksym_scale");
  ASSERT_NE(prog_at, 0u) << "no [bpf] line (net.core.bpf_jit_kallsyms off?)";
  ASSERT_NE(scale_at, 0u) << "the subprogram has no [bpf] line of its own";

  Opened o = OpenCache();
  ASSERT_NE(o.s, nullptr);
  LiveOverlay live(*o.s, "/");
  const std::string file = "/ksym/testdata/bpf/lines_prog.c";
  // The subprogram's entry: its own name and the line of its signature.
  std::optional<PseudoHit> hit = live.Lookup(scale_at);
  ASSERT_TRUE(hit.has_value()) << live.read_status();
  ASSERT_NE(hit->bpf_program, nullptr) << hit->bpf_note;
  EXPECT_EQ(hit->bpf_program->id, info.id);
  EXPECT_EQ(hit->bpf_place.function, "ksym_scale");
  ASSERT_NE(hit->bpf_place.line, nullptr);
  EXPECT_EQ(hit->bpf_place.line->file, file);
  EXPECT_EQ(hit->bpf_place.line->line, marks.at("scale_entry"));
  const std::string text = LiveFrameText(*hit);
  EXPECT_TRUE(absl::EndsWith(
      text, absl::StrCat("_ksym_scale+0x0 [bpf] (BPF program ", info.id, ", ",
                         file, ":", marks.at("scale_entry"), ")")))
      << text;
  EXPECT_TRUE(absl::StrContains(
      LiveJson(scale_at, *hit),
      absl::StrCat("\"bpf\":{\"id\":", info.id,
                   ",\"function\":\"ksym_scale\",\"file\":\"", file,
                   "\",\"line\":", marks.at("scale_entry"))))
      << LiveJson(scale_at, *hit);

  // `ksym symbolize`: a perf script frame of the program gets the same
  // note; a bare address is said to be what is loaded now.
  {
    RewriteOptions options;
    options.live_frame = RewriterLiveFrames(&live);
    Rewriter r(*o.s, options);
    const std::string name = hit->symbol->name;
    const std::string note = absl::StrCat(" [bpf] (BPF program ", info.id, ", ",
                                          file, ":", marks.at("scale_entry"), ")");
    EXPECT_EQ(r.RewriteLine(absl::StrCat("\t", absl::Hex(scale_at), " ", name,
                                         "+0x0 ([kernel.kallsyms])")),
              absl::StrCat("\t", absl::Hex(scale_at), " ", name, "+0x0", note,
                           " ([kernel.kallsyms])"));
    EXPECT_EQ(r.RewriteLine(absl::StrCat(" [<", absl::Hex(scale_at), ">]")),
              absl::StrCat(" [<", absl::Hex(scale_at), ">] (now: ", name, "+0x0",
                           note, ")"));
  }

  // Every byte of each function: lines of that function only, in order.
  const std::set<uint32_t> prog_lines = {marks.at("prog_call"), marks.at("prog_return")};
  const std::set<uint32_t> scale_lines = {marks.at("scale_entry"), marks.at("scale_body"),
                                          marks.at("scale_return")};
  for (const auto& [start, function, allowed] :
       {std::tuple<uint64_t, const char*, const std::set<uint32_t>*>{
            prog_at, "ksym_lines_prog", &prog_lines},
        {scale_at, "ksym_scale", &scale_lines}}) {
    std::set<uint32_t> seen;
    uint32_t last = 0;
    for (uint64_t a = start;; ++a) {
      std::optional<PseudoHit> h = live.Lookup(a);
      if (!h.has_value() || h->bpf_program == nullptr || !h->bpf_place.found ||
          h->bpf_place.function_start != start) {
        break;
      }
      EXPECT_EQ(h->bpf_place.function, function);
      ASSERT_NE(h->bpf_place.line, nullptr) << function << "+" << (a - start);
      EXPECT_EQ(allowed->count(h->bpf_place.line->line), 1u)
          << function << "+" << (a - start) << ": line " << h->bpf_place.line->line;
      seen.insert(h->bpf_place.line->line);
      last = static_cast<uint32_t>(a - start);
    }
    EXPECT_GT(last, 0u) << function;
    EXPECT_GE(seen.size(), 2u) << function;
  }
  bpf_object__close(obj);
}

}  // namespace
}  // namespace ksym
