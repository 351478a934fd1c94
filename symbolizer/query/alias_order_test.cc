#include "symbolizer/query/alias_order.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

using TypedName = std::pair<char, std::string>;

std::vector<std::string> Sorted(std::vector<TypedName> group) {
  std::sort(group.begin(), group.end(), [](const TypedName& a, const TypedName& b) {
    return AliasOrderLess(a.first, a.second, b.first, b.second);
  });
  std::vector<std::string> names;
  for (const TypedName& t : group) names.push_back(t.second);
  return names;
}

TEST(AliasOrderTest, LinkerScriptProvideNames) {
  EXPECT_TRUE(MayBeLinkerScriptProvided("__start_mcount_loc"));
  EXPECT_TRUE(MayBeLinkerScriptProvided("__stop___ksymtab"));
  EXPECT_TRUE(MayBeLinkerScriptProvided("__end_of_kernel_reserve"));
  EXPECT_TRUE(MayBeLinkerScriptProvided("__bss_start"));
  EXPECT_TRUE(MayBeLinkerScriptProvided("__init_end"));
  // Shorter than 8 bytes, or not starting with two underscores.
  EXPECT_FALSE(MayBeLinkerScriptProvided("__x_end"));
  EXPECT_FALSE(MayBeLinkerScriptProvided("_sinittext"));
  EXPECT_FALSE(MayBeLinkerScriptProvided("init_end"));
  EXPECT_FALSE(MayBeLinkerScriptProvided("__do_sys_vfork"));
  EXPECT_FALSE(MayBeLinkerScriptProvided("__startup_64"));  // "startu", not "start_"
}

// The groups as /proc/kallsyms of a 6.18 x86-64 kernel and the Debian 6.1
// System.map list them (kallsyms order is the first-listed alias first).
TEST(AliasOrderTest, KernelOrderOfRealGroups) {
  EXPECT_EQ(Sorted({{'T', "__x64_sys_vfork"},
                    {'T', "__ia32_sys_vfork"},
                    {'t', "__do_sys_vfork"}}),
            (std::vector<std::string>{"__do_sys_vfork", "__ia32_sys_vfork",
                                      "__x64_sys_vfork"}));
  EXPECT_EQ(Sorted({{'T', "_text"}, {'T', "_stext"}, {'T', "srso_alias_untrain_ret"}}),
            (std::vector<std::string>{"srso_alias_untrain_ret", "_stext", "_text"}));
  // Non-weak first even with more underscores; linker-script names last
  // among the non-weak.
  EXPECT_EQ(Sorted({{'W', "arch_fn"}, {'D', "__start_foo"}, {'t', "__real_fn"}}),
            (std::vector<std::string>{"__real_fn", "__start_foo", "arch_fn"}));
  // Binding and length do not matter (perf's rule would pick the global,
  // longer name).
  EXPECT_EQ(Sorted({{'T', "abcdef_long_global"}, {'t', "abc"}}),
            (std::vector<std::string>{"abc", "abcdef_long_global"}));
}

TEST(AliasOrderTest, AbsoluteSymbolsComeLast) {
  // System.map of Debian 6.1 at ffffffff8301a000.
  EXPECT_EQ(Sorted({{'D', "__init_begin"},
                    {'D', "__per_cpu_load"},
                    {'A', "init_per_cpu__fixed_percpu_data"}}),
            (std::vector<std::string>{"__init_begin", "__per_cpu_load",
                                      "init_per_cpu__fixed_percpu_data"}));
  EXPECT_TRUE(AliasOrderLess('W', "__weak", 'a', "abs"));
}

TEST(AliasOrderTest, WeakMeansOnlyWw) {
  // v/V (weak objects) are not weak for scripts/kallsyms.
  EXPECT_TRUE(AliasOrderLess('V', "a_obj", 'T', "b_fn"));
  EXPECT_TRUE(AliasOrderLess('T', "b_fn", 'w', "a_fn"));
}

TEST(AliasOrderTest, NameBytesBreakTies) {
  EXPECT_TRUE(AliasOrderLess('t', "Zeta", 't', "alpha"));  // 'Z' < 'a'
  EXPECT_FALSE(AliasOrderLess('t', "same", 'T', "same"));
  EXPECT_FALSE(AliasOrderLess('T', "same", 't', "same"));
  // Bytes compare unsigned, as strcmp does.
  EXPECT_TRUE(AliasOrderLess('t', "a", 't', "a\xc3\xa9"));
  EXPECT_TRUE(AliasOrderLess('t', "a\x7f", 't', "a\xc3"));
}

// A real /proc/kallsyms lists each alias group in kallsyms order; sorting
// the group from its reverse order must give the file's order back.
TEST(AliasOrderTest, RealKallsymsGroupsComeOutInTheFilesOrder) {
  constexpr char kData[] =
      "testdata/alias_order/kallsyms-6.18-x86_64-alias-groups.txt";
  absl::StatusOr<std::string> text = ReadFileToString(kData);
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<KallsymsEntry>> e = ParseKallsyms(*text, kData);
  ASSERT_TRUE(e.ok()) << e.status();
  size_t groups = 0, pairs_by_name = 0;
  for (size_t i = 0; i < e->size();) {
    size_t j = i;
    std::vector<TypedName> group;
    for (; j < e->size() && (*e)[j].address == (*e)[i].address; ++j) {
      group.push_back({(*e)[j].type, (*e)[j].name});
    }
    i = j;
    ASSERT_GE(group.size(), 2u);
    std::vector<std::string> want;
    for (const TypedName& t : group) want.push_back(t.second);
    for (size_t k = 1; k < group.size(); ++k) {
      pairs_by_name += AliasRank(group[k - 1].first, group[k - 1].second) ==
                       AliasRank(group[k].first, group[k].second);
    }
    std::reverse(group.begin(), group.end());
    EXPECT_EQ(Sorted(group), want);
    ++groups;
  }
  EXPECT_GT(groups, 100u);
  EXPECT_GT(pairs_by_name, 0u);  // the name-order tie-break is exercised
}

}  // namespace
}  // namespace ksym
