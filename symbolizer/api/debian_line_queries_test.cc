// `resolve FILE:LINE` end to end on the Debian 6.1 cloud kernel that
// tools/fetch-debian-kernel.sh caches, against the line table as
// `llvm-dwarfdump --debug-line` prints it:
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/api:debian_line_queries_test
//
// Properties, never counts of one package version:
//  - every address ksym gives for FILE:LINE is an is_stmt row of FILE:LINE
//    in the DWARF line table of its compile unit;
//  - for a .c file (one compile unit), every run of FILE:LINE rows that
//    holds an is_stmt row inside a function is found: its first statement's
//    address is among ksym's (a line ksym says has no code has none);
//  - the same for a header's line, whose copies are inlined in many units,
//    checked on a sample of them.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/api/line_queries.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/line_query.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/elf/lines_peer_testing.h"
#include "symbolizer/testing/debian_kernel.h"

namespace ksym {
namespace {

constexpr char kTarget[] = "//symbolizer/api:debian_line_queries_test";

std::unique_ptr<Symbolizer> BuildIndex(const testutil::DebianKernel& k) {
  BuildInputs in;
  in.vmlinux_path = k.vmlinux;
  in.system_map_path = k.system_map;
  in.modules_dir = k.modules_dir;
  in.lines = true;
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return nullptr;
  absl::StatusOr<std::string> bytes = SerializeIndex(out->catalog);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(*std::move(bytes), "debian.ksym");
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  return std::make_unique<Symbolizer>(*std::move(r));
}

using DwarfRow = testutil::DwarfdumpRow;
// One compile unit's line table as llvm-dwarfdump --debug-line prints it.
using DwarfTable = testutil::DwarfdumpLineTable;

DwarfTable ReadTable(const std::string& vmlinux, uint64_t stmt_list) {
  std::vector<DwarfTable> t =
      testutil::ParseDwarfdumpDebugLine(testutil::RunPeer(absl::StrCat(
          "llvm-dwarfdump --debug-line=0x", absl::Hex(stmt_list), " ",
          vmlinux)));
  EXPECT_TRUE(t.size() == 1 && !t[0].rows.empty())
      << absl::StrCat("no rows at .debug_line 0x", absl::Hex(stmt_list));
  return t.empty() ? DwarfTable() : std::move(t[0]);
}

// DW_AT_stmt_list of the compile unit holding `address`.
uint64_t StmtListOf(const std::string& vmlinux, uint64_t address) {
  const std::string text = testutil::RunPeer(absl::StrCat(
      "llvm-dwarfdump --lookup=0x", absl::Hex(address), " ", vmlinux));
  const size_t at = text.find("DW_AT_stmt_list");
  EXPECT_NE(at, std::string::npos)
      << absl::StrCat("no unit holds 0x", absl::Hex(address));
  if (at == std::string::npos) return 0;
  const size_t open = text.find("(0x", at);
  uint64_t v = 0;
  EXPECT_TRUE(absl::SimpleHexAtoi(
      text.substr(open + 3, text.find(')', open) - open - 3), &v));
  return v;
}

bool Matches(const DwarfTable& t, const DwarfRow& r, absl::string_view file,
             uint32_t line) {
  // Paths relative to the unit's comp_dir, as the index keeps them.
  return !r.end_sequence && r.line == line && r.file < t.files.size() &&
         SourcePathSuffixMatches(t.Path(r.file, true), file);
}

// Every site ksym gives is an is_stmt row of file:line in its unit.
void ExpectEverySiteIsAStatement(const std::string& vmlinux,
                                 const LineSites& l, absl::string_view file,
                                 uint32_t line,
                                 std::map<uint64_t, DwarfTable>* tables,
                                 size_t* checked) {
  for (const LineSite& site : l.sites) {
    const uint64_t unit = StmtListOf(vmlinux, site.static_address);
    auto it = tables->find(unit);
    if (it == tables->end()) {
      it = tables->emplace(unit, ReadTable(vmlinux, unit)).first;
    }
    bool found = false;
    for (const DwarfRow& r : it->second.rows) {
      found |= r.address == site.static_address && r.is_stmt &&
               Matches(it->second, r, file, line);
    }
    EXPECT_TRUE(found) << absl::StrCat(
        file, ":", line, " at 0x", absl::Hex(site.static_address),
        " is no is_stmt row of it in unit 0x", absl::Hex(unit));
    ++*checked;
  }
}

// Each run of file:line rows of the unit with an is_stmt row in a
// function of the line table: its first statement is a site.
void ExpectEveryRunFound(const Symbolizer& s, const DwarfTable& t,
                         const LineSites& l, absl::string_view file,
                         uint32_t line, size_t* runs) {
  std::set<uint64_t> sites;
  for (const LineSite& site : l.sites) sites.insert(site.static_address);
  bool in_run = false, run_has_stmt = false;
  for (const DwarfRow& r : t.rows) {
    const bool match = Matches(t, r, file, line);
    if (!match) {
      in_run = false;
      continue;
    }
    if (!in_run) run_has_stmt = false;
    in_run = true;
    if (!r.is_stmt || run_has_stmt) continue;
    run_has_stmt = true;
    LineFrames frames;
    absl::StatusOr<bool> held = s.index().lines().Symbolize(r.address, &frames);
    if (!held.ok() || !*held) continue;  // discarded code, no function
    ++*runs;
    EXPECT_TRUE(sites.count(r.address)) << absl::StrCat(
        file, ":", line, ": the statement at 0x", absl::Hex(r.address),
        " is missing (", LineSitesProblem(l), ")");
  }
}

TEST(DebianLineQueriesTest, SitesAreTheStatementsOfTheDwarfLineTable) {
  absl::StatusOr<testutil::DebianKernel> k = testutil::FindDebianKernel(kTarget);
  ASSERT_TRUE(k.ok()) << k.status();
  std::unique_ptr<Symbolizer> s = BuildIndex(*k);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->index().lines().present());
  ASSERT_TRUE(s->index().lines().has_statements());

  // .c files and a function of each (its compile unit's table).
  const std::pair<const char*, const char*> kFiles[] = {
      {"fs/inode.c", "inode_init_once"},
      {"kernel/fork.c", "copy_process"},
      {"mm/filemap.c", "filemap_fault"},
  };
  std::mt19937 random(18);
  std::map<uint64_t, DwarfTable> tables;
  size_t checked = 0, runs = 0, with_code = 0, queries = 0;
  for (const auto& [file, function] : kFiles) {
    absl::StatusOr<Candidate> f = s->ResolveUnique(function);
    ASSERT_TRUE(f.ok()) << f.status();
    const uint64_t unit = StmtListOf(k->vmlinux, f->address);
    tables.emplace(unit, ReadTable(k->vmlinux, unit));
    const DwarfTable& t = tables.at(unit);
    uint32_t last = 0;
    for (const DwarfRow& r : t.rows) {
      if (Matches(t, r, file, r.line)) last = std::max(last, r.line);
    }
    ASSERT_GT(last, 10u) << file;
    for (int i = 0; i < 40; ++i) {
      const uint32_t line = 1 + random() % last;
      LineQuery q;
      q.file = file;
      q.line = line;
      const LineSites l = ResolveLine(*s, q);
      ASSERT_TRUE(l.state == LineSites::State::kFound ||
                  l.state == LineSites::State::kNoCode)
          << l.why;
      ++queries;
      with_code += !l.sites.empty();
      ExpectEverySiteIsAStatement(k->vmlinux, l, file, line, &tables, &checked);
      ExpectEveryRunFound(*s, t, l, file, line, &runs);
    }
  }
  // A header line inlined everywhere: a sample of its sites, and every
  // run in the units they are in.
  LineQuery q;
  q.file = "include/linux/list.h";
  q.line = 38;  // INIT_LIST_HEAD's WRITE_ONCE
  LineSites l = ResolveLine(*s, q);
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  ASSERT_GT(l.sites.size(), 20u);
  std::shuffle(l.sites.begin(), l.sites.end(), random);
  LineSites sample = l;
  sample.sites.resize(20);
  ExpectEverySiteIsAStatement(k->vmlinux, sample, q.file, q.line, &tables,
                              &checked);
  std::set<uint64_t> units;
  for (const LineSite& site : sample.sites) {
    units.insert(StmtListOf(k->vmlinux, site.static_address));
  }
  for (uint64_t unit : units) {
    ExpectEveryRunFound(*s, tables.at(unit), l, q.file, q.line, &runs);
  }
  std::printf("%zu queries (%zu with code): %zu sites checked against "
              "is_stmt rows, %zu statement runs found\n",
              queries, with_code, checked, runs);
  EXPECT_GT(with_code, 0u);
  EXPECT_GT(runs, 0u);
}

}  // namespace
}  // namespace ksym
