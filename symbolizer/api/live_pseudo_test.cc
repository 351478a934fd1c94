#include "symbolizer/api/live_pseudo.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::Entry;

constexpr char kKallsyms[] =
    "ffffffff9d000000 T _text\n"
    "ffffffff9d000100 T do_exit\n"
    "ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]\n"
    "ffffffffc0203000 t bpf_prog_6deef7357e7b4530_sd_fw_egress\t[bpf]\n"
    "ffffffffc0203000 t bpf_prog_6deef7357e7b4530_alias\t[bpf]\n"
    "ffffffffc0a00000 t ext4_fill_super\t[ext4]\n"
    "ffffffffc0a00100 t ext4_iget\t[ext4]\n"
    "ffffffffc0a08000 t bpf_trampoline_6442457541\t[bpf]\n";

TEST(ParsePseudoSymbolsTest, KeepsOnlyPseudoModuleLinesSorted) {
  absl::StatusOr<std::vector<PseudoSymbol>> s =
      ParsePseudoSymbols(kKallsyms, "/proc/kallsyms");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].name, "ftrace_trampoline");
  EXPECT_EQ((*s)[0].module, "__builtin__ftrace");
  EXPECT_EQ((*s)[0].address, 0xffffffffc0201000u);
  EXPECT_EQ((*s)[1].name, "bpf_prog_6deef7357e7b4530_sd_fw_egress");
  EXPECT_EQ((*s)[1].module, "bpf");
  EXPECT_EQ((*s)[1].type, 't');
  EXPECT_EQ((*s)[3].name, "bpf_trampoline_6442457541");
}

TEST(ParsePseudoSymbolsTest, AMalformedPseudoLineSaysWhere) {
  absl::StatusOr<std::vector<PseudoSymbol>> s = ParsePseudoSymbols(
      "ffffffff9d000000 T _text\n"
      "garbage line\tof ext4 [ext4]\n"
      "ffffffffc0203000 tt bpf_prog_x\t[bpf]\n",
      "/proc/kallsyms");
  ASSERT_TRUE(absl::IsInvalidArgument(s.status()));
  EXPECT_EQ(s.status().message(),
            "/proc/kallsyms:3: expected \"ADDRESS TYPE NAME\\t[MODULE]\"");
}

std::unique_ptr<Symbolizer> Index() {
  // The index as the build writes it: no pseudo-module lines.
  std::vector<KallsymsEntry> k = {
      Entry(0xffffffff9d000000, 'T', "_text"),
      Entry(0xffffffff9d000100, 'T', "do_exit"),
      Entry(0xffffffffc0a00000, 't', "ext4_fill_super", "ext4"),
      Entry(0xffffffffc0a00100, 't', "ext4_iget", "ext4")};
  absl::StatusOr<BuildOutput> out = BuildFromEntries(k, {}, {});
  EXPECT_TRUE(out.ok()) << out.status();
  return testutil::SymbolizerOfBuilt(out->catalog);
}

TEST(LiveOverlayTest, NamesAddressesThePseudoSymbolsCover) {
  std::unique_ptr<Symbolizer> s = Index();
  LiveOverlay live(*s, "/nonexistent-root");
  live.SetForTesting(*ParsePseudoSymbols(kKallsyms, "k"));
  std::optional<PseudoHit> hit = live.Lookup(0xffffffffc020304c);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(LiveFrameText(*hit),
            "bpf_prog_6deef7357e7b4530_sd_fw_egress+0x4c [bpf]");
  hit = live.Lookup(0xffffffffc0201010);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(LiveFrameText(*hit), "ftrace_trampoline+0x10 [__builtin__ftrace]");
  EXPECT_EQ(hit->symbol->name, "ftrace_trampoline");
  // The program ends where ext4 begins (the index's next symbol).
  EXPECT_FALSE(live.Lookup(0xffffffffc0a00004).has_value());
  // Inside ext4_iget's inferred extent but past a BPF trampoline's start:
  // the trampoline is nearer.
  hit = live.Lookup(0xffffffffc0a08010);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(LiveFrameText(*hit), "bpf_trampoline_6442457541+0x10 [bpf]");
  // Below every pseudo symbol: nothing live.
  EXPECT_FALSE(live.Lookup(0xffffffff9d000104).has_value());
}

TEST(LiveOverlayTest, AnUnreadableKallsymsIsSaidNotGuessed) {
  std::unique_ptr<Symbolizer> s = Index();
  LiveOverlay live(*s, "/nonexistent-root");
  EXPECT_FALSE(live.Lookup(0xffffffffc020304c).has_value());
  EXPECT_FALSE(live.read_status().ok());
}

// The C API's and Python's overlay: shared by threads, asked with the
// index's hit, printing what `ksym lookup` prints.
TEST(SharedLiveOverlayTest, AnswersAsTheCliFromManyThreads) {
  std::unique_ptr<Symbolizer> s = Index();
  SharedLiveOverlay shared(*s);
  auto live = std::make_unique<LiveOverlay>(*s, "/nonexistent-root");
  live->SetForTesting(*ParsePseudoSymbols(kKallsyms, "k"));
  shared.SetForTesting(std::move(live));
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) {
        const uint64_t a = 0xffffffffc020304c;
        std::optional<PseudoHit> hit = shared.Lookup(a, s->Locate(a));
        right += hit.has_value() && hit->offset == 0x4c;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(right.load(), 4000);
  EXPECT_EQ(FrameTextWithLive(*s, shared, 0xffffffffc020304c),
            "bpf_prog_6deef7357e7b4530_sd_fw_egress+0x4c [bpf]");
  // The index's own answers are unchanged.
  EXPECT_EQ(FrameTextWithLive(*s, shared, 0xffffffffc0a00004),
            FrameText(*s, s->Lookup(0xffffffffc0a00004)));
  EXPECT_FALSE(shared.Lookup(0xffffffffc0a00004, s->Locate(0xffffffffc0a00004))
                   .has_value());
}

TEST(SharedLiveOverlayTest, NotTheRunningKernelsIndexNeverAnswersLive) {
  std::unique_ptr<Symbolizer> s = Index();
  SharedLiveOverlay shared(*s);
  shared.SetForTesting(nullptr);
  const uint64_t a = 0xffffffffc020304c;
  EXPECT_FALSE(shared.Lookup(a, s->Locate(a)).has_value());
  EXPECT_EQ(FrameTextWithLive(*s, shared, a), FrameText(*s, s->Lookup(a)));
}

// Python's lookup_many and ksym_lookup_batch: address by address what
// the single lookup answers, every miss with its reason.
TEST(LocateBatchWithLiveTest, AgreesWithSingleLookupsAndSaysEveryMiss) {
  std::unique_ptr<Symbolizer> s = Index();
  const std::vector<uint64_t> addresses = {
      0xffffffff9cffffff,  // below the first symbol
      0xffffffff9d000004,  // _text
      0xffffffffc0201010,  // ftrace_trampoline (live)
      0xffffffffc020304c,  // a BPF program (live)
      0xffffffffc0a00004,  // ext4_fill_super
      0xffffffffc0a08010,  // a BPF trampoline in ext4_iget's inferred extent
      0xffffffffffffff00,  // past the last symbol, no live symbol
  };
  for (bool running : {true, false}) {
    SCOPED_TRACE(running ? "the running kernel's index" : "another index");
    SharedLiveOverlay shared(*s);
    std::unique_ptr<LiveOverlay> live;
    if (running) {
      live = std::make_unique<LiveOverlay>(*s, "/nonexistent-root");
      live->SetForTesting(*ParsePseudoSymbols(kKallsyms, "k"));
    }
    shared.SetForTesting(std::move(live));
    std::vector<SymbolHit> hits(addresses.size());
    const size_t found =
        LocateBatchWithLive(*s, shared, addresses, absl::MakeSpan(hits));
    size_t want_found = 0;
    for (size_t k = 0; k < addresses.size(); ++k) {
      SCOPED_TRACE(absl::StrCat("0x", absl::Hex(addresses[k])));
      const SymbolHit one = s->Locate(addresses[k]);
      std::optional<PseudoHit> l = shared.Lookup(addresses[k], one);
      if (l.has_value()) {
        EXPECT_FALSE(hits[k].found());
        EXPECT_EQ(hits[k].reason, kLiveSymbolReason);
        EXPECT_EQ(hits[k].offset, l->offset);
        EXPECT_EQ(HitReasonText(hits[k].reason), std::string(LiveReasonText()));
        continue;
      }
      EXPECT_EQ(hits[k].symbol, one.symbol);
      EXPECT_EQ(hits[k].offset, one.offset);
      EXPECT_EQ(hits[k].reason, one.reason);
      want_found += one.found();
      if (!one.found()) {
        // Said, and as `ksym lookup` says it.
        EXPECT_NE(hits[k].reason, NotFoundReason::kNone);
        EXPECT_EQ(FrameTextWithLive(*s, shared, addresses[k]),
                  absl::StrCat("?? (", HitReasonText(hits[k].reason), ")"));
      }
    }
    EXPECT_EQ(found, want_found);
    EXPECT_EQ(hits[0].reason, NotFoundReason::kNotKernelAddress);
    EXPECT_TRUE(hits[1].found());
    EXPECT_TRUE(hits[4].found());
    // Live answers only on the running kernel's index (there the last
    // live symbol, having no next, reaches past the last indexed one).
    EXPECT_EQ(hits[2].reason == kLiveSymbolReason, running);
    EXPECT_EQ(hits[3].reason == kLiveSymbolReason, running);
    EXPECT_EQ(hits[5].reason == kLiveSymbolReason, running);
    EXPECT_EQ(hits[6].reason, running ? kLiveSymbolReason
                                      : NotFoundReason::kPastLastSymbol);
  }
}

TEST(LocateBatchWithLiveTest, ReasonTexts) {
  EXPECT_EQ(std::string(HitReasonText(NotFoundReason::kInGap)),
            NotFoundReasonText(NotFoundReason::kInGap));
  EXPECT_EQ(std::string(HitReasonText(kLiveSymbolReason)), LiveReasonText());
  EXPECT_EQ(std::string(HitReasonText(static_cast<NotFoundReason>(7))),
            "unknown reason");
}

}  // namespace
}  // namespace ksym
