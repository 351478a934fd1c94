#include "symbolizer/sources/decompress.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

const char kDir[] = "symbolizer/sources/compressed/";

std::string Fixture(const std::string& name) {
  absl::StatusOr<std::string> bytes = ReadFileToString(kDir + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

TEST(DecompressTest, DetectsTheFormatByMagic) {
  EXPECT_EQ(DetectCompression(Fixture("fixture.ko.xz")), Compression::kXz);
  EXPECT_EQ(DetectCompression(Fixture("fixture.ko.zst")), Compression::kZstd);
  EXPECT_EQ(DetectCompression(Fixture("fixture.ko.gz")), Compression::kGzip);
  EXPECT_EQ(DetectCompression(Fixture("fixture.ko")), Compression::kNone);
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
  EXPECT_EQ(DetectCompression("\x1f"), Compression::kNone);
  EXPECT_STREQ(CompressionName(Compression::kZstd), "zstd");
}

TEST(DecompressTest, EachToolsOutputGivesTheModuleBack) {
  const std::string plain = Fixture("fixture.ko");
  ASSERT_GT(plain.size(), 1000u);
  for (const char* name : {"fixture.ko.xz", "fixture.ko.zst", "fixture.ko.gz",
                           "fixture.ko"}) {
    absl::StatusOr<std::string> out = Decompress(Fixture(name), name);
    ASSERT_TRUE(out.ok()) << name << ": " << out.status();
    EXPECT_EQ(*out, plain) << name;
  }
}

TEST(DecompressTest, ConcatenatedStreamsAreDecodedInTurn) {
  const std::string plain = Fixture("fixture.ko");
  for (const char* name : {"twice.ko.xz", "twice.ko.zst", "twice.ko.gz"}) {
    absl::StatusOr<std::string> out = Decompress(Fixture(name), name);
    ASSERT_TRUE(out.ok()) << name << ": " << out.status();
    EXPECT_EQ(*out, plain + plain) << name;
  }
}

TEST(DecompressTest, TruncatedInputIsAnErrorNamingTheFile) {
  for (const char* name : {"fixture.ko.xz", "fixture.ko.zst",
                           "fixture.ko.gz"}) {
    std::string bytes = Fixture(name);
    bytes.resize(bytes.size() / 2);
    absl::StatusOr<std::string> out = Decompress(bytes, name);
    ASSERT_FALSE(out.ok()) << name;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(out.status().message(), name))
        << out.status();
  }
}

TEST(DecompressTest, CorruptInputIsAnError) {
  for (const char* name : {"fixture.ko.xz", "fixture.ko.zst",
                           "fixture.ko.gz"}) {
    std::string bytes = Fixture(name);
    for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 16; ++i) {
      bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
    }
    absl::StatusOr<std::string> out = Decompress(bytes, name);
    ASSERT_FALSE(out.ok()) << name;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument)
        << out.status();
  }
}

TEST(DecompressTest, OutputLargerThanTheLimitIsRefused) {
  for (const char* name : {"fixture.ko.xz", "fixture.ko.zst",
                           "fixture.ko.gz"}) {
    absl::StatusOr<std::string> out = Decompress(Fixture(name), name, 100);
    ASSERT_FALSE(out.ok()) << name;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted)
        << out.status();
  }
}

}  // namespace
}  // namespace ksym
