// Writer + reader: round trips, and every way a file can be damaged.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
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

// A small kernel: per-cpu data near 0, core text with aliases and a nested
// symbol, a built-in module with an annotated object, a loadable module.
Catalog SampleCatalog() {
  Catalog c;
  c.identity.release = "6.1.0-28-cloud-amd64";
  c.identity.build_id = "0123456789abcdef";
  c.identity.arch = "x86_64";
  c.identity.address_space = AddressSpace::kRuntime;
  c.identity.kaslr_offset = 0x1c000000;
  c.symbols.push_back(MakeSymbol(0x0, "fixed_percpu_data", 'A'));
  c.symbols.push_back(MakeSymbol(0x1000, "cpu_number", 'D'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "outer", 't', 0x100, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000140, "inner", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "_etext", 'T'));
  const uint32_t rapl = c.InternModuleSet({"rapl"});
  const uint32_t obj = c.InternObject("fs/inode.o");
  c.objects[obj].annotation = "inode.o";
  c.symbols[7].module_set = rapl;
  c.symbols[7].object = obj;
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.loadable_module_sets.insert(ext4);
  Symbol m = MakeSymbol(0xffffffffc0a01000, "ext4_fill_super", 't');
  m.module_set = ext4;
  c.symbols.push_back(m);
  Symbol d = MakeSymbol(0xffffffffc0a02000, "ext4_data", 'd');
  d.module_set = ext4;
  c.symbols.push_back(d);
  c.FinalizeSizes();
  return c;
}

std::string Serialize(const Catalog& c) {
  absl::StatusOr<std::string> bytes = SerializeIndex(c);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

std::unique_ptr<IndexReader> OpenOk(std::string bytes,
                                    IndexOptions options = {}) {
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(std::move(bytes), "test.ksym", options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : nullptr;
}

absl::Status OpenError(std::string bytes, IndexOptions options = {}) {
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(std::move(bytes), "test.ksym", options);
  return r.status();
}

// Decodes the header and directory of `f`, lets `patch` change them and
// writes them back with a fresh header checksum.
template <typename Patch>
void PatchHead(std::string& f, Patch patch) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  ASSERT_TRUE(head.ok()) << head.status();
  patch(*head);
  head->EncodeOver(&f);
}

// The directory entry of section `id`.
format::SectionEntry EntryOf(const std::string& f, uint32_t id) {
  absl::StatusOr<format::FileHead> head = format::FileHead::Decode(f);
  const format::SectionEntry* e = head.ok() ? head->Find(id) : nullptr;
  if (e == nullptr) {
    ADD_FAILURE() << "no section " << id;
    return {};
  }
  return *e;
}

TEST(IndexTest, RoundTripsEverySymbol) {
  Catalog c = SampleCatalog();
  auto r = OpenOk(Serialize(c));
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->symbol_count(), c.symbols.size());
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    const Symbol& s = c.symbols[i];
    SCOPED_TRACE(s.name);
    EXPECT_EQ(r->Address(i), s.address);
    EXPECT_EQ(r->NameString(i), s.name);
    EXPECT_EQ(r->Type(i), s.type);
    EXPECT_EQ(r->End(i) - r->Address(i), s.size);
    EXPECT_EQ(r->SizeExact(i), s.size_exact);
    EXPECT_EQ(r->ModuleSetOf(i), s.module_set);
    EXPECT_EQ(r->ObjectOf(i),
              s.object == kNoObject ? format::kNoObjectId : s.object);
    EXPECT_TRUE(r->NameEquals(i, s.name));
    EXPECT_FALSE(r->NameEquals(i, s.name + "x"));
  }
  EXPECT_EQ(r->release(), "6.1.0-28-cloud-amd64");
  EXPECT_EQ(r->build_id(), "0123456789abcdef");
  EXPECT_EQ(r->arch(), "x86_64");
  EXPECT_EQ(r->kaslr_offset(), 0x1c000000);
  EXPECT_EQ(r->address_space(), AddressSpace::kRuntime);
}

TEST(IndexTest, FarApartAddressesGetSegments) {
  auto r = OpenOk(Serialize(SampleCatalog()));
  ASSERT_NE(r, nullptr);
  std::vector<IndexReader::Segment> segs = r->segments();
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].base, 0u);
  EXPECT_EQ(segs[0].count, 2u);
  EXPECT_EQ(segs[1].base, 0xffffffff81000000u);
  EXPECT_EQ(segs[1].first, 2u);
}

TEST(IndexTest, ModulesAndObjects) {
  Catalog c = SampleCatalog();
  auto r = OpenOk(Serialize(c));
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->module_set_count(), c.module_sets.size());
  for (uint32_t set = 0; set < c.module_sets.size(); ++set) {
    ASSERT_EQ(r->ModuleSetSize(set), c.module_sets[set].size());
    for (size_t j = 0; j < c.module_sets[set].size(); ++j) {
      EXPECT_EQ(r->ModuleName(set, j), c.module_sets[set][j]);
    }
    EXPECT_EQ(r->ModuleSetLoadable(set), c.loadable_module_sets.contains(set));
  }
  ASSERT_EQ(r->object_count(), 1u);
  EXPECT_EQ(r->ObjectPath(0), "fs/inode.o");
  EXPECT_EQ(r->ObjectAnnotation(0), "inode.o");
  EXPECT_EQ(r->ObjectPath(1), "");  // out of range is empty, not a crash
}

TEST(IndexTest, ModuleRulesRoundTripAndAreOptional) {
  Catalog c = SampleCatalog();
  {
    auto r = OpenOk(Serialize(c));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->ObjectModuleRule(0), 0);  // no kModuleRules section
  }
  c.InternObject("net/ipv6/route.o");
  c.objects[0].module_rule = 3;
  auto r = OpenOk(Serialize(c));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->ObjectModuleRule(0), 3);
  EXPECT_EQ(r->ObjectModuleRule(1), 0);
  EXPECT_EQ(r->ObjectModuleRule(2), 0);  // out of range
}

TEST(IndexTest, PredecessorAndOverlaps) {
  auto r = OpenOk(Serialize(SampleCatalog()));
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->Predecessor(0xffffffff80000000).has_value() &&
               r->Address(*r->Predecessor(0xffffffff80000000)) != 0x1000);
  EXPECT_EQ(r->NameString(*r->Predecessor(0xffffffff81000150)), "inner");
  EXPECT_EQ(r->AliasGroupBegin(3), 2u);
  // `outer` reaches past `inner`: it is in the overlap structure.
  ASSERT_EQ(r->overlap_count(), 1u);
  std::vector<std::string> hits;
  r->ForEachOverlapCovering(0xffffffff81000170, [&](uint32_t i) {
    hits.push_back(r->NameString(i));
  });
  EXPECT_EQ(hits, std::vector<std::string>{"outer"});
  hits.clear();
  r->ForEachOverlapCovering(0xffffffff81000200, [&](uint32_t i) {
    hits.push_back(r->NameString(i));
  });
  EXPECT_TRUE(hits.empty());
}

TEST(IndexTest, NameHashFindsAllDuplicates) {
  auto r = OpenOk(Serialize(SampleCatalog()));
  ASSERT_NE(r, nullptr);
  std::vector<uint32_t> hits;
  r->ForEachNamed("init_once", [&](uint32_t i) { hits.push_back(i); });
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(r->Address(hits[0]), 0xffffffff81000200u);
  EXPECT_EQ(r->Address(hits[1]), 0xffffffff81000300u);
  hits.clear();
  r->ForEachNamed("no_such_symbol", [&](uint32_t i) { hits.push_back(i); });
  EXPECT_TRUE(hits.empty());
}

TEST(IndexTest, SerializationIsDeterministic) {
  EXPECT_EQ(Serialize(SampleCatalog()), Serialize(SampleCatalog()));
}

TEST(IndexTest, VerifyPassesOnValidFile) {
  auto r = OpenOk(Serialize(SampleCatalog()), {.verify_checksums = true});
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->VerifyChecksums().ok());
  EXPECT_TRUE(r->VerifyStructure().ok()) << r->VerifyStructure();
}

TEST(IndexTest, EmptyCatalog) {
  Catalog c;
  auto r = OpenOk(Serialize(c));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->symbol_count(), 0u);
  EXPECT_FALSE(r->Predecessor(0x1234).has_value());
  EXPECT_TRUE(r->VerifyStructure().ok());
}

TEST(IndexTest, RejectsUnsortedCatalog) {
  Catalog c;
  c.symbols = {MakeSymbol(0x200, "b"), MakeSymbol(0x100, "a")};
  absl::StatusOr<std::string> b = SerializeIndex(c);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().message(),
            "symbols are not sorted by (address, name) at 1 (a); call "
            "Catalog::FinalizeSizes first");
}

TEST(IndexTest, RejectsHugeSize) {
  Catalog c;
  c.symbols = {MakeSymbol(0x100, "huge", 't', 0x100000000ull, true)};
  absl::StatusOr<std::string> b = SerializeIndex(c);
  EXPECT_EQ(b.status().message(),
            "symbol huge at 0x100 has size 0x100000000, more than the index "
            "can hold");
}

// Strings the index cannot hold are named by what they are (the sources
// refuse them earlier, with file:line).
TEST(IndexTest, RejectsOverlongStringsSayingWhatTheyAre) {
  Catalog c;
  c.symbols = {MakeSymbol(0x100, "f", 't')};
  c.symbols[0].object = c.InternObject(std::string(70000, 'o'));
  c.FinalizeSizes();
  EXPECT_EQ(SerializeIndex(c).status().message(),
            "object path \"oooooooooooooooooooooooooooooooooooooooo...\" of "
            "70000 bytes is too long for the index (at most 65535)");
  Catalog m;
  m.symbols = {MakeSymbol(0x100, "f", 't')};
  m.symbols[0].module_set = m.InternModuleSet({std::string(65536, 'm')});
  m.FinalizeSizes();
  EXPECT_TRUE(absl::StartsWith(SerializeIndex(m).status().message(),
                               "module name \"mmm"));
  Catalog r;
  r.identity.release = std::string(65536, '6');
  EXPECT_TRUE(absl::StartsWith(SerializeIndex(r).status().message(),
                               "kernel release \"666"));
}

// ---- corrupt files ----

TEST(IndexCorruptTest, EveryTruncationIsDataLoss) {
  const std::string f = Serialize(SampleCatalog());
  for (size_t len = 0; len < f.size(); ++len) {
    absl::Status s = OpenError(f.substr(0, len));
    ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss) << len << ": " << s;
  }
}

TEST(IndexCorruptTest, TruncatedMessages) {
  const std::string f = Serialize(SampleCatalog());
  EXPECT_EQ(OpenError(f.substr(0, 10)).message(),
            "test.ksym: truncated index: 10 bytes, the header alone is 64");
  EXPECT_EQ(OpenError(f.substr(0, 100)).message(),
            absl::StrCat("test.ksym: truncated index: header says ", f.size(),
                         " bytes, file has 100"));
  EXPECT_EQ(OpenError(f + "xx").message(),
            absl::StrCat("test.ksym: trailing bytes: header says ", f.size(),
                         " bytes, file has ", f.size() + 2));
}

TEST(IndexCorruptTest, BadMagic) {
  std::string f = Serialize(SampleCatalog());
  f[0] = 'X';
  EXPECT_EQ(OpenError(f).code(), absl::StatusCode::kDataLoss);
  // "XSYMIDX\0" read as a little-endian u64.
  EXPECT_EQ(OpenError(f).message(),
            "test.ksym: not a ksym index (bad magic 0x005844494d595358)");
  EXPECT_EQ(OpenError(std::string(64, '\0')).message(),
            "test.ksym: not a ksym index (bad magic 0x0000000000000000)");
}

TEST(IndexCorruptTest, FutureVersionIsFailedPrecondition) {
  std::string f = Serialize(SampleCatalog());
  format::FileHeader h = *format::FileHeader::Decode(f);
  h.version = 7;
  f.replace(0, format::kHeaderSize, h.Encode());
  absl::Status s = OpenError(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "test.ksym: index format version 7 is newer than this ksym reads "
            "(2); upgrade ksym or rebuild the index");
}

TEST(IndexCorruptTest, HeaderChecksum) {
  std::string f = Serialize(SampleCatalog());
  format::FileHeader h = *format::FileHeader::Decode(f);
  h.symbol_count ^= 0x100;  // header_crc left as it was
  f.replace(0, format::kHeaderSize, h.Encode());
  absl::Status s = OpenError(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StartsWith(s.message(),
                               "test.ksym: header checksum mismatch (stored 0x"))
      << s;
}

TEST(IndexCorruptTest, SectionOutsideFile) {
  std::string f = Serialize(SampleCatalog());
  PatchHead(f, [&](format::FileHead& h) {
    h.Find(format::kNameData)->size = f.size();
  });
  absl::Status s = OpenError(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(s.message(),
                                "section name_data (id 7) at offset"))
      << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "lies outside the file")) << s;
}

TEST(IndexCorruptTest, MisalignedSection) {
  std::string f = Serialize(SampleCatalog());
  PatchHead(f, [](format::FileHead& h) {
    h.Find(format::kSegments)->offset += 1;
  });
  EXPECT_TRUE(absl::StrContains(OpenError(f).message(),
                                "section segments (id 3)"));
}

TEST(IndexCorruptTest, MissingSection) {
  std::string f = Serialize(SampleCatalog());
  PatchHead(f, [](format::FileHead& h) {
    h.Find(format::kNameHash)->id = 99;  // unknown ids are skipped
  });
  EXPECT_EQ(OpenError(f).message(), "test.ksym: missing section name_hash");
}

TEST(IndexCorruptTest, DuplicateSection) {
  std::string f = Serialize(SampleCatalog());
  PatchHead(f, [](format::FileHead& h) {
    h.Find(format::kNameHash)->id = format::kNameData;
  });
  EXPECT_EQ(OpenError(f).message(),
            "test.ksym: section name_data appears twice");
}

TEST(IndexCorruptTest, WrongSectionSize) {
  std::string f = Serialize(SampleCatalog());
  PatchHead(f, [](format::FileHead& h) {
    h.Find(format::kAddressOffsets)->size -= 4;
  });
  EXPECT_EQ(OpenError(f, {.verify_checksums = false}).message(),
            "test.ksym: section address_offsets is 40 bytes, expected 44 for "
            "11 symbols");
}

TEST(IndexCorruptTest, SegmentsThatDoNotTile) {
  std::string f = Serialize(SampleCatalog());
  const size_t off = EntryOf(f, format::kSegments).offset;
  // Second segment's first symbol.
  bytes::Store<uint32_t>(&f[off + 8 + 16 + 8], 3);
  EXPECT_EQ(OpenError(f, {.verify_checksums = false}).message(),
            "test.ksym: segment 1 (base 0xffffffff81000000, first 3, count 9) "
            "does not continue the previous one");
}

TEST(IndexCorruptTest, SectionChecksumCheckedByDefault) {
  std::string f = Serialize(SampleCatalog());
  const size_t off = EntryOf(f, format::kNameData).offset;
  f[off + 3] ^= 0x40;
  EXPECT_TRUE(absl::StartsWith(OpenError(f).message(),
                               "test.ksym: section name_data checksum mismatch"));
  // Turned off, the file opens (lookups stay in bounds)...
  auto r = OpenOk(f, {.verify_checksums = false});
  ASSERT_NE(r, nullptr);
  absl::Status s = r->VerifyChecksums();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StartsWith(
      s.message(), "test.ksym: section name_data checksum mismatch"))
      << s;
  // ...and asked for explicitly, open fails.
  EXPECT_TRUE(absl::StartsWith(OpenError(f, {.verify_checksums = true}).message(),
                               "test.ksym: section name_data checksum mismatch"));
}

// Everything a reader answers about every symbol, as text.
std::string Answers(const IndexReader& x) {
  std::string out = absl::StrCat(x.release(), "|", x.build_id(), "|",
                                 x.arch(), "|", x.kaslr_offset(), "|",
                                 static_cast<int>(x.address_space()), "\n");
  for (uint32_t i = 0; i < x.symbol_count(); ++i) {
    uint32_t set, obj;
    x.Attribution(i, &set, &obj);
    absl::StrAppend(&out, absl::Hex(x.Address(i)), " ", x.End(i), " ",
                    std::string(1, x.Type(i)), " ", x.NameString(i), " ",
                    x.SizeExact(i), " ", set, ":");
    for (size_t j = 0; j < x.ModuleSetSize(set); ++j) {
      absl::StrAppend(&out, x.ModuleName(set, j), ",");
    }
    absl::StrAppend(&out, x.ModuleSetLoadable(set), " ", x.ObjectPath(obj),
                    "{", x.ObjectAnnotation(obj), "}\n");
  }
  for (uint64_t a : {0ull, 0x1000ull, 0xffffffff81000150ull,
                     0xffffffff81000250ull, 0xffffffffc0a01010ull}) {
    std::optional<uint32_t> p = x.Predecessor(a);
    absl::StrAppend(&out, p ? static_cast<int64_t>(*p) : -1, ":");
    x.ForEachOverlapCovering(a, [&](uint32_t i) { absl::StrAppend(&out, i, ","); });
  }
  for (const char* name : {"init_once", "outer", "rapl_data", "_text"}) {
    x.ForEachNamed(name, [&](uint32_t i) { absl::StrAppend(&out, i, ","); });
  }
  return out;
}

// No silent answer from a damaged file: every single byte of the index
// changed, and opened with the default options, the file is refused or
// answers exactly as the original did (a changed padding byte).
TEST(IndexCorruptTest, EveryDamagedByteIsRefusedOrHarmless) {
  const std::string good = Serialize(SampleCatalog());
  const std::string want = Answers(*OpenOk(good));
  int refused = 0;
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (unsigned char x : {0x01, 0x80, 0xff}) {
      std::string f = good;
      f[pos] = static_cast<char>(f[pos] ^ x);
      absl::StatusOr<std::unique_ptr<IndexReader>> r =
          IndexReader::FromBuffer(f, "t");
      if (!r.ok()) {
        // (A damaged version field reads as "newer version".)
        const absl::StatusOr<format::FileHeader> h =
            format::FileHeader::Decode(f);
        EXPECT_TRUE(r.status().code() == absl::StatusCode::kDataLoss ||
                    (h.ok() && h->version != format::kFormatVersion &&
                     r.status().code() ==
                         absl::StatusCode::kFailedPrecondition))
            << pos << ": " << r.status();
        ++refused;
        continue;
      }
      ASSERT_EQ(Answers(**r), want) << "byte " << pos << " ^ " << int{x};
    }
  }
  EXPECT_GT(refused, 0);
}

// The same damage with the header checksum repaired (a forged or buggy
// writer): VerifyStructure or the section checksums catch what changes an
// answer.
TEST(IndexCorruptTest, ForgedHeaderStillCaughtByVerification) {
  const std::string good = Serialize(SampleCatalog());
  const std::string want = Answers(*OpenOk(good));
  const uint32_t good_flags = format::FileHeader::Decode(good)->flags;
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string f = good;
    const size_t pos = rng() % f.size();
    // The address-space bit itself is beyond any check once the header
    // checksum is forged; other flag bits are refused.
    f[pos] ^= static_cast<char>(1 + rng() % 255);
    format::UpdateHeaderCrc(&f);
    absl::StatusOr<format::FileHeader> h = format::FileHeader::Decode(f);
    if (h.ok() && h->flags == (good_flags ^ format::kFlagRuntimeAddresses)) {
      continue;
    }
    absl::StatusOr<std::unique_ptr<IndexReader>> r =
        IndexReader::FromBuffer(f, "t");
    if (!r.ok() || !(*r)->VerifyStructure().ok()) continue;
    if (Answers(**r) != want) {
      ADD_FAILURE() << "byte " << pos << " changed, answers differ unnoticed";
    }
  }
}

// Any byte flipped anywhere (header checksum repaired so that the damage
// reaches the sections): open fails cleanly or every accessor stays in
// bounds. Run under --config=asan this catches out-of-bounds reads.
TEST(IndexCorruptTest, RandomDamageNeverReadsOutOfBounds) {
  const std::string good = Serialize(SampleCatalog());
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3000; ++round) {
    std::string f = good;
    const int flips = 1 + rng() % 4;
    for (int k = 0; k < flips; ++k) {
      f[rng() % f.size()] = static_cast<char>(rng());
    }
    format::UpdateHeaderCrc(&f);
    absl::StatusOr<std::unique_ptr<IndexReader>> r =
        IndexReader::FromBuffer(f, "t", {.verify_checksums = false});
    if (!r.ok()) continue;
    const IndexReader& x = **r;
    (void)x.VerifyStructure();
    for (uint32_t i = 0; i < x.symbol_count(); ++i) {
      char buf[64];
      (void)x.Name(i, buf, sizeof(buf));
      (void)x.End(i);
      (void)x.ModuleSetOf(i);
      (void)x.ObjectAnnotation(x.ObjectOf(i));
      for (size_t j = 0; j < x.ModuleSetSize(x.ModuleSetOf(i)); ++j) {
        (void)x.ModuleName(x.ModuleSetOf(i), j);
      }
    }
    for (uint64_t a : {0ull, 0x1000ull, 0xffffffff81000150ull,
                       0xffffffffc0a01010ull, ~0ull}) {
      (void)x.Predecessor(a);
      x.ForEachOverlapCovering(a, [](uint32_t) {});
    }
    x.ForEachNamed("init_once", [](uint32_t) {});
  }
}

TEST(WriteFileAtomicallyTest, ReplacesWithoutLeavingTemporaries) {
  const std::string dir = ::testing::TempDir();
  const std::string path = absl::StrCat(dir, "/atomic.ksym");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  std::ifstream in(path);
  std::string got((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  EXPECT_EQ(got, "second");
  EXPECT_NE(access(absl::StrCat(path, ".tmp.", getpid()).c_str(), F_OK), 0);
}

TEST(WriteFileAtomicallyTest, MissingDirectoryIsAnError) {
  absl::Status s = WriteFileAtomically("/nonexistent-dir/x.ksym", "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(s.message(),
                               "/nonexistent-dir/x.ksym.tmp."))
      << s;
}

// A runtime index reveals the KASLR slide: only its owner may read it.
TEST(WriteIndexAtomicallyTest, RuntimeIndexesAreWrittenOwnerOnly) {
  const mode_t old = umask(022);
  Catalog c = SampleCatalog();
  const std::string dir = ::testing::TempDir();
  const std::string stat_path = absl::StrCat(dir, "/static.ksym");
  const std::string run_path = absl::StrCat(dir, "/runtime.ksym");
  c.identity.address_space = AddressSpace::kStatic;
  const std::string static_bytes = Serialize(c);
  c.identity.address_space = AddressSpace::kRuntime;
  const std::string runtime_bytes = Serialize(c);
  EXPECT_FALSE(IsRuntimeIndex(static_bytes));
  EXPECT_TRUE(IsRuntimeIndex(runtime_bytes));
  EXPECT_FALSE(IsRuntimeIndex("not an index"));
  ASSERT_TRUE(WriteIndexAtomically(stat_path, static_bytes).ok());
  ASSERT_TRUE(WriteIndexAtomically(run_path, runtime_bytes).ok());
  umask(old);
  struct stat st;
  ASSERT_EQ(stat(stat_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(stat(run_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// `ksym build -o /dev/null` must not turn the node into a regular file; a
// FIFO stands in for the device here.
TEST(WriteIndexAtomicallyTest, RefusesToReplaceASpecialFile) {
  const std::string fifo = absl::StrCat(::testing::TempDir(), "/fifo.ksym");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  absl::Status s = WriteIndexAtomically(fifo, Serialize(SampleCatalog()));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  struct stat st;
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(OpenTest, MissingFileIsNotFound) {
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::Open("/nonexistent/k.ksym");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST(OpenTest, MapsAFile) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/map.ksym");
  ASSERT_TRUE(WriteFileAtomically(path, Serialize(SampleCatalog())).ok());
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::Open(path, {.verify_checksums = true});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->symbol_count(), 11u);
  EXPECT_EQ((*r)->NameString(4), "outer");
}

TEST(OpenTest, EmptyFileIsTruncated) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/empty.ksym");
  ASSERT_TRUE(WriteFileAtomically(path, "").ok());
  absl::StatusOr<std::unique_ptr<IndexReader>> r = IndexReader::Open(path);
  EXPECT_EQ(r.status().message(),
            absl::StrCat(path, ": truncated index: 0 bytes, the header alone "
                               "is 64"));
}

}  // namespace
}  // namespace ksym
