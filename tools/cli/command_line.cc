#include "tools/cli/command_line.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ksym {

absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& value_flags,
    const std::vector<std::string>& bool_flags,
    const std::vector<std::string>& words) {
  const std::map<std::string, std::string> aliases = {
      {"-i", "--index"}, {"-o", "--output"}, {"-q", "--quiet"},
      {"-h", "--help"}};
  auto listed = [](const std::vector<std::string>& list,
                   const std::string& a) {
    return std::find(list.begin(), list.end(), a) != list.end();
  };
  CommandLine out;
  bool options_done = false;
  for (size_t k = 0; k < words.size(); ++k) {
    std::string a = words[k];
    if (options_done || a.size() < 2 || a[0] != '-' ||
        (a[1] != '-' && !aliases.count(a))) {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos && a[1] == '-') {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    if (aliases.count(a)) a = aliases.at(a);
    if (a == "--help") {
      out.help = true;
      return out;
    }
    if (listed(value_flags, a)) {
      if (!has_value) {
        if (k + 1 >= words.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat(a, " needs a value"));
        }
        value = words[++k];
      }
      out.values[a] = value;
    } else if (listed(bool_flags, a) && !has_value) {
      out.flags[a] = true;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option ", words[k]));
    }
  }
  return out;
}

}  // namespace ksym
