// Commands that write index files: build, export, import.
#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "proto/convert.h"
#include "symbolizer/api/build_index.h"
#include "symbolizer/running_kernel/default_index.h"
#include "tools/cli/command.h"

namespace ksym {
namespace cli {
namespace {

int RunBuild(const Args& a) {
  if (!a.positional.empty()) {
    Die(kExitUsage, absl::StrCat("build: unexpected argument \"",
                                 a.positional[0], "\" (see ksym build --help)"));
  }
  BuildInputs in;
  in.kallsyms_path = a.value("--kallsyms");
  in.system_map_path = a.value("--system-map");
  in.vmlinux_path = a.value("--vmlinux");
  in.linker_map_path = a.value("--linker-map");
  in.modules_dir = a.value("--modules-dir");
  in.build_dir = a.value("--build-dir");
  in.root = a.value("--root");
  in.release = a.value("--release");
  in.lines = !a.flag("--no-lines");
  const bool quiet = a.flag("--quiet");
  Progress progress(!quiet);
  auto report = [&](uint64_t d, uint64_t t, absl::string_view w) {
    progress.Update(d, t, w);
  };
  absl::StatusOr<BuiltIndex> built =
      a.has("--output") ? BuildIndexFile(in, a.value("--output"), report)
                        : BuildDefaultIndex(in, report);
  progress.Clear();
  if (!built.ok()) Die(kExitError, built.status().message());
  if (!quiet) {
    for (const std::string& line : BuildSummary(*built)) {
      std::fprintf(stderr, "ksym: %s\n", line.c_str());
    }
  }
  return kExitOk;
}

absl::StatusOr<ProtoFormat> FormatFor(const Args& a, const std::string& path) {
  if (!a.has("--format")) return ProtoFormatForPath(path);
  return ParseProtoFormat(a.value("--format"));
}

int RunExport(const Args& a) {
  const std::string out = a.value("--output");
  if (out.empty()) Die(kExitUsage, "export: -o FILE is required (- for stdout)");
  absl::StatusOr<ProtoFormat> format = FormatFor(a, out);
  if (!format.ok()) Die(kExitUsage, format.status().message());
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  ExportOptions options;
  options.absolute = a.flag("--absolute");
  std::string note;
  if (out == "-") {
    absl::StatusOr<std::string> bytes =
        ExportSymbolTableBytes(s->index(), *format, options, &note);
    if (!bytes.ok()) Die(kExitError, absl::StrCat("export: ", bytes.status().message()));
    if (!note.empty()) std::fprintf(stderr, "ksym: export: %s\n", note.c_str());
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    return kExitOk;  // main() reports a failed write
  }
  if (absl::Status st = ExportTableFile(s->index(), *format, options, out, &note);
      !st.ok()) {
    Die(kExitError, absl::StrCat("export: ", st.message()));
  }
  if (!note.empty()) std::fprintf(stderr, "ksym: export: %s\n", note.c_str());
  return kExitOk;
}

int RunImport(const Args& a) {
  if (a.positional.size() != 1 || a.value("--output").empty()) {
    Die(kExitUsage, "import: usage: ksym import FILE -o INDEX");
  }
  const std::string in = a.positional[0];
  absl::StatusOr<ProtoFormat> format = FormatFor(a, in);
  if (!format.ok()) Die(kExitUsage, format.status().message());
  if (absl::Status st = ImportTableFile(in, *format, a.value("--output"));
      !st.ok()) {
    Die(kExitError, st.message());
  }
  return kExitOk;
}

}  // namespace

const Command& BuildCommand() {
  static const Command c{
      "build",
      "build an index (default: the running kernel, from /proc/kallsyms)",
      R"(usage: ksym build [SOURCES] [-o INDEX] [-q]

Builds an index. With no source, indexes the running kernel with everything
the machine has: /proc/kallsyms (needs root, or kernel.kptr_restrict=0, to
see addresses), the build-id in /sys/kernel/notes, the vmlinux of its -dbg /
-dbgsym / kernel-debuginfo package (checked by build-id; when none is
installed and DEBUGINFOD_URLS is set, fetched by build-id from those
debuginfod servers into DEBUGINFOD_CACHE_PATH), System.map and
/lib/modules/RELEASE; each source is reported found, missing or rejected.
  --root DIR          read the live system under DIR (a container's host
                      root, a saved system): DIR/proc/kallsyms, DIR/boot, ...
  --release R         the release to look for (default: DIR/proc/sys/kernel/
                      osrelease)
Sources combine; the most precise facts win:
  --vmlinux FILE      vmlinux with .symtab (exact sizes) and DWARF (objects)
  --system-map FILE   System.map; checked against vmlinux, or with
                      --kallsyms used to compute the KASLR offset
  --kallsyms FILE     /proc/kallsyms or a saved copy (runtime addresses,
                      loadable modules)
  --linker-map FILE   vmlinux.map (GNU ld or lld -Map): address -> object
  --modules-dir DIR   /lib/modules/RELEASE: modules.builtin, .modinfo,
                      .objs, .ranges: object -> built-in module
  --build-dir DIR     a kernel build tree: all of the above plus the kbuild
                      .cmd files, found inside it
  --no-lines          leave out the vmlinux's source lines and inline trees
                      (read from its DWARF by default: `lookup --lines`,
                      `symbolize --lines`); a smaller index, a faster build
  -o, --output INDEX  where to write (default: the running kernel's cache;
                      required with --root and with sources that describe
                      the running kernel but are not read from it)
  -q, --quiet         no progress or summary on stderr
Names that stay ambiguous are listed on stderr, never guessed.
)",
      {"--kallsyms", "--system-map", "--vmlinux", "--linker-map",
       "--modules-dir", "--build-dir", "--root", "--release", "--output"},
      {"--quiet", "--no-lines"},
      RunBuild};
  return c;
}

const Command& ExportCommand() {
  static const Command c{
      "export", "write the index as a protobuf SymbolTable (proto/ksym.proto)",
      R"(usage: ksym export [-i INDEX] -o FILE [--format=binary|textproto|json] [--absolute]

Writes the index as a protobuf SymbolTable (proto/ksym.proto) that trace
tools can ship next to a trace. The format defaults from FILE's extension
(.json, .textproto/.txtpb/.pbtxt, else binary). `-o -` writes stdout.
A runtime index exports link-time addresses (the KASLR slide subtracted,
loadable-module symbols left out), so the file does not reveal the slide;
it needs a known slide (an index built with --system-map or --vmlinux).
  --absolute   export the runtime addresses and the slide as they are (the
               file is then written 0600)
)",
      {"--index", "--output", "--format"},
      {"--absolute"},
      RunExport};
  return c;
}

const Command& ImportCommand() {
  static const Command c{
      "import", "build an index from an exported SymbolTable",
      R"(usage: ksym import FILE -o INDEX [--format=binary|textproto|json]

Builds an index from an exported SymbolTable, validating every field.
)",
      {"--output", "--format"},
      {},
      RunImport};
  return c;
}

}  // namespace cli
}  // namespace ksym
