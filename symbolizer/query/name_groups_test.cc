#include "symbolizer/query/name_groups.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/format.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

TEST(NameGroupsTest, CountAtLeastCountsTheTailOfASortedVector) {
  const std::vector<uint64_t> v = {1, 4, 4, 9};
  EXPECT_EQ(CountAtLeast(v, 0), 4u);
  EXPECT_EQ(CountAtLeast(v, 4), 3u);
  EXPECT_EQ(CountAtLeast(v, 5), 1u);
  EXPECT_EQ(CountAtLeast(v, 10), 0u);
  EXPECT_EQ(CountAtLeast({}, 0), 0u);
}

TEST(NameGroupsTest, PrintedKeySeparatesSetAndObject) {
  EXPECT_EQ(PrintedKey(1, "a.o"), PrintedKey(1, "a.o"));
  EXPECT_NE(PrintedKey(1, "a.o"), PrintedKey(2, "a.o"));
  EXPECT_NE(PrintedKey(1, "a.o"), PrintedKey(1, "b.o"));
  EXPECT_NE(PrintedKey(1, ""), PrintedKey(0, ""));
}

TEST(NameGroupsTest, CacheKeepsTheFirstGroupOfAName) {
  NameGroupCache cache;
  EXPECT_EQ(cache.Find("dup"), nullptr);
  NameGroup first;
  first.named = 3;
  const NameGroup* kept = cache.Insert("dup", std::move(first));
  NameGroup second;
  second.named = 5;
  EXPECT_EQ(cache.Insert("dup", std::move(second)), kept);
  EXPECT_EQ(cache.Find("dup"), kept);
  EXPECT_EQ(kept->named, 3u);
  EXPECT_EQ(cache.Find("other"), nullptr);
}

// Names repeated in every way that changes how a symbol prints or which
// query selects it: types, built-in and loadable module sets, objects
// with shared, unique and no annotations, aliases, exact
// and inferred sizes.
Catalog MixedDuplicates() {
  Catalog c;
  const uint32_t sets[] = {
      kNoModules, c.InternModuleSet({"m1"}), c.InternModuleSet({"m1", "m2"}),
      c.InternModuleSet({"ld"}), c.InternModuleSet({"ld2"})};
  c.loadable_module_sets.insert(sets[3]);
  c.loadable_module_sets.insert(sets[4]);
  const uint32_t objects[] = {
      format::kNoObjectId, c.InternObject("fs/x.o"), c.InternObject("lib/x.o"),
      c.InternObject("fs/y.o"), c.InternObject("fs/z.o")};
  c.objects[0].annotation = "x.o";     // shared with lib/x.o: ambiguous
  c.objects[1].annotation = "x.o";
  c.objects[2].annotation = "fs/y.o";
  c.objects[3].annotation = "";        // printed without {object}
  std::mt19937 rng(17);
  const char* names[] = {"a", "b", "c", "d"};
  const char types[] = {'t', 'T', 'w', 'd', 'D', 'b', 'r'};
  uint64_t address = 0xffffffff81000000;
  c.symbols.push_back(MakeSymbol(address, "_text", 'T'));
  uint32_t names_here = 0;  // bit k: names[k] is at `address`
  for (int k = 0; k < 400; ++k) {
    uint32_t name = rng() % 4;
    if (rng() % 4 != 0 || names_here == 0xf) {
      address += 0x10 * (1 + rng() % 8);
      names_here = 0;
    } else {
      // An alias, of another name: one name twice at one address is
      // beyond what any query can tell apart.
      while (names_here & (1u << name)) name = (name + 1) % 4;
    }
    names_here |= 1u << name;
    const bool exact = rng() % 2 == 0;
    Symbol s = MakeSymbol(address, names[name], types[rng() % 7],
                          exact ? 0x8 * (1 + rng() % 8) : 0, exact);
    s.module_set = sets[rng() % 5];
    s.object = objects[rng() % 5];
    c.symbols.push_back(std::move(s));
  }
  c.symbols.push_back(MakeSymbol(address + 0x100, "_etext", 'T'));
  return c;
}

// The answers kept per name equal the per-query ones (Narrowed) for every
// symbol and offset, and each selecting query selects its symbol.
TEST(NameGroupsTest, KeptAnswersEqualPerQueryAnswers) {
  const Catalog catalog = MixedDuplicates();
  std::unique_ptr<Symbolizer> per_query = SymbolizerFromCatalog(catalog);
  per_query->set_large_name_group_for_testing(~0u);
  std::unique_ptr<Symbolizer> kept = SymbolizerFromCatalog(catalog);
  kept->set_large_name_group_for_testing(1);
  const uint32_t n = static_cast<uint32_t>(kept->index().symbol_count());
  size_t ambiguous = 0, with_address = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const SymbolInfo s = kept->Symbol(i);
    const NameAmbiguity a = Ambiguity(*kept, s);
    const NameAmbiguity b = Ambiguity(*per_query, per_query->Symbol(i));
    EXPECT_EQ(a.unique, b.unique) << i;
    EXPECT_EQ(a.candidates, b.candidates) << i;
    EXPECT_EQ(a.query, b.query) << i;
    ambiguous += !a.unique;
    for (std::optional<uint64_t> offset :
         {std::optional<uint64_t>(), std::optional<uint64_t>(0),
          std::optional<uint64_t>(0x8), std::optional<uint64_t>(0x20),
          std::optional<uint64_t>(0x1000)}) {
      const std::string q = kept->SelectingQuery(s, offset);
      EXPECT_EQ(q, per_query->SelectingQuery(per_query->Symbol(i), offset))
          << i << " +" << offset.value_or(0);
      with_address += q.find('@') != std::string::npos;
      if (offset.has_value()) continue;
      absl::StatusOr<Candidate> back = per_query->ResolveUnique(q);
      ASSERT_TRUE(back.ok()) << q << ": " << back.status();
      EXPECT_EQ(back->symbol.index, i) << q;
    }
  }
  // The fixture exercises both answers.
  EXPECT_GT(ambiguous, 0u);
  EXPECT_GT(with_address, 0u);
  EXPECT_LT(with_address, size_t{5} * n);
}

// 50,000 copies of one name: each answer comes from the name's kept
// findings. Asked the per-query way (one walk of all copies per copy) this
// is 2.5e9 name comparisons and would not finish within the test's time.
TEST(NameGroupsTest, ManyCopiesOfOneNameAreAnsweredFromOneWalk) {
  constexpr uint32_t kCopies = 50000;
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  for (uint32_t k = 0; k < kCopies; ++k) {
    c.symbols.push_back(MakeSymbol(0xffffffff81001000 + 0x40 * k, "dup", 't'));
  }
  c.symbols.push_back(
      MakeSymbol(0xffffffff81001000 + 0x40 * kCopies, "after", 'T'));
  std::unique_ptr<Symbolizer> s = SymbolizerFromCatalog(std::move(c));
  for (uint32_t k = 0; k < kCopies; ++k) {
    const SymbolInfo sym = s->Symbol(k + 1);
    ASSERT_EQ(sym.name(), "dup");
    const NameAmbiguity a = Ambiguity(*s, sym);
    ASSERT_FALSE(a.unique);
    ASSERT_EQ(a.candidates, kCopies);
    ASSERT_EQ(a.query, absl::StrCat("dup @0x", absl::Hex(sym.address)));
  }
  std::vector<Candidate> listed;
  absl::StatusOr<Candidate> u = s->ResolveUnique("dup+0x4", &listed);
  ASSERT_EQ(u.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(listed.size(), kCopies);
  const std::vector<absl::string_view> lines =
      absl::StrSplit(u.status().message(), '\n');
  ASSERT_EQ(lines.size(), kCopies + 1);
  EXPECT_EQ(lines[1], "  dup+0x4 @0xffffffff81001000");
  EXPECT_EQ(lines.back(),
            absl::StrCat("  dup+0x4 @0x",
                         absl::Hex(0xffffffff81001000 + 0x40 * (kCopies - 1))));
  EXPECT_EQ(s->SelectingQuery(s->Symbol(kCopies + 1)), "after");
}

}  // namespace
}  // namespace ksym
