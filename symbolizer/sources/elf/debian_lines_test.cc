// dwarf_lines on the Debian 6.1 cloud kernel that
// tools/fetch-debian-kernel.sh caches, against the peers on random
// addresses inside functions: `llvm-symbolizer --inlines` on the vmlinux,
// binutils `addr2line -i -f -j .text` on the debug .ko files (llvm-symbolizer
// takes a plain address in a relocatable file as an offset in any section).
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/sources/elf:debian_lines_test
//
// The assertions hold for any kernel: agreement on at least 99% of the
// addresses (the differences are printed, and tools/bench/lines_vs_llvm.py
// sorts them on 10,000 addresses), never a count of one package version.
#include <elf.h>
#include <glob.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/dwarf_lines.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/elf/lines_peer_testing.h"
#include "symbolizer/testing/debian_kernel.h"

namespace ksym {
namespace {

constexpr char kTarget[] = "//symbolizer/sources/elf:debian_lines_test";

testutil::DebianKernel Kernel() {
  absl::StatusOr<testutil::DebianKernel> k =
      testutil::FindDebianKernel(kTarget);
  EXPECT_TRUE(k.ok()) << k.status();
  return k.ok() ? *k : testutil::DebianKernel();
}

// The vmlinux's table, read once for the tests that share it (a few
// seconds each time).
const absl::StatusOr<LineTable>& VmlinuxTable(const std::string& vmlinux) {
  static const auto* table =
      new absl::StatusOr<LineTable>(ReadLineTableFile(vmlinux));
  return *table;
}

// `count` addresses inside function symbols of `path` (of `section` in a
// .ko), a symbol drawn uniformly, then an offset inside its size.
std::vector<uint64_t> SampleAddresses(const std::string& path,
                                      const std::string& section, size_t count,
                                      uint64_t seed) {
  absl::StatusOr<ElfSymbolTable> symtab = ReadElfSymtabFile(path);
  EXPECT_TRUE(symtab.ok()) << symtab.status();
  std::vector<std::pair<uint64_t, uint64_t>> functions;
  if (symtab.ok()) {
    for (const ElfSymbol& s : symtab->symbols) {
      if (s.type != STT_FUNC || s.size == 0) continue;
      if (!section.empty() && s.section_name != section) continue;
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

std::string WriteAddresses(const std::vector<uint64_t>& addresses,
                           const std::string& name) {
  std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  std::ofstream out(path);
  for (uint64_t a : addresses) out << "0x" << std::hex << a << "\n";
  return path;
}

struct Agreement {
  size_t same = 0;     // every frame, or all but the outermost name
  size_t inlined = 0;  // answers with at least one inlined frame
  std::vector<std::string> differences;
};

Agreement Compare(const LineTable& table, uint32_t section,
                  const std::vector<uint64_t>& addresses,
                  const std::map<uint64_t, std::vector<std::string>>& peer,
                  bool columns) {
  Agreement a;
  for (uint64_t address : addresses) {
    std::vector<std::string> ours =
        testutil::PrintFrames(table.Symbolize(address, section), columns);
    a.inlined += ours.size() > 1;
    auto it = peer.find(address);
    if (it == peer.end()) {
      a.differences.push_back(
          absl::StrCat("0x", absl::Hex(address), ": no answer from the peer"));
      continue;
    }
    // The peers name the outermost frame after the ELF symbol: a clone
    // suffix, a name where DWARF has none, an alias or ICF-merged body.
    if (ours == it->second ||
        testutil::SameButOutermostName(ours, it->second, true)) {
      ++a.same;
      continue;
    }
    a.differences.push_back(absl::StrCat(
        "0x", absl::Hex(address), "\n  ksym: ", absl::StrJoin(ours, " < "),
        "\n  peer: ", absl::StrJoin(it->second, " < ")));
  }
  return a;
}

TEST(DebianLinesTest, VmlinuxAgreesWithLlvmSymbolizer) {
  testutil::DebianKernel k = Kernel();
  ASSERT_FALSE(k.vmlinux.empty());
  const absl::StatusOr<LineTable>& table = VmlinuxTable(k.vmlinux);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_FALSE(table->relocatable);

  std::vector<uint64_t> addresses =
      SampleAddresses(k.vmlinux, "", 400, 20261207);
  ASSERT_EQ(addresses.size(), 400u);
  std::string input = WriteAddresses(addresses, "vmlinux.addrs");
  std::map<uint64_t, std::vector<std::string>> llvm =
      testutil::ParsePeerOutput(testutil::RunPeer(absl::StrCat(
          "llvm-symbolizer --inlines --addresses --obj=", k.vmlinux, " < ",
          input)));
  Agreement a = Compare(*table, 0, addresses, llvm, true);
  EXPECT_GE(a.same * 100, addresses.size() * 99)
      << a.same << " of " << addresses.size() << " agree; differences:\n"
      << absl::StrJoin(a.differences, "\n");
  // An -O2 kernel inlines everywhere: a reader that lost the inline tree
  // would still agree on plain frames.
  EXPECT_GE(a.inlined * 10, addresses.size());
}

TEST(DebianLinesTest, VmlinuxStoresTheBuildPrefixOnce) {
  testutil::DebianKernel k = Kernel();
  ASSERT_FALSE(k.vmlinux.empty());
  const absl::StatusOr<LineTable>& table = VmlinuxTable(k.vmlinux);
  ASSERT_TRUE(table.ok()) << table.status();
  std::set<std::string> prefixes(table->prefixes.begin(),
                                 table->prefixes.end());
  EXPECT_EQ(prefixes.size(), table->prefixes.size());
  size_t under_prefix = 0;
  std::set<std::pair<uint32_t, std::string>> files;
  for (size_t i = 1; i < table->files.size(); ++i) {
    const SourceFile& f = table->files[i];
    under_prefix += f.prefix != 0;
    EXPECT_TRUE(files.emplace(f.prefix, f.path).second) << f.path;
  }
  // Kernel sources lie under the build directory (comp_dir) or the source
  // tree; only a few compiler headers lie elsewhere.
  EXPECT_GE(under_prefix * 100, (table->files.size() - 1) * 95);
  EXPECT_EQ(table->overlapping_functions * 100 / table->functions.size(), 0u)
      << table->overlapping_functions << " overlapping functions";
}

TEST(DebianLinesTest, DebugModulesAgreeWithAddr2line) {
  testutil::DebianKernel k = Kernel();
  ASSERT_FALSE(k.vmlinux.empty());
  std::string root =
      k.vmlinux.substr(0, k.vmlinux.rfind("/usr/lib/debug/boot/"));
  glob_t g;
  std::vector<std::string> modules;
  std::string pattern = absl::StrCat(root, "/usr/lib/debug/lib/modules/",
                                     k.release, "/kernel/*/*/*.ko");
  for (const char* p :
       {pattern.c_str(),
        absl::StrCat(pattern.substr(0, pattern.size() - 7), "/*/*.ko")
            .c_str()}) {
    if (glob(p, 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) modules.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  ASSERT_FALSE(modules.empty()) << "no debug .ko under " << root;
  for (const std::string& ko : modules) {
    absl::StatusOr<LineTable> table = ReadLineTableFile(ko);
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_TRUE(table->relocatable);
    uint32_t text = UINT32_MAX;
    for (size_t i = 0; i < table->sections.size(); ++i) {
      if (table->sections[i] == ".text") text = i;
    }
    ASSERT_NE(text, UINT32_MAX) << ko;
    std::vector<uint64_t> addresses = SampleAddresses(ko, ".text", 200, 18);
    ASSERT_FALSE(addresses.empty()) << ko;
    std::string input = WriteAddresses(addresses, "module.addrs");
    std::map<uint64_t, std::vector<std::string>> peer =
        testutil::ParsePeerOutput(testutil::RunPeer(
            absl::StrCat("addr2line -a -i -f -j .text -e ", ko, " < ", input)));
    Agreement a = Compare(*table, text, addresses, peer, false);
    EXPECT_GE(a.same * 100, addresses.size() * 99)
        << ko << ": " << a.same << " of " << addresses.size()
        << " agree; differences:\n"
        << absl::StrJoin(a.differences, "\n");
  }
}

}  // namespace
}  // namespace ksym
