#include "symbolizer/fleet/read_host_layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/loaded_modules.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

// _text is within the first lines of /proc/kallsyms (after the absolute
// per-CPU symbols on older kernels: a few hundred lines).
constexpr size_t kKallsymsHead = 1 << 20;
constexpr uint64_t kMaxSmallFile = 64 << 10;
constexpr uint64_t kMaxProcModules = 4 << 20;
// More sections than any module has (a few dozen): a bound, not a limit.
constexpr size_t kMaxSections = 4096;

std::string Under(const std::string& root, absl::string_view path) {
  if (root.empty() || root == "/") return absl::StrCat("/", path);
  return absl::StrCat(absl::StripSuffix(root, "/"), "/", path);
}

// At most `max` bytes from the start of `path` ("" when unreadable).
std::string ReadHead(const std::string& path, size_t max) {
  std::string out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return out;
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    close(fd);
    return out;
  }
  out.resize(max);
  size_t have = 0;
  while (have < max) {
    const ssize_t n = read(fd, out.data() + have, max - have);
    if (n <= 0) break;
    have += static_cast<size_t>(n);
  }
  close(fd);
  out.resize(have);
  return out;
}

}  // namespace

absl::StatusOr<uint64_t> FindTextAddress(absl::string_view head) {
  uint64_t stext = 0;
  bool have_stext = false;
  // The last line may be cut: only whole lines count.
  const size_t end = head.rfind('\n');
  head = end == absl::string_view::npos ? absl::string_view()
                                        : head.substr(0, end);
  for (absl::string_view line : absl::StrSplit(head, '\n')) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.size() < 3 || f[1].size() != 1) continue;
    if (f[2] != "_text" && f[2] != "_stext") continue;
    uint64_t a = 0;
    if (f[0].size() > 16 || !absl::SimpleHexAtoi(f[0], &a)) continue;
    if (f[2] == "_text") {
      if (a == 0) break;
      return a;
    }
    if (!have_stext) {
      stext = a;
      have_stext = true;
    }
  }
  if (have_stext && stext != 0) return stext;
  return absl::NotFoundError("no _text or _stext with a non-zero address");
}

absl::StatusOr<HostLayout> ReadHostLayout(const std::string& root) {
  struct stat st;
  const std::string proc = Under(root, "proc");
  if (stat(proc.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat(proc, ": no such directory"));
  }
  HostLayout layout;
  layout.release = std::string(absl::StripAsciiWhitespace(
      ReadHead(Under(root, "proc/sys/kernel/osrelease"), 256)));
  // Untrusted: a release that is not a kernel release is unknown.
  if (!CheckKernelRelease(layout.release).ok()) layout.release.clear();
  const std::string notes = Under(root, "sys/kernel/notes");
  if (absl::StatusOr<std::string> n = ReadFileToString(notes, kMaxSmallFile);
      n.ok()) {
    if (absl::StatusOr<std::string> id = ParseBuildIdNote(*n, notes);
        id.ok() && IsBuildIdHex(*id)) {
      layout.build_id = *id;
    }
  }
  if (absl::StatusOr<uint64_t> text = FindTextAddress(
          ReadHead(Under(root, "proc/kallsyms"), kKallsymsHead));
      text.ok()) {
    layout.text_known = true;
    layout.text_address = *text;
  }

  const std::string modules_path = Under(root, "proc/modules");
  absl::StatusOr<std::string> modules_text =
      ReadFileToString(modules_path, kMaxProcModules);
  if (!modules_text.ok()) {
    if (absl::IsNotFound(modules_text.status())) return layout;  // none
    return modules_text.status();
  }
  absl::StatusOr<std::vector<LoadedModule>> loaded =
      ParseProcModules(*modules_text, modules_path);
  if (!loaded.ok()) return loaded.status();
  for (const LoadedModule& lm : *loaded) {
    if (absl::Status st = CheckModuleName(
            lm.name, absl::StrCat(modules_path, ": module name"));
        !st.ok()) {
      return st;
    }
    LayoutModule m;
    m.name = lm.name;
    const std::string sys = Under(root, absl::StrCat("sys/module/", lm.name));
    const std::string note = sys + "/notes/.note.gnu.build-id";
    if (absl::StatusOr<std::string> n = ReadFileToString(note, kMaxSmallFile);
        n.ok()) {
      if (absl::StatusOr<std::string> id = ParseBuildIdNote(*n, note);
          id.ok() && IsBuildIdHex(*id)) {
        m.build_id = *id;
      }
    }
    const std::string sections = sys + "/sections";
    if (DIR* d = opendir(sections.c_str())) {
      while (struct dirent* e = readdir(d)) {
        const absl::string_view name = e->d_name;
        if (name == "." || name == ".." || absl::StartsWith(name, ".init")) {
          continue;
        }
        if (HasBlankOrControl(name)) continue;  // not one record field
        if (m.sections.size() >= kMaxSections) break;
        const std::string path = absl::StrCat(sections, "/", name);
        absl::StatusOr<std::string> text = ReadFileToString(path, 64);
        if (!text.ok()) continue;
        absl::StatusOr<uint64_t> a = ParseSectionAddress(*text, path);
        if (!a.ok()) {
          closedir(d);
          return a.status();
        }
        if (*a == 0) continue;  // hidden from this reader
        m.sections.push_back({std::string(name), *a});
      }
      closedir(d);
    }
    std::sort(m.sections.begin(), m.sections.end(),
              [](const LayoutSection& a, const LayoutSection& b) {
                return a.name < b.name;
              });
    layout.modules.push_back(std::move(m));
  }
  return layout;
}

}  // namespace ksym
