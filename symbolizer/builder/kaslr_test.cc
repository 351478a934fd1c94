#include "symbolizer/builder/kaslr.h"
#include "symbolizer/testing/index_testing.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ksym {
namespace {

using testutil::Entry;

constexpr uint64_t kSlide = 0x1c000000;

std::vector<KallsymsEntry> StaticMap() {
  return {Entry(0xffffffff81000000, 'T', "_text"),
          Entry(0xffffffff81000100, 't', "init_once"),
          Entry(0xffffffff81000200, 't', "init_once"),
          Entry(0xffffffff81000300, 'T', "do_exit")};
}

std::vector<KallsymsEntry> Slid(uint64_t slide) {
  std::vector<KallsymsEntry> v;
  for (KallsymsEntry e : StaticMap()) {
    e.address += slide;
    v.push_back(e);
  }
  return v;
}

TEST(KaslrTest, SlideFromText) {
  BuildLog log;
  absl::StatusOr<int64_t> s =
      ComputeSlide(Slid(kSlide), CoreNames(StaticMap()), "System.map", log);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, static_cast<int64_t>(kSlide));
  ASSERT_EQ(log.notes.size(), 1u);
  EXPECT_EQ(log.notes[0], "KASLR offset 0x1c000000 (from _text)");
}

TEST(KaslrTest, FallsBackToStext) {
  std::vector<KallsymsEntry> stat = {Entry(0xffffffff81001000, 'T', "_stext"),
                                     Entry(0xffffffff81001100, 'T', "do_exit")};
  std::vector<KallsymsEntry> run = {Entry(0xffffffff82001000, 'T', "_stext"),
                                    Entry(0xffffffff82001100, 'T', "do_exit")};
  BuildLog log;
  absl::StatusOr<int64_t> s = ComputeSlide(run, CoreNames(stat), "vmlinux", log);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, 0x1000000);
  EXPECT_EQ(log.notes[0], "KASLR offset 0x1000000 (from _stext)");
}

TEST(KaslrTest, NoAnchorIsInvalidArgument) {
  std::vector<KallsymsEntry> run = {Entry(0xffffffff82001100, 'T', "do_exit")};
  BuildLog log;
  absl::StatusOr<int64_t> s =
      ComputeSlide(run, CoreNames(StaticMap()), "System.map", log);
  EXPECT_TRUE(absl::IsInvalidArgument(s.status())) << s.status();
}

TEST(KaslrTest, AnotherKernelIsRefused) {
  std::vector<KallsymsEntry> run = Slid(kSlide);
  run[3].address += 0x40;  // do_exit moved: another build
  BuildLog log;
  absl::StatusOr<int64_t> s =
      ComputeSlide(run, CoreNames(StaticMap()), "System.map", log);
  EXPECT_TRUE(absl::IsFailedPrecondition(s.status())) << s.status();
  EXPECT_NE(s.status().message().find("do_exit is at 0xffffffff9d000340"),
            absl::string_view::npos)
      << s.status();
}

TEST(KaslrTest, ModuleSymbolsAreNotAnchors) {
  std::vector<KallsymsEntry> run = {Entry(0xffffffffc0000000, 'T', "_text", "m")};
  BuildLog log;
  EXPECT_FALSE(
      ComputeSlide(run, CoreNames(StaticMap()), "System.map", log).ok());
}

Symbol S(uint64_t a, char t, const char* name) {
  Symbol s;
  s.address = a;
  s.type = t;
  s.name = name;
  return s;
}

TEST(KaslrTest, RelocateMovesTheImageNotAbsoluteOrPercpu) {
  Catalog c;
  c.symbols = {S(0x0, 'D', "fixed_percpu_data"),  // .data..percpu at 0
               S(0x1234, 'a', "some_absolute"),
               S(0xffffffff81000000, 'T', "_text"),
               S(0xffffffff81000300, 'T', "do_exit"),
               S(0xffffffff81800000, 'd', "not_in_kallsyms")};
  std::vector<bool> percpu = {true, false, false, false, false};
  std::vector<KallsymsEntry> run = {
      Entry(0x0, 'A', "fixed_percpu_data"),
      Entry(0xffffffff81000000 + kSlide, 'T', "_text"),
      Entry(0xffffffff81000300 + kSlide, 't', "do_exit"),
      Entry(0xffffffff81000400 + kSlide, 't', "only_in_kallsyms")};
  BuildLog log;
  std::vector<KallsymsEntry> unmatched =
      RelocateToRuntime(kSlide, percpu, run, "kallsyms", "vmlinux", c, log);
  EXPECT_EQ(c.symbols[0].address, 0u);
  EXPECT_EQ(c.symbols[0].type, 'A');  // kallsyms' letter wins
  EXPECT_EQ(c.symbols[1].address, 0x1234u);
  EXPECT_EQ(c.symbols[2].address, 0xffffffff9d000000u);
  EXPECT_EQ(c.symbols[3].address, 0xffffffff9d000300u);
  EXPECT_EQ(c.symbols[3].type, 't');
  EXPECT_EQ(c.symbols[4].address, 0xffffffff9d800000u);
  ASSERT_EQ(unmatched.size(), 1u);
  EXPECT_EQ(unmatched[0].name, "only_in_kallsyms");
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("1 core symbols of kallsyms are not in the "
                                 "vmlinux"),
            std::string::npos)
      << log.warnings[0];
}

}  // namespace
}  // namespace ksym
