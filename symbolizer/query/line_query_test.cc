#include "symbolizer/query/line_query.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(LineQueryTest, FileLineAndFuncRelLineAreLineQueries) {
  EXPECT_TRUE(IsLineQuery("fs/inode.c:123"));
  EXPECT_TRUE(IsLineQuery("  inode.c:7 "));
  EXPECT_TRUE(IsLineQuery("include/linux/list.h:38"));
  EXPECT_TRUE(IsLineQuery("init_once:2"));
  EXPECT_TRUE(IsLineQuery("vfs_read:0"));
}

TEST(LineQueryTest, KprobeAndSymbolQueriesAreNot) {
  EXPECT_FALSE(IsLineQuery("ext4:ext4_fill_super"));
  EXPECT_FALSE(IsLineQuery("ext4:ext4_fill_super+16"));
  EXPECT_FALSE(IsLineQuery("init_once"));
  EXPECT_FALSE(IsLineQuery("init_once+0x12/0x40 [foo]"));
  EXPECT_FALSE(IsLineQuery("init_once {fs/inode.o}"));
  EXPECT_FALSE(IsLineQuery("fs/inode.c:"));
  EXPECT_FALSE(IsLineQuery(":12"));
  EXPECT_FALSE(IsLineQuery("fs/inode.c:12x"));
  EXPECT_FALSE(IsLineQuery("a:b:12"));
  EXPECT_FALSE(IsLineQuery("init_once [ext4]:12"));
}

TEST(LineQueryTest, ParsesFileOrFunction) {
  absl::StatusOr<LineQuery> q = ParseLineQuery("fs/inode.c:123");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->file, "fs/inode.c");
  EXPECT_EQ(q->function, "");
  EXPECT_EQ(q->line, 123u);
  EXPECT_EQ(q->ToString(), "fs/inode.c:123");

  q = ParseLineQuery("./inode.c:5");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->file, "inode.c");

  q = ParseLineQuery("init_once:2");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->function, "init_once");
  EXPECT_EQ(q->file, "");
  EXPECT_EQ(q->line, 2u);
  EXPECT_EQ(q->ToString(), "init_once:2");
}

TEST(LineQueryTest, RefusesWithTheReason) {
  absl::StatusOr<LineQuery> q = ParseLineQuery("fs/inode.c:99999999999");
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(q.status().message().find("too large"), std::string::npos);
  q = ParseLineQuery("fs/:3");
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  q = ParseLineQuery("fs/inode.c:0");
  EXPECT_NE(q.status().message().find("line 0"), std::string::npos);
  q = ParseLineQuery("9lives:3");
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  q = ParseLineQuery("init-once:3");
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LineQueryTest, PathSuffixAtSlashBoundaries) {
  EXPECT_TRUE(SourcePathSuffixMatches("fs/inode.c", "fs/inode.c"));
  EXPECT_TRUE(SourcePathSuffixMatches("fs/inode.c", "inode.c"));
  EXPECT_TRUE(SourcePathSuffixMatches("fs/ext4/inode.c", "ext4/inode.c"));
  EXPECT_TRUE(SourcePathSuffixMatches("fs/inode.c", "./inode.c"));
  EXPECT_FALSE(SourcePathSuffixMatches("fs/xinode.c", "inode.c"));
  EXPECT_FALSE(SourcePathSuffixMatches("fs/inode.c", "s/inode.c"));
  EXPECT_FALSE(SourcePathSuffixMatches("fs/inode.c", ""));
  EXPECT_TRUE(SourcePathSuffixMatches("/usr/include/x.h", "/usr/include/x.h"));
}

}  // namespace
}  // namespace ksym
