// `lookup --lines` end to end on the Debian 6.1 cloud kernel that
// tools/fetch-debian-kernel.sh caches: an index built from its vmlinux
// (line section included, as `ksym build` writes it) answers random
// addresses inside functions as `llvm-symbolizer --inlines` does; built
// with --no-lines it has no line section, says why, and is smaller.
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/api:debian_source_lines_test
//
// Agreement properties, never counts of one package version: at least 99%
// of the addresses give the same frames (function, file, line, column)
// innermost first (the differences are printed), and a tenth or more of
// them have an inlined frame.
#include <elf.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/elf/lines_peer_testing.h"
#include "symbolizer/testing/debian_kernel.h"

namespace ksym {
namespace {

constexpr char kTarget[] = "//symbolizer/api:debian_source_lines_test";

struct Built {
  std::unique_ptr<Symbolizer> symbolizer;
  size_t bytes = 0;
};

Built BuildIndex(const testutil::DebianKernel& k, bool lines) {
  BuildInputs in;
  in.vmlinux_path = k.vmlinux;
  in.system_map_path = k.system_map;
  in.modules_dir = k.modules_dir;
  in.lines = lines;
  Built b;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return b;
  absl::StatusOr<std::string> bytes = SerializeIndex(out->catalog);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return b;
  b.bytes = bytes->size();
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(*std::move(bytes), "debian.ksym");
  EXPECT_TRUE(r.ok()) << r.status();
  if (r.ok()) b.symbolizer = std::make_unique<Symbolizer>(*std::move(r));
  return b;
}

std::vector<uint64_t> SampleAddresses(const std::string& vmlinux, size_t count,
                                      uint64_t seed) {
  absl::StatusOr<ElfSymbolTable> symtab = ReadElfSymtabFile(vmlinux);
  EXPECT_TRUE(symtab.ok()) << symtab.status();
  std::vector<std::pair<uint64_t, uint64_t>> functions;
  if (symtab.ok()) {
    for (const ElfSymbol& s : symtab->symbols) {
      if (s.type == STT_FUNC && s.size > 0) functions.emplace_back(s.value, s.size);
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

// Our answer as the peer prints it: "FUNCTION PREFIX+PATH:LINE:COLUMN".
std::vector<std::string> Ours(const Symbolizer& s, uint64_t address) {
  std::vector<SourceFrame> frames;
  LookupResult r = s.Lookup(address);
  if (r.found) {
    SourceLines l = LocateSourceLines(s, r.symbol, r.offset);
    for (size_t i = 0; i < l.frames.size(); ++i) {
      const LineFrame& f = l.frames[i];
      SourceFrame out;
      out.function = std::string(FrameFunction(l, i));
      out.file = absl::StrCat(f.prefix, f.path);
      out.line = f.line;
      out.column = f.column;
      frames.push_back(std::move(out));
    }
  }
  return testutil::PrintFrames(frames);
}

TEST(DebianSourceLinesTest, LookupLinesAgreesWithLlvmSymbolizer) {
  absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(kTarget);
  ASSERT_TRUE(k.ok()) << k.status();
  Built with = BuildIndex(*k, true);
  ASSERT_NE(with.symbolizer, nullptr);
  ASSERT_TRUE(with.symbolizer->index().lines().present())
      << NoLineTableReason(with.symbolizer->index());
  EXPECT_TRUE(with.symbolizer->index().VerifyStructure().ok());

  const std::vector<uint64_t> addresses = SampleAddresses(k->vmlinux, 1000, 18);
  ASSERT_EQ(addresses.size(), 1000u);
  const std::string input =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/vmlinux.addrs");
  {
    std::ofstream f(input);
    for (uint64_t a : addresses) f << "0x" << std::hex << a << "\n";
  }
  const std::map<uint64_t, std::vector<std::string>> llvm =
      testutil::ParsePeerOutput(testutil::RunPeer(absl::StrCat(
          "llvm-symbolizer --inlines --addresses --obj=", k->vmlinux, " < ",
          input)));
  size_t same = 0, inlined = 0;
  std::vector<std::string> differences;
  for (uint64_t a : addresses) {
    const std::vector<std::string> ours = Ours(*with.symbolizer, a);
    inlined += ours.size() > 1;
    auto it = llvm.find(a);
    if (it != llvm.end() &&
        (ours == it->second ||
         testutil::SameButOutermostName(ours, it->second, true))) {
      ++same;
      continue;
    }
    differences.push_back(absl::StrCat(
        "0x", absl::Hex(a), "\n  ksym: ", absl::StrJoin(ours, " < "),
        "\n  llvm: ",
        it == llvm.end() ? "(none)" : absl::StrJoin(it->second, " < ")));
  }
  EXPECT_GE(same * 100, addresses.size() * 99)
      << same << " of " << addresses.size() << " agree; differences:\n"
      << absl::StrJoin(differences, "\n");
  EXPECT_GE(inlined * 10, addresses.size());

  // Printed paths are under the build prefix, as decode_stacktrace.sh
  // strips it: no frame of a kernel source file keeps it.
  LookupResult r = with.symbolizer->Lookup(addresses[0]);
  ASSERT_TRUE(r.found);
  for (const std::string& line :
       SourceLineTexts(LocateSourceLines(*with.symbolizer, r.symbol, r.offset))) {
    EXPECT_FALSE(absl::StrContains(line, "debian/build/")) << line;
  }

  Built without = BuildIndex(*k, false);
  ASSERT_NE(without.symbolizer, nullptr);
  EXPECT_FALSE(without.symbolizer->index().lines().present());
  EXPECT_TRUE(absl::StrContains(NoLineTableReason(without.symbolizer->index()),
                                "--no-lines"));
  EXPECT_LT(without.bytes, with.bytes);
}

}  // namespace
}  // namespace ksym
