// End to end on real data: index this machine's /proc/kallsyms (or the
// saved sample in testdata/ when it is unreadable or its addresses are
// hidden), then check properties that hold for any kernel.
#include <zlib.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

constexpr char kSample[] =
    "testdata/kallsyms/kallsyms-6.18-x86_64-sample.txt.gz";

std::string Gunzip(const char* path) {
  gzFile f = gzopen(path, "rb");
  EXPECT_NE(f, nullptr) << path;
  std::string out;
  char buf[1 << 16];
  int n;
  while (f != nullptr && (n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, n);
  if (f != nullptr) gzclose(f);
  return out;
}

// The live file when usable, else the sample.
std::vector<KallsymsEntry> RealEntries(std::string* source) {
  absl::StatusOr<std::string> live = ReadFileToString("/proc/kallsyms");
  if (live.ok()) {
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ParseKallsyms(*live, "/proc/kallsyms");
    if (e.ok() && e->size() > 1000) {
      *source = "/proc/kallsyms";
      return *std::move(e);
    }
  }
  *source = kSample;
  absl::StatusOr<std::vector<KallsymsEntry>> e =
      ParseKallsyms(Gunzip(kSample), kSample);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : std::vector<KallsymsEntry>();
}

class RealKallsymsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    entries_ = new std::vector<KallsymsEntry>(RealEntries(&source_));
    absl::StatusOr<BuildOutput> out = BuildFromEntries(*entries_, {}, {});
    ASSERT_TRUE(out.ok()) << out.status();
    absl::StatusOr<std::string> bytes = SerializeIndex(out->catalog);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    index_size_ = bytes->size();
    absl::StatusOr<std::unique_ptr<IndexReader>> r =
        IndexReader::FromBuffer(*std::move(bytes), source_,
                                {.verify_checksums = true});
    ASSERT_TRUE(r.ok()) << r.status();
    symbolizer_ = new Symbolizer(*std::move(r));
  }
  static std::vector<KallsymsEntry>* entries_;
  static Symbolizer* symbolizer_;
  static std::string source_;
  static size_t index_size_;
};
std::vector<KallsymsEntry>* RealKallsymsTest::entries_;
Symbolizer* RealKallsymsTest::symbolizer_;
std::string RealKallsymsTest::source_;
size_t RealKallsymsTest::index_size_;

TEST_F(RealKallsymsTest, EverySymbolsAddressLooksUpToThatAddress) {
  ASSERT_GT(entries_->size(), 1000u) << source_;
  for (const KallsymsEntry& e : *entries_) {
    LookupResult r = symbolizer_->Lookup(e.address);
    ASSERT_TRUE(r.found) << e.name << " at 0x" << std::hex << e.address;
    ASSERT_EQ(r.symbol.address, e.address) << e.name;
    ASSERT_EQ(r.offset, 0u);
    // The answer is one of the symbols at that address.
    std::vector<SymbolInfo> all;
    symbolizer_->LookupAll(e.address, &all);
    bool listed = false;
    for (const SymbolInfo& s : all) listed |= s.name() == e.name;
    ASSERT_TRUE(listed) << e.name << " missing from LookupAll";
  }
}

TEST_F(RealKallsymsTest, EveryNameResolvesToAllOfItsAddresses) {
  std::map<std::string, std::set<uint64_t>> by_name;
  for (const KallsymsEntry& e : *entries_) by_name[e.name].insert(e.address);
  size_t duplicated = 0;
  for (const auto& [name, addresses] : by_name) {
    Query q;
    q.name = name;
    std::set<uint64_t> got;
    for (const Candidate& c : symbolizer_->Resolve(q)) got.insert(c.address);
    ASSERT_EQ(got, addresses) << name;
    duplicated += addresses.size() > 1;
    // The text form parses to the same query for real names.
    absl::StatusOr<std::vector<Candidate>> parsed = symbolizer_->Resolve(name);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status();
    ASSERT_EQ(parsed->size(), symbolizer_->Resolve(q).size()) << name;
  }
  // Real kernels always repeat some names (init_once, type_show, ...).
  EXPECT_GT(duplicated, 0u);
}

TEST_F(RealKallsymsTest, ListReproducesTheKallsymsLines) {
  // Without built-in module or object facts, `ksym list` prints what
  // /proc/kallsyms printed, for every symbol (ordering aside).
  std::multiset<std::string> want, got;
  for (const KallsymsEntry& e : *entries_) {
    std::string line = absl::StrFormat("%016x %c %s", e.address, e.type, e.name);
    if (!e.module.empty()) absl::StrAppend(&line, "\t[", e.module, "]");
    want.insert(line);
  }
  const IndexReader& r = symbolizer_->index();
  for (uint32_t i = 0; i < r.symbol_count(); ++i) {
    got.insert(symbolizer_->KallmodsymsLine(symbolizer_->Symbol(i)));
  }
  EXPECT_EQ(got, want);
}

TEST_F(RealKallsymsTest, IndexVerifiesAndIsCompact) {
  EXPECT_TRUE(symbolizer_->index().VerifyStructure().ok());
  // Far below the kallsyms text itself, whatever the kernel.
  size_t text = 0;
  for (const KallsymsEntry& e : *entries_) text += 20 + e.name.size();
  EXPECT_LT(index_size_, text);
}

// /proc/kallsyms lists vmlinux symbols in kallsyms order, so of several at
// one address the first listed is the one the kernel's %pS names; a lookup
// names it too, and LookupAll lists the group in the file's order.
TEST_F(RealKallsymsTest, AliasesAreNamedInTheKernelsOrder) {
  size_t groups = 0;
  std::vector<SymbolInfo> all;
  for (size_t i = 0; i < entries_->size();) {
    size_t j = i;
    while (j < entries_->size() && (*entries_)[j].address == (*entries_)[i].address &&
           (*entries_)[j].module.empty()) {
      ++j;
    }
    if (j == i) {  // a module symbol: lists are per module, not sorted
      ++i;
      continue;
    }
    const size_t begin = i;
    i = j;
    if (j - begin < 2) continue;
    const KallsymsEntry& first = (*entries_)[begin];
    LookupResult r = symbolizer_->Lookup(first.address);
    ASSERT_TRUE(r.found) << first.name;
    EXPECT_EQ(r.symbol.name(), first.name) << std::hex << first.address;
    symbolizer_->LookupAll(first.address, &all);
    std::vector<std::string> got, want;
    for (const SymbolInfo& s : all) {
      if (s.address == first.address) got.emplace_back(s.name());
    }
    for (size_t k = begin; k < j; ++k) want.push_back((*entries_)[k].name);
    EXPECT_EQ(got, want) << std::hex << first.address;
    ++groups;
  }
  std::cout << source_ << ": " << groups << " alias groups\n";
  EXPECT_GT(groups, 0u);
}

}  // namespace
}  // namespace ksym
