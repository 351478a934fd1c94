#include "symbolizer/builder/module_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/builder/paths.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/files/root_fd.h"
#include "symbolizer/files/root_path.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/loaded_modules.h"

namespace ksym {
namespace {

// Sections and build-id from ROOT/sys/module/M.
void ReadSysfs(const ModuleSearch& s, LoadedModuleFiles& m) {
  // The name comes from the root's proc/modules or kallsyms: a name, never
  // a path (loadable_modules.cc refuses others before they get here).
  if (!CheckModuleName(m.name).ok()) return;
  const std::string dir =
      PathInRoot(s.root, absl::StrCat("sys/module/", m.name));
  if (dir.empty()) return;
  // Listed and read through fds opened in the root (files/root_fd.h): a
  // directory swapped for a symlink meanwhile never leads outside it.
  m.sections_dir = JoinPath(dir, "sections");
  if (absl::StatusOr<UniqueDir> d = OpenDirConfined(s.root, m.sections_dir);
      d.ok()) {
    bool any_nonzero = false;
    while (struct dirent* e = readdir(d->get())) {
      absl::string_view section = e->d_name;
      if (section == "." || section == "..") continue;
      const std::string path = JoinPath(m.sections_dir, section);
      absl::StatusOr<std::string> text =
          ReadRegularFileInRoot(s.root, path, 4096);
      if (!text.ok()) continue;
      absl::StatusOr<uint64_t> address = ParseSectionAddress(*text, path);
      if (!address.ok()) continue;
      any_nonzero |= *address != 0;
      m.sections[section] = *address;
    }
    if (!m.sections.empty() && !any_nonzero) {
      m.sections.clear();
      m.hidden = true;
    }
  }
  m.build_id_file = JoinPath(dir, "notes/.note.gnu.build-id");
  absl::StatusOr<std::string> notes =
      ReadRegularFileInRoot(s.root, m.build_id_file, 4096);
  if (notes.ok()) {
    absl::StatusOr<std::string> id = ParseBuildIdNote(*notes, m.build_id_file);
    // It names a debug file (.build-id/xx/rest.debug): hex, bounded.
    if (id.ok() && CheckBuildId(*id).ok()) m.build_id = *id;
  }
}

// Module files under `dir` (recursively, symlinked directories not
// followed: lib/modules/R/build points into a kernel tree), by module name.
// `d` is `dir` opened in the root; each subdirectory is opened from it
// (O_NOFOLLOW), so the listing never leaves the root.
void Walk(DIR* d, const std::string& dir, bool debug,
          absl::flat_hash_map<std::string, std::vector<std::string>>& out,
          int depth = 0) {
  if (depth > 16) return;
  std::vector<std::pair<std::string, UniqueDir>> subdirs;
  while (struct dirent* e = readdir(d)) {
    absl::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    const std::string path = JoinPath(dir, n);
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      const int fd = openat(dirfd(d), e->d_name,
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK |
                                O_CLOEXEC);
      if (fd < 0) continue;
      UniqueDir sub(fdopendir(fd));
      if (sub == nullptr) {
        close(fd);
        continue;
      }
      subdirs.emplace_back(path, std::move(sub));
      continue;
    }
    const bool wanted = debug ? (absl::EndsWith(n, ".ko") ||
                                 absl::EndsWith(n, ".ko.debug"))
                              : !absl::EndsWith(n, ".ko.debug");
    if (!wanted) continue;
    std::string name = ModuleNameOfFile(n);
    if (!name.empty()) out[name].push_back(path);
  }
  for (auto& [path, sub] : subdirs) {
    Walk(sub.get(), path, debug, out, depth + 1);
  }
}

void WalkInRoot(
    const std::string& root, const std::string& dir, bool debug,
    absl::flat_hash_map<std::string, std::vector<std::string>>& out) {
  absl::StatusOr<UniqueDir> d = OpenDirConfined(root, dir);
  if (d.ok()) Walk(d->get(), dir, debug, out);
}

// "kernel/fs/fat/fat.ko.xz" -> "kernel/fs/fat/fat.ko".
std::string WithoutCompression(absl::string_view path) {
  for (absl::string_view suffix : {".xz", ".zst", ".gz"}) {
    if (absl::ConsumeSuffix(&path, suffix)) break;
  }
  return std::string(path);
}

// `path` (under the root) resolved in the root, kept when a regular file.
void AddIfFile(const ModuleSearch& s, std::vector<std::string>& v,
               const std::string& found) {
  std::string path = ConfinedPath(s.root, found);
  if (!IsRegularFile(path)) return;
  for (const std::string& p : v) {
    if (p == path) return;
  }
  v.push_back(std::move(path));
}

}  // namespace

std::vector<LoadedModuleFiles> FindLoadedModuleFiles(
    const ModuleSearch& s, const std::vector<std::string>& names) {
  const std::string modules_dir =
      PathInRoot(s.root, absl::StrCat("lib/modules/", s.release));
  const std::string debug_dir =
      PathInRoot(s.root, absl::StrCat("usr/lib/debug/lib/modules/", s.release));
  // modules.dep: name -> relative path.
  absl::flat_hash_map<std::string, std::string> dep;
  const std::string dep_path = JoinPath(modules_dir, "modules.dep");
  if (absl::StatusOr<std::string> text =
          ReadRegularFileInRoot(s.root, dep_path);
      text.ok()) {
    if (auto files = ParseModulesDep(*text, dep_path); files.ok()) {
      for (ModuleFile& f : *files) dep.emplace(f.name, std::move(f.path));
    }
  }
  absl::flat_hash_map<std::string, std::vector<std::string>> walked,
      walked_debug;
  bool did_walk = false, did_walk_debug = false;

  std::vector<LoadedModuleFiles> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    LoadedModuleFiles m;
    m.name = name;
    ReadSysfs(s, m);
    std::string rel;
    if (auto it = dep.find(name); it != dep.end()) {
      rel = it->second;
      AddIfFile(s, m.ko_candidates, JoinPath(modules_dir, rel));
    }
    if (m.ko_candidates.empty()) {
      if (!did_walk) WalkInRoot(s.root, modules_dir, false, walked);
      did_walk = true;
      for (const std::string& p : walked[name]) AddIfFile(s, m.ko_candidates, p);
    }
    if (rel.empty() && !m.ko_candidates.empty()) {
      absl::string_view first = m.ko_candidates[0];
      if (absl::ConsumePrefix(&first, modules_dir + "/")) rel = std::string(first);
    }
    if (!rel.empty()) {
      const std::string base = JoinPath(debug_dir, WithoutCompression(rel));
      for (const char* suffix : {"", ".xz", ".zst", ".gz", ".debug"}) {
        AddIfFile(s, m.debug_candidates, absl::StrCat(base, suffix));
      }
    }
    if (m.build_id.size() > 2) {
      AddIfFile(s, m.debug_candidates,
                JoinPath(s.root, absl::StrCat("usr/lib/debug/.build-id/",
                                              m.build_id.substr(0, 2), "/",
                                              m.build_id.substr(2), ".debug")));
    }
    if (m.debug_candidates.empty()) {
      if (!did_walk_debug) WalkInRoot(s.root, debug_dir, true, walked_debug);
      did_walk_debug = true;
      for (const std::string& p : walked_debug[name]) {
        AddIfFile(s, m.debug_candidates, p);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ksym
