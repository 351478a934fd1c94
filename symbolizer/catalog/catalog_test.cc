#include "symbolizer/catalog/catalog.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

Symbol Sym(uint64_t address, const char* name, uint64_t size = 0,
           bool exact = false) {
  Symbol s;
  s.address = address;
  s.name = name;
  s.size = size;
  s.size_exact = exact;
  s.type = 't';
  return s;
}

TEST(CatalogTest, EmptyModuleSetIsIdZero) {
  Catalog catalog;
  EXPECT_EQ(catalog.InternModuleSet({}), kNoModules);
  ASSERT_EQ(catalog.module_sets.size(), 1u);
  EXPECT_TRUE(catalog.module_sets[0].empty());
}

TEST(CatalogTest, ModuleSetsAreSortedAndDeduplicated) {
  Catalog catalog;
  uint32_t a = catalog.InternModuleSet({"liquidio_vf", "liquidio", "liquidio"});
  uint32_t b = catalog.InternModuleSet({"liquidio", "liquidio_vf"});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, kNoModules);
  EXPECT_EQ(catalog.module_sets[a],
            (std::vector<std::string>{"liquidio", "liquidio_vf"}));
  EXPECT_NE(catalog.InternModuleSet({"liquidio"}), a);
}

TEST(CatalogTest, ObjectsAreInterned) {
  Catalog catalog;
  uint32_t a = catalog.InternObject("kernel/sched/core.o");
  uint32_t b = catalog.InternObject("fs/ext4/super.o");
  EXPECT_NE(a, b);
  EXPECT_EQ(catalog.InternObject("kernel/sched/core.o"), a);
  EXPECT_EQ(catalog.objects[b].path, "fs/ext4/super.o");
}

TEST(CatalogTest, FinalizeSortsAndInfersSizesFromNextAddress) {
  Catalog catalog;
  catalog.symbols = {Sym(0x300, "c"), Sym(0x100, "a"), Sym(0x100, "_alias"),
                     Sym(0x180, "b", 0x10, true)};
  catalog.FinalizeSizes();
  ASSERT_EQ(catalog.symbols.size(), 4u);
  EXPECT_EQ(catalog.symbols[0].name, "_alias");
  EXPECT_EQ(catalog.symbols[1].name, "a");
  // Aliases share the distance to the next higher address.
  EXPECT_EQ(catalog.symbols[0].size, 0x80u);
  EXPECT_EQ(catalog.symbols[1].size, 0x80u);
  EXPECT_FALSE(catalog.symbols[1].size_exact);
  // Exact sizes are kept.
  EXPECT_EQ(catalog.symbols[2].size, 0x10u);
  EXPECT_TRUE(catalog.symbols[2].size_exact);
  // Nothing follows the last symbol.
  EXPECT_EQ(catalog.symbols[3].size, 0u);
}

TEST(CatalogTest, SizelessAliasTakesItsSizedAliasSize) {
  Catalog catalog;
  catalog.symbols = {Sym(0x100, "arch_ftrace_ops_list_func", 0x1cb, true),
                     Sym(0x100, "ftrace_ops_list_func"), Sym(0x2d0, "next")};
  catalog.FinalizeSizes();
  EXPECT_EQ(catalog.symbols[1].name, "ftrace_ops_list_func");
  EXPECT_EQ(catalog.symbols[1].size, 0x1cbu);
  EXPECT_TRUE(catalog.symbols[1].size_exact);
}

}  // namespace
}  // namespace ksym
