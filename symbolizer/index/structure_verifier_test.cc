// VerifyStructure on indexes whose sections were changed after writing,
// opened without checksum verification (as a forged checksum would pass).
#include "symbolizer/index/structure_verifier.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/bytes.h"
#include "symbolizer/index/file_header.h"
#include "symbolizer/index/format.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;

Catalog Sample() {
  Catalog c;
  c.identity.release = "6.1.0-28-cloud-amd64";
  c.identity.arch = "x86_64";
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "outer", 't', 0x100, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000140, "inner", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't'));
  const uint32_t set = c.InternModuleSet({"rapl"});
  const uint32_t obj = c.InternObject("arch/x86/events/rapl.o");
  c.symbols[3].module_set = set;
  c.symbols[3].object = obj;
  c.objects[obj].module_rule = 1;
  c.sources.push_back(
      {"kallsyms", "/proc/kallsyms", SourceState::kFound, ""});
  c.FinalizeSizes();
  return c;
}

std::string Serialize(const Catalog& c) {
  absl::StatusOr<std::string> b = SerializeIndex(c);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : std::string();
}

// The bytes of section `id` inside `f`.
char* SectionOf(std::string& f, uint32_t id) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  const format::SectionEntry* e = head.ok() ? head->Find(id) : nullptr;
  if (e == nullptr) {
    ADD_FAILURE() << "no section " << id;
    return &f[0];
  }
  return &f[e->offset];
}

// Opens without checksums and runs VerifyStructure.
absl::Status Verify(const std::string& f) {
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(f, "t.ksym", {.verify_checksums = false});
  if (!r.ok()) return r.status();
  return StructureVerifier(**r).Run();
}

TEST(StructureVerifierTest, WrittenIndexPasses) {
  EXPECT_TRUE(Verify(Serialize(Sample())).ok()) << Verify(Serialize(Sample()));
}

// An index without the kAddressLocate table (an older file: its entry
// renamed to an id this ksym skips).
std::string WithoutLocateTable(std::string f) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  format::SectionEntry* e =
      head.ok() ? head->Find(format::kAddressLocate) : nullptr;
  if (e == nullptr) {
    ADD_FAILURE() << "no locate table";
    return f;
  }
  e->id = format::kMaxSections - 1;
  head->EncodeOver(&f);
  return f;
}

TEST(StructureVerifierTest, UnsortedAddresses) {
  std::string f = Serialize(Sample());
  bytes::Store<uint32_t>(SectionOf(f, format::kAddressOffsets) + 4, 0x400);
  // The locate table's check refuses it at open ...
  EXPECT_TRUE(absl::StrContains(
      Verify(f).message(),
      "section address_locate range 0 (first 0, count 4): symbol 2's "
      "address is below its predecessor's"))
      << Verify(f);
  // ... and VerifyStructure in an index without one.
  EXPECT_EQ(Verify(WithoutLocateTable(f)).message(),
            "t.ksym: symbol 2 is below symbol 1: addresses are not sorted");
}

TEST(StructureVerifierTest, TypeByteThatIsNoLetter) {
  std::string f = Serialize(Sample());
  *SectionOf(f, format::kNameData) = '\x01';
  EXPECT_EQ(Verify(f).message(),
            "t.ksym: symbol 0 has type byte 0x1, not a kallsyms type letter");
}

TEST(StructureVerifierTest, AttributionNamingAMissingObject) {
  std::string f = Serialize(Sample());
  char* runs = SectionOf(f, format::kAttribution);
  const uint32_t count = bytes::Load32(runs);
  bytes::Store<uint32_t>(runs + 8 + 12 * (count - 1) + 8, 7);
  EXPECT_TRUE(absl::StrContains(Verify(f).message(), "names object 7 of 1"))
      << Verify(f);
}

TEST(StructureVerifierTest, OverlapMissingFromTable) {
  std::string f = Serialize(Sample());
  // outer's size shrunk: it no longer reaches past inner, yet is listed.
  bytes::Store<uint32_t>(SectionOf(f, format::kSizes) + 4, 0x10);
  EXPECT_TRUE(absl::StrContains(Verify(f).message(), "overlap"))
      << Verify(f);
}

// Sources (section 14) and module rules (15) are checked like the rest:
// open alone accepts both damages below.
TEST(StructureVerifierTest, SourceStringRefOutsideTheStrings) {
  std::string f = Serialize(Sample());
  char* sources = SectionOf(f, format::kSources);
  bytes::Store<uint32_t>(sources + 8 + 4, 0x7fffffff);  // source 0's path
  EXPECT_EQ(Verify(f).message(),
            "t.ksym: source 0 has path string ref 2147483647, which is not "
            "a string of the strings section");
  bytes::Store<uint32_t>(sources + 8 + 4, 0);
  bytes::Store<uint32_t>(sources + 8, 0);  // an empty "what"
  EXPECT_EQ(Verify(f).message(),
            "t.ksym: source 0 has what string ref 0, which is not a name in "
            "the strings section");
}

// A ref into the middle of a string record reads as another string.
TEST(StructureVerifierTest, StringRefIntoTheMiddleOfARecord) {
  std::string f = Serialize(Sample());
  char* sources = SectionOf(f, format::kSources);
  const uint32_t path = bytes::Load32(sources + 8 + 4);
  bytes::Store<uint32_t>(sources + 8 + 4, path + 3);
  EXPECT_EQ(Verify(f).message(),
            absl::StrCat("t.ksym: source 0 has path string ref ", path + 3,
                         ", which is not a string of the strings section"));
}

TEST(StructureVerifierTest, InferredObjectWithoutModuleSet) {
  std::string f = Serialize(Sample());
  char* runs = SectionOf(f, format::kAttribution);
  const uint32_t count = bytes::Load32(runs);
  bytes::Store<uint32_t>(runs + 8 + 12 * (count - 1) + 4, 0);
  EXPECT_TRUE(absl::StrContains(Verify(f).message(),
                                "whose module set was inferred, no module set"))
      << Verify(f);
}

TEST(StructureVerifierTest, UnknownModuleRule) {
  std::string f = Serialize(Sample());
  *SectionOf(f, format::kModuleRules) = 9;
  EXPECT_EQ(Verify(f).message(),
            "t.ksym: object 0 has module rule 9, not 0 to 6");
}

}  // namespace
}  // namespace ksym
