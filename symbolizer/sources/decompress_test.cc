#include "symbolizer/sources/decompress.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "zstd.h"
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

// 80 MiB of zeros in a few KB: refused once the output passes 64 times the
// input (here the 64 MiB floor), long before the 2 GiB bound.
TEST(DecompressTest, ADecompressionBombIsRefusedByItsRatio) {
  const std::string zeros(size_t{80} << 20, '\0');
  std::string bomb(ZSTD_compressBound(zeros.size()), '\0');
  const size_t n = ZSTD_compress(bomb.data(), bomb.size(), zeros.data(),
                                 zeros.size(), 1);
  ASSERT_FALSE(ZSTD_isError(n));
  bomb.resize(n);
  absl::StatusOr<std::string> out = Decompress(bomb, "bomb.ko.zst");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(out.status().message(),
            absl::StrCat("bomb.ko.zst: zstd: decompresses to more than 64 "
                         "times its ", n,
                         " bytes, which no kernel module does (a "
                         "decompression bomb?)"));
  // A module's real ratio (3-5x) is far from the bound.
  for (const char* name : {"fixture.ko.xz", "fixture.ko.zst", "fixture.ko.gz"}) {
    EXPECT_TRUE(Decompress(Fixture(name), name).ok()) << name;
  }
}

}  // namespace
}  // namespace ksym
