#include "symbolizer/builder/loadable_modules.h"
#include "symbolizer/testing/index_testing.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ksym {
namespace {

using testutil::Entry;

TEST(LoadableModulesTest, TakeKeepsTheOrderOnBothSides) {
  std::vector<KallsymsEntry> v = {
      Entry(1, 'T', "a"), Entry(2, 't', "m1", "ext4"), Entry(3, 'T', "b"),
      Entry(4, 'd', "m2", "btrfs"), Entry(5, 't', "m3", "ext4")};
  std::vector<KallsymsEntry> mods = TakeLoadableModuleEntries(v);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].name, "a");
  EXPECT_EQ(v[1].name, "b");
  ASSERT_EQ(mods.size(), 3u);
  EXPECT_EQ(mods[0].name, "m1");
  EXPECT_EQ(mods[1].name, "m2");
  EXPECT_EQ(mods[2].name, "m3");
}

TEST(LoadableModulesTest, EachModuleIsOneLoadableSet) {
  Catalog c;
  BuildLog log;
  AddLoadableModules({Entry(0xffffffffc0001000, 't', "f", "ext4"),
                      Entry(0xffffffffc0002000, 'd', "g", "ext4"),
                      Entry(0xffffffffc0101000, 't', "f", "btrfs")},
                     "kallsyms", c, log);
  ASSERT_EQ(c.symbols.size(), 3u);
  EXPECT_EQ(c.symbols[0].module_set, c.symbols[1].module_set);
  EXPECT_NE(c.symbols[0].module_set, c.symbols[2].module_set);
  EXPECT_EQ(c.module_sets[c.symbols[2].module_set],
            std::vector<std::string>{"btrfs"});
  EXPECT_TRUE(c.loadable_module_sets.contains(c.symbols[0].module_set));
  EXPECT_TRUE(c.loadable_module_sets.contains(c.symbols[2].module_set));
  ASSERT_EQ(log.notes.size(), 1u);
  EXPECT_EQ(log.notes[0], "3 loadable-module symbols from kallsyms");
}

TEST(LoadableModulesTest, CoreEntriesGetNoModuleSet) {
  Catalog c;
  std::vector<KallsymsEntry> v = {Entry(0xffffffff81000000, 'T', "_text")};
  AddKallsymsEntries(v, c);
  ASSERT_EQ(c.symbols.size(), 1u);
  EXPECT_EQ(c.symbols[0].module_set, kNoModules);
  EXPECT_TRUE(c.loadable_module_sets.empty());
}

}  // namespace
}  // namespace ksym
