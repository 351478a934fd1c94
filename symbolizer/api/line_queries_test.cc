#include "symbolizer/api/line_queries.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
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
              HasSubstr("no source file of the index's line tables ends with "
                        "\"pen.c\""));
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

// A loadable module ext4 at its load address: ext4_fill_super (0x20
// bytes) with fs/ext4/super.c:100, getname's fs/namei.c:5 inlined from
// super.c:101 at +0x8, :102 at +0x10; and a copy of do_close (a name the
// vmlinux has too) with super.c:200, :201.
constexpr uint64_t kFill = 0xffffffffc0a01000;
constexpr uint64_t kModClose = kFill + 0x40;

std::shared_ptr<const LineTable> ModuleLines() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "fs/ext4/super.c"}, {1, "fs/namei.c"}};
  t.names = {"ext4_fill_super", "getname", "do_close"};
  constexpr bool kStmt = true;
  t.rows = {{0x0, 1, 100, 0, kStmt}, {0x8, 2, 5, 1, kStmt},
            {0x10, 1, 102, 0, kStmt},                        // ext4_fill_super
            {0x0, 1, 200, 0, kStmt}, {0x8, 1, 201, 0, kStmt}};  // do_close
  t.inline_ranges = {{0x8, 0x10}};
  t.calls = {{1, kNoParent, 1, 101, 2, 0, 1}};
  t.functions = {{0, kFill, 0x20, 0, 0, 3, 0, 1},
                 {0, kModClose, 0x10, 2, 3, 2, 1, 0}};
  return std::make_shared<const LineTable>(std::move(t));
}

// Kernel(true) with module ext4; `vmlinux_lines`, `module_lines`: which
// tables the index has (a missing one's source record says why).
std::unique_ptr<Symbolizer> WithModule(bool vmlinux_lines, bool module_lines,
                                       const std::string& release =
                                           "6.1.0-57-cloud-amd64") {
  Catalog c;
  c.identity.address_space = AddressSpace::kRuntime;
  c.identity.kaslr_offset = kSlide;
  c.identity.release = release;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000 + kSlide, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(kOpen + kSlide, "do_open", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(kClose + kSlide, "do_close", 't', 0x20, true));
  c.symbols.push_back(MakeSymbol(kGetname + kSlide, "getname", 't', 0x20, true));
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.loadable_module_sets.insert(ext4);
  for (Symbol m : {MakeSymbol(kFill, "ext4_fill_super", 't', 0x20, true),
                   MakeSymbol(kModClose, "do_close", 't', 0x10, true)}) {
    m.module_set = ext4;
    c.symbols.push_back(m);
  }
  LoadedModuleRecord record;
  record.name = "ext4";
  record.base = 0xffffffffc0a00000;
  record.size = 0x10000;
  record.symbols_from_ko = true;
  record.debug_read = module_lines;
  record.sections = {{".text", kFill}};
  c.modules.push_back(record);
  if (vmlinux_lines) {
    c.lines = Lines();
    c.sources.push_back({"line tables", "vmlinux", SourceState::kFound, ""});
  } else {
    c.sources.push_back({"line tables", "vmlinux", SourceState::kMissing,
                         "not read: built with --no-lines"});
  }
  if (module_lines) {
    c.module_lines = ModuleLines();
    c.sources.push_back({"module line tables", "", SourceState::kFound, ""});
  } else {
    c.sources.push_back({"module line tables", "", SourceState::kMissing,
                         "not read: built with --no-lines"});
  }
  return testutil::SymbolizerFromCatalog(std::move(c));
}

TEST(LineQueriesTest, AModulesLinesAreFoundAtTheirLoadAddresses) {
  std::unique_ptr<Symbolizer> s = WithModule(true, true);
  // namei.c:5 is in both tables: the vmlinux's sites, then the module's.
  LineSites l = Resolve(*s, "namei.c:5");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(Addresses(l),
              ElementsAre(kOpen + 0x8 + kSlide, kClose + 0x8 + kSlide,
                          kGetname + 0x4 + kSlide, kFill + 0x8));
  EXPECT_THAT(l.asked, ElementsAre("fs/namei.c:5"));
  EXPECT_TRUE(l.notes.empty());
  EXPECT_EQ(LineSiteTexts(l)[3],
            AddressLine(kFill + 0x8,
                        "ext4_fill_super+0x8 [ext4] (fs/namei.c:5:1 in "
                        "getname, inlined into ext4_fill_super)"));
  EXPECT_TRUE(l.sites[3].in_module);
  EXPECT_EQ(l.sites[3].static_address, 0u);
  EXPECT_FALSE(l.sites[0].in_module);

  l = Resolve(*s, "fs/ext4/super.c:102");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(LineSiteTexts(l),
              ElementsAre(AddressLine(kFill + 0x10,
                                      "ext4_fill_super+0x10 [ext4] "
                                      "(fs/ext4/super.c:102 in "
                                      "ext4_fill_super)")));
  // No code: the nearest lines come from the module's table.
  EXPECT_EQ(LineSitesProblem(Resolve(*s, "super.c:150")),
            "no code at fs/ext4/super.c:150; nearest lines with code: "
            "fs/ext4/super.c:102, fs/ext4/super.c:200");

  const std::string json =
      LineSitesJson(*s, "super.c:102", Resolve(*s, "super.c:102"));
  EXPECT_THAT(json, HasSubstr("\"target\":\"0xffffffffc0a01010\",\"offset\":"
                              "16,\"select\":\"ext4_fill_super+0x10 [ext4]\","
                              "\"static_address\":null,\"statement\":{"
                              "\"file\":\"fs/ext4/super.c\""));
}

TEST(LineQueriesTest, FunctionRelativeLinesInAModule) {
  std::unique_ptr<Symbolizer> s = WithModule(true, true);
  LineSites l = Resolve(*s, "ext4_fill_super:2");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(Addresses(l), ElementsAre(kFill + 0x10));
  ASSERT_FALSE(l.notes.empty());
  EXPECT_EQ(l.notes[0],
            "ext4_fill_super at 0xffffffffc0a01000 (load address): its first "
            "line taken as its entry's, fs/ext4/super.c:100 (the index keeps "
            "no DW_AT_decl_line; perf probe counts from it)");
  // do_close has a copy in each: each counts from its own first line.
  l = Resolve(*s, "do_close:1");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(Addresses(l), ElementsAre(kClose + 0x8 + kSlide,
                                        kClose + 0x10 + kSlide, kModClose + 0x8));
  EXPECT_THAT(l.asked, ElementsAre("fs/open.c:21", "fs/ext4/super.c:201"));
}

TEST(LineQueriesTest, AMissingTableIsSaid) {
  // Only the vmlinux's lines: a module's line is not found, and why.
  std::unique_ptr<Symbolizer> s = WithModule(true, false);
  LineSites l = Resolve(*s, "super.c:102");
  EXPECT_EQ(l.state, LineSites::State::kNoFile);
  EXPECT_EQ(LineSitesProblem(l),
            "no source file of the index's line tables ends with "
            "\"super.c\" (paths are matched under the build prefix, at '/' "
            "boundaries) (loadable modules' lines are not searched: the "
            "index has no loadable module's lines: not read: built with "
            "--no-lines)");
  l = Resolve(*s, "namei.c:5");
  EXPECT_EQ(l.sites.size(), 3u);
  EXPECT_THAT(l.notes,
              ElementsAre("loadable modules' lines are not searched: the "
                          "index has no loadable module's lines: not read: "
                          "built with --no-lines"));
  // Only the modules' lines: they answer, and the vmlinux's are missed.
  s = WithModule(false, true);
  l = Resolve(*s, "namei.c:5");
  ASSERT_EQ(l.state, LineSites::State::kFound) << l.why;
  EXPECT_THAT(Addresses(l), ElementsAre(kFill + 0x8));
  EXPECT_THAT(l.notes,
              ElementsAre("the vmlinux's lines are not searched: the index "
                          "has no line table: not read: built with "
                          "--no-lines"));
  // Neither: both said.
  s = WithModule(false, false);
  l = Resolve(*s, "namei.c:5");
  EXPECT_EQ(l.state, LineSites::State::kNoLineTable);
  EXPECT_EQ(LineSitesProblem(l),
            "the index has no line table: not read: built with --no-lines; "
            "the index has no loadable module's lines: not read: built with "
            "--no-lines");
}

TEST(LineQueriesTest, ProbeAModulesLineAsItsSymbolIsProbed) {
  for (const std::string release :
       {"6.1.0-57-cloud-amd64", "6.12.118+deb12-cloud-amd64"}) {
    std::unique_ptr<Symbolizer> s = WithModule(true, true, release);
    // ext4_fill_super is unique: its name.
    absl::StatusOr<ProbePlacement> p =
        PlaceLineProbe(*s, Request("super.c:102"));
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->spec.address, kFill + 0x10);
    EXPECT_EQ(p->spec.module, "ext4");
    EXPECT_EQ(p->spec.target, "ext4_fill_super+0x10");
    EXPECT_EQ(p->notes[0],
              "super.c:102 starts at ext4_fill_super+0x10 [ext4] "
              "(fs/ext4/super.c:102 in ext4_fill_super)");
    // The module's do_close shares its name with the vmlinux's: the probe
    // rules' form for a module copy (MOD:SYM where the kernel counts it
    // inside MOD, else the address), as `probe 'do_close [ext4]'` gives.
    p = PlaceLineProbe(*s, Request("super.c:201"));
    ASSERT_TRUE(p.ok()) << p.status();
    absl::StatusOr<ProbePlacement> by_name =
        PlaceProbe(*s, Request("do_close+0x8 [ext4]"));
    ASSERT_TRUE(by_name.ok()) << by_name.status();
    EXPECT_EQ(p->spec.address, kModClose + 0x8);
    EXPECT_EQ(p->spec.target, by_name->spec.target);
    EXPECT_EQ(p->spec.kprobe_events.text, by_name->spec.kprobe_events.text);
    EXPECT_EQ(p->spec.target,
              absl::StartsWith(release, "6.12") ? "ext4:do_close+0x8"
                                                : "0xffffffffc0a01048");
  }
}

}  // namespace
}  // namespace ksym
