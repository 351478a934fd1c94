// The set_ftrace_filter index on a real distribution kernel.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/probe:debian_ftrace_test
//
// The machines this runs on refuse reads of tracefs, so the two tracefs
// files are GENERATED here, in the kernel's exact format, from the Debian
// vmlinux the way the booted kernel builds them (kernel/trace/ftrace.c):
// the patch sites of the __mcount_loc table (__start_mcount_loc ..
// __stop_mcount_loc), zero entries skipped, sorted by address, init-text
// records dropped (freed after boot), each printed by t_show/print_rec:
// "%lx " (the _addrs file) then the kallsyms name of the address (the
// highest System.map symbol at or below it, kallsyms' alias order), or
// `__ftrace_invalid_address___OFFSET` when the address is more than
// FTRACE_MCOUNT_MAX_OFFSET (4 with x86 IBT's endbr64, else 0) past it.
// Addresses are shifted by a KASLR offset, as a booted kernel shows them.
//
// The check is independent of ksym's lookup: the generator records which
// System.map symbol owns each line, and the line ksym chooses for a symbol
// must be owned by that symbol's address; a function that owns no line
// must be refused.
//
// Likewise /sys/kernel/debug/kprobes/blacklist is generated from the
// vmlinux's NOKPROBE_SYMBOL table (__start_kprobe_blacklist ..
// __stop_kprobe_blacklist), each entry printed as kprobe_blacklist_seq_show
// does ("0x%px-0x%px\t%ps": the function and its kallsyms extent), and
// `ksym probe` must refuse each of those functions.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/api/probe.h"
#include "symbolizer/probe/ftrace_functions.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/debian_kernel.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

constexpr uint64_t kSlide = 0x2a000000;

struct MapSymbol {
  uint64_t address;
  char type;
  std::string name;
  size_t order;
};

// Reads `size` bytes at virtual address `addr` of an ELF64 little-endian
// file, from the section holding it (plain header parsing, no libelf).
std::string ReadVirtual(const std::string& path, uint64_t addr, uint64_t size) {
  std::ifstream f(path, std::ios::binary);
  char eh[64];
  f.read(eh, 64);
  uint64_t shoff;
  uint16_t shentsize, shnum;
  std::memcpy(&shoff, eh + 0x28, 8);
  std::memcpy(&shentsize, eh + 0x3a, 2);
  std::memcpy(&shnum, eh + 0x3c, 2);
  for (uint16_t i = 0; i < shnum; ++i) {
    char sh[64];
    f.seekg(shoff + uint64_t{i} * shentsize);
    f.read(sh, 64);
    uint32_t type;
    uint64_t sh_addr, sh_off, sh_size;
    std::memcpy(&type, sh + 4, 4);
    std::memcpy(&sh_addr, sh + 16, 8);
    std::memcpy(&sh_off, sh + 24, 8);
    std::memcpy(&sh_size, sh + 32, 8);
    if (type == 8 /* SHT_NOBITS */ || sh_addr == 0) continue;
    if (addr >= sh_addr && addr + size <= sh_addr + sh_size) {
      std::string out(size, '\0');
      f.seekg(sh_off + (addr - sh_addr));
      f.read(&out[0], size);
      return out;
    }
  }
  return "";
}

struct Generated {
  std::string names, addrs;
  std::vector<uint64_t> owner;  // line k+1 -> owning symbol's static start, 0 if invalid
  size_t invalid = 0;
  bool ibt = false;
};

Generated Generate(const testutil::DebianKernel& k) {
  std::vector<MapSymbol> syms;
  absl::flat_hash_map<std::string, uint64_t> first;
  {
    std::ifstream in(k.system_map);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      uint64_t a = 0;
      if (f.size() != 3 || f[1].size() != 1 || !absl::SimpleHexAtoi(f[0], &a)) continue;
      first.emplace(f[2], a);
      if (f[1] == "A" || f[1] == "a") continue;
      syms.push_back({a, f[1][0], f[2], syms.size()});
    }
  }
  // scripts/kallsyms' order of aliases: non-weak first, then names that
  // are not linker-script PROVIDEs, fewer leading underscores, then the
  // original order.
  auto underscores = [](const std::string& n) { return n.find_first_not_of('_'); };
  auto provide = [](const std::string& n) {
    if (n.size() < 8 || n.compare(0, 2, "__") != 0) return false;
    return n.compare(2, 6, "start_") == 0 || n.compare(2, 5, "stop_") == 0 ||
           n.compare(2, 4, "end_") == 0 || n.compare(n.size() - 6, 6, "_start") == 0 ||
           n.compare(n.size() - 4, 4, "_end") == 0;
  };
  std::stable_sort(syms.begin(), syms.end(), [&](const MapSymbol& a, const MapSymbol& b) {
    if (a.address != b.address) return a.address < b.address;
    const bool wa = a.type == 'w' || a.type == 'W', wb = b.type == 'w' || b.type == 'W';
    if (wa != wb) return wb;
    if (provide(a.name) != provide(b.name)) return provide(b.name);
    if (underscores(a.name) != underscores(b.name)) {
      return underscores(a.name) < underscores(b.name);
    }
    return a.order < b.order;
  });
  const uint64_t start = first.at("__start_mcount_loc");
  const uint64_t stop = first.at("__stop_mcount_loc");
  const std::string table = ReadVirtual(k.vmlinux, start, stop - start);
  EXPECT_EQ(table.size(), stop - start);
  std::vector<uint64_t> ips;
  for (size_t o = 0; o + 8 <= table.size(); o += 8) {
    uint64_t ip;
    std::memcpy(&ip, table.data() + o, 8);
    if (ip == 0) continue;
    if (ip >= first.at("__init_begin") && ip < first.at("__init_end")) continue;
    ips.push_back(ip);
  }
  std::sort(ips.begin(), ips.end());
  // endbr64 at a traced function's entry means IBT: FTRACE_MCOUNT_MAX_OFFSET 4.
  const std::string entry = ReadVirtual(k.vmlinux, first.at("do_exit"), 4);
  Generated g;
  g.ibt = entry == std::string("\xf3\x0f\x1e\xfa", 4);
  const uint64_t max_offset = g.ibt ? 4 : 0;
  for (uint64_t ip : ips) {
    auto it = std::upper_bound(syms.begin(), syms.end(), ip,
                               [](uint64_t a, const MapSymbol& s) { return a < s.address; });
    std::string name;
    uint64_t owner = 0;
    if (it == syms.begin()) {
      name = "__ftrace_invalid_address___0";
    } else {
      --it;
      const uint64_t at = it->address;
      while (it != syms.begin() && (it - 1)->address == at) --it;  // first alias
      const uint64_t off = ip - at;
      if (off > max_offset) {
        name = absl::StrCat("__ftrace_invalid_address___", off);
        ++g.invalid;
      } else {
        name = it->name;
        owner = at;
      }
    }
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(ip + kSlide));
    absl::StrAppend(&g.addrs, hex, " ", name, "\n");
    absl::StrAppend(&g.names, name, "\n");
    g.owner.push_back(owner);
  }
  return g;
}

TEST(DebianFtraceTest, IndexSelectsExactlyTheChosenFunction) {
  absl::StatusOr<testutil::DebianKernel> k =
      testutil::FindDebianKernel("//symbolizer/probe:debian_ftrace_test");
  ASSERT_TRUE(k.ok()) << k.status().message();
  BuildInputs in;
  in.vmlinux_path = k->vmlinux;
  in.system_map_path = k->system_map;
  in.modules_dir = k->modules_dir;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::unique_ptr<Symbolizer> index =
      testutil::SymbolizerOfBuilt(out->catalog);
  const Symbolizer& s = *index;

  Generated g = Generate(*k);
  ASSERT_GT(g.owner.size(), 1000u);
  std::printf("generated %zu records (%zu invalid), IBT %s\n", g.owner.size(),
              g.invalid, g.ibt ? "yes" : "no");
  absl::StatusOr<FtraceFunctions> f = FtraceFunctions::Parse(
      g.names, "available_filter_functions", g.addrs,
      "available_filter_functions_addrs");
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<int64_t> off = f->OffsetFrom(s);
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(static_cast<uint64_t>(*off), kSlide);

  absl::flat_hash_map<uint64_t, size_t> lines_owned;  // start -> count
  for (uint64_t o : g.owner) {
    if (o) ++lines_owned[o];
  }
  absl::StatusOr<FtraceFunctions> names_only =
      FtraceFunctions::Parse(g.names, "available_filter_functions", "", "");
  ASSERT_TRUE(names_only.ok());

  // Every text symbol of every duplicated name, and every 40th other one.
  absl::flat_hash_map<std::string, int> count;
  for (uint64_t i = 0; i < s.index().symbol_count(); ++i) {
    ++count[s.index().NameString(static_cast<uint32_t>(i))];
  }
  size_t found = 0, refused = 0, dup_found = 0, sampled = 0;
  for (uint64_t i = 0; i < s.index().symbol_count(); ++i) {
    const SymbolInfo sym = s.Symbol(static_cast<uint32_t>(i));
    if (!IsTextType(sym.type)) continue;
    const bool dup = count[std::string(sym.name())] > 1;
    if (!dup && sampled++ % 40 != 0) continue;
    absl::StatusOr<FtraceIndex> idx = f->Find(s, sym, *off);
    auto owned = lines_owned.find(sym.address);
    if (!idx.ok()) {
      EXPECT_EQ(idx.status().code(), absl::StatusCode::kNotFound) << idx.status();
      // Nothing of the generated files belongs to it.
      EXPECT_TRUE(owned == lines_owned.end())
          << s.QualifiedName(sym) << " at 0x" << std::hex << sym.address;
      ++refused;
      continue;
    }
    ASSERT_GE(idx->line, 1u);
    ASSERT_LE(idx->line, g.owner.size());
    EXPECT_EQ(g.owner[idx->line - 1], sym.address)
        << s.QualifiedName(sym) << " -> line " << idx->line;
    ++found;
    if (dup) ++dup_found;
    // Names alone: unique names only, same line.
    absl::StatusOr<FtraceIndex> by_name = names_only->Find(s, sym, 0);
    if (by_name.ok()) {
      EXPECT_EQ(by_name->line, idx->line) << s.QualifiedName(sym);
    } else {
      EXPECT_TRUE(dup || by_name.status().code() == absl::StatusCode::kNotFound)
          << by_name.status();
    }
  }
  std::printf("%zu functions found (%zu of duplicated names), %zu refused\n",
              found, dup_found, refused);
  EXPECT_GT(dup_found, 0u);
  EXPECT_GT(refused, 0u);
}

TEST(DebianFtraceTest, DebugfsBlacklistFunctionsAreRefused) {
  absl::StatusOr<testutil::DebianKernel> k =
      testutil::FindDebianKernel("//symbolizer/probe:debian_ftrace_test");
  ASSERT_TRUE(k.ok()) << k.status().message();
  BuildInputs in;
  in.vmlinux_path = k->vmlinux;
  in.system_map_path = k->system_map;
  in.modules_dir = k->modules_dir;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::unique_ptr<Symbolizer> index =
      testutil::SymbolizerOfBuilt(out->catalog);
  const Symbolizer& s = *index;

  // System.map: starts (absolute symbols left out) and names.
  std::vector<std::pair<uint64_t, std::string>> syms;
  absl::flat_hash_map<std::string, uint64_t> first;
  absl::flat_hash_map<std::string, int> count;
  {
    std::ifstream map(k->system_map);
    std::string line;
    while (std::getline(map, line)) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      uint64_t a = 0;
      if (f.size() != 3 || !absl::SimpleHexAtoi(f[0], &a)) continue;
      first.emplace(f[2], a);
      ++count[f[2]];
      if (f[1] != "A" && f[1] != "a") syms.emplace_back(a, f[2]);
    }
  }
  std::sort(syms.begin(), syms.end());
  const uint64_t start = first.at("__start_kprobe_blacklist");
  const std::string table =
      ReadVirtual(k->vmlinux, start, first.at("__stop_kprobe_blacklist") - start);
  ASSERT_FALSE(table.empty());
  std::string debugfs;
  std::vector<std::string> unique_names;
  for (size_t o = 0; o + 8 <= table.size(); o += 8) {
    uint64_t entry;
    std::memcpy(&entry, table.data() + o, 8);
    auto it = std::upper_bound(syms.begin(), syms.end(), std::make_pair(entry, std::string("\xff")));
    if (it == syms.begin() || it == syms.end()) continue;
    auto at = it - 1;
    if (at->first != entry) continue;  // not a symbol start: the kernel skips it
    while (it != syms.end() && it->first == entry) ++it;
    if (it == syms.end()) continue;
    char line[128];
    std::snprintf(line, sizeof(line), "0x%016llx-0x%016llx\t",
                  static_cast<unsigned long long>(entry + kSlide),
                  static_cast<unsigned long long>(it->first + kSlide));
    absl::StrAppend(&debugfs, line, at->second, "\n");
    if (count[at->second] == 1) unique_names.push_back(at->second);
  }
  ASSERT_FALSE(unique_names.empty());
  // A runtime address space needs the offset: the generated tracefs files
  // give it (a static index).
  Generated g = Generate(*k);
  ProbeRequest req;
  req.blacklist = debugfs;
  req.blacklist_label = "kprobes/blacklist";
  req.filter_functions_addrs = g.addrs;
  req.filter_functions_addrs_label = "available_filter_functions_addrs";
  size_t refused = 0, from_debugfs = 0;
  for (const std::string& name : unique_names) {
    req.query = name;
    absl::StatusOr<ProbePlacement> p = PlaceProbe(s, req);
    if (p.ok()) {
      ADD_FAILURE() << name << " is in the kernel's kprobe blacklist but got "
                    << p->spec.kprobe_events.text;
      continue;
    }
    EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition) << name;
    EXPECT_NE(p.status().message().find("blacklist"), absl::string_view::npos)
        << p.status();
    ++refused;
    // Named by the generated debugfs line (its runtime range shifted back
    // by the offset from the tracefs file), not only by an index area.
    from_debugfs += p.status().message().find("(kprobes/blacklist:") !=
                    absl::string_view::npos;
  }
  std::printf("%zu NOKPROBE_SYMBOL functions refused, %zu by their debugfs line\n",
              refused, from_debugfs);
  EXPECT_GT(from_debugfs, 0u);
  // And a function outside every area is still accepted.
  req.query = "do_exit";
  EXPECT_TRUE(PlaceProbe(s, req).ok());
}

}  // namespace
}  // namespace ksym
