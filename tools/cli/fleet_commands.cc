// Commands for symbolizing a fleet: layout (a host's layout record). See
// symbolizer/fleet/.
#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/files/safe_write.h"
#include "symbolizer/fleet/host_layout.h"
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

}  // namespace

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
