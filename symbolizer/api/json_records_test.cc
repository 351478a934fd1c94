#include "symbolizer/api/json_records.h"

#include "gtest/gtest.h"
#include "symbolizer/attribution/builtin_inference.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using ::ksym::testutil::MakeSymbol;
using ::ksym::testutil::SymbolizerFromCatalog;

std::unique_ptr<Symbolizer> Sample() {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "init_once", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  // 0x100 after init_once: its kernel length (%pS) is 0x100, its size 0x40.
  c.symbols.push_back(MakeSymbol(0xffffffff81000400, "after", 't', 0x10, true));
  const uint32_t inode = c.InternObject("fs/inode.o");
  c.objects[inode].annotation = "inode.o";
  c.symbols[2].object = inode;
  c.symbols[2].module_set = c.InternModuleSet({"rapl"});
  return SymbolizerFromCatalog(std::move(c));
}

TEST(LookupJsonTest, InferredModuleNamesItsRule) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_stext", 'T'));
  c.symbols.push_back(
      MakeSymbol(0xffffffff81000300, "init_once", 't', 0x40, true));
  const uint32_t inode = c.InternObject("fs/inode.o");
  c.objects[inode].module_rule = static_cast<uint8_t>(InferenceRule::kInitcall);
  c.symbols[1].object = inode;
  c.symbols[1].module_set = c.InternModuleSet({"rapl"});
  auto s = SymbolizerFromCatalog(std::move(c));
  LookupResult r = s->Lookup(0xffffffff81000312);
  ASSERT_TRUE(r.found);
  EXPECT_NE(LookupJson(*s, 0xffffffff81000312, r.symbol, r.offset)
                .find("\"modules\":[\"rapl\"],\"modules_inferred\":\"initcall\","),
            std::string::npos);
}

TEST(LookupJsonTest, EveryFieldInOrder) {
  auto s = Sample();
  LookupResult r = s->Lookup(0xffffffff81000312);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(LookupJson(*s, 0xffffffff81000312, r.symbol, r.offset),
            "{\"address\":\"0xffffffff81000312\",\"found\":true,"
            "\"name\":\"init_once\","
            "\"qualified\":\"init_once [rapl] {inode.o}\","
            "\"start\":\"0xffffffff81000300\",\"size\":64,"
            "\"size_exact\":true,\"kernel_length\":256,"
            "\"type\":\"t\",\"modules\":[\"rapl\"],"
            "\"modules_inferred\":null,\"object\":\"fs/inode.o\",\"annotation\":\"inode.o\","
            "\"unique\":true,\"candidates\":1,"
            // A runtime index with KASLR offset 0: the vmlinux start.
            "\"static_start\":\"0xffffffff81000300\","
            "\"offset\":18}");
}

TEST(LookupJsonTest, NoObjectIsNull) {
  auto s = Sample();
  LookupResult r = s->Lookup(0xffffffff81000200);
  const std::string j = LookupJson(*s, 0xffffffff81000200, r.symbol, r.offset);
  EXPECT_NE(j.find("\"modules\":[],\"modules_inferred\":null,\"object\":null,"
                   "\"annotation\":null"),
            std::string::npos)
      << j;
}

TEST(LookupJsonTest, SaysWhenTheNameIsNotUnique) {
  Catalog c;
  c.symbols.push_back(MakeSymbol(0xffffffff81000200, "dup", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(0xffffffff81000300, "dup", 't', 0x40, true));
  auto s = SymbolizerFromCatalog(std::move(c));
  LookupResult r = s->Lookup(0xffffffff81000304);
  const std::string j = LookupJson(*s, 0xffffffff81000304, r.symbol, r.offset);
  EXPECT_NE(j.find("\"annotation\":null,\"unique\":false,\"candidates\":2,"
                   "\"select\":\"dup @0xffffffff81000300\","),
            std::string::npos)
      << j;
}

TEST(NotFoundJsonTest, CarriesTheReason) {
  EXPECT_EQ(NotFoundJson(1, NotFoundReason::kBelowFirstSymbol),
            "{\"address\":\"0x1\",\"found\":false,"
            "\"reason\":\"below the lowest symbol address\"}");
  EXPECT_EQ(NotFoundJson(0x7f0012345678, NotFoundReason::kNotKernelAddress),
            "{\"address\":\"0x7f0012345678\",\"found\":false,"
            "\"reason\":\"not a kernel address: below the kernel text\"}");
}

TEST(ResolveJsonTest, CandidatesWithTarget) {
  auto s = Sample();
  absl::StatusOr<std::vector<Candidate>> c = s->Resolve("init_once+0x4");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 2u);
  const std::string j = ResolveJson(*s, "init_once+0x4", *c);
  EXPECT_EQ(j.rfind("{\"query\":\"init_once+0x4\",\"candidates\":[{\"name\":"
                    "\"init_once\",\"qualified\":\"init_once\",",
                    0),
            0u)
      << j;
  EXPECT_NE(j.find("\"target\":\"0xffffffff81000204\"}"), std::string::npos);
  EXPECT_NE(j.find("\"target\":\"0xffffffff81000304\"}]}"), std::string::npos);
}

TEST(ResolveJsonTest, NoCandidates) {
  auto s = Sample();
  EXPECT_EQ(ResolveJson(*s, "nothing", {}),
            "{\"query\":\"nothing\",\"candidates\":[]}");
}

}  // namespace
}  // namespace ksym
