// Data symbols get unique names on a real distribution kernel, by the rule
// text symbols follow (catalog.h NameKind), without changing a single text
// line: the Debian 6.1 cloud kernel's vmlinux, System.map and
// modules.builtin* (tools/fetch-debian-kernel.sh):
//
//   KSYM_DEBIAN_KERNEL=$(tools/fetch-debian-kernel.sh) bazel test \
//     --test_env=KSYM_DEBIAN_KERNEL //symbolizer/builder:debian_data_names_test
//
// Properties that hold for any kernel; no count of one package version.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/testing/debian_kernel.h"

namespace ksym {
namespace {

using ::ksym::testutil::DebianKernel;

class DebianDataNamesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<DebianKernel> k = testutil::FindDebianKernel(
        "//symbolizer/builder:debian_data_names_test");
    ASSERT_TRUE(k.ok()) << k.status().message();
    BuildInputs in;
    in.vmlinux_path = k->vmlinux;
    in.system_map_path = k->system_map;
    in.modules_dir = k->modules_dir;
    in.lines = false;  // names only
    absl::StatusOr<BuildOutput> out = BuildCatalog(in);
    ASSERT_TRUE(out.ok()) << out.status();
    out_ = new BuildOutput(*std::move(out));
    const DisambiguationReport& r = out_->report;
    std::cout << "data: " << r.data.duplicate_names_before
              << " duplicate names, " << r.data.annotated_objects
              << " objects annotated for data\n";
    absl::StatusOr<std::string> bytes = SerializeIndex(out_->catalog);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    absl::StatusOr<std::unique_ptr<IndexReader>> reader =
        IndexReader::FromBuffer(*std::move(bytes), k->vmlinux,
                                {.verify_checksums = true});
    ASSERT_TRUE(reader.ok()) << reader.status();
    symbolizer_ = new Symbolizer(*std::move(reader));
  }
  void SetUp() override {
    ASSERT_NE(symbolizer_, nullptr) << "the index was not built";
  }

  static BuildOutput* out_;
  static Symbolizer* symbolizer_;
};
BuildOutput* DebianDataNamesTest::out_;
Symbolizer* DebianDataNamesTest::symbolizer_;

// Every data name is unique among data symbols, or reported as ambiguous
// with a reason; a data symbol with an object is never left ambiguous for
// want of an annotation (only missing objects or one shared object keep
// two apart no more).
TEST_F(DebianDataNamesTest, DataNamesAreUniqueOrReportedWithAReason) {
  const Catalog& c = out_->catalog;
  absl::flat_hash_map<std::string, std::vector<const Symbol*>> by_name;
  size_t data = 0;
  for (const Symbol& s : c.symbols) {
    if (NameKindOf(s.type) != NameKind::kData) continue;
    ++data;
    by_name[QualifiedName(c, s)].push_back(&s);
  }
  ASSERT_GT(data, 0u);
  absl::flat_hash_map<std::string, const AmbiguousName*> reported;
  for (const AmbiguousName& a : out_->report.ambiguous) {
    if (a.kind != NameKind::kData) continue;
    EXPECT_GE(a.addresses.size(), 2u) << a.qualified;
    EXPECT_FALSE(a.reason.empty()) << a.qualified;
    reported[a.qualified] = &a;
  }
  size_t repeated = 0;
  for (const auto& [name, symbols] : by_name) {
    if (symbols.size() == 1) continue;
    ++repeated;
    auto it = reported.find(name);
    ASSERT_NE(it, reported.end()) << name << " is shared but not reported";
    EXPECT_EQ(it->second->addresses.size(), symbols.size()) << name;
    // Objects, where known, are shared: distinct objects would have been
    // annotated apart.
    absl::flat_hash_set<uint32_t> objects;
    bool unattributed = false;
    for (const Symbol* s : symbols) {
      if (s->object == kNoObject) {
        unattributed = true;
      } else {
        objects.insert(s->object);
      }
    }
    EXPECT_TRUE(unattributed || objects.size() == 1)
        << name << ": " << objects.size() << " objects left unannotated";
  }
  EXPECT_EQ(repeated, reported.size());
  // Real kernels repeat data names (__key.N, __func__.N): work was done.
  EXPECT_GT(out_->report.data.duplicate_names_before, 0u);
  EXPECT_GT(out_->report.data.annotated_objects, 0u);
}

// Data annotations never change a text line: every text symbol's
// kallmodsyms suffix is the same with the data annotations dropped.
TEST_F(DebianDataNamesTest, TextLinesDoNotDependOnDataAnnotations) {
  Catalog without = out_->catalog;
  size_t data_annotated = 0;
  for (ObjectFile& o : without.objects) {
    data_annotated += !o.data_annotation.empty();
    o.data_annotation.clear();
  }
  ASSERT_GT(data_annotated, 0u);
  const Catalog& c = out_->catalog;
  for (size_t i = 0; i < c.symbols.size(); ++i) {
    if (!IsTextType(c.symbols[i].type)) continue;
    ASSERT_EQ(KallmodsymsSuffix(c, c.symbols[i]),
              KallmodsymsSuffix(without, without.symbols[i]))
        << c.symbols[i].name;
  }
}

// Through the written index: every data symbol's printed name (or, where
// it is marked ambiguous, its selecting query) resolves back to it alone,
// and the annotation it prints is a suffix of its object's path.
TEST_F(DebianDataNamesTest, EveryDataNameResolvesBackToItsSymbol) {
  const Symbolizer& s = *symbolizer_;
  const IndexReader& r = s.index();
  size_t annotated = 0, checked = 0;
  for (uint32_t i = 0; i < r.symbol_count(); ++i) {
    const SymbolInfo sym = s.Symbol(i);
    if (NameKindOf(sym.type) != NameKind::kData) continue;
    const absl::string_view obj = s.DisplayObject(sym);
    if (!obj.empty()) {
      ++annotated;
      EXPECT_TRUE(absl::EndsWith(r.ObjectPath(sym.object), obj))
          << sym.name() << " {" << obj << "}";
    }
    // A sample keeps the test quick: every 7th data symbol and every
    // annotated one.
    if (obj.empty() && i % 7 != 0) continue;
    ++checked;
    const std::string query = s.SelectingQuery(sym);
    std::vector<Candidate> ambiguous;
    absl::StatusOr<Candidate> got = s.ResolveUnique(query, &ambiguous);
    ASSERT_TRUE(got.ok()) << query << ": " << got.status();
    EXPECT_EQ(got->symbol.index, i) << query;
  }
  EXPECT_GT(annotated, 0u);
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace ksym
