#include "symbolizer/api/static_address.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::Entry;

constexpr uint64_t kSlide = 0x1c000000;

// The last vmlinux symbol (here _etext) is ~1 GiB below module space: it
// covers only its own address (address_rule.h).
std::vector<KallsymsEntry> StaticMap() {
  return {Entry(0x0, 'A', "fixed_percpu_data"),
          Entry(0xffffffff81000000, 'T', "_text"),
          Entry(0xffffffff81000300, 'T', "do_exit"),
          Entry(0xffffffff81000400, 'T', "_etext")};
}

std::vector<KallsymsEntry> Live() {
  return {Entry(0x0, 'A', "fixed_percpu_data"),
          Entry(0xffffffff81000000 + kSlide, 'T', "_text"),
          Entry(0xffffffff81000300 + kSlide, 'T', "do_exit"),
          Entry(0xffffffff81000400 + kSlide, 'T', "_etext"),
          Entry(0xffffffffc0a01000, 't', "ext4_fill_super", "ext4")};
}

std::unique_ptr<Symbolizer> Open(std::vector<KallsymsEntry> kallsyms,
                                 std::vector<KallsymsEntry> system_map) {
  absl::StatusOr<BuildOutput> out =
      BuildFromEntries(std::move(kallsyms), std::move(system_map), {});
  EXPECT_TRUE(out.ok()) << out.status();
  return testutil::SymbolizerOfBuilt(out->catalog);
}

TEST(StaticAddressTest, CoreSymbolsOfARuntimeIndexHaveTheirVmlinuxStart) {
  std::unique_ptr<Symbolizer> s = Open(Live(), StaticMap());
  LookupResult exit = s->Lookup(0xffffffff81000300 + kSlide + 4);
  ASSERT_TRUE(exit.found);
  EXPECT_EQ(StaticStart(*s, exit.symbol), 0xffffffff81000300u);
  // The highest symbol covers only its own address.
  LookupResult ext4 = s->Lookup(0xffffffffc0a01000);
  ASSERT_TRUE(ext4.found);
  EXPECT_EQ(StaticStart(*s, ext4.symbol), std::nullopt);
  // Per-cpu offsets are not kernel addresses; the symbol is still found by
  // name and has no vmlinux start.
  EXPECT_EQ(s->Lookup(0x0).reason, NotFoundReason::kNotKernelAddress);
  absl::StatusOr<Candidate> percpu = s->ResolveUnique("fixed_percpu_data");
  ASSERT_TRUE(percpu.ok()) << percpu.status();
  EXPECT_EQ(StaticStart(*s, percpu->symbol), std::nullopt);
  // And in the JSON record of a lookup.
  std::string json = LookupJson(*s, 0xffffffff9d000304, exit.symbol, 4);
  EXPECT_NE(json.find("\"static_start\":\"0xffffffff81000300\""),
            std::string::npos)
      << json;
  EXPECT_NE(LookupJson(*s, 0xffffffffc0a01000, ext4.symbol, 0)
                .find("\"static_start\":null"),
            std::string::npos);
}

TEST(StaticAddressTest, LinkTimeAddressesOnARuntimeIndex) {
  std::unique_ptr<Symbolizer> s = Open(Live(), StaticMap());
  absl::StatusOr<uint64_t> a = RuntimeFromStatic(s->index(), 0xffffffff81000304);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, 0xffffffff81000304 + kSlide);
  LookupResult r = s->Lookup(*a);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.name(), "do_exit");
}

TEST(StaticAddressTest, AStaticIndexTakesThemAsTheyAre) {
  std::unique_ptr<Symbolizer> s = Open({}, StaticMap());
  absl::StatusOr<uint64_t> a = RuntimeFromStatic(s->index(), 0xffffffff81000300);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 0xffffffff81000300u);
  LookupResult r = s->Lookup(*a);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(StaticStart(*s, r.symbol), std::nullopt);
  EXPECT_EQ(LookupJson(*s, *a, r.symbol, 4).find("static_start"),
            std::string::npos);
}

TEST(StaticAddressTest, AnUnknownOffsetCannotPlaceThem) {
  std::unique_ptr<Symbolizer> s = Open(Live(), {});
  absl::StatusOr<uint64_t> a = RuntimeFromStatic(s->index(), 0xffffffff81000304);
  EXPECT_TRUE(absl::IsFailedPrecondition(a.status())) << a.status();
  LookupResult r = s->Lookup(0xffffffff81000300 + kSlide);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(StaticStart(*s, r.symbol), std::nullopt);
}

}  // namespace
}  // namespace ksym

namespace ksym {
namespace {

TEST(StaticAddressTest, ShiftForKaslrOffset) {
  // A static index: the running kernel's offset is what to subtract.
  std::unique_ptr<Symbolizer> st = Open({}, StaticMap());
  EXPECT_EQ(*ShiftForKaslrOffset(st->index(), kSlide), kSlide);
  EXPECT_EQ(*ShiftForKaslrOffset(st->index(), 0), 0u);
  // A runtime index already speaks runtime addresses: its own offset is
  // no shift, another is another boot.
  std::unique_ptr<Symbolizer> rt = Open(Live(), StaticMap());
  EXPECT_EQ(*ShiftForKaslrOffset(rt->index(), kSlide), 0u);
  absl::StatusOr<uint64_t> other =
      ShiftForKaslrOffset(rt->index(), kSlide + 0x200000);
  EXPECT_TRUE(absl::IsInvalidArgument(other.status()));
  EXPECT_NE(other.status().message().find("another boot"),
            absl::string_view::npos);
  // Nothing to check when the runtime index's offset is unknown.
  std::unique_ptr<Symbolizer> unknown = Open(Live(), {});
  EXPECT_EQ(*ShiftForKaslrOffset(unknown->index(), 0x1234000), 0u);
}

}  // namespace
}  // namespace ksym
