#include "symbolizer/api/index_watch.h"

#include <stdio.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string Temp(const char* name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

TEST(IndexWatchTest, AnUnchangedFilePasses) {
  const std::string path = Temp("same.ksym");
  std::ofstream(path) << "index bytes";
  IndexWatch w(path);
  for (uint64_t line = 1; line <= 5; ++line) EXPECT_TRUE(w.Check(line).ok());
  EXPECT_FALSE(w.replaced_notice().has_value());
}

TEST(IndexWatchTest, AFileRewrittenInPlaceStopsTheReaderSayingWhichLines) {
  const std::string path = Temp("inplace.ksym");
  std::ofstream(path) << "index bytes";
  IndexWatch w(path);
  EXPECT_TRUE(w.Check(1).ok());
  // cp new.ksym idx.ksym: same inode, new contents.
  std::ofstream(path, std::ios::trunc) << "another index, longer";
  absl::Status st = w.Check(65);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(st.message(),
            absl::StrCat(path,
                         " was rewritten in place while being read (size 11 "
                         "-> 21): stopped before line 65; lines 2-64 may have "
                         "been answered from the changed file; replace an "
                         "index by renaming a new file over it, as ksym build "
                         "does"));
}

TEST(IndexWatchTest, AFileReplacedByRenameIsANoticeOnce) {
  const std::string path = Temp("renamed.ksym");
  const std::string next = Temp("renamed.ksym.new");
  std::ofstream(path) << "index bytes";
  IndexWatch w(path);
  std::ofstream(next) << "the rebuilt index";
  ASSERT_EQ(rename(next.c_str(), path.c_str()), 0);
  EXPECT_TRUE(w.Check(2).ok());
  std::optional<std::string> notice = w.replaced_notice();
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(*notice, absl::StrCat(path,
                                  " was replaced on disk; answers go on from "
                                  "the index as it was when opened"));
  EXPECT_FALSE(w.replaced_notice().has_value());
  EXPECT_TRUE(w.Check(3).ok());
}

TEST(IndexWatchTest, ChecksAreDueEveryLineWhenFlushingElseEvery64) {
  EXPECT_TRUE(IndexWatch::Due(2, true));
  EXPECT_TRUE(IndexWatch::Due(1, false));
  EXPECT_FALSE(IndexWatch::Due(2, false));
  EXPECT_TRUE(IndexWatch::Due(65, false));
  IndexWatch none("");
  EXPECT_TRUE(none.Check(1).ok());
}

}  // namespace
}  // namespace ksym
