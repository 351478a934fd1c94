#include "symbolizer/sources/file_reader.h"

#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string TempDir() {
  const char* dir = getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string WriteTempFile(const std::string& name, const std::string& data) {
  std::string path = TempDir() + "/" + name;
  FILE* f = fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr) << path;
  if (f == nullptr) return path;
  EXPECT_EQ(fwrite(data.data(), 1, data.size(), f), data.size());
  fclose(f);
  return path;
}

bool DropDacCapabilities() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[0].effective &=
      ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
  return syscall(SYS_capset, &header, data) == 0;
}

TEST(ReadFileToStringTest, ReadsWholeFileIncludingNulBytes) {
  static const char kBytes[] =
      "ffffffff81000000 T _text\n\0binfmt_elf.file=fs/binfmt_elf";
  std::string data(kBytes, sizeof(kBytes) - 1);
  std::string path = WriteTempFile("whole", data);
  absl::StatusOr<std::string> read = ReadFileToString(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, data);
}

TEST(ReadFileToStringTest, ReadsEmptyFile) {
  std::string path = WriteTempFile("empty", "");
  absl::StatusOr<std::string> read = ReadFileToString(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "");
}

TEST(ReadFileToStringTest, ReadsFileLargerThanOneChunk) {
  std::string data(1 << 20 | 17, 'k');
  for (size_t i = 0; i < data.size(); i += 4099) data[i] = '\n';
  std::string path = WriteTempFile("large", data);
  absl::StatusOr<std::string> read = ReadFileToString(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, data);
}

TEST(ReadFileToStringTest, MissingFileIsNotFound) {
  std::string path = TempDir() + "/no-such-file";
  absl::StatusOr<std::string> read = ReadFileToString(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(read.status().message(), path + ": No such file or directory");
}

TEST(ReadFileToStringTest, UnreadableFileIsPermissionDenied) {
  std::string path = WriteTempFile("secret", "x");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  // Root ignores mode bits through CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so
  // the read runs in a child that drops them first (allowed to anyone; a
  // sandbox's user namespace may have no other user to setuid to).
  EXPECT_EXIT(
      {
        if (!DropDacCapabilities()) _exit(3);
        absl::StatusOr<std::string> read = ReadFileToString(path);
        bool ok = read.status().code() == absl::StatusCode::kPermissionDenied &&
                  read.status().message() == path + ": Permission denied";
        _exit(ok ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

TEST(ReadFileToStringTest, DirectoryIsAnError) {
  absl::StatusOr<std::string> read = ReadFileToString(TempDir());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(), TempDir() + ": Is a directory");
}

// `ksym build --kallsyms /dev/zero` and `ksym import /dev/zero` used to
// read until the machine ran out of memory.
TEST(ReadFileToStringTest, DevicesAreRefused) {
  absl::StatusOr<std::string> read = ReadFileToString("/dev/zero");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(),
            "/dev/zero: is a device, not a file (expected a regular file or "
            "a pipe)");
}

TEST(ReadFileToStringTest, EndlessPipeIsBounded) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    static const char kZeros[4096] = {};
    while (write(fds[1], kZeros, sizeof(kZeros)) > 0) {
    }
    _exit(0);
  }
  close(fds[1]);
  const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
  absl::StatusOr<std::string> read = ReadFileToString(path, 1 << 20);
  close(fds[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(read.status().message(),
                                "more than the 1048576 bytes"))
      << read.status();
}

// `yes | ksym build --kallsyms /dev/stdin`: the head check sees the first
// 64 KiB once and its error ends the read, long before the byte bound.
TEST(ReadFileToStringTest, AHeadCheckStopsAnEndlessPipeOfGarbageEarly) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    static const char kYes[] = "y\ny\ny\ny\n";
    while (write(fds[1], kYes, sizeof(kYes) - 1) > 0) {
    }
    _exit(0);
  }
  close(fds[1]);
  const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
  int calls = 0;
  size_t seen = 0;
  absl::StatusOr<std::string> read = ReadFileToString(
      path, uint64_t{1} << 40, [&](absl::string_view head) {
        ++calls;
        seen = head.size();
        return absl::InvalidArgumentError("not kallsyms");
      });
  close(fds[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(read.status().message(), "not kallsyms");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, kHeadBytes);
}

TEST(ReadFileToStringTest, AHeadCheckSeesAllOfAShortInput) {
  std::string path = WriteTempFile("short", "ffffffff81000000 T _text\n");
  std::string seen;
  absl::StatusOr<std::string> read =
      ReadFileToString(path, 1000, [&](absl::string_view head) {
        seen = std::string(head);
        return absl::OkStatus();
      });
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(seen, *read);
}

TEST(ReadFileToStringTest, LargerThanTheLimitIsRefusedUpFront) {
  std::string path = WriteTempFile("big", std::string(1000, 'x'));
  absl::StatusOr<std::string> read = ReadFileToString(path, 999);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFileToString(path, 1000).ok());
}

TEST(ReadFileToStringTest, ProcFileWithZeroSizeIsReadToTheEnd) {
  struct stat st;
  ASSERT_EQ(stat("/proc/self/status", &st), 0);
  EXPECT_EQ(st.st_size, 0);
  absl::StatusOr<std::string> read = ReadFileToString("/proc/self/status");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(absl::StartsWith(*read, "Name:\t")) << *read;
  EXPECT_TRUE(absl::StrContains(*read, "\nPid:\t")) << *read;
  EXPECT_TRUE(absl::EndsWith(*read, "\n"));
}

TEST(MapFileInRootTest, MapsARegularFileAndEditsStayInTheProcess) {
  static const char kBytes[] = "\x7f" "ELF\0\1\2 the image";
  const std::string data(kBytes, sizeof(kBytes) - 1);
  const std::string root = TempDir() + "/map-root";
  mkdir(root.c_str(), 0755);
  const std::string path = WriteTempFile("map-root/m.ko", data);
  absl::StatusOr<FileBytes> bytes = MapFileInRoot(root, path);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(bytes->mapped());
  EXPECT_EQ(bytes->view(), data);
  // A reader may edit the bytes (libdwfl relocating in place); the file
  // keeps its own.
  bytes->mutable_span()[1] = 'X';
  EXPECT_EQ(bytes->view().substr(0, 2), "\x7fX");
  FileBytes moved = *std::move(bytes);
  EXPECT_EQ(moved.view().substr(0, 2), "\x7fX");
  absl::StatusOr<std::string> file = ReadFileToString(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(*file, data);
  moved.Release();
  EXPECT_TRUE(moved.view().empty());
}

TEST(MapFileInRootTest, ErrorsAreReadFileInRootsOwn) {
  const std::string root = TempDir() + "/map-errors";
  mkdir(root.c_str(), 0755);
  EXPECT_EQ(MapFileInRoot(root, root + "/missing.ko").status().code(),
            absl::StatusCode::kNotFound);
  const std::string fifo = root + "/fifo.ko";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  absl::StatusOr<FileBytes> pipe = MapFileInRoot(root, fifo);
  EXPECT_EQ(pipe.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string path = WriteTempFile("map-errors/big.ko", std::string(1000, 'x'));
  EXPECT_EQ(MapFileInRoot(root, path, 999).status().code(),
            absl::StatusCode::kResourceExhausted);
  // An empty file is no mapping, and no error.
  const std::string empty = WriteTempFile("map-errors/empty.ko", "");
  absl::StatusOr<FileBytes> none = MapFileInRoot(root, empty);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->mapped());
  EXPECT_TRUE(none->view().empty());
}

}  // namespace
}  // namespace ksym
