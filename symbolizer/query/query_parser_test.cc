#include "symbolizer/query/query_parser.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using Modules = std::vector<std::string>;

Query Parse(absl::string_view text) {
  absl::StatusOr<Query> q = ParseQuery(text);
  EXPECT_TRUE(q.ok()) << text << ": " << q.status();
  return q.ok() ? *q : Query();
}

std::string ErrorOf(absl::string_view text) {
  absl::StatusOr<Query> q = ParseQuery(text);
  if (q.ok()) return "parsed as " + q->ToString();
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(q.status().message());
}

// ---- Accepted forms ----

TEST(ParseQueryTest, PlainName) {
  Query q = Parse("init_once");
  EXPECT_EQ(q.name, "init_once");
  EXPECT_TRUE(q.modules.empty());
  EXPECT_TRUE(q.object.empty());
  EXPECT_FALSE(q.offset.has_value());
  EXPECT_FALSE(q.length.has_value());
}

TEST(ParseQueryTest, TrimsSurroundingWhitespace) {
  EXPECT_EQ(Parse(" \tinit_once \n").name, "init_once");
  EXPECT_EQ(Parse("  test_msr\t[rapl]\r\n").modules, Modules{"rapl"});
}

TEST(ParseQueryTest, CompilerSuffixesAreKeptInTheName) {
  EXPECT_EQ(Parse("ext4_fill_super.cold").name, "ext4_fill_super.cold");
  EXPECT_EQ(Parse("type_show.constprop.0 [foo]").name, "type_show.constprop.0");
  EXPECT_EQ(Parse("__list_del_entry.llvm.4217458493751836045+0x4").name,
            "__list_del_entry.llvm.4217458493751836045");
}

TEST(ParseQueryTest, KallmodsymsSingleModuleWithTab) {
  Query q = Parse("test_msr\t[rapl]");
  EXPECT_EQ(q.name, "test_msr");
  EXPECT_EQ(q.modules, Modules{"rapl"});
  EXPECT_TRUE(q.object.empty());
}

TEST(ParseQueryTest, KallmodsymsSingleModuleWithSpace) {
  Query q = Parse("rapl_cpu_offline [rapl]");
  EXPECT_EQ(q.name, "rapl_cpu_offline");
  EXPECT_EQ(q.modules, Modules{"rapl"});
}

TEST(ParseQueryTest, KallmodsymsTwoModules) {
  Query q = Parse("lio_ethtool_get_channels\t[liquidio] [liquidio_vf]");
  EXPECT_EQ(q.name, "lio_ethtool_get_channels");
  EXPECT_EQ(q.modules, (Modules{"liquidio", "liquidio_vf"}));
}

TEST(ParseQueryTest, ModulesAreSortedAndDeduplicated) {
  Query q = Parse(
      "lio_ethtool_get_channels [liquidio_vf] [liquidio] "
      "[liquidio_vf]");
  EXPECT_EQ(q.modules, (Modules{"liquidio", "liquidio_vf"}));
}

TEST(ParseQueryTest, ModuleDashIsSpelledUnderscore) {
  // KBUILD_MODNAME turns '-' into '_' (nls_iso8859-1.ko is nls_iso8859_1).
  EXPECT_EQ(Parse("uni2char [nls_iso8859-1]").modules,
            Modules{"nls_iso8859_1"});
  EXPECT_EQ(Parse("nls_iso8859-1:uni2char").modules, Modules{"nls_iso8859_1"});
}

TEST(ParseQueryTest, KallmodsymsObjectOnly) {
  Query q = Parse("amd_pmu_event_map\t{core.o}");
  EXPECT_EQ(q.name, "amd_pmu_event_map");
  EXPECT_TRUE(q.modules.empty());
  EXPECT_EQ(q.object, "core");
}

TEST(ParseQueryTest, KallmodsymsModulesAndObject) {
  Query q = Parse(
      "cn23xx_vf_mbox_thread\t[liquidio] [liquidio_vf] "
      "{cn23xx_vf_device.o}");
  EXPECT_EQ(q.name, "cn23xx_vf_mbox_thread");
  EXPECT_EQ(q.modules, (Modules{"liquidio", "liquidio_vf"}));
  EXPECT_EQ(q.object, "cn23xx_vf_device");
}

TEST(ParseQueryTest, ObjectDotOIsOptionalAndStripped) {
  EXPECT_EQ(Parse("init_once {core}").object, "core");
  EXPECT_EQ(Parse("init_once {core.o}").object, "core");
  EXPECT_EQ(Parse("init_once {sched/core.o}").object, "sched/core");
  EXPECT_EQ(Parse("init_once [foo] {kernel/sched/core.o}").object,
            "kernel/sched/core");
  // Only the trailing ".o" is an extension; other dots belong to the name.
  EXPECT_EQ(Parse("init_once {lib/crc32.orig.o}").object, "lib/crc32.orig");
}

TEST(ParseQueryTest, AnnotationsWithoutSeparatingSpace) {
  Query q = Parse("init_once[foo][bar]{core.o}");
  EXPECT_EQ(q.name, "init_once");
  EXPECT_EQ(q.modules, (Modules{"bar", "foo"}));
  EXPECT_EQ(q.object, "core");
}

TEST(ParseQueryTest, KprobeModuleQualifier) {
  Query q = Parse("ext4:ext4_fill_super");
  EXPECT_EQ(q.name, "ext4_fill_super");
  EXPECT_EQ(q.modules, Modules{"ext4"});
  EXPECT_FALSE(q.offset.has_value());
}

TEST(ParseQueryTest, KprobeModuleQualifierWithOffset) {
  Query q = Parse("ext4:ext4_fill_super+0x10");
  EXPECT_EQ(q.name, "ext4_fill_super");
  EXPECT_EQ(q.modules, Modules{"ext4"});
  EXPECT_EQ(q.offset, 0x10u);
  EXPECT_FALSE(q.length.has_value());
}

TEST(ParseQueryTest, KprobeModuleMergesWithBracketModules) {
  EXPECT_EQ(Parse("jbd2:foo [ext4]").modules, (Modules{"ext4", "jbd2"}));
  EXPECT_EQ(Parse("ext4:foo [ext4]").modules, Modules{"ext4"});
}

TEST(ParseQueryTest, HexOffset) {
  EXPECT_EQ(Parse("init_once+0x12").offset, 0x12u);
  EXPECT_EQ(Parse("init_once+0x1C").offset, 0x1cu);
  EXPECT_EQ(Parse("init_once+0X1c").offset, 0x1cu);
  EXPECT_EQ(Parse("init_once+0x0").offset, 0u);
  EXPECT_EQ(Parse("init_once+0xffffffffffffffff").offset, 0xffffffffffffffffu);
  // Leading zeros after 0x do not overflow.
  EXPECT_EQ(Parse("init_once+0x00000000000000000001").offset, 1u);
}

TEST(ParseQueryTest, DecimalOffsetAsKprobeEventsAccepts) {
  EXPECT_EQ(Parse("init_once+16").offset, 16u);
  EXPECT_EQ(Parse("init_once+0").offset, 0u);
  EXPECT_EQ(Parse("init_once+18446744073709551615").offset,
            0xffffffffffffffffu);
}

TEST(ParseQueryTest, OffsetAndLengthAsStackTracesPrint) {
  Query q = Parse("init_once+0x12/0x40");
  EXPECT_EQ(q.name, "init_once");
  EXPECT_EQ(q.offset, 0x12u);
  EXPECT_EQ(q.length, 0x40u);
  // The kernel's %#lx prints a zero offset as 0x0.
  Query first = Parse("do_syscall_64+0x0/0x90");
  EXPECT_EQ(first.offset, 0u);
  EXPECT_EQ(first.length, 0x90u);
  EXPECT_EQ(Parse("init_once+18/64").length, 64u);
}

TEST(ParseQueryTest, OffsetEqualToLengthIsAccepted) {
  // scripts/faddr2line only drops candidates with off > size.
  Query q = Parse("init_once+0x40/0x40");
  EXPECT_EQ(q.offset, 0x40u);
  EXPECT_EQ(q.length, 0x40u);
}

TEST(ParseQueryTest, OffsetLengthWithQualifiers) {
  Query q = Parse("init_once+0x12/0x40 [foo] {bar.o}");
  EXPECT_EQ(q.name, "init_once");
  EXPECT_EQ(q.modules, Modules{"foo"});
  EXPECT_EQ(q.object, "bar");
  EXPECT_EQ(q.offset, 0x12u);
  EXPECT_EQ(q.length, 0x40u);
}

TEST(ParseQueryTest, StackTraceModuleFrame) {
  Query q = Parse("ext4_fill_super+0x1c/0x40 [ext4]");
  EXPECT_EQ(q.name, "ext4_fill_super");
  EXPECT_EQ(q.modules, Modules{"ext4"});
  EXPECT_EQ(q.offset, 0x1cu);
  EXPECT_EQ(q.length, 0x40u);
}

TEST(ParseQueryTest, StackTraceModuleFrameWithBuildId) {
  // CONFIG_STACKTRACE_BUILD_ID: " [%s %20phN]".
  Query q = Parse(
      "ext4_fill_super+0x1c/0x40 [ext4 "
      "8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]");
  EXPECT_EQ(q.name, "ext4_fill_super");
  EXPECT_EQ(q.modules, Modules{"ext4"});
  EXPECT_EQ(q.offset, 0x1cu);
  EXPECT_EQ(q.length, 0x40u);
}

TEST(ParseQueryTest, KprobeModuleWithOffsetLengthAndObject) {
  Query q = Parse("ext4:ext4_fill_super+0x1c/0x40 {fs/ext4/super.o}");
  EXPECT_EQ(q.modules, Modules{"ext4"});
  EXPECT_EQ(q.object, "fs/ext4/super");
  EXPECT_EQ(q.offset, 0x1cu);
  EXPECT_EQ(q.length, 0x40u);
}

TEST(ParseQueryTest, StartAddressSelectsOneOfSeveral) {
  Query q = Parse("init_once {fs/inode.o} @0xffffffff813704f0");
  EXPECT_EQ(q.name, "init_once");
  EXPECT_EQ(q.object, "fs/inode");
  EXPECT_EQ(q.address, 0xffffffff813704f0u);
  // Glued to the name, and after an offset.
  q = Parse("init_once@0xffffffff813704f0");
  EXPECT_EQ(q.name, "init_once");
  EXPECT_EQ(q.address, 0xffffffff813704f0u);
  q = Parse("ext4:init_once+0x12@0xFFFFFFFF813704F0 [jbd2]");
  EXPECT_EQ(q.offset, 0x12u);
  EXPECT_EQ(q.address, 0xffffffff813704f0u);
  EXPECT_EQ(q.modules, (Modules{"ext4", "jbd2"}));
}

// ---- Canonical form ----

TEST(QueryToStringTest, CanonicalForms) {
  EXPECT_EQ(Parse("init_once").ToString(), "init_once");
  EXPECT_EQ(Parse("init_once+0x12/0x40 [foo] {bar.o}").ToString(),
            "init_once+0x12/0x40 [foo] {bar.o}");
  EXPECT_EQ(Parse("ext4:ext4_fill_super+16").ToString(),
            "ext4_fill_super+0x10 [ext4]");
  EXPECT_EQ(Parse("lio\t[liquidio_vf] [liquidio]").ToString(),
            "lio [liquidio] [liquidio_vf]");
  EXPECT_EQ(Parse("amd_pmu_event_map {core}").ToString(),
            "amd_pmu_event_map {core.o}");
  EXPECT_EQ(Parse("f+0X1C/0X40").ToString(), "f+0x1c/0x40");
  EXPECT_EQ(Parse("f+0").ToString(), "f+0x0");
}

TEST(QueryToStringTest, RoundTrips) {
  const char* const kQueries[] = {
      "init_once",
      "test_msr\t[rapl]",
      "lio_ethtool_get_channels [liquidio_vf] [liquidio]",
      "cn23xx_vf_mbox_thread\t[liquidio] [liquidio_vf] {cn23xx_vf_device.o}",
      "amd_pmu_event_map {kernel/events/core}",
      "ext4:ext4_fill_super+16",
      "init_once+0x12/0x40 [foo] {bar.o}",
      "ext4_fill_super+0x1c/0x40 [ext4 "
      "8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]",
      "uni2char [nls_iso8859-1]",
      "f+0xffffffffffffffff",
      "init_once {fs/inode.o} @0xffffffff813704f0",
      "f+0x4@0x10 [m]",
  };
  for (const char* text : kQueries) {
    Query q = Parse(text);
    absl::StatusOr<Query> again = ParseQuery(q.ToString());
    ASSERT_TRUE(again.ok())
        << text << " -> " << q.ToString() << ": " << again.status();
    EXPECT_EQ(*again, q) << text << " -> " << q.ToString();
    EXPECT_EQ(again->ToString(), q.ToString());
  }
}

TEST(QueryTest, EqualityComparesEveryField) {
  const Query base = Parse("f+0x1/0x2 [m] {o}");
  EXPECT_EQ(base, Parse("f+1/2 [m] {o.o}"));
  EXPECT_NE(base, Parse("g+0x1/0x2 [m] {o}"));
  EXPECT_NE(base, Parse("f+0x1/0x2 [n] {o}"));
  EXPECT_NE(base, Parse("f+0x1/0x2 [m] {p}"));
  EXPECT_NE(base, Parse("f+0x3/0x3 [m] {o}"));
  EXPECT_NE(base, Parse("f+0x1/0x3 [m] {o}"));
  EXPECT_NE(base, Parse("f+0x1 [m] {o}"));
  EXPECT_NE(base, Parse("f+0x1/0x2 [m] {o} @0x10"));
}

// ---- Errors ----

TEST(ParseQueryErrorTest, Empty) {
  EXPECT_EQ(ErrorOf(""),
            "query \"\": empty, expected a symbol name like "
            "init_once");
  EXPECT_EQ(ErrorOf(" \t\n"),
            "query \"\": empty, expected a symbol name like "
            "init_once");
}

TEST(ParseQueryErrorTest, MissingCloseBracket) {
  EXPECT_EQ(ErrorOf("foo [bar"),
            "query \"foo [bar\": missing \"]\" after \"[bar\", expected "
            "[module]");
  EXPECT_EQ(ErrorOf("foo [a] [bar {x}"),
            "query \"foo [a] [bar {x}\": missing \"]\" after \"[bar {x}\", "
            "expected [module]");
}

TEST(ParseQueryErrorTest, MissingCloseBrace) {
  EXPECT_EQ(ErrorOf("foo {bar"),
            "query \"foo {bar\": missing \"}\" after \"{bar\", expected "
            "{object.o}");
}

TEST(ParseQueryErrorTest, EmptyName) {
  const std::string what =
      "empty symbol name, expected NAME, MOD:NAME or NAME+OFF like "
      "init_once+0x12";
  EXPECT_EQ(ErrorOf("[ext4]"), "query \"[ext4]\": " + what);
  EXPECT_EQ(ErrorOf("{core.o}"), "query \"{core.o}\": " + what);
  EXPECT_EQ(ErrorOf("+0x10"), "query \"+0x10\": " + what);
  EXPECT_EQ(ErrorOf("ext4:"), "query \"ext4:\": " + what);
  EXPECT_EQ(ErrorOf("ext4:+0x10 [ext4]"),
            "query \"ext4:+0x10 [ext4]\": " + what);
}

TEST(ParseQueryErrorTest, EmptyKprobeModule) {
  EXPECT_EQ(ErrorOf(":ext4_fill_super"),
            "query \":ext4_fill_super\": empty module before \":\", expected "
            "MOD:NAME like ext4:ext4_fill_super");
}

TEST(ParseQueryErrorTest, BadKprobeModule) {
  EXPECT_EQ(ErrorOf("ext4.ko:ext4_fill_super"),
            "query \"ext4.ko:ext4_fill_super\": bad module \"ext4.ko\" before "
            "\":\", expected a module name like ext4");
}

TEST(ParseQueryErrorTest, BadCharacterInName) {
  EXPECT_EQ(ErrorOf("a:b:c"),
            "query \"a:b:c\": bad symbol name \"b:c\", unexpected \":\"");
  EXPECT_EQ(ErrorOf("foo] [a]"),
            "query \"foo] [a]\": bad symbol name \"foo]\", unexpected \"]\"");
  EXPECT_EQ(ErrorOf("foo}"),
            "query \"foo}\": bad symbol name \"foo}\", unexpected \"}\"");
}

TEST(ParseQueryErrorTest, LengthWithoutOffset) {
  EXPECT_EQ(ErrorOf("init_once/0x40"),
            "query \"init_once/0x40\": length \"/0x40\" without offset, "
            "expected NAME+OFF/LEN like init_once+0x12/0x40");
  EXPECT_EQ(ErrorOf("init_once/0x40+0x12 [foo]"),
            "query \"init_once/0x40+0x12 [foo]\": length \"/0x40+0x12\" "
            "without offset, expected NAME+OFF/LEN like init_once+0x12/0x40");
}

TEST(ParseQueryErrorTest, BadOffset) {
  EXPECT_EQ(ErrorOf("foo+0xzz"),
            "query \"foo+0xzz\": bad offset \"0xzz\", expected hex like 0x1c "
            "or decimal");
  EXPECT_EQ(ErrorOf("foo+"),
            "query \"foo+\": bad offset \"\", expected hex like 0x1c or "
            "decimal");
  EXPECT_EQ(ErrorOf("foo+0x"),
            "query \"foo+0x\": bad offset \"0x\", expected hex like 0x1c or "
            "decimal");
  EXPECT_EQ(ErrorOf("foo+1c"),
            "query \"foo+1c\": bad offset \"1c\", expected hex like 0x1c or "
            "decimal");
  EXPECT_EQ(ErrorOf("foo+-4"),
            "query \"foo+-4\": bad offset \"-4\", expected hex like 0x1c or "
            "decimal");
  EXPECT_EQ(ErrorOf("foo+0x1+0x2"),
            "query \"foo+0x1+0x2\": bad offset \"0x1+0x2\", expected hex like "
            "0x1c or decimal");
  EXPECT_EQ(ErrorOf("foo+/0x40"),
            "query \"foo+/0x40\": bad offset \"\", expected hex like 0x1c or "
            "decimal");
}

TEST(ParseQueryErrorTest, LeadingZeroDecimalIsRefused) {
  EXPECT_EQ(ErrorOf("foo+010"),
            "query \"foo+010\": bad offset \"010\", expected hex like 0x1c or "
            "decimal without a leading 0 (kprobe_events reads it as octal)");
  EXPECT_EQ(ErrorOf("foo+0x10/040"),
            "query \"foo+0x10/040\": bad length \"040\", expected hex like "
            "0x40 or decimal without a leading 0 (kprobe_events reads it as "
            "octal)");
}

TEST(ParseQueryErrorTest, OffsetOverflow) {
  EXPECT_EQ(ErrorOf("foo+0x10000000000000000"),
            "query \"foo+0x10000000000000000\": bad offset "
            "\"0x10000000000000000\", expected a value below 2^64");
  EXPECT_EQ(ErrorOf("foo+18446744073709551616"),
            "query \"foo+18446744073709551616\": bad offset "
            "\"18446744073709551616\", expected a value below 2^64");
  EXPECT_EQ(ErrorOf("foo+0x1/0x10000000000000000"),
            "query \"foo+0x1/0x10000000000000000\": bad length "
            "\"0x10000000000000000\", expected a value below 2^64");
}

TEST(ParseQueryErrorTest, BadLength) {
  EXPECT_EQ(ErrorOf("foo+0x12/"),
            "query \"foo+0x12/\": bad length \"\", expected hex like 0x40 or "
            "decimal");
  EXPECT_EQ(ErrorOf("foo+0x12/0xzz"),
            "query \"foo+0x12/0xzz\": bad length \"0xzz\", expected hex like "
            "0x40 or decimal");
  EXPECT_EQ(ErrorOf("foo+0x12/0x40/0x40"),
            "query \"foo+0x12/0x40/0x40\": bad length \"0x40/0x40\", expected "
            "hex like 0x40 or decimal");
}

TEST(ParseQueryErrorTest, ZeroLength) {
  EXPECT_EQ(ErrorOf("foo+0x0/0x0"),
            "query \"foo+0x0/0x0\": bad length \"0x0\", expected a nonzero "
            "symbol size like 0x40");
  EXPECT_EQ(ErrorOf("foo+0/0"),
            "query \"foo+0/0\": bad length \"0\", expected a nonzero symbol "
            "size like 0x40");
}

TEST(ParseQueryErrorTest, OffsetPastLength) {
  EXPECT_EQ(ErrorOf("init_once+0x41/0x40"),
            "query \"init_once+0x41/0x40\": offset \"0x41\" is past length "
            "\"0x40\", expected OFF <= LEN");
}

TEST(ParseQueryErrorTest, TrailingGarbage) {
  EXPECT_EQ(ErrorOf("foo bar"),
            "query \"foo bar\": unexpected \"bar\", expected [module] or "
            "{object.o}");
  EXPECT_EQ(ErrorOf("foo [a] x y"),
            "query \"foo [a] x y\": unexpected \"x\", expected [module] or "
            "{object.o}");
  EXPECT_EQ(ErrorOf("foo [a]x"),
            "query \"foo [a]x\": unexpected \"x\", expected [module] or "
            "{object.o}");
  // perf script's frame form is not a query.
  EXPECT_EQ(ErrorOf("__handle_mm_fault+0x59 ([kernel.kallsyms])"),
            "query \"__handle_mm_fault+0x59 ([kernel.kallsyms])\": unexpected "
            "\"([kernel.kallsyms])\", expected [module] or {object.o}");
  // A pasted /proc/kallsyms line starts with the address.
  // (its tab, like every control byte, echoed escaped)
  EXPECT_EQ(ErrorOf("ffffffff97606f80 t test_msr\t[rapl]"),
            "query \"ffffffff97606f80 t test_msr\\x09[rapl]\": unexpected "
            "\"t\", expected [module] or {object.o}");
}

// A query is untrusted input: the message quoting it cannot drive a
// terminal, and stays short whatever the query's length.
TEST(ParseQueryErrorTest, EchoedQueryIsEscapedAndBounded) {
  EXPECT_EQ(ErrorOf("x\x1b]0;pwned\x07 y"),
            "query \"x\\x1b]0;pwned\\x07 y\": bad symbol name "
            "\"x\\x1b]0;pwned\\x07\", unexpected \"]\"");
  EXPECT_EQ(ErrorOf("foo \xff\xfe"),
            "query \"foo \\xff\\xfe\": unexpected \"\\xff\\xfe\", expected "
            "[module] or {object.o}");
  const std::string huge = "foo " + std::string(1 << 20, 'x');
  const std::string message = ErrorOf(huge);
  EXPECT_LT(message.size(), 1000u);
  EXPECT_NE(message.find("... (1048580 bytes)"), std::string::npos) << message;
}

TEST(ParseQueryErrorTest, BadAddress) {
  EXPECT_EQ(ErrorOf("f @ffffffff81000000"),
            "query \"f @ffffffff81000000\": bad address \"@ffffffff81000000\", "
            "expected @0xADDR like @0xffffffff81000000");
  EXPECT_EQ(ErrorOf("f@"),
            "query \"f@\": bad address \"@\", expected @0xADDR like "
            "@0xffffffff81000000");
  EXPECT_EQ(ErrorOf("f @0x1 @0x2"),
            "query \"f @0x1 @0x2\": second address \"@0x2\", expected at most "
            "one @0xADDR");
  EXPECT_EQ(ErrorOf("f @0x10000000000000000"),
            "query \"f @0x10000000000000000\": bad address "
            "\"@0x10000000000000000\", expected @0xADDR like "
            "@0xffffffff81000000");
}

TEST(ParseQueryErrorTest, DuplicateObject) {
  EXPECT_EQ(ErrorOf("foo {a.o} {b.o}"),
            "query \"foo {a.o} {b.o}\": second object \"{b.o}\", expected at "
            "most one {object.o}");
  EXPECT_EQ(ErrorOf("foo {a} [m] {a}"),
            "query \"foo {a} [m] {a}\": second object \"{a}\", expected at "
            "most one {object.o}");
}

TEST(ParseQueryErrorTest, EmptyModule) {
  EXPECT_EQ(ErrorOf("foo []"),
            "query \"foo []\": empty module \"[]\", expected [module] like "
            "[ext4]");
}

TEST(ParseQueryErrorTest, EmptyObject) {
  EXPECT_EQ(ErrorOf("foo {}"),
            "query \"foo {}\": empty object \"{}\", expected {object.o} like "
            "{core.o}");
  EXPECT_EQ(ErrorOf("foo {.o}"),
            "query \"foo {.o}\": empty object \"{.o}\", expected {object.o} "
            "like {core.o}");
}

TEST(ParseQueryErrorTest, BadModule) {
  const std::string expected =
      "expected [module] like [ext4] or [module BUILDID] with 40 hex digits";
  EXPECT_EQ(ErrorOf("foo [ext4.ko]"),
            "query \"foo [ext4.ko]\": bad module \"[ext4.ko]\", " + expected);
  EXPECT_EQ(ErrorOf("foo [ ext4]"),
            "query \"foo [ ext4]\": bad module \"[ ext4]\", " + expected);
  EXPECT_EQ(
      ErrorOf("foo [ext4 0123]"),
      "query \"foo [ext4 0123]\": bad module \"[ext4 0123]\", " + expected);
  EXPECT_EQ(
      ErrorOf("foo [ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7fz]"),
      "query \"foo [ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7fz]\": bad "
      "module \"[ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7fz]\", " +
          expected);
  EXPECT_EQ(ErrorOf("foo [a[b]"),
            "query \"foo [a[b]\": bad module \"[a[b]\", " + expected);
}

TEST(ParseQueryErrorTest, BadObject) {
  const std::string expected = "expected a path suffix like {sched/core.o}";
  EXPECT_EQ(ErrorOf("foo {/core.o}"),
            "query \"foo {/core.o}\": bad object \"{/core.o}\", " + expected);
  EXPECT_EQ(ErrorOf("foo {sched/}"),
            "query \"foo {sched/}\": bad object \"{sched/}\", " + expected);
  EXPECT_EQ(
      ErrorOf("foo {kernel//core.o}"),
      "query \"foo {kernel//core.o}\": bad object \"{kernel//core.o}\", " +
          expected);
  EXPECT_EQ(ErrorOf("foo {core .o}"),
            "query \"foo {core .o}\": bad object \"{core .o}\", " + expected);
  EXPECT_EQ(ErrorOf("foo {a{b}"),
            "query \"foo {a{b}\": bad object \"{a{b}\", " + expected);
}

// ---- Object suffix matching ----

TEST(ObjectSuffixMatchesTest, OneComponent) {
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core.o", "core"));
  EXPECT_TRUE(ObjectSuffixMatches("core.o", "core"));
  EXPECT_FALSE(ObjectSuffixMatches("score.o", "core"));
  EXPECT_FALSE(ObjectSuffixMatches("kernel/sched/score.o", "core"));
  EXPECT_FALSE(ObjectSuffixMatches("kernel/sched/core2.o", "core"));
}

TEST(ObjectSuffixMatchesTest, SeveralComponents) {
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core.o", "sched/core"));
  EXPECT_FALSE(ObjectSuffixMatches("kernel/xsched/core.o", "sched/core"));
  EXPECT_FALSE(ObjectSuffixMatches("core.o", "sched/core"));
  EXPECT_TRUE(
      ObjectSuffixMatches("kernel/sched/core.o", "kernel/sched/core.o"));
  EXPECT_FALSE(
      ObjectSuffixMatches("kernel/sched/core.o", "arch/kernel/sched/core.o"));
}

TEST(ObjectSuffixMatchesTest, DotOIsOptionalOnBothSides) {
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core.o", "core.o"));
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core", "core.o"));
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core", "sched/core"));
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core", "kernel/sched/core.o"));
  // ".o" is only an extension at the very end.
  EXPECT_FALSE(ObjectSuffixMatches("kernel/sched/core.o", "core.o.o"));
  EXPECT_FALSE(ObjectSuffixMatches("lib/crc32.orig.o", "crc32"));
}

TEST(ObjectSuffixMatchesTest, EmptySuffixIsUnconstrained) {
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core.o", ""));
  EXPECT_TRUE(ObjectSuffixMatches("", ""));
}

TEST(ObjectSuffixMatchesTest, ParsedObjectMatches) {
  EXPECT_TRUE(ObjectSuffixMatches("kernel/sched/core.o",
                                  Parse("f {sched/core.o}").object));
  EXPECT_FALSE(ObjectSuffixMatches("kernel/xsched/core.o",
                                   Parse("f {sched/core.o}").object));
}

}  // namespace
}  // namespace ksym
