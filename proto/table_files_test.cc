// Export to a file and import it back: one call each, the bytes of the
// index unchanged, the file modes of the export rule, nothing written on
// a bad table.
#include "proto/table_files.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "proto/table_testing.h"

namespace ksym {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned ModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST(TableFilesTest, AbsoluteExportThenImportIsTheSameIndexAndPrivate) {
  const std::string dir = ::testing::TempDir();
  const std::string original = prototest::IndexBytes(prototest::SampleCatalog());
  std::unique_ptr<IndexReader> index = prototest::Open(original);
  ASSERT_NE(index, nullptr);
  ExportOptions options;
  options.absolute = true;  // the sample is a runtime kernel
  const std::string pb = dir + "/abs.pb";
  ASSERT_TRUE(ExportTableFile(*index, ProtoFormat::kBinary, options, pb).ok());
  EXPECT_EQ(ModeOf(pb), 0600u);  // runtime addresses reveal the KASLR slide
  const std::string back = dir + "/abs.ksym";
  ASSERT_TRUE(ImportTableFile(pb, ProtoFormat::kBinary, back).ok());
  EXPECT_EQ(Slurp(back), original);
  EXPECT_EQ(ModeOf(back), 0600u);
}

TEST(TableFilesTest, TextFormatRoundTripsToo) {
  const std::string dir = ::testing::TempDir();
  const std::string original = prototest::IndexBytes(prototest::SampleCatalog());
  std::unique_ptr<IndexReader> index = prototest::Open(original);
  ASSERT_NE(index, nullptr);
  ExportOptions options;
  options.absolute = true;
  const std::string txt = dir + "/abs.txtpb";
  ASSERT_TRUE(ExportTableFile(*index, ProtoFormat::kTextProto, options, txt).ok());
  const std::string back = dir + "/txt.ksym";
  ASSERT_TRUE(ImportTableFile(txt, ProtoFormat::kTextProto, back).ok());
  EXPECT_EQ(Slurp(back), original);
}

TEST(TableFilesTest, ARefusedExportWritesNothing) {
  const std::string dir = ::testing::TempDir();
  std::unique_ptr<IndexReader> index =
      prototest::Open(prototest::IndexBytes(prototest::SampleCatalog()));
  ASSERT_NE(index, nullptr);
  // The sample's slide is known, so a link-time export works; a missing
  // output directory fails the write and leaves no file behind.
  const std::string pb = dir + "/no/such/dir/k.pb";
  EXPECT_FALSE(ExportTableFile(*index, ProtoFormat::kBinary, {}, pb).ok());
  EXPECT_EQ(ModeOf(pb), 0u);
}

TEST(TableFilesTest, ABadTableIsAnErrorNamingItAndWritesNoIndex) {
  const std::string dir = ::testing::TempDir();
  const std::string bad = dir + "/bad.pb";
  std::ofstream(bad, std::ios::binary) << "\xff\xff\xff not a table";
  const std::string out = dir + "/bad.ksym";
  absl::Status s = ImportTableFile(bad, ProtoFormat::kBinary, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  EXPECT_EQ(ModeOf(out), 0u);
}

}  // namespace
}  // namespace ksym
