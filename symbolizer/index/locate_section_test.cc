// kAddressLocate: the page-bucket table gives the plain search's answer
// for every address, and any damaged byte is refused at Decode.
#include "symbolizer/index/locate_section.h"

#include <algorithm>
#include <random>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "fuzz/sample_index.h"
#include "gtest/gtest.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/section_testing.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::MakeSymbol;
using testutil::SectionRoundTrip;

absl::Status EncodeAddressesAndLocate(const Catalog& c,
                                      StringTableBuilder& strings,
                                      EncodedSections* out) {
  if (absl::Status s = AddressSection::Encode(c, strings, out); !s.ok()) {
    return s;
  }
  return LocateSection::Encode(c, strings, out);
}

// The last symbol at or below addr, by definition.
std::optional<uint32_t> Expected(const Catalog& c, uint64_t addr) {
  auto it = std::upper_bound(
      c.symbols.begin(), c.symbols.end(), addr,
      [](uint64_t a, const Symbol& s) { return a < s.address; });
  if (it == c.symbols.begin()) return std::nullopt;
  return static_cast<uint32_t>(it - c.symbols.begin() - 1);
}

// Random symbols in clusters (per-cpu near 0, text, module space, a
// cluster 4 GiB away), with aliases and runs of tiny symbols, so that
// buckets hold from none to many symbols.
Catalog RandomCatalog(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  const uint64_t bases[] = {0x0, 0xffffffff81000000, 0xffffffffc0000000,
                            0xfffffffe00000000};
  std::vector<uint64_t> addrs;
  for (size_t k = 0; k < n; ++k) {
    const uint64_t base = bases[rng() % 4];
    const uint64_t spread = rng() % 3 == 0 ? 0x400 : 0x2000000;
    addrs.push_back(base + rng() % spread);
    if (rng() % 8 == 0) addrs.push_back(addrs.back());  // an alias
  }
  std::sort(addrs.begin(), addrs.end());
  Catalog c;
  for (size_t k = 0; k < addrs.size(); ++k) {
    // Zero-padded: (address, name) order is index order.
    c.symbols.push_back(MakeSymbol(addrs[k], absl::StrFormat("s%07d", k), 't'));
  }
  return c;
}

// Addresses at, just below and just above every symbol, and random ones
// across and between the clusters.
std::vector<uint64_t> Probes(const Catalog& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> out = {0, ~uint64_t{0}};
  for (const Symbol& s : c.symbols) {
    out.push_back(s.address);
    out.push_back(s.address - 1);
    out.push_back(s.address + 1);
    out.push_back(s.address + rng() % 0x1000);
  }
  for (int k = 0; k < 2000; ++k) {
    out.push_back(rng());
    out.push_back(0xffffffff80000000 + rng() % 0x80000000);
  }
  return out;
}

void ExpectSameAnswers(const Catalog& c, uint64_t seed) {
  SectionRoundTrip t(c, &EncodeAddressesAndLocate);
  ASSERT_TRUE(t.status().ok()) << t.status();
  ASSERT_TRUE(t.has(format::kAddressLocate));
  absl::StatusOr<AddressSection> a = AddressSection::Decode(t.dir());
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<LocateSection> l = LocateSection::Decode(t.dir());
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_TRUE(l->present());
  // Within the writer's budget: at most max(N / 2, ranges) buckets.
  EXPECT_LE(l->bucket_count(),
            std::max<uint64_t>(c.symbols.size() / 2, l->range_count()));
  for (uint64_t addr : Probes(c, seed)) {
    EXPECT_EQ(l->Predecessor(*a, addr), Expected(c, addr))
        << "0x" << std::hex << addr;
  }
}

TEST(LocateSectionTest, SampleAnswersAsTheSearch) {
  ExpectSameAnswers(SampleCatalog(), 1);
}

TEST(LocateSectionTest, RandomCatalogsAnswerAsTheSearch) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    ExpectSameAnswers(RandomCatalog(seed, 50 + seed * 97), seed);
  }
}

TEST(LocateSectionTest, OneSymbolAndOneAddress) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "only", 'T'));
  ExpectSameAnswers(c, 2);
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "zalias", 'T'));
  ExpectSameAnswers(c, 3);
}

TEST(LocateSectionTest, AbsentSectionIsNotPresent) {
  SectionRoundTrip t(SampleCatalog(), &AddressSection::Encode);
  absl::StatusOr<LocateSection> l = LocateSection::Decode(t.dir());
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_FALSE(l->present());
}

// Every single-byte change of the section is refused (or, in bytes no
// answer depends on, none exist: the format has no slack).
TEST(LocateSectionTest, EveryDamagedByteIsRefused) {
  const Catalog c = RandomCatalog(7, 300);
  SectionRoundTrip t(c, &EncodeAddressesAndLocate);
  ASSERT_TRUE(t.status().ok());
  std::string& sec = t.bytes(format::kAddressLocate);
  for (size_t k = 0; k < sec.size(); ++k) {
    for (int bit : {0, 3, 7}) {
      sec[k] ^= static_cast<char>(1 << bit);
      absl::StatusOr<LocateSection> l = LocateSection::Decode(t.dir());
      EXPECT_FALSE(l.ok()) << "byte " << k << " bit " << bit;
      if (!l.ok()) {
        EXPECT_TRUE(absl::StartsWith(l.status().message(),
                                     "section address_locate "))
            << l.status();
      }
      sec[k] ^= static_cast<char>(1 << bit);
    }
  }
  sec.resize(sec.size() - 4);
  t.Repoint();
  EXPECT_FALSE(LocateSection::Decode(t.dir()).ok());
}

// Through the writer and the reader: the table is written, and the
// reader's Predecessor (table), SearchPredecessor (plain search) and
// PredecessorFrom (gallop) agree.
TEST(LocateSectionTest, ReaderAnswersAsTheSearch) {
  const Catalog c = RandomCatalog(11, 3000);
  absl::StatusOr<std::string> bytes = SerializeIndex(c);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(*bytes);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->has_locate_table());
  EXPECT_TRUE((*r)->VerifyStructure().ok());
  std::mt19937_64 rng(5);
  for (uint64_t addr : Probes(c, 4)) {
    const std::optional<uint32_t> want = Expected(c, addr);
    ASSERT_EQ((*r)->Predecessor(addr), want) << std::hex << addr;
    ASSERT_EQ((*r)->SearchPredecessor(addr), want) << std::hex << addr;
    if (want) {
      const uint32_t from = static_cast<uint32_t>(rng() % (*want + 1));
      ASSERT_EQ((*r)->PredecessorFrom(from, addr), *want)
          << std::hex << addr << " from " << std::dec << from;
    }
  }
}

// An index without the table (an older file: here its directory entry
// renamed to an id this ksym skips) answers through the plain search.
TEST(LocateSectionTest, IndexWithoutTheTableAnswersAsBefore) {
  const Catalog c = RandomCatalog(13, 2000);
  absl::StatusOr<std::string> bytes = SerializeIndex(c);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(*bytes);
  ASSERT_TRUE(head.ok());
  format::SectionEntry* e = head->Find(format::kAddressLocate);
  ASSERT_NE(e, nullptr);
  e->id = format::kMaxSections - 1;  // unknown: skipped
  head->EncodeOver(&*bytes);
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(*bytes);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE((*r)->has_locate_table());
  for (uint64_t addr : Probes(c, 6)) {
    ASSERT_EQ((*r)->Predecessor(addr), Expected(c, addr)) << std::hex << addr;
  }
}

}  // namespace
}  // namespace ksym
