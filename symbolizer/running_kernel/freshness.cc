#include "symbolizer/running_kernel/freshness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/files/root_fd.h"
#include "symbolizer/files/root_path.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

// Enough of kallsyms for a few dozen lines, cut at the last newline.
constexpr size_t kKallsymsHead = 4096;
constexpr size_t kHeadEntries = 16;

// `path` of `root`, opened in the root (files/root_fd.h).
std::string ReadHead(const std::string& root, const std::string& path,
                     size_t max) {
  std::string out(max, '\0');
  // A FIFO under a root would block the open and the reads: regular only.
  absl::StatusOr<UniqueFd> opened =
      OpenConfined(root, path, O_RDONLY | O_NONBLOCK);
  if (!opened.ok()) return "";
  const int fd = opened->get();
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return "";
  size_t got = 0;
  while (got < max) {
    ssize_t n = read(fd, &out[got], max - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  size_t nl = out.rfind('\n');
  out.resize(nl == std::string::npos ? 0 : nl + 1);
  return out;
}

std::string Hex(uint64_t v) { return absl::StrCat("0x", absl::Hex(v)); }

}  // namespace

absl::StatusOr<LiveLayout> ReadLiveLayout(const std::string& root,
                                          LiveDepth depth) {
  const std::string kallsyms = PathInRoot(root, "proc/kallsyms");
  LiveLayout live;
  std::string head;
  if (depth == LiveDepth::kHead) {
    head = ReadHead(root, kallsyms, kKallsymsHead);
  } else {
    absl::StatusOr<std::string> all = ReadRegularFileInRoot(root, kallsyms);
    if (all.ok()) head = *std::move(all);
  }
  if (head.empty()) {
    return absl::NotFoundError(absl::StrCat(kallsyms, ": unreadable"));
  }
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      ParseKallsyms(head, kallsyms);
  if (!entries.ok()) return entries.status();
  for (KallsymsEntry& e : *entries) {
    if (!e.module.empty()) continue;
    if (live.kallsyms_head.size() < kHeadEntries) {
      live.kallsyms_head.push_back(e);
    }
    if (depth == LiveDepth::kEveryCoreSymbol) {
      live.kallsyms_core.push_back(std::move(e));
    }
  }
  const std::string modules = PathInRoot(root, "proc/modules");
  absl::StatusOr<std::string> text = ReadRegularFileInRoot(root, modules);
  if (text.ok()) {
    absl::StatusOr<std::vector<LoadedModule>> m =
        ParseProcModules(*text, modules);
    if (!m.ok()) return m.status();
    live.modules = *std::move(m);
  }
  return live;
}

Freshness CheckFreshness(const Symbolizer& s, const LiveLayout& live) {
  Freshness f;
  const IndexReader& index = s.index();
  if (index.address_space() != AddressSpace::kRuntime) {
    f.why = "a static index: no live layout to compare";
    return f;
  }
  bool hidden = true;
  for (const KallsymsEntry& e : live.kallsyms_head) {
    if (e.address == 0) continue;
    hidden = false;
    Query q;
    q.name = e.name;
    std::vector<Candidate> c = s.Resolve(q);
    bool there = false;
    uint64_t elsewhere = 0;
    for (const Candidate& cand : c) {
      if (cand.symbol.address == e.address) there = true;
      elsewhere = cand.symbol.address;
    }
    if (!there) {
      f.fresh = false;
      f.why = c.empty()
                  ? absl::StrCat(e.name, " (at ", Hex(e.address),
                                 ") is not in the index: another kernel?")
                  : absl::StrCat(e.name, " is at ", Hex(e.address),
                                 " but the index has it at ", Hex(elsewhere),
                                 " (KASLR moved: rebooted?)");
      return f;
    }
  }
  if (hidden) {
    f.why = "kallsyms addresses are hidden (kptr_restrict): not checked";
    return f;
  }
  // Every core line: that name at that address (one binary search each).
  for (const KallsymsEntry& e : live.kallsyms_core) {
    std::optional<uint32_t> last = index.Predecessor(e.address);
    bool there = false;
    if (last.has_value() && index.Address(*last) == e.address) {
      for (uint32_t i = index.AliasGroupBegin(*last);
           !there && i < index.AliasGroupEnd(*last); ++i) {
        there = index.NameEquals(i, e.name);
      }
    }
    if (!there) {
      f.fresh = false;
      f.why = absl::StrCat("the live kallsyms has ", e.name, " at ",
                           Hex(e.address),
                           " but the index has no such symbol there (built "
                           "from other files?)");
      return f;
    }
  }
  // The loaded modules must be the index's loadable modules.
  absl::flat_hash_set<std::string> indexed;
  // Pseudo-modules are no part of the key: an index written before they
  // were left out may still hold them.
  for (uint32_t set = 0; set < index.module_set_count(); ++set) {
    if (!index.ModuleSetLoadable(set)) continue;
    for (size_t j = 0; j < index.ModuleSetSize(set); ++j) {
      absl::string_view name = index.ModuleName(set, j);
      if (!IsPseudoModule(name)) indexed.insert(std::string(name));
    }
  }
  std::vector<std::string> added, removed;
  absl::flat_hash_set<std::string> loaded;
  for (const LoadedModule& m : live.modules) {
    if (IsPseudoModule(m.name)) continue;
    loaded.insert(m.name);
    if (!indexed.contains(m.name)) added.push_back(m.name);
  }
  for (const std::string& m : indexed) {
    if (!loaded.contains(m)) removed.push_back(m);
  }
  if (!added.empty() || !removed.empty()) {
    std::sort(added.begin(), added.end());
    std::sort(removed.begin(), removed.end());
    f.fresh = false;
    f.why = absl::StrCat(
        "the loaded modules changed",
        added.empty() ? "" : absl::StrCat(" (loaded since: ",
                                          absl::StrJoin(added, ", "), ")"),
        removed.empty()
            ? ""
            : absl::StrCat(" (unloaded since: ", absl::StrJoin(removed, ", "),
                           ")"));
    return f;
  }
  // Each module where the index has it.
  for (const LoadedModule& m : live.modules) {
    if (m.address == 0) continue;
    LookupResult r = s.Lookup(m.address);
    if (!r.found) continue;  // a gap: nothing to compare
    bool ours = false;
    for (absl::string_view name : s.DisplayModules(r.symbol)) {
      ours = ours || name == m.name;
    }
    if (!ours) {
      f.fresh = false;
      f.why = absl::StrCat("module ", m.name, " is loaded at ",
                           Hex(m.address), " but the index has ",
                           r.symbol.name(), " there (reloaded elsewhere?)");
      return f;
    }
  }
  return f;
}

std::string ExplicitIndexWarning(const Symbolizer& s,
                                 const std::string& path) {
  const IndexReader& index = s.index();
  if (index.address_space() != AddressSpace::kRuntime) return "";
  const KernelIdentity running = RunningKernelIdentity();
  const bool same =
      !index.build_id().empty() && !running.build_id.empty()
          ? index.build_id() == running.build_id
          : !index.release().empty() && index.release() == running.release;
  if (!same) return "";
  absl::StatusOr<LiveLayout> live = ReadLiveLayout("/");
  if (!live.ok()) return "";
  Freshness f = CheckFreshness(s, *live);
  if (f.fresh) return "";
  return absl::StrCat(path,
                      " is an index of the running kernel but no longer "
                      "matches its layout: ",
                      f.why,
                      "; addresses may name the wrong symbols (rebuild it "
                      "with ksym build)");
}

}  // namespace ksym
