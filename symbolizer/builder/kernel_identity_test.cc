#include "symbolizer/builder/kernel_identity.h"

#include <string>

#include "gtest/gtest.h"

namespace ksym {
namespace {

StaticSymbols Vmlinux(const char* build_id) {
  StaticSymbols s;
  s.label = "vmlinux";
  s.build_id = build_id;
  s.arch = "x86_64";
  s.banner_release = "6.1.0-57-cloud-amd64";
  return s;
}

TEST(KernelIdentityTest, FromTheVmlinux) {
  ResolvedInputs in;
  in.vmlinux = "vmlinux";
  BuildLog log;
  absl::StatusOr<KernelIdentity> id =
      DecideIdentity({}, in, Vmlinux("abcd"), false, log);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->build_id, "abcd");
  EXPECT_EQ(id->arch, "x86_64");
  EXPECT_EQ(id->release, "6.1.0-57-cloud-amd64");
  EXPECT_TRUE(log.warnings.empty());
}

TEST(KernelIdentityTest, AGivenIdentityWinsAndMustMatchTheVmlinux) {
  ResolvedInputs in;
  in.vmlinux = "vmlinux-x";
  in.kallsyms = "saved-kallsyms";
  BuildInputs given;
  given.identity_given = true;
  given.identity.build_id = "1111";
  given.identity.release = "6.1.0-1-amd64";
  BuildLog log;
  absl::StatusOr<KernelIdentity> id =
      DecideIdentity(given, in, Vmlinux("2222"), true, log);
  EXPECT_TRUE(absl::IsFailedPrecondition(id.status())) << id.status();
  EXPECT_NE(id.status().message().find("vmlinux-x has build-id 2222 but the "
                                       "running kernel's is 1111"),
            absl::string_view::npos)
      << id.status();
  // Without kallsyms nothing is joined, so nothing is checked.
  id = DecideIdentity(given, in, Vmlinux("2222"), false, log);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->build_id, "1111");
  EXPECT_EQ(id->release, "6.1.0-1-amd64");
  EXPECT_EQ(id->arch, "x86_64");
}

TEST(KernelIdentityTest, ReleaseFromTheModulesDirectoryName) {
  ResolvedInputs in;
  in.modules_dir = "/lib/modules/6.1.0-9-amd64/";
  StaticSymbols none;
  BuildLog log;
  absl::StatusOr<KernelIdentity> id = DecideIdentity({}, in, none, false, log);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->release, "6.1.0-9-amd64");
}

TEST(KernelIdentityTest, AModulesDirectoryOfAnotherReleaseIsWarned) {
  ResolvedInputs in;
  in.vmlinux = "vmlinux";
  in.modules_dir = "/lib/modules/6.1.0-9-amd64";
  BuildLog log;
  absl::StatusOr<KernelIdentity> id =
      DecideIdentity({}, in, Vmlinux("abcd"), false, log);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->release, "6.1.0-57-cloud-amd64");
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("named for release 6.1.0-9-amd64"),
            std::string::npos);
}

}  // namespace
}  // namespace ksym
