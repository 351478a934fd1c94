// The ksym CLI's command table entry and what every command shares:
// argument parsing, exit codes, opening the index of -i or the running
// kernel's default, progress on a terminal. Each command group lives in a
// file of its own (build_commands.cc, query_commands.cc,
// inspect_commands.cc) that declares its commands with their flags and
// help text together; tools/ksym.cc is the table.
#ifndef KSYM_TOOLS_CLI_COMMAND_H_
#define KSYM_TOOLS_CLI_COMMAND_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/api/index_watch.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace cli {

constexpr int kExitOk = 0;
constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;

// Parsed command line of one command.
struct Args {
  std::map<std::string, std::string> values;  // --flag VALUE
  std::map<std::string, bool> flags;          // --flag
  std::vector<std::string> positional;

  // "" when not given.
  std::string value(const std::string& flag) const;
  bool has(const std::string& flag) const { return values.count(flag) > 0; }
  bool flag(const std::string& flag) const { return flags.count(flag) > 0; }
};

struct Command {
  const char* name;
  const char* summary;  // one line in `ksym --help`
  const char* help;     // `ksym NAME --help`
  // Long names; -i -o -q -h are short for --index --output --quiet --help.
  std::vector<std::string> value_flags;
  std::vector<std::string> bool_flags;
  int (*run)(const Args& args);
};

// The commands of each group, in the order `ksym --help` lists them.
const Command& BuildCommand();
const Command& ExportCommand();
const Command& ImportCommand();
const Command& LookupCommand();
const Command& ResolveCommand();
const Command& SymbolizeCommand();
const Command& ListCommand();
const Command& InfoCommand();
const Command& ModulesCommand();
const Command& VerifyCommand();
const Command& ProbeCommand();
const Command& WhyCommand();
const Command& LayoutCommand();
const Command& StoreCommand();

// Prints "ksym: MESSAGE" on stderr and exits with `code`.
[[noreturn]] void Die(int code, absl::string_view message);

// Parses argv (the words after the command name) against the command's
// flags; "--" ends options. `--help` prints the command's help and exits 0;
// an unknown option or a missing value exits 2.
Args ParseArgs(const Command& command, int argc, char** argv);

// Opens -i INDEX, or the running kernel's default index (built, with
// progress and summary on stderr, when missing). Dies on error.
std::unique_ptr<Symbolizer> OpenIndex(const Args& args,
                                      IndexOptions options = {});

// The file OpenIndex opens for these args (-i INDEX, else the running
// kernel's default path), for an IndexWatch; "" when there is none.
std::string IndexPathOf(const Args& args);

// Progress on stderr when it is a terminal: one line, rewritten in place.
class Progress {
 public:
  explicit Progress(bool enabled);
  ~Progress() { Clear(); }
  void Update(uint64_t done, uint64_t total, absl::string_view what);
  void Clear();

 private:
  bool enabled_;
  bool shown_ = false;
};

// Flushes stdout; a failed write (a full disk, /dev/full) is reported on
// stderr (FlushOutput, tools/cli/process_output.h) and turns `status`
// into kExitError.
int FinishStdout(int status);

// Calls f(line, line_number) for each stdin line; a line longer than
// kMaxInputLine (symbolizer/api/text_policy.h) is skipped with a message.
// Returns how many lines were skipped.
// With a watch, the index is checked before line 1 and every
// IndexWatch::kCheckEvery lines: a file rewritten in place ends the command
// (exit 3) saying which lines may be wrong.
int ForEachStdinLine(
    const std::function<void(absl::string_view, uint64_t)>& f,
    IndexWatch* watch = nullptr);

}  // namespace cli
}  // namespace ksym

#endif  // KSYM_TOOLS_CLI_COMMAND_H_
