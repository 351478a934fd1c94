#include "symbolizer/api/line_queries.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::MakeSymbol;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kSlide = 0x1c000000;
constexpr uint64_t kOpen = 0xffffffff81000100;  // link-time
constexpr uint64_t kClose = kOpen + 0x40;
constexpr uint64_t kGetname = kOpen + 0x100;

// do_open: fs/open.c:10, :11, then getname (fs/namei.c:5, a second column
// of the same line), :12, :11 again, :14. do_close: :20, getname's
// namei.c:5 inlined from open.c:21 (whose statement starts at the same
// address), then :25's statement and :21 at one address (:21 the code
// there), :26 with no statement. getname out of
// line: namei.c:4, :5, :6.
std::shared_ptr<const LineTable> Lines() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "fs/open.c"}, {1, "fs/namei.c"}};
  t.names = {"do_open", "getname", "do_close"};
  constexpr bool kStmt = true;
  t.rows = {{0x0, 1, 10, 0, kStmt},  {0x4, 1, 11, 0, kStmt},
            {0x8, 2, 5, 1, kStmt},   {0xc, 2, 5, 7},
            {0x10, 1, 12, 0, kStmt}, {0x18, 1, 11, 3, kStmt},
            {0x20, 1, 14, 0, kStmt},                            // do_open
            {0x0, 1, 20, 0, kStmt},  {0x8, 1, 21, 0, kStmt},
            {0x8, 2, 5, 1, kStmt},   {0x10, 1, 25, 0, kStmt}, {0x10, 1, 21, 0, kStmt},
            {0x18, 1, 26, 0},                                   // do_close
            {0x0, 2, 4, 0, kStmt},   {0x4, 2, 5, 1, kStmt},
            {0x10, 2, 6, 0, kStmt}};                            // getname
  t.inline_ranges = {{0x8, 0x10}, {0x8, 0x10}};
  t.calls = {{1, kNoParent, 1, 11, 2, 0, 1}, {1, kNoParent, 1, 21, 2, 1, 1}};
  t.functions = {{0, kOpen, 0x40, 0, 0, 7, 0, 1},
                 {0, kClose, 0x20, 2, 7, 6, 1, 1},
                 {0, kGetname, 0x20, 1, 13, 3, 2, 0}};
  return std::make_shared<const LineTable>(std::move(t));
}

std::unique_ptr<Symbolizer> Kernel(bool runtime, bool lines = true) {
  Catalog c;
  const uint64_t shift = runtime ? kSlide : 0;
  c.identity.address_space =
      runtime ? AddressSpace::kRuntime : AddressSpace::kStatic;
  c.identity.kaslr_offset = shift;
  c.identity.release = "6.1.0-57-cloud-amd64";
  c.symbols.push_back(MakeSymbol(0xffffffff81000000 + shift, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(kOpen + shift, "do_open", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(kClose + shift, "do_close", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(kGetname + shift, "getname", 't', 0x20, true));
  if (lines) {
    c.lines = Lines();
    c.sources.push_back({"line tables", "vmlinux", SourceState::kFound, ""});
  } else {
    c.sources.push_back({"line tables", "vmlinux", SourceState::kMissing,
                         "not read: built with --no-lines"});
  }
  return testutil::SymbolizerFromCatalog(std::move(c));
}

std::vector<uint64_t> Addresses(const LineSites& l) {
  std::vector<uint64_t> out;
  for (const LineSite& s : l.sites) out.push_back(s.address);
  return out;
}

LineSites Resolve(const Symbolizer& s, const std::string& q) {
  absl::StatusOr<LineSites> l = ResolveLineQuery(s, q);
  EXPECT_TRUE(l.ok()) << l.status();
  return l.ok() ? *std::move(l) : LineSites();
}

TEST(LineQueriesTest, EveryPlaceALineStartsInlinedCopiesIncluded) {
  for (bool runtime : {false, true}) {
    const uint64_t shift = runtime ? kSlide : 0;
    std::unique_ptr<Symbolizer> s = Kernel(runtime);
    LineSites l = Resolve(*s, "namei.c:5");
    ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
    // Not kOpen + 0xc: only a new column of the same line starts there.
    EXPECT_THAT(Addresses(l), ElementsAre(kOpen + 0x8 + shift,
                                          kClose + 0x8 + shift,
                                          kGetname + 0x4 + shift));
    EXPECT_THAT(l.asked, ElementsAre("fs/namei.c:5"));
    EXPECT_THAT(
        LineSiteTexts(l),
        ElementsAre(
            AddressLine(kOpen + 0x8 + shift,
                        "do_open+0x8 (fs/namei.c:5:1 in getname, inlined "
                        "into do_open)"),
            AddressLine(kClose + 0x8 + shift,
                        "do_close+0x8 (fs/namei.c:5:1 in getname, inlined "
                        "into do_close)"),
            AddressLine(kGetname + 0x4 + shift,
                        "getname+0x4 (fs/namei.c:5:1 in getname)")));
    EXPECT_EQ(l.sites[2].static_address, kGetname + 0x4);
    // A line that starts twice in one function: both runs.
    EXPECT_THAT(Addresses(Resolve(*s, "fs/open.c:11")),
                ElementsAre(kOpen + 0x4 + shift, kOpen + 0x18 + shift));
  }
}

TEST(LineQueriesTest, PathsMatchAtSlashBoundaries) {
  std::unique_ptr<Symbolizer> s = Kernel(false);
  EXPECT_EQ(Resolve(*s, "fs/open.c:12").sites.size(), 1u);
  EXPECT_EQ(Resolve(*s, "./open.c:12").sites.size(), 1u);
  LineSites l = Resolve(*s, "pen.c:12");
  EXPECT_EQ(l.state, LineSites::State::kNoFile);
  EXPECT_THAT(LineSitesProblem(l),
              HasSubstr("no source file of the line table ends with \"pen.c\""));
}

TEST(LineQueriesTest, ALineWithoutCodeNamesTheNearestWithCode) {
  std::unique_ptr<Symbolizer> s = Kernel(false);
  LineSites l = Resolve(*s, "fs/open.c:13");
  EXPECT_EQ(l.state, LineSites::State::kNoCode);
  EXPECT_TRUE(l.sites.empty());
  EXPECT_EQ(LineSitesProblem(l),
            "no code at fs/open.c:13; nearest lines with code: fs/open.c:12, "
            "fs/open.c:14");
  l = Resolve(*s, "fs/open.c:99");
  EXPECT_EQ(LineSitesProblem(l),
            "no code at fs/open.c:99; nearest lines with code: fs/open.c:25");
  // A row that starts no statement (is_stmt 0) is not a place to probe.
  EXPECT_EQ(LineSitesProblem(Resolve(*s, "fs/open.c:26")),
            "no code at fs/open.c:26; nearest lines with code: fs/open.c:25");
}

// GCC's location views: two lines' statements start at one address; the
// one the address answers to (lookup --lines) is the last, the other is
// found all the same.
TEST(LineQueriesTest, AStatementSharingItsAddressWithAnotherLine) {
  std::unique_ptr<Symbolizer> s = Kernel(false);
  LineSites l = Resolve(*s, "open.c:25");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(Addresses(l), ElementsAre(kClose + 0x10));
  EXPECT_THAT(LineSiteTexts(l),
              ElementsAre(AddressLine(kClose + 0x10,
                                      "do_close+0x10 (fs/open.c:25 in "
                                      "do_close)")));
  // open.c:21 is do_close's call of getname, whose namei.c:5 is the row
  // at +0x8: that statement is do_close's, the caller's frame.
  LineSites call = Resolve(*s, "open.c:21");
  EXPECT_THAT(Addresses(call), ElementsAre(kClose + 0x8, kClose + 0x10));
  EXPECT_THAT(LineSiteTexts(call),
              ElementsAre(AddressLine(kClose + 0x8,
                                      "do_close+0x8 (fs/open.c:21 in do_close)"),
                          AddressLine(kClose + 0x10,
                                      "do_close+0x10 (fs/open.c:21 in "
                                      "do_close)")));
  EXPECT_EQ(call.sites[0].frame, 1u);
  EXPECT_EQ(Resolve(*s, "namei.c:5").sites[1].frame, 0u);
}

TEST(LineQueriesTest, FunctionRelativeLinesCountFromTheEntrysLine) {
  std::unique_ptr<Symbolizer> s = Kernel(false);
  // getname starts at namei.c:4: +1 is namei.c:5, wherever getname's
  // code went, and only getname's.
  LineSites l = Resolve(*s, "getname:1");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(Addresses(l),
              ElementsAre(kOpen + 0x8, kClose + 0x8, kGetname + 0x4));
  ASSERT_FALSE(l.notes.empty());
  EXPECT_THAT(l.notes[0], HasSubstr("its first line taken as its entry's, "
                                    "fs/namei.c:4"));
  EXPECT_THAT(Addresses(Resolve(*s, "do_open:2")), ElementsAre(kOpen + 0x10));
  // do_open:1 is open.c:11, but do_close has no open.c:11: do_open's only.
  EXPECT_THAT(Addresses(Resolve(*s, "do_open:1")),
              ElementsAre(kOpen + 0x4, kOpen + 0x18));
  EXPECT_EQ(Resolve(*s, "nosuch:1").state, LineSites::State::kNoFunction);
  EXPECT_EQ(Resolve(*s, "do_open:3").state, LineSites::State::kNoCode);
}

TEST(LineQueriesTest, AnIndexWithoutLinesSaysWhy) {
  std::unique_ptr<Symbolizer> s = Kernel(false, /*lines=*/false);
  LineSites l = Resolve(*s, "fs/open.c:12");
  EXPECT_EQ(l.state, LineSites::State::kNoLineTable);
  EXPECT_EQ(LineSitesProblem(l),
            "the index has no line table: not read: built with --no-lines");
  EXPECT_EQ(ResolveLineQuery(*s, "fs/open.c:x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LineQueriesTest, JsonHasTheResolveFieldsAndTheLocation) {
  std::unique_ptr<Symbolizer> s = Kernel(true);
  const std::string json =
      LineSitesJson(*s, "namei.c:5", Resolve(*s, "namei.c:5"));
  EXPECT_THAT(json, HasSubstr("{\"query\":\"namei.c:5\",\"line_query\":{"
                              "\"file\":\"namei.c\",\"function\":null,"
                              "\"line\":5},\"asked\":[\"fs/namei.c:5\"],"
                              "\"candidates\":[{\"name\":\"do_open\""));
  EXPECT_THAT(json, HasSubstr("\"target\":\"0xffffffff9d000108\",\"offset\":8,"
                              "\"select\":\"do_open+0x8\","
                              "\"static_address\":\"0xffffffff81000108\","
                              "\"statement\":{\"file\":\"fs/namei.c\","
                              "\"prefix\":\"debian/build/build_amd64_none_"
                              "cloud-amd64/\",\"line\":5,\"column\":1,"
                              "\"function\":\"getname\",\"frame\":0},"
                              "\"location\":{\"function\":\"getname\","
                              "\"file\":\"fs/namei.c\""));
  EXPECT_THAT(json, HasSubstr("\"inlined\":[{\"function\":\"do_open\","
                              "\"file\":\"fs/open.c\""));
  const std::string none =
      LineSitesJson(*s, "open.c:13", Resolve(*s, "open.c:13"));
  EXPECT_THAT(none, HasSubstr("\"candidates\":[],\"notes\":[],\"missing\":"
                              "\"no code at fs/open.c:13; nearest lines with "
                              "code: fs/open.c:12, fs/open.c:14\",\"nearest\":"
                              "[\"fs/open.c:12\",\"fs/open.c:14\"]}"));
}

ProbeRequest Request(const std::string& query) {
  ProbeRequest r;
  r.query = query;
  return r;
}

TEST(LineQueriesTest, ProbeTheOneSiteOrSayWhereTheyAre) {
  std::unique_ptr<Symbolizer> s = Kernel(false);
  absl::StatusOr<ProbePlacement> p = PlaceLineProbe(*s, Request("open.c:12"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->spec.target, "do_open+0x10");
  EXPECT_EQ(p->spec.address, kOpen + 0x10);
  ASSERT_FALSE(p->notes.empty());
  EXPECT_EQ(p->notes[0],
            "open.c:12 starts at do_open+0x10 (fs/open.c:12 in do_open)");

  p = PlaceLineProbe(*s, Request("fs/open.c:13"));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(),
            "no code at fs/open.c:13; nearest lines with code: fs/open.c:12, "
            "fs/open.c:14");

  p = PlaceLineProbe(*s, Request("namei.c:5"));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message(),
            "\"namei.c:5\" has code at 3 places (perf probe would probe them "
            "all); probe one of them with:\n"
            "  do_open+0x8  (fs/namei.c:5:1 in getname, inlined into do_open)\n"
            "  do_close+0x8  (fs/namei.c:5:1 in getname, inlined into do_close)\n"
            "  getname+0x4  (fs/namei.c:5:1 in getname)");
}

}  // namespace
}  // namespace ksym
