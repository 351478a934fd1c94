// Probe specs on a real distribution kernel, checked against an independent
// model of the kernel's rules rather than against ksym's own resolver.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/probe:debian_probe_test
//
// and on the arm64 kernel (built with KSYM_DEBIAN_ARM64):
//
//   KSYM_DEBIAN_ARM64_KERNEL=$(tools/fetch-debian-kernel.sh --arch arm64) \
//     bazel test --test_env=KSYM_DEBIAN_ARM64_KERNEL \
//     //symbolizer/probe:debian_arm64_probe_test
//
// The model reads the kernel's System.map text with nothing but string
// splitting and applies what kernel/trace/trace_kprobe.c does with a
// target: a bare SYM is refused unless exactly one symbol (of any type) has
// that name; `_text+OFF` and a MEMADDR are taken as addresses; the kprobe
// then sits in the symbol whose range holds the address (kallsyms: the
// highest symbol start at or below it). System.map lists every symbol
// /proc/kallsyms can show for vmlinux (and some it drops), so a name unique
// in System.map is unique in kallsyms.
//
// Two indexes: static (vmlinux + System.map + modules.builtin*, objects
// from DWARF) and runtime (System.map + the same symbols as a kallsyms file
// shifted by a KASLR offset, no objects: its duplicates stay ambiguous and
// are selected with @0xADDR).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/probe/probe_spec.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

constexpr uint64_t kSlide = 0x1c000000;

// ---- The independent model: System.map text and the kernel's rules ----

struct MapSymbol {
  uint64_t address;
  char type;
  std::string name;
};

struct Model {
  std::vector<MapSymbol> symbols;  // System.map order (ascending address)
  // Ordered, so the sample of unique names below is the same every run.
  std::map<std::string, std::vector<size_t>> by_name;
  uint64_t slide = 0;  // added to every System.map address

  static Model Read(const std::string& path, uint64_t slide) {
    Model m;
    m.slide = slide;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      if (f.size() != 3 || f[1].size() != 1) continue;
      uint64_t a = 0;
      if (!absl::SimpleHexAtoi(f[0], &a)) continue;
      m.by_name[f[2]].push_back(m.symbols.size());
      m.symbols.push_back({a, f[1][0], f[2]});
      if (f[1] != "A" && f[1] != "a") m.starts.push_back(a);
    }
    std::sort(m.starts.begin(), m.starts.end());
    return m;
  }
  bool IsText(const MapSymbol& s) const {
    return s.type == 't' || s.type == 'T' || s.type == 'w' || s.type == 'W';
  }
  size_t Count(const std::string& name) const {
    auto it = by_name.find(name);
    return it == by_name.end() ? 0 : it->second.size();
  }
  // Where the kernel puts a kprobe given `target` (kprobe_events syntax),
  // or an error saying why it refuses it.
  absl::StatusOr<uint64_t> Place(absl::string_view target, bool decimal) const {
    if (absl::StartsWith(target, "0x")) {
      uint64_t a = 0;
      if (!absl::SimpleHexAtoi(target.substr(2), &a)) {
        return absl::InvalidArgumentError("bad MEMADDR");
      }
      return a;
    }
    absl::string_view sym = target, off_text;
    const size_t plus = target.find('+');
    if (plus != absl::string_view::npos) {
      sym = target.substr(0, plus);
      off_text = target.substr(plus + 1);
    }
    uint64_t off = 0;
    if (!off_text.empty()) {
      const bool ok = decimal ? absl::SimpleAtoi(off_text, &off)
                              : absl::ConsumePrefix(&off_text, "0x") &&
                                    absl::SimpleHexAtoi(off_text, &off);
      if (!ok) return absl::InvalidArgumentError("bad offset");
    }
    if (sym.find(':') != absl::string_view::npos) {
      return absl::UnimplementedError("no modules in this model");
    }
    const std::string name(sym);
    if (Count(name) != 1) {
      return absl::UnavailableError(absl::StrCat(
          "EADDRNOTAVAIL: ", Count(name), " symbols named ", name));
    }
    return symbols[by_name.at(name)[0]].address + slide + off;
  }
  // The start of the kallsyms symbol holding `address` (highest start at
  // or below it).
  uint64_t ContainingStart(uint64_t address) const {
    auto it = std::upper_bound(starts.begin(), starts.end(), address - slide);
    return it == starts.begin() ? 0 : *(it - 1) + slide;
  }
  std::vector<uint64_t> starts;  // sorted, absolute symbols left out
};

// ---- The indexes under test ----

std::unique_ptr<Symbolizer> Open(absl::StatusOr<BuildOutput> out) {
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return nullptr;
  return testutil::SymbolizerOfBuilt(out->catalog);
}

class DebianProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
#ifdef KSYM_DEBIAN_ARM64
    absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(
        "//symbolizer/probe:debian_arm64_probe_test", testutil::kDebianArm64);
#else
    absl::StatusOr<testutil::DebianKernel> k =
        testutil::FindDebianKernel("//symbolizer/probe:debian_probe_test");
#endif
    ASSERT_TRUE(k.ok()) << k.status().message();
    kernel_ = new testutil::DebianKernel(*k);
    BuildInputs in;
    in.vmlinux_path = k->vmlinux;
    in.system_map_path = k->system_map;
    in.modules_dir = k->modules_dir;
    static_ = Open(BuildCatalog(in)).release();

    // The same kernel as /proc/kallsyms shows it after a KASLR slide.
    const std::string kallsyms =
        absl::StrCat(::testing::TempDir(), "/kallsyms");
    {
      // x86_64's per-CPU symbols are offsets below _text; arm64's lie
      // inside the image. Absolute symbols are not moved.
      uint64_t text = 0;
      {
        std::ifstream map(k->system_map);
        std::string line;
        while (std::getline(map, line)) {
          if (absl::EndsWith(line, " T _text") &&
              absl::SimpleHexAtoi(line.substr(0, 16), &text)) {
            break;
          }
        }
      }
      ASSERT_NE(text, 0u) << k->system_map << " has no _text";
      std::ifstream map(k->system_map);
      std::ofstream out(kallsyms);
      std::string line;
      while (std::getline(map, line)) {
        uint64_t a = 0;
        if (line.size() < 19 || !absl::SimpleHexAtoi(line.substr(0, 16), &a)) {
          continue;
        }
        if (a < text || line[17] == 'A' || line[17] == 'a') continue;
        // What the kernel's kallsyms leaves out (scripts/kallsyms.c):
        // mapping symbols, assembler locals, arm64's EFI stub and nVHE
        // locals (some with a \x02 byte).
        const absl::string_view name = absl::string_view(line).substr(19);
        bool ignored = false;
        for (absl::string_view p :
             {"$", ".L", "__efistub_", "__kvm_nvhe_$", "__kvm_nvhe_.L"}) {
          ignored |= absl::StartsWith(name, p);
        }
        if (ignored) continue;
        char buf[17];
        std::snprintf(buf, sizeof(buf), "%016llx",
                      static_cast<unsigned long long>(a + kSlide));
        out << buf << line.substr(16) << "\n";
      }
    }
    BuildInputs rt;
    rt.system_map_path = k->system_map;
    rt.kallsyms_path = kallsyms;
    rt.identity.release = k->release;
    rt.identity_given = true;
    runtime_ = Open(BuildCatalog(rt)).release();
  }
  void SetUp() override {
    ASSERT_NE(static_, nullptr);
    ASSERT_NE(runtime_, nullptr);
    ASSERT_EQ(runtime_->index().address_space(), AddressSpace::kRuntime);
    ASSERT_EQ(static_->index().address_space(), AddressSpace::kStatic);
  }

  // For every text symbol of every name that System.map repeats (and every
  // 50th unique text name), the spec's targets must place the probe on
  // that very symbol in the model; returns how many were checked.
  static size_t CheckAll(const Symbolizer& s, const Model& model) {
    size_t checked = 0, unique_seen = 0;
    for (const auto& [name, idx] : model.by_name) {
      bool text = false;
      for (size_t i : idx) text |= model.IsText(model.symbols[i]);
      if (!text) continue;
      if (idx.size() == 1 && unique_seen++ % 50 != 0) continue;
      std::vector<uint32_t> in_index;
      s.index().ForEachNamed(name, [&](uint32_t i) { in_index.push_back(i); });
      for (uint32_t i : in_index) {
        const SymbolInfo sym = s.Symbol(i);
        if (!IsTextType(sym.type)) continue;
        for (uint64_t off : {uint64_t{0}, sym.size > 1 ? uint64_t{1} : 0}) {
          if (off != 0 && off >= sym.size) continue;
          // A symbol nested at +off (retbleed_return_thunk inside
          // retbleed_untrain_ret) owns that address under kallsyms rules:
          // the probe lands there correctly, but the model cannot say it
          // belongs to the outer symbol.
          if (off != 0 && model.ContainingStart(sym.address + off) != sym.address) {
            continue;
          }
          CheckOne(s, model, sym, off, idx.size());
          ++checked;
          if (::testing::Test::HasFatalFailure()) return checked;
        }
      }
    }
    return checked;
  }

  static void CheckOne(const Symbolizer& s, const Model& model,
                       const SymbolInfo& sym, uint64_t off, size_t map_count) {
    const std::string where = absl::StrCat(s.QualifiedName(sym), " at 0x",
                                           absl::Hex(sym.address), "+", off);
    // The query ksym prints for it selects it, and the ambiguity marker
    // agrees with it.
    const std::string query = s.SelectingQuery(sym, off ? std::optional<uint64_t>(off)
                                                        : std::nullopt);
    const NameAmbiguity amb = Ambiguity(s, sym);
    EXPECT_EQ(amb.unique, query.find(" @0x") == std::string::npos) << where << ": " << query;
    EXPECT_EQ(amb.unique, AmbiguityMarker(s, sym).empty()) << where;
    absl::StatusOr<Candidate> c = s.ResolveUnique(query);
    ASSERT_TRUE(c.ok()) << where << ": " << query << ": " << c.status();
    ASSERT_EQ(c->symbol.index, sym.index) << where << ": " << query;
    ASSERT_EQ(c->address, sym.address + off) << where;
    absl::StatusOr<ProbeSpec> p = MakeProbeSpec(s, *c, {});
    ASSERT_TRUE(p.ok()) << where << ": " << p.status();
    if (map_count > 1) {
      EXPECT_NE(p->form, TargetForm::kSymbol) << where;
    }
    // kprobe_events: "p:GROUP/EVENT TARGET".
    const std::string& line = p->kprobe_events.text;
    const std::string target = line.substr(line.find(' ') + 1);
    EXPECT_EQ(target, p->target);
    absl::StatusOr<uint64_t> placed = model.Place(target, /*decimal=*/false);
    ASSERT_TRUE(placed.ok()) << where << ": " << line << ": " << placed.status();
    EXPECT_EQ(*placed, sym.address + off) << where << ": " << line;
    EXPECT_EQ(model.ContainingStart(*placed), sym.address) << where << ": " << line;
    // bpftrace: "kprobe:TARGET" with decimal offsets, when offered.
    if (p->bpftrace.available) {
      absl::string_view b = p->bpftrace.text;
      ASSERT_TRUE(absl::ConsumePrefix(&b, "kprobe:")) << b;
      placed = model.Place(b, /*decimal=*/true);
      ASSERT_TRUE(placed.ok()) << where << ": " << p->bpftrace.text << ": "
                               << placed.status();
      EXPECT_EQ(*placed, sym.address + off) << where << ": " << p->bpftrace.text;
    } else {
      EXPECT_EQ(p->form, TargetForm::kTextOffset) << where;
    }
    // perf probe: SYM+0xOFF or 0xADDR, when offered.
    if (p->perf.available) {
      placed = model.Place(p->perf.text, /*decimal=*/false);
      ASSERT_TRUE(placed.ok()) << where << ": " << p->perf.text;
      EXPECT_EQ(*placed, sym.address + off) << where << ": " << p->perf.text;
    }
  }

  static testutil::DebianKernel* kernel_;
  static Symbolizer* static_;
  static Symbolizer* runtime_;
};
testutil::DebianKernel* DebianProbeTest::kernel_;
Symbolizer* DebianProbeTest::static_;
Symbolizer* DebianProbeTest::runtime_;

TEST_F(DebianProbeTest, StaticTargetsDenoteExactlyTheChosenSymbol) {
  Model model = Model::Read(kernel_->system_map, 0);
  ASSERT_EQ(model.Count("_text"), 1u);
  const size_t checked = CheckAll(*static_, model);
  std::printf("static: %zu symbol+offset targets checked\n", checked);
  EXPECT_GT(checked, 0u);
}

TEST_F(DebianProbeTest, RuntimeTargetsDenoteExactlyTheChosenSymbol) {
  Model model = Model::Read(kernel_->system_map, kSlide);
  EXPECT_EQ(static_cast<uint64_t>(runtime_->index().kaslr_offset()), kSlide);
  const size_t checked = CheckAll(*runtime_, model);
  std::printf("runtime: %zu symbol+offset targets checked\n", checked);
  EXPECT_GT(checked, 0u);
}

// Every duplicated text name is refused bare by the model, so no spec may
// print it bare; and the kernel's own blacklist areas of this vmlinux are
// refused.
TEST_F(DebianProbeTest, BlacklistedAreasAreRefused) {
  KprobeBlacklist blacklist;
  blacklist.AddIndexAreas(*static_);
  EXPECT_GE(blacklist.size(), 3u);  // noinstr, entry, init (+ __kprobes)
  ProbeOptions opt;
  opt.blacklist = &blacklist;
  // Every function of the noinstr area, and on arm64 of the areas its
  // arch_populate_kprobe_blacklist adds (arch/arm64/kernel/probes/
  // kprobes.c).
  std::vector<std::string> areas = {"__noinstr_text"};
  if (kernel_->arch == "aarch64") {
    areas.insert(areas.end(), {"__irqentry_text", "__idmap_text", "__hyp_text",
                               "__hyp_idmap_text"});
  }
  Model model = Model::Read(kernel_->system_map, 0);
  for (const std::string& area : areas) {
    uint64_t start =
        model.symbols[model.by_name.at(area + "_start")[0]].address;
    uint64_t end = model.symbols[model.by_name.at(area + "_end")[0]].address;
    size_t refused = 0;
    for (const MapSymbol& m : model.symbols) {
      if (!model.IsText(m) || m.address < start || m.address >= end) continue;
      if (model.Count(m.name) != 1 || absl::StartsWith(m.name, area)) continue;
      absl::StatusOr<Candidate> c = static_->ResolveUnique(m.name);
      if (!c.ok() && absl::IsNotFound(c.status())) continue;  // kallsyms drops it
      ASSERT_TRUE(c.ok()) << m.name << ": " << c.status();
      absl::StatusOr<ProbeSpec> p = MakeProbeSpec(*static_, *c, opt);
      EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition)
          << area << ": " << m.name;
      ++refused;
    }
    std::cout << area << ": " << refused << " functions refused\n";
    EXPECT_GT(refused, 0u) << area;
  }
}

}  // namespace
}  // namespace ksym
