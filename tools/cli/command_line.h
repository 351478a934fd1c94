// Command-line words of one ksym command, parsed against its flags: the
// rules every front end that takes words shares (the CLI today).
//
//   CommandLine c = ParseCommandLine({"--index", "--output"}, {"--json"},
//                                    {"-i", "k.ksym", "--json", "0x10"});
//   c.values["--index"] == "k.ksym"; c.positional == {"0x10"}
//
// -i -o -q -h are short for --index --output --quiet --help; "--flag=VALUE"
// and "--flag VALUE" both work for value flags; "--" ends options; a word
// that does not start with '-' (or is "-" alone) is positional.
#ifndef KSYM_TOOLS_CLI_COMMAND_LINE_H_
#define KSYM_TOOLS_CLI_COMMAND_LINE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ksym {

struct CommandLine {
  std::map<std::string, std::string> values;  // --flag VALUE (last wins)
  std::map<std::string, bool> flags;          // --flag
  std::vector<std::string> positional;
  bool help = false;  // --help or -h: nothing after it is parsed
};

// InvalidArgument "OPTION needs a value" or "unknown option WORD" (the word
// as given, before alias expansion).
absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& value_flags,
    const std::vector<std::string>& bool_flags,
    const std::vector<std::string>& words);

}  // namespace ksym

#endif  // KSYM_TOOLS_CLI_COMMAND_LINE_H_
