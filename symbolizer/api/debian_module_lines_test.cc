// Loadable modules' source lines end to end on the Debian 6.1 cloud kernel
// that tools/fetch-debian-kernel.sh caches: a fake live root (ROOT/proc,
// ROOT/sys/module/M/sections, the image's .ko files and the -dbg package's
// debug .ko) is built into a runtime index, and every answer
// LocateSourceLines gives (what `lookup --lines`, `symbolize --lines`, the
// C API and Python print) for random addresses inside the modules' .text
// functions, at their load addresses, is compared with binutils
// `addr2line -i -f -j .text` on the debug .ko at the section offsets
// (llvm-symbolizer takes a plain address in a relocatable file as an
// offset in any section: sources/elf/debian_lines_test.cc says more).
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/api:debian_module_lines_test
//
// The assertions hold for any kernel: agreement on at least 99% of the
// addresses (the differences are printed), never a count of one package
// version. No vmlinux is put in the root: the core kernel comes from
// kallsyms alone, so the test reads only the modules' DWARF.
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/api/line_queries.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/line_query.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/elf/lines_peer_testing.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/testing/build_id_note.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/fake_files.h"

namespace ksym {
namespace {

constexpr char kTarget[] = "//symbolizer/api:debian_module_lines_test";
// Addresses compared, over all modules (at least 10,000 in all).
constexpr size_t kAddresses = 10000;

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

struct Module {
  std::string name;
  std::string rel;       // "kernel/fs/fat/fat.ko"
  std::string debug_ko;  // the -dbg package's file
  ElfSymbolTable symtab;
  std::map<std::string, uint64_t> sections;  // load addresses
};

struct Root {
  std::string dir;
  std::vector<Module> modules;
};

bool Placed(const ElfSymbol& s) {
  return !s.name.empty() && (s.section_flags & SHF_ALLOC) != 0 &&
         s.section_index != 0 && s.section_index < SHN_LORESERVE &&
         !absl::StartsWith(s.section_name, ".init");
}

// The fake live root, made once: every module of the cache with its .ko
// and debug .ko, each allocated section at its own page.
const Root& TheRoot() {
  static const Root* root = [] {
    auto* out = new Root;
    absl::StatusOr<testutil::DebianKernel> k =
        testutil::FindDebianKernel(kTarget);
    if (!k.ok()) {
      ADD_FAILURE() << k.status();
      return out;
    }
    const std::string debug_dir = absl::StrCat(
        k->vmlinux.substr(0, k->vmlinux.rfind("/usr/lib/debug/boot/")),
        "/usr/lib/debug/lib/modules/", k->release);
    std::string listing = testutil::RunPeer(
        absl::StrCat("cd ", k->modules_dir, " && find kernel -name '*.ko'"));
    std::vector<std::string> rels = absl::StrSplit(listing, '\n',
                                                   absl::SkipEmpty());
    std::sort(rels.begin(), rels.end());
    out->dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/root");
    const std::string& dir = out->dir;
    const std::string mods = dir + "/lib/modules/" + k->release;
    std::string kallsyms =
        "ffffffff81000000 T _text\nffffffff81000010 T start_kernel\n";
    std::string proc_modules, dep;
    uint64_t base = 0xffffffffc0400000;
    for (const std::string& rel : rels) {
      Module m;
      m.rel = rel;
      m.debug_ko = absl::StrCat(debug_dir, "/", rel);
      absl::StatusOr<ElfSymbolTable> t = ReadElfSymtabFile(m.debug_ko);
      if (!t.ok()) {
        ADD_FAILURE() << t.status();
        continue;
      }
      m.symtab = *std::move(t);
      m.name = m.symtab.module_name;
      std::map<std::string, uint64_t> extent;
      for (const ElfSymbol& s : m.symtab.symbols) {
        if (!Placed(s)) continue;
        uint64_t& e = extent[s.section_name];
        e = std::max(e, s.value + s.size);
      }
      for (const auto& [section, size] : extent) {
        m.sections[section] = base;
        base += (size + 0x1000) & ~uint64_t{0xfff};
      }
      base = (base + 0xfffff) & ~uint64_t{0xfffff};
      const std::string sys = dir + "/sys/module/" + m.name;
      for (const auto& [section, address] : m.sections) {
        WriteTestFile(sys + "/sections/" + section,
              absl::StrFormat("0x%016x\n", address));
      }
      WriteTestFile(sys + "/notes/.note.gnu.build-id",
            testutil::BuildIdNotes(m.symtab.build_id));
      absl::StrAppendFormat(&proc_modules, "%s %u 0 - Live 0x%016x\n", m.name,
                            65536, m.sections.begin()->second);
      for (const ElfSymbol& s : m.symtab.symbols) {
        if (!Placed(s)) continue;
        absl::StrAppendFormat(&kallsyms, "%016x %c %s\t[%s]\n",
                              m.sections.at(s.section_name) + s.value,
                              s.nm_type, s.name, m.name);
      }
      WriteTestFile(absl::StrCat(mods, "/", rel),
            Read(absl::StrCat(k->modules_dir, "/", rel)));
      absl::StrAppend(&dep, rel, ":\n");
      WriteTestFile(absl::StrCat(dir, "/usr/lib/debug/lib/modules/", k->release, "/",
                         rel),
            Read(m.debug_ko));
      out->modules.push_back(std::move(m));
    }
    WriteTestFile(dir + "/proc/sys/kernel/osrelease", k->release + "\n");
    WriteTestFile(dir + "/proc/kallsyms", kallsyms);
    WriteTestFile(dir + "/proc/modules", proc_modules);
    WriteTestFile(mods + "/modules.dep", dep);
    return out;
  }();
  return *root;
}

std::unique_ptr<Symbolizer> BuildIndex(bool lines) {
  BuildInputs in;
  in.root = TheRoot().dir;
  in.lines = lines;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return nullptr;
  absl::StatusOr<std::string> bytes = SerializeIndex(out->catalog);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<IndexReader>> reader =
      IndexReader::FromBuffer(*std::move(bytes), "modules.ksym", {});
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return nullptr;
  // The modules' section passes the structure checks `ksym verify` runs.
  EXPECT_TRUE((*reader)->VerifyStructure().ok());
  return std::make_unique<Symbolizer>(*std::move(reader));
}

// `count` offsets inside .text function symbols of `m`: a symbol drawn
// uniformly, then an offset inside its size.
std::vector<uint64_t> SampleTextOffsets(const Module& m, size_t count,
                                        uint64_t seed) {
  std::vector<std::pair<uint64_t, uint64_t>> functions;
  for (const ElfSymbol& s : m.symtab.symbols) {
    if (s.type == STT_FUNC && s.size > 0 && s.section_name == ".text") {
      functions.emplace_back(s.value, s.size);
    }
  }
  std::vector<uint64_t> out;
  if (functions.empty()) return out;
  std::mt19937_64 random(seed);
  for (size_t i = 0; i < count; ++i) {
    const auto& [start, size] = functions[random() % functions.size()];
    out.push_back(start + random() % size);
  }
  return out;
}

// LocateSourceLines' frames as the peer prints them (no columns).
std::vector<std::string> Printed(const SourceLines& l) {
  std::vector<SourceFrame> frames;
  if (l.state == SourceLines::State::kFound) {
    for (size_t i = 0; i < l.frames.size(); ++i) {
      SourceFrame f;
      f.function = std::string(FrameFunction(l, i));
      if (!l.frames[i].path.empty()) {
        f.file = absl::StrCat(l.frames[i].prefix, l.frames[i].path);
      }
      f.line = l.frames[i].line;
      frames.push_back(std::move(f));
    }
  }
  return testutil::PrintFrames(frames, /*columns=*/false);
}

TEST(DebianModuleLinesTest, ModuleFramesAgreeWithAddr2lineOnTheDebugKo) {
  const Root& root = TheRoot();
  ASSERT_FALSE(root.modules.empty())
      << "the cache holds no modules: run tools/fetch-debian-kernel.sh again";
  std::unique_ptr<Symbolizer> s = BuildIndex(true);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->index().module_lines().present());
  size_t total = 0, same = 0, exact = 0, found = 0, inlined = 0;
  std::vector<std::string> differences;
  const size_t per_module = kAddresses / root.modules.size() + 1;
  for (size_t i = 0; i < root.modules.size(); ++i) {
    const Module& m = root.modules[i];
    std::vector<uint64_t> offsets = SampleTextOffsets(m, per_module, 18 + i);
    if (offsets.empty()) continue;
    const std::string input =
        absl::StrCat(std::getenv("TEST_TMPDIR"), "/", m.name, ".addrs");
    {
      std::ofstream out(input);
      for (uint64_t o : offsets) out << "0x" << std::hex << o << "\n";
    }
    std::map<uint64_t, std::vector<std::string>> peer =
        testutil::ParsePeerOutput(testutil::RunPeer(absl::StrCat(
            "addr2line -a -i -f -j .text -e ", m.debug_ko, " < ", input)));
    const uint64_t text = m.sections.at(".text");
    for (uint64_t o : offsets) {
      ++total;
      LookupResult r = s->Lookup(text + o);
      ASSERT_TRUE(r.found) << m.name << " +0x" << std::hex << o;
      const SourceLines l = LocateSourceLines(*s, r.symbol, r.offset);
      found += l.state == SourceLines::State::kFound;
      const std::vector<std::string> ours = Printed(l);
      inlined += ours.size() > 1;
      auto it = peer.find(o);
      exact += it != peer.end() && ours == it->second;
      if (it != peer.end() &&
          (ours == it->second ||
           testutil::SameButOutermostName(ours, it->second, true))) {
        ++same;
        continue;
      }
      differences.push_back(absl::StrCat(
          m.name, " .text+0x", absl::Hex(o), " (", l.why, ")\n  ksym: ",
          absl::StrJoin(ours, " < "), "\n  peer: ",
          it == peer.end() ? "no answer" : absl::StrJoin(it->second, " < ")));
    }
  }
  ASSERT_GE(total, kAddresses);
  // `same - exact`: the peer named the outermost frame after the ELF
  // symbol (a clone's suffix, an alias), as SameButOutermostName allows.
  std::printf("%zu of %zu module addresses agree with addr2line (%zu frame "
              "for frame; %zu with lines, %zu inlined)\n",
              same, total, exact, found, inlined);
  EXPECT_GE(same * 100, total * 99)
      << same << " of " << total << " agree; differences:\n"
      << absl::StrJoin(differences, "\n");
  // Modules are -O2 code too: a reader that lost the inline tree would
  // still agree on plain frames.
  EXPECT_GE(inlined * 20, total);
  if (!differences.empty()) {
    std::printf("differences (first 20):\n%s\n",
                absl::StrJoin(differences.begin(),
                              differences.begin() +
                                  std::min<size_t>(20, differences.size()),
                              "\n")
                    .c_str());
  }
}

TEST(DebianModuleLinesTest, WithoutLinesAModuleFrameSaysWhy) {
  const Root& root = TheRoot();
  ASSERT_FALSE(root.modules.empty());
  std::unique_ptr<Symbolizer> s = BuildIndex(false);
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->index().module_lines().present());
  const Module& m = root.modules.front();
  std::vector<uint64_t> offsets = SampleTextOffsets(m, 1, 7);
  ASSERT_FALSE(offsets.empty());
  LookupResult r = s->Lookup(m.sections.at(".text") + offsets[0]);
  ASSERT_TRUE(r.found);
  const SourceLines l = LocateSourceLines(*s, r.symbol, r.offset);
  EXPECT_NE(l.state, SourceLines::State::kFound);
  EXPECT_TRUE(l.frames.empty());
  EXPECT_FALSE(l.why.empty());
}

// `resolve FILE:LINE` on the modules' line table against the debug .ko's
// line table as `llvm-dwarfdump --debug-line` prints it (relocated:
// addresses are offsets in each sequence's section).
struct DwarfRow {
  uint64_t address = 0;
  uint32_t line = 0;
  std::string path;  // include directory + name
  bool is_stmt = false;
};
// One sequence (up to end_sequence) of one unit.
using Sequence = std::vector<DwarfRow>;

std::vector<Sequence> ReadSequences(const std::string& debug_ko) {
  std::vector<Sequence> out;
  Sequence current;
  for (const testutil::DwarfdumpLineTable& t :
       testutil::ParseDwarfdumpDebugLine(testutil::RunPeer(
           absl::StrCat("llvm-dwarfdump --debug-line ", debug_ko)))) {
    for (const testutil::DwarfdumpRow& r : t.rows) {
      if (r.end_sequence) {
        out.push_back(std::move(current));
        current.clear();
      } else {
        current.push_back({r.address, r.line, t.Path(r.file, false), r.is_stmt});
      }
    }
  }
  return out;
}

// The module's section holding `address` and its load address.
std::pair<std::string, uint64_t> SectionOf(const Module& m, uint64_t address) {
  std::pair<std::string, uint64_t> best;
  for (const auto& [name, base] : m.sections) {
    if (base <= address && base >= best.second) best = {name, base};
  }
  return best;
}

TEST(DebianModuleLinesTest, ResolveFileLineFindsTheDebugKosStatements) {
  const Root& root = TheRoot();
  ASSERT_FALSE(root.modules.empty());
  std::unique_ptr<Symbolizer> s = BuildIndex(true);
  ASSERT_NE(s, nullptr);
  const LineSection& lines = s->index().module_lines();
  ASSERT_TRUE(lines.present());
  std::mt19937 random(18);
  size_t queries = 0, sites_checked = 0, runs = 0, probed = 0, unplaced = 0;
  for (const Module& m : root.modules) {
    // The .text sequences: those starting at a .text function's offset and
    // at no other section's function (the relocated offsets do not say
    // their section).
    std::set<uint64_t> text_starts, other_starts;
    for (const ElfSymbol& e : m.symtab.symbols) {
      if (e.type != STT_FUNC) continue;
      (e.section_name == ".text" ? text_starts : other_starts).insert(e.value);
    }
    const std::vector<Sequence> sequences = ReadSequences(m.debug_ko);
    std::vector<const Sequence*> text;
    for (const Sequence& q : sequences) {
      if (!q.empty() && text_starts.count(q.front().address) &&
          !other_starts.count(q.front().address)) {
        text.push_back(&q);
      }
    }
    if (text.empty()) continue;
    for (int i = 0; i < 25; ++i) {
      // A statement of a .c file in .text: its line is asked.
      const Sequence& q = *text[random() % text.size()];
      const DwarfRow& pick = q[random() % q.size()];
      if (!pick.is_stmt || pick.line == 0 || !absl::EndsWith(pick.path, ".c")) {
        continue;
      }
      // The path under the build prefix: its last two components.
      std::vector<absl::string_view> parts = absl::StrSplit(pick.path, '/');
      if (parts.size() < 2) continue;
      LineQuery query;
      query.file = absl::StrCat(parts[parts.size() - 2], "/", parts.back());
      query.line = pick.line;
      const LineSites l = ResolveLine(*s, query);
      ++queries;
      ASSERT_EQ(l.state, LineSites::State::kFound)
          << query.ToString() << ": " << l.why;
      auto matches = [&](const DwarfRow& r) {
        return r.line == query.line &&
               SourcePathSuffixMatches(r.path, query.file);
      };
      // Every module site of this module is an is_stmt row of the line at
      // its section's offset, in a symbol of the module.
      std::set<uint64_t> addresses;
      for (const LineSite& site : l.sites) {
        if (!site.in_module) continue;
        if (!site.placed) {
          // Code of the debug .ko no symbol of the index covers (said).
          ++unplaced;
          if (unplaced <= 5) {
            const auto [section, base] = SectionOf(m, site.address);
            std::printf("not placed: %s %s at %s+0x%llx: %s\n", m.name.c_str(),
                        query.ToString().c_str(), section.c_str(),
                        static_cast<unsigned long long>(site.address - base),
                        site.not_placed.c_str());
          }
          continue;
        }
        ASSERT_EQ(s->index().ModuleSetSize(site.symbol.module_set), 1u);
        const std::string module(
            s->index().ModuleName(site.symbol.module_set, 0));
        EXPECT_TRUE(absl::StrContains(site.select, absl::StrCat("[", module, "]")))
            << site.select;
        if (module != m.name) continue;
        addresses.insert(site.address);
        const auto [section, base] = SectionOf(m, site.address);
        bool found = false;
        for (const Sequence& seq : sequences) {
          for (const DwarfRow& r : seq) {
            found |= r.is_stmt && r.address == site.address - base && matches(r);
          }
        }
        EXPECT_TRUE(found) << absl::StrCat(
            m.name, " ", query.ToString(), " at ", section, "+0x",
            absl::Hex(site.address - base), " is no is_stmt row of it");
        ++sites_checked;
      }
      // Every run of the line's rows in .text with a statement, inside a
      // function the table holds, is found at its first statement.
      const uint64_t base = m.sections.at(".text");
      for (const Sequence* seq : text) {
        bool in_run = false, run_has_stmt = false;
        for (const DwarfRow& r : *seq) {
          if (!matches(r)) {
            in_run = false;
            continue;
          }
          if (!in_run) run_has_stmt = false;
          in_run = true;
          if (!r.is_stmt || run_has_stmt) continue;
          run_has_stmt = true;
          LineFrames frames;
          absl::StatusOr<bool> held = lines.Symbolize(base + r.address, &frames);
          if (!held.ok() || !*held) continue;
          ++runs;
          EXPECT_TRUE(addresses.count(base + r.address)) << absl::StrCat(
              m.name, " ", query.ToString(), ": the statement at .text+0x",
              absl::Hex(r.address), " is missing");
        }
      }
      // A line with one place is probed there, as the module's symbol.
      if (l.sites.size() == 1 && l.sites[0].in_module) {
        ProbeRequest req;
        req.query = query.ToString();
        absl::StatusOr<ProbePlacement> p = PlaceLineProbe(*s, req);
        if (p.ok()) {
          ++probed;
          EXPECT_EQ(p->spec.address, l.sites[0].address);
          EXPECT_EQ(p->spec.module, m.name);
        }
      }
    }
  }
  std::printf("%zu module line queries: %zu sites checked against is_stmt "
              "rows, %zu statement runs found, %zu probed, %zu sites no symbol "
              "holds\n",
              queries, sites_checked, runs, probed, unplaced);
  EXPECT_LE(unplaced * 20, sites_checked);
  EXPECT_GT(queries, 0u);
  EXPECT_GT(sites_checked, 0u);
  EXPECT_GT(runs, 0u);
}

}  // namespace
}  // namespace ksym
