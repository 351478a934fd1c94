#include "symbolizer/api/build_index.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace {

std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

// /proc/kallsyms lines, with one name that stays ambiguous.
std::string WriteKallsyms(const std::string& name) {
  const std::string path = absl::StrCat(TempDir(), "/", name);
  std::ofstream(path) << "ffffffff81000000 T _stext\n"
                         "ffffffff81000100 t type_show\n"
                         "ffffffff81000200 t type_show\n"
                         "ffffffff81000300 T schedule\n"
                         "ffffffff81000400 T _etext\n";
  return path;
}

TEST(BuildIndexFileTest, WritesAnIndexIntoNewDirectories) {
  BuildInputs in;
  in.kallsyms_path = WriteKallsyms("k1");
  const std::string path = absl::StrCat(TempDir(), "/a/b/k.ksym");
  int progress_calls = 0;
  absl::StatusOr<BuiltIndex> b = BuildIndexFile(
      in, path, [&](uint64_t, uint64_t, absl::string_view) { ++progress_calls; });
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->path, path);
  EXPECT_GT(progress_calls, 0);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), b->file_size);
  auto s = Symbolizer::Open(path);
  ASSERT_TRUE(s.ok()) << s.status();
  LookupResult r = (*s)->Lookup(0xffffffff81000310);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.symbol.name(), "schedule");
}

TEST(BuildIndexFileTest, SummarySaysWhereAndWhatStaysAmbiguous) {
  BuildInputs in;
  in.kallsyms_path = WriteKallsyms("k2");
  const std::string path = absl::StrCat(TempDir(), "/k2.ksym");
  absl::StatusOr<BuiltIndex> b = BuildIndexFile(in, path);
  ASSERT_TRUE(b.ok()) << b.status();
  std::vector<std::string> lines = BuildSummary(*b);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind(absl::StrCat("wrote ", path, ": 5 symbols, "), 0),
            0u)
      << lines[0];
  const std::string all = absl::StrJoin(lines, "\n");
  EXPECT_NE(all.find("duplicate text names: 1; after module sets: 1; "
                     "duplicate data names: 0; after module sets: 0; "
                     "still ambiguous: 1"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("  ambiguous: type_show (2 symbols): "), std::string::npos)
      << all;
}

TEST(BuildIndexFileTest, MissingSourceIsAnError) {
  BuildInputs in;
  in.kallsyms_path = absl::StrCat(TempDir(), "/no/such/kallsyms");
  absl::StatusOr<BuiltIndex> b =
      BuildIndexFile(in, absl::StrCat(TempDir(), "/never.ksym"));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("no/such/kallsyms"), absl::string_view::npos)
      << b.status();
}

TEST(BuildIndexFileTest, UncreatableDirectoryIsAnError) {
  BuildInputs in;
  in.kallsyms_path = WriteKallsyms("k3");
  // A regular file where a directory should be.
  absl::StatusOr<BuiltIndex> b =
      BuildIndexFile(in, absl::StrCat(in.kallsyms_path, "/sub/k.ksym"));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("k3"), absl::string_view::npos)
      << b.status();
}

}  // namespace
}  // namespace ksym
