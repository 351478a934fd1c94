#include "symbolizer/api/probe.h"

#include <string>

#include "gtest/gtest.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

std::unique_ptr<Symbolizer> Static() {
  Catalog c;
  c.identity.address_space = AddressSpace::kStatic;
  c.identity.release = "6.1.0-57-cloud-amd64";
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "do_exit", 'T', 0x80, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "schedule", 'T', 0x40, true));
  c.symbols[2].object = c.InternObject("fs/inode.o");
  c.symbols[3].object = c.InternObject("fs/proc/inode.o");
  c.objects[0].annotation = "fs/inode.o";
  c.objects[1].annotation = "proc/inode.o";
  return SymbolizerFromCatalog(std::move(c));
}

ProbeRequest Request(const std::string& query) {
  ProbeRequest r;
  r.query = query;
  r.filter_functions = "do_exit\ninit_once\ninit_once\nschedule\n";
  r.filter_functions_label = "available_filter_functions";
  r.filter_functions_addrs =
      "ffffffff9d000100 do_exit\nffffffff9d000200 init_once\n"
      "ffffffff9d000300 init_once\nffffffff9d000400 schedule\n";
  r.filter_functions_addrs_label = "available_filter_functions_addrs";
  return r;
}

TEST(PlaceProbeTest, EveryFormatForADuplicate) {
  auto s = Static();
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, Request("init_once {proc/inode}"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*ProbeFormat(*p, "kprobe"), "p:ksym/p_init_once_0_300 _text+0x300");
  EXPECT_EQ(*ProbeFormat(*p, "ftrace"), "3");
  EXPECT_EQ(*ProbeFormat(*p, "address"), "0xffffffff81000300");
  absl::StatusOr<std::string> b = ProbeFormat(*p, "bpftrace");
  EXPECT_EQ(b.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(b.status().message(),
            "no bpftrace form for init_once {proc/inode.o}: bpftrace needs the "
            "runtime address of a duplicated name: use a runtime index");
  EXPECT_EQ(ProbeFormat(*p, "dtrace").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string text = ProbeText(*s, *p);
  EXPECT_NE(text.find("kprobe:       p:ksym/p_init_once_0_300 _text+0x300\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("ftrace:       3   # line 3 of available_filter_functions "
                      "(\"init_once\"): echo 3 > set_ftrace_filter\n"),
            std::string::npos) << text;
  const std::string json = ProbeJson(*s, *p);
  EXPECT_NE(json.find("\"form\":\"text_offset\",\"form_reason\":"), std::string::npos);
  EXPECT_NE(json.find("\"target\":\"_text+0x300\""), std::string::npos);
  EXPECT_NE(json.find("\"ftrace\":{\"available\":true,\"text\":\"3\","), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"bpftrace\":{\"available\":false,\"text\":null,"),
            std::string::npos);
  EXPECT_NE(json.find("\"same_name\":2,"), std::string::npos);
}

// The tracefs of another kernel (the host's, with an index of another
// build) names another kernel's functions: refused with why.
TEST(PlaceProbeTest, FtraceOfAnotherKernelIsRefused) {
  Catalog c;
  c.identity.address_space = AddressSpace::kStatic;
  c.identity.build_id = "01d2640d3a13145ee314eb05b155f141b7b7058b";
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "do_exit", 'T', 0x80, true));
  auto s = SymbolizerFromCatalog(std::move(c));
  ProbeRequest r;
  r.query = "do_exit";
  r.filter_functions = "schedule\nvfs_read\n";
  r.filter_functions_label = "/sys/kernel/tracing/available_filter_functions";
  r.tracefs_build_id = "32a7f3bacee6bf69da94f497a8a076483baea20e";
  r.tracefs_build_id_label = "/sys/kernel/notes";
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, r);
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<std::string> f = ProbeFormat(*p, "ftrace");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find(
                "is of another kernel (build-id 32a7f3bacee6bf69da94f497a8a0764"
                "83baea20e in /sys/kernel/notes) than the index (build-id "
                "01d2640d3a13145ee314eb05b155f141b7b7058b)"),
            absl::string_view::npos)
      << f.status();
  // The same build-id: the files are used.
  r.tracefs_build_id = "01d2640d3a13145ee314eb05b155f141b7b7058b";
  r.filter_functions = "do_exit\n";
  p = PlaceProbe(*s, r);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*ProbeFormat(*p, "ftrace"), "1");
}

// `probe --format F` alone must keep what the all-formats view says after
// `#`: a static address is not the running kernel's.
TEST(PlaceProbeTest, OneFormatKeepsItsCaveat) {
  auto s = Static();
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, Request("init_once {proc/inode}"));
  ASSERT_TRUE(p.ok()) << p.status();
  const std::string caveat = ProbeCaveat(*p, "address");
  EXPECT_NE(caveat.find("KASLR offset"), std::string::npos) << caveat;
  EXPECT_NE(ProbeText(*s, *p).find("0xffffffff81000300   # " + caveat),
            std::string::npos);
  EXPECT_EQ(ProbeCaveat(*p, "kprobe"), "");     // _text+OFF needs nothing
  EXPECT_EQ(ProbeCaveat(*p, "bpftrace"), "");   // no form: its error says why
  EXPECT_EQ(ProbeCaveat(*p, "dtrace"), "");
}

TEST(PlaceProbeTest, AmbiguousQueryListsSelectingQueries) {
  auto s = Static();
  std::vector<Candidate> ambiguous;
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, Request("init_once {inode}"), &ambiguous);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message(),
            "\"init_once {inode}\" is ambiguous: 2 symbols match; select one "
            "with:\n  init_once {fs/inode.o}\n  init_once {proc/inode.o}");
  EXPECT_EQ(ambiguous.size(), 2u);
}

TEST(PlaceProbeTest, DebugfsBlacklistNeedsTheOffsetOfAStaticIndex) {
  auto s = Static();
  ProbeRequest r = Request("schedule");
  r.blacklist = "0xffffffff9d000400-0xffffffff9d000440\tschedule\n";
  r.blacklist_label = "/sys/kernel/debug/kprobes/blacklist";
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, r);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message(),
            "the kernel will not probe schedule at 0xffffffff81000400: in the "
            "kernel's kprobe blacklist as schedule "
            "(/sys/kernel/debug/kprobes/blacklist:1)");
  // Without the _addrs file there is no offset: said, not guessed.
  r.filter_functions_addrs.clear();
  p = PlaceProbe(*s, r);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_FALSE(p->notes.empty());
  EXPECT_NE(p->notes.back().find("not checked"), std::string::npos);
}

TEST(PlaceProbeTest, FtraceRefusalsAreReasons) {
  auto s = Static();
  ProbeRequest r = Request("do_exit+0x4");
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(ProbeFormat(*p, "ftrace").status().message(),
            "no ftrace form for do_exit+0x4: the function tracer selects whole "
            "functions, not offsets");
  r = Request("do_exit");
  r.filter_functions.clear();
  r.filter_functions_addrs.clear();
  r.ftrace_unavailable = "/sys/kernel/tracing/available_filter_functions: Permission denied";
  p = PlaceProbe(*s, r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ftrace.reason, r.ftrace_unavailable);
}

// A name from the index's inputs is never written raw: not in the text,
// not in one format's line (which goes to kprobe_events), not in a note.
TEST(PlaceProbeTest, NamesAndNotesAreEscaped) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000100, "bad\xff\xfe", 'T', 0x80, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "end", 'T', 0x80, true));
  auto s = SymbolizerFromCatalog(std::move(c));
  ProbeRequest r;
  r.query = "bad\xff\xfe";
  r.blacklist_unavailable = "/r/blacklist\x1b[2J: unreadable";
  absl::StatusOr<ProbePlacement> p = PlaceProbe(*s, r);
  ASSERT_TRUE(p.ok()) << p.status();
  const std::string text = ProbeText(*s, *p);
  EXPECT_EQ(text.find('\xff'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find("symbol:       bad\\xff\\xfe at 0xffffffff81000100"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/r/blacklist\\x1b[2J"), std::string::npos) << text;
  absl::StatusOr<std::string> line = ProbeFormat(*p, "bpftrace");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "kprobe:bad\\xff\\xfe");
}

}  // namespace
}  // namespace ksym
