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

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/line_section.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/section_directory.h"
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

// The line section's layouts answer alike: layout 2 (checkpoints, calls
// before rows) against layout 1 (rows walked from the function start),
// encoded from the same line table of the real vmlinux, at every row's
// address, one byte before and after it, and random addresses.
TEST(DebianSourceLinesTest, CheckpointLayoutAnswersAsTheStatementsLayout) {
  absl::StatusOr<testutil::DebianKernel> k =
      testutil::FindDebianKernel(kTarget);
  ASSERT_TRUE(k.ok()) << k.status();
  BuildInputs in;
  in.vmlinux_path = k->vmlinux;
  in.system_map_path = k->system_map;
  in.lines = true;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_NE(out->catalog.lines, nullptr);
  EncodedSections old_bytes, new_bytes;
  ASSERT_TRUE(LineSection::EncodeLayout(
                  out->catalog, LineSection::kLayoutStatements, &old_bytes)
                  .ok());
  ASSERT_TRUE(LineSection::EncodeLayout(
                  out->catalog, LineSection::kLayoutCheckpoints, &new_bytes)
                  .ok());
  auto decode = [](const EncodedSections& e) {
    SectionDirectory dir;
    dir.present[format::kLines] = true;
    dir.section[format::kLines] = e.at(0).second;
    return LineSection::Decode(dir);
  };
  absl::StatusOr<LineSection> old_lines = decode(old_bytes);
  absl::StatusOr<LineSection> new_lines = decode(new_bytes);
  ASSERT_TRUE(old_lines.ok()) << old_lines.status();
  ASSERT_TRUE(new_lines.ok()) << new_lines.status();
  ASSERT_EQ(new_lines->layout(), LineSection::kLayoutCheckpoints);
  EXPECT_TRUE(new_lines->VerifyAll().ok()) << new_lines->VerifyAll();

  // Every row the same, in the same order.
  std::vector<LineRowView> old_rows, new_rows;
  ASSERT_TRUE(
      old_lines
          ->ForEachRow([&](const LineRowView& r) { old_rows.push_back(r); })
          .ok());
  ASSERT_TRUE(
      new_lines
          ->ForEachRow([&](const LineRowView& r) { new_rows.push_back(r); })
          .ok());
  ASSERT_EQ(old_rows.size(), new_rows.size());
  for (size_t i = 0; i < old_rows.size(); ++i) {
    const LineRowView &a = old_rows[i], &b = new_rows[i];
    ASSERT_TRUE(a.function == b.function && a.address == b.address &&
                a.file == b.file && a.line == b.line && a.column == b.column &&
                a.is_stmt == b.is_stmt &&
                a.starts_statement == b.starts_statement)
        << "row " << i << " at 0x" << std::hex << a.address;
  }

  absl::flat_hash_set<uint64_t> addresses;
  for (const LineRowView& r : old_rows) {
    addresses.insert(r.address - 1);
    addresses.insert(r.address);
    addresses.insert(r.address + 1);
  }
  const std::vector<FunctionLines>& functions = out->catalog.lines->functions;
  std::mt19937_64 random(18);
  for (int i = 0; i < 300000; ++i) {
    const FunctionLines& f = functions[random() % functions.size()];
    addresses.insert(f.start + random() % (f.size + 2) - 1);
  }
  auto print = [](const LineFrames& frames) {
    std::string s;
    for (const LineFrame& f : frames) {
      absl::StrAppend(&s, f.function, " ", f.prefix, f.path, ":", f.line, ":",
                      f.column, "; ");
    }
    return s;
  };
  LineFrames a, b;
  size_t differ = 0, inlined = 0;
  for (uint64_t address : addresses) {
    absl::StatusOr<bool> x = old_lines->Symbolize(address, &a);
    absl::StatusOr<bool> y = new_lines->Symbolize(address, &b);
    ASSERT_TRUE(x.ok() && y.ok()) << std::hex << address;
    inlined += a.size() > 1;
    const bool same = *x == *y && a.size() == b.size() && print(a) == print(b);
    if (!same && ++differ <= 20) {
      ADD_FAILURE() << "0x" << std::hex << address
                    << "\n  layout 1: " << print(a)
                    << "\n  layout 2: " << print(b);
    }
  }
  EXPECT_EQ(differ, 0u) << "of " << addresses.size() << " addresses";
  EXPECT_GT(inlined * 10, addresses.size());
  EXPECT_GT(addresses.size(), 1000000u);
}

}  // namespace
}  // namespace ksym
