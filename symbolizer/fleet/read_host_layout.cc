#include "symbolizer/fleet/read_host_layout.h"

#include <dirent.h>
#include <errno.h>
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
#include "symbolizer/files/root_fd.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/loaded_modules.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

// _text is within the first lines of /proc/kallsyms (after the absolute
// per-CPU symbols on older kernels: a few hundred lines). The head is read
// in growing chunks from 4 KiB and no further than the _text line: the
// kernel formats /proc/kallsyms as it is read (~0.4 µs a line), so a fixed
// 1 MiB head cost ~9 ms where the few KiB that hold _text cost ~50 µs.
constexpr size_t kKallsymsHead = 1 << 20;
constexpr size_t kKallsymsFirstChunk = 4 << 10;
constexpr uint64_t kMaxSmallFile = 64 << 10;
constexpr uint64_t kMaxProcModules = 4 << 20;
// A section file holds "0x" and 16 hex digits and a newline.
constexpr size_t kMaxSectionFile = 64;
// More sections than any module has (a few dozen): a bound, not a limit.
constexpr size_t kMaxSections = 4096;

std::string Under(const std::string& root, absl::string_view path) {
  if (root.empty() || root == "/") return absl::StrCat("/", path);
  return absl::StrCat(absl::StripSuffix(root, "/"), "/", path);
}

// Opens ROOT/path in the root (root_fd.h): regular files only when the
// root is not the host's (O_NONBLOCK: an untrusted FIFO never blocks).
absl::StatusOr<UniqueFd> OpenUnder(const std::string& root,
                                   const std::string& path) {
  const bool confined = IsConfined(root, path);
  absl::StatusOr<UniqueFd> fd =
      OpenConfined(root, path, O_RDONLY | O_NOCTTY | (confined ? O_NONBLOCK : 0));
  if (!fd.ok()) return fd;
  struct stat st;
  if (fstat(fd->get(), &st) != 0 ||
      !(S_ISREG(st.st_mode) || (!confined && S_ISFIFO(st.st_mode)))) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a regular file"));
  }
  return fd;
}

// Reads `fd` into `out` from `have` until `out` is full or EOF; the new
// size of `out`'s contents.
size_t ReadInto(int fd, std::string& out, size_t have) {
  while (have < out.size()) {
    const ssize_t n = read(fd, out.data() + have, out.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
  }
  return have;
}

// At most `max` bytes from the start of ROOT/path ("" when unreadable).
std::string ReadHead(const std::string& root, const std::string& path,
                     size_t max) {
  absl::StatusOr<UniqueFd> fd = OpenUnder(root, path);
  if (!fd.ok()) return "";
  std::string out(max, '\0');
  out.resize(ReadInto(fd->get(), out, 0));
  return out;
}

// The scan of FindTextAddress over whole lines, fed a few at a time so the
// reader stops at the _text line.
class TextScan {
 public:
  // Feeds whole lines (each ended by '\n', the last one's '\n' optional).
  void Feed(absl::string_view lines) {
    for (absl::string_view line : absl::StrSplit(lines, '\n')) {
      if (done_) return;
      std::vector<absl::string_view> f =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      if (f.size() < 3 || f[1].size() != 1) continue;
      if (f[2] != "_text" && f[2] != "_stext") continue;
      uint64_t a = 0;
      if (f[0].size() > 16 || !absl::SimpleHexAtoi(f[0], &a)) continue;
      if (f[2] == "_text") {
        done_ = true;  // the answer, or 0: hidden, and _stext is no better
        text_ = a;
        return;
      }
      if (!have_stext_) {
        stext_ = a;
        have_stext_ = true;
      }
    }
  }
  // True once a _text line was seen: later lines change nothing.
  bool done() const { return done_; }
  absl::StatusOr<uint64_t> Result() const {
    if (done_ && text_ != 0) return text_;
    if (have_stext_ && stext_ != 0) return stext_;
    return absl::NotFoundError("no _text or _stext with a non-zero address");
  }

 private:
  bool done_ = false;
  uint64_t text_ = 0;
  bool have_stext_ = false;
  uint64_t stext_ = 0;
};

// _text's address from the head of ROOT/proc/kallsyms, read only as far as
// its _text line (at most kKallsymsHead bytes).
absl::StatusOr<uint64_t> ReadTextAddress(const std::string& root) {
  TextScan scan;
  absl::StatusOr<UniqueFd> fd = OpenUnder(root, Under(root, "proc/kallsyms"));
  if (!fd.ok()) return scan.Result();
  std::string buf;
  size_t have = 0;     // bytes in buf
  size_t scanned = 0;  // bytes of whole lines fed to scan
  size_t chunk = kKallsymsFirstChunk;
  while (!scan.done() && have < kKallsymsHead) {
    buf.resize(std::min(have + chunk, kKallsymsHead));
    const size_t got = ReadInto(fd->get(), buf, have);
    const bool eof = got < buf.size();
    have = got;
    // Only whole lines count: the last one may be cut.
    const size_t end = absl::string_view(buf.data(), have).rfind('\n');
    if (end != absl::string_view::npos && end + 1 > scanned) {
      scan.Feed(absl::string_view(buf.data() + scanned, end - scanned));
      scanned = end + 1;
    }
    if (eof) break;
    chunk *= 2;
  }
  return scan.Result();
}

// The address in ROOT/.../sections/NAME, opened from the directory's fd
// without following a symlink (NAME is one component from readdir, so the
// open stays in the directory, in the root). NotFound when unreadable.
absl::StatusOr<uint64_t> ReadSectionAt(int dir_fd, absl::string_view name,
                                       const std::string& shown) {
  const std::string n(name);
  int raw;
  do {
    raw = openat(dir_fd, n.c_str(),
                 O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return absl::NotFoundError(shown);
  UniqueFd fd(raw);
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::NotFoundError(shown);
  }
  std::string text(kMaxSectionFile + 1, '\0');
  const size_t got = ReadInto(fd.get(), text, 0);
  if (got > kMaxSectionFile) return absl::NotFoundError(shown);  // too long
  text.resize(got);
  return ParseSectionAddress(text, shown);
}

}  // namespace

absl::StatusOr<uint64_t> FindTextAddress(absl::string_view head) {
  // The last line may be cut: only whole lines count.
  const size_t end = head.rfind('\n');
  TextScan scan;
  if (end != absl::string_view::npos) scan.Feed(head.substr(0, end));
  return scan.Result();
}

absl::StatusOr<HostLayout> ReadHostLayout(const std::string& root) {
  const std::string proc = Under(root, "proc");
  if (!OpenConfined(root, proc, O_RDONLY | O_DIRECTORY | O_NONBLOCK).ok()) {
    return absl::NotFoundError(absl::StrCat(proc, ": no such directory"));
  }
  HostLayout layout;
  layout.release = std::string(absl::StripAsciiWhitespace(
      ReadHead(root, Under(root, "proc/sys/kernel/osrelease"), 256)));
  // Untrusted: a release that is not a kernel release is unknown.
  if (!CheckKernelRelease(layout.release).ok()) layout.release.clear();
  const std::string notes = Under(root, "sys/kernel/notes");
  if (absl::StatusOr<std::string> n =
          ReadFileInRoot(root, notes, kMaxSmallFile, {});
      n.ok()) {
    if (absl::StatusOr<std::string> id = ParseBuildIdNote(*n, notes);
        id.ok() && IsBuildIdHex(*id)) {
      layout.build_id = *id;
    }
  }
  if (absl::StatusOr<uint64_t> text = ReadTextAddress(root); text.ok()) {
    layout.text_known = true;
    layout.text_address = *text;
  }

  const std::string modules_path = Under(root, "proc/modules");
  absl::StatusOr<std::string> modules_text =
      ReadFileInRoot(root, modules_path, kMaxProcModules, {});
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
    if (absl::StatusOr<std::string> n =
            ReadFileInRoot(root, note, kMaxSmallFile, {});
        n.ok()) {
      if (absl::StatusOr<std::string> id = ParseBuildIdNote(*n, note);
          id.ok() && IsBuildIdHex(*id)) {
        m.build_id = *id;
      }
    }
    const std::string sections = sys + "/sections";
    if (absl::StatusOr<UniqueDir> dir = OpenDirConfined(root, sections);
        dir.ok()) {
      DIR* d = dir->get();
      while (struct dirent* e = readdir(d)) {
        const absl::string_view name = e->d_name;
        if (name == "." || name == ".." || absl::StartsWith(name, ".init")) {
          continue;
        }
        if (HasBlankOrControl(name)) continue;  // not one record field
        if (m.sections.size() >= kMaxSections) break;
        const std::string path = absl::StrCat(sections, "/", name);
        absl::StatusOr<uint64_t> a = ReadSectionAt(dirfd(d), name, path);
        if (absl::IsNotFound(a.status())) continue;  // unreadable: unknown
        if (!a.ok()) return a.status();
        if (*a == 0) continue;  // hidden from this reader
        m.sections.push_back({std::string(name), *a});
      }
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
