// Commands for symbolizing a fleet: layout (a host's layout record), store
// (indexes by build-id). See
// symbolizer/fleet/.
#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/files/safe_write.h"
#include "symbolizer/fleet/host_layout.h"
#include "symbolizer/fleet/index_store.h"
#include "symbolizer/fleet/read_host_layout.h"
#include "tools/cli/command.h"

namespace ksym {
namespace cli {
namespace {

int RunLayout(const Args& a) {
  if (!a.positional.empty()) {
    Die(kExitUsage, absl::StrCat("layout: unexpected argument \"",
                                 a.positional[0], "\" (see ksym layout --help)"));
  }
  absl::StatusOr<HostLayout> layout = ReadHostLayout(a.value("--root"));
  if (!layout.ok()) Die(kExitError, layout.status().message());
  const std::string text = a.flag("--json")
                               ? HostLayoutJson(*layout) + "\n"
                               : FormatHostLayout(*layout);
  const std::string out = a.value("--output");
  if (out.empty() || out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  // Runtime addresses reveal the KASLR slide: the file is private.
  absl::Status st = WriteFileAtomically(out, text, {.mode = 0600});
  if (!st.ok()) Die(kExitError, st.message());
  return kExitOk;
}

int RunStore(const Args& a) {
  if (a.positional.size() < 2 || a.positional[0] != "add") {
    Die(kExitUsage, "store: expected `store add FILE...` (see ksym store --help)");
  }
  const std::string dir = a.value("--store");
  if (dir.empty()) Die(kExitUsage, "store: --store DIR is required");
  IndexStore store(dir);
  KernelExtras extras;
  extras.modules_dir = a.value("--modules-dir");
  extras.system_map = a.value("--system-map");
  for (size_t i = 1; i < a.positional.size(); ++i) {
    absl::StatusOr<IndexStore::Added> added = store.Add(a.positional[i], extras);
    if (!added.ok()) Die(kExitError, added.status().message());
    std::printf("%s %s %s (%llu symbols)\n", added->build_id.c_str(),
                added->module ? "module" : "kernel", added->path.c_str(),
                static_cast<unsigned long long>(added->symbols));
  }
  return kExitOk;
}

}  // namespace

const Command& StoreCommand() {
  static const Command c{
      "store", "add a vmlinux or debug .ko to an index store by build-id",
      R"HELP(usage: ksym store add --store DIR [--modules-dir DIR] [--system-map FILE] FILE...

Indexes each vmlinux or (debug) .ko (.ko.xz, .ko.zst, .ko.gz too) into the
store DIR under its build-id: DIR/.build-id/xx/rest.ksym, a static index
(link-time addresses; a module's sections placed as docs/fleet.md says)
that serves every host and boot of that build. Prints
"BUILD-ID kernel|module PATH (N symbols)" per file. Written to a temp file
and renamed: several processes may fill one store at once.
  --store DIR         the store
  --modules-dir DIR   for a vmlinux: its /lib/modules/RELEASE (built-in
                      modules, as `ksym build` reads them)
  --system-map FILE   for a vmlinux: its System.map
)HELP",
      {"--store", "--modules-dir", "--system-map"},
      {},
      RunStore};
  return c;
}

const Command& LayoutCommand() {
  static const Command c{
      "layout", "print this host's layout record (to symbolize elsewhere)",
      R"(usage: ksym layout [--root DIR] [--json] [-o FILE]

Prints what a host ships beside its raw kernel addresses so that they can be
symbolized on another machine from static indexes kept by build-id: the
kernel's release and build-id, the runtime address of _text, and for each
loaded module its name, build-id and section load addresses. No symbols:
a few KB. Format (version 1, documented in docs/fleet.md):

  ksym-layout 1
  kernel RELEASE BUILD-ID
  text ADDRESS
  module NAME BUILD-ID
  section NAME ADDRESS

"-" marks what the host does not show (no root: zero addresses).
  --root DIR   read DIR/proc, DIR/sys instead of /proc, /sys
  --json       one JSON object instead of the text record
  -o FILE      write FILE (0600, temp file + rename) instead of stdout
)",
      {"--root", "--output"},
      {"--json"},
      RunLayout};
  return c;
}

}  // namespace cli
}  // namespace ksym
