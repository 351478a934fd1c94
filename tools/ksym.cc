// ksym: build and query kernel symbol indexes. See README.md for usage.
//
// This file is the table of commands; each command group, with its flags
// and help text, lives in tools/cli/ (build_commands.cc: build, export,
// import; query_commands.cc: lookup, resolve, symbolize;
// inspect_commands.cc: list, info, modules, why, verify; probe_commands.cc: probe;
// fleet_commands.cc: layout, store).
// What they print comes from the library's front-end layer, symbolizer/api/.
//
// Exit codes: 0 success; 1 a lookup/resolve/why found nothing (or was
// ambiguous with --unique), a probe was ambiguous or refused, or the index
// failed verification; 2 usage error; 3 any other error (unreadable input,
// corrupt index, ...).
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "ksym/ksym.h"
#include "symbolizer/index/format.h"
#include "tools/cli/process_output.h"
#include "tools/cli/command.h"

namespace ksym {
namespace cli {
namespace {

// In the order `ksym --help` lists them.
const Command* const kCommands[] = {
    &BuildCommand(),  &LookupCommand(), &ResolveCommand(),
    &ProbeCommand(),  &SymbolizeCommand(), &ListCommand(), &InfoCommand(),
    &ModulesCommand(), &WhyCommand(),
    &VerifyCommand(), &ExportCommand(), &ImportCommand(), &LayoutCommand(),
    &StoreCommand(),
};

std::string Usage() {
  std::string out =
      R"(usage: ksym COMMAND [OPTIONS] [ARGS]

Unique, fast kernel symbol names: every symbol as `name [modules] {object}`
(the /proc/kallmodsyms convention), address -> symbol and name -> address.

commands:
)";
  for (const Command* c : kCommands) {
    const std::string name = c->name;
    out += "  " + name + std::string(name.size() < 9 ? 9 - name.size() : 2, ' ') +
           c->summary + "\n";
  }
  out += R"(
Without -i INDEX, commands use the running kernel's cached index
($KSYM_INDEX, else ~/.cache/ksym/RELEASE-BUILDID.ksym, under
$XDG_CACHE_HOME/ksym when that is set), building it when missing.
`ksym --version` prints the version and the index format version.
`ksym COMMAND --help` describes each command.
)";
  return out;
}

}  // namespace
}  // namespace cli
}  // namespace ksym

int main(int argc, char** argv) {
  using namespace ksym::cli;
  // std::cin is tied to std::cout, whose flush in sync_with_stdio mode
  // fflush()es stdout: without this, every line read from stdin cost a
  // write(2) of the previous output line.
  std::cin.tie(nullptr);
  ksym::ReportSigbusAsChangedIndex(kExitError);
  ksym::ReportOutOfMemory(kExitError);
  if (argc < 2) {
    std::fputs(Usage().c_str(), stderr);
    return kExitUsage;
  }
  const std::string cmd = argv[1];
  if (cmd == "--version" || cmd == "version") {
    // The C API's version (ksym.h, ksym.pc) and the index format this
    // binary writes and reads.
    std::printf("ksym %d.%d (index format %u)\n", KSYM_VERSION_MAJOR,
                KSYM_VERSION_MINOR, ksym::format::kFormatVersion);
    return FinishStdout(kExitOk);
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(Usage().c_str(), stdout);
    return FinishStdout(kExitOk);
  }
  for (const Command* c : kCommands) {
    if (cmd == c->name) {
      return FinishStdout(c->run(ParseArgs(*c, argc - 2, argv + 2)));
    }
  }
  std::fprintf(stderr, "ksym: unknown command \"%s\"\n\n%s", cmd.c_str(),
               Usage().c_str());
  return kExitUsage;
}
