#include "symbolizer/catalog/identity_names.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(CheckKernelRelease, DistributionReleasesPass) {
  for (const char* r :
       {"6.1.0-28-cloud-amd64", "6.6.9-200.fc39.x86_64", "6.8.0-rc1+",
        "5.15.0-91-generic", "6.7.arch1-1", "4.19.0~bpo9", "6.18.44-fc-v1272",
        "5.10.101-android12-9-00001-g1234ab_x"}) {
    EXPECT_TRUE(CheckKernelRelease(r).ok()) << r;
  }
}

TEST(CheckKernelRelease, PathsAndControlBytesAreRefused) {
  for (const char* r : {"../../../../tmp/x/y", "a/b", "..", ".hidden",
                        "-rf", "6.1\n6.2", "6.1 0", "6.1\x1b]0;x\a", ""}) {
    absl::Status s = CheckKernelRelease(r, "osrelease");
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << r;
    EXPECT_TRUE(absl::StartsWith(s.message(), "osrelease")) << s;
    EXPECT_FALSE(absl::StrContains(s.message(), "\n")) << s;
    EXPECT_FALSE(absl::StrContains(s.message(), "\x1b")) << s;
  }
}

TEST(CheckKernelRelease, LengthIsBoundedByUname) {
  EXPECT_TRUE(CheckKernelRelease(std::string(64, 'a')).ok());
  absl::Status s = CheckKernelRelease(std::string(65, 'a'));
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_TRUE(absl::StrContains(s.message(), "65 bytes")) << s;
  // A huge value is not repeated whole in the message.
  s = CheckKernelRelease(std::string(1 << 20, 'a'));
  EXPECT_LT(s.message().size(), 300u);
}

TEST(CheckBuildId, LowercaseHexOfEvenLength) {
  EXPECT_TRUE(CheckBuildId("5c2a0c9e1a77d5f3a1b2c3d4e5f60718293a4b5c").ok());
  EXPECT_TRUE(CheckBuildId("ab").ok());
  EXPECT_TRUE(CheckBuildId(std::string(128, 'f')).ok());
  for (const std::string& b :
       {std::string(""), std::string("a"), std::string("ABCD"),
        std::string("../x"), std::string("ab/cd"), std::string(130, 'f')}) {
    EXPECT_TRUE(absl::IsInvalidArgument(CheckBuildId(b))) << b;
  }
}

TEST(CheckModuleName, KernelNamesPassPathsDoNot) {
  for (const char* m : {"virtio_pci", "ext4", "__builtin__ftrace", "bpf",
                        "snd-hda-intel"}) {
    EXPECT_TRUE(CheckModuleName(m).ok()) << m;
  }
  for (const std::string& m :
       {std::string(""), std::string("../../tmp/x"), std::string("a/b"),
        std::string(".."), std::string("a b"), std::string("x\n"),
        std::string(56, 'a')}) {
    EXPECT_TRUE(absl::IsInvalidArgument(CheckModuleName(m))) << m;
  }
  EXPECT_TRUE(CheckModuleName(std::string(55, 'a')).ok());
}

}  // namespace
}  // namespace ksym
