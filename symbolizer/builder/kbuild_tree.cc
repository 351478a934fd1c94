#include "symbolizer/builder/kbuild_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

// Longest first line read; kbuild command lines stay far below this.
constexpr size_t kMaxLine = 1 << 20;

absl::StatusOr<std::string> ReadFirstLine(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, path);
  std::string line;
  char buf[16384];
  while (line.size() < kMaxLine) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = absl::ErrnoToStatus(errno, path);
      close(fd);
      return s;
    }
    if (n == 0) break;
    absl::string_view chunk(buf, static_cast<size_t>(n));
    size_t newline = chunk.find('\n');
    absl::string_view part = chunk.substr(0, newline);
    line.append(part.data(), part.size());
    if (newline != absl::string_view::npos) break;
  }
  close(fd);
  return line;
}

bool IsObjectCmdFile(absl::string_view name) {
  return name.size() > 7 && name[0] == '.' && absl::EndsWith(name, ".o.cmd");
}

absl::Status Walk(const std::string& dir, KbuildTree& tree) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return absl::ErrnoToStatus(errno, dir);
  std::vector<std::string> subdirs;
  std::vector<std::string> files;
  while (struct dirent* e = readdir(d)) {
    absl::string_view name = e->d_name;
    if (name == "." || name == ".." || name == ".git") continue;
    unsigned char type = e->d_type;
    std::string path = absl::StrCat(dir, "/", name);
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (lstat(path.c_str(), &st) != 0) continue;
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK
                                   : DT_UNKNOWN;
    }
    // Links to files are followed (Bazel runfiles, trees of links), links
    // to directories never.
    if (type == DT_LNK && IsObjectCmdFile(name)) {
      struct stat st;
      if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) type = DT_REG;
    }
    if (type == DT_DIR) {
      subdirs.push_back(std::move(path));
    } else if (type == DT_REG && IsObjectCmdFile(name)) {
      files.push_back(std::move(path));
    }
  }
  closedir(d);
  for (const std::string& path : files) {
    absl::StatusOr<std::string> line = ReadFirstLine(path);
    if (!line.ok()) return line.status();
    ++tree.cmd_files;
    absl::StatusOr<std::optional<KbuildCmd>> cmd = ParseKbuildCmd(*line, path);
    if (!cmd.ok()) {
      if (tree.malformed++ == 0) {
        tree.first_error = std::string(cmd.status().message());
      }
      continue;
    }
    if (cmd->has_value()) tree.objects.push_back(std::move(**cmd));
  }
  for (const std::string& sub : subdirs) {
    // A subdirectory that vanished or cannot be read holds no facts we
    // could have used; the walk goes on.
    absl::Status s = Walk(sub, tree);
    if (!s.ok() && !absl::IsNotFound(s) && !absl::IsPermissionDenied(s)) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KbuildTree> ScanKbuildTree(const std::string& build_dir) {
  KbuildTree tree;
  std::string root = build_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (absl::Status s = Walk(root, tree); !s.ok()) return s;
  std::sort(tree.objects.begin(), tree.objects.end(),
            [](const KbuildCmd& a, const KbuildCmd& b) {
              return a.object < b.object;
            });
  return tree;
}

}  // namespace ksym
