#include "tools/cli/command.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/api/build_index.h"
#include "tools/cli/command_line.h"
#include "symbolizer/running_kernel/default_index.h"
#include "symbolizer/running_kernel/freshness.h"
#include "tools/cli/process_output.h"
#include "symbolizer/api/text_policy.h"

namespace ksym {
namespace cli {

std::string Args::value(const std::string& flag) const {
  auto it = values.find(flag);
  return it == values.end() ? "" : it->second;
}

void Die(int code, absl::string_view message) {
  std::fprintf(stderr, "ksym: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::exit(code);
}

Args ParseArgs(const Command& command, int argc, char** argv) {
  const std::string name = command.name;
  absl::StatusOr<CommandLine> line = ParseCommandLine(
      command.value_flags, command.bool_flags,
      std::vector<std::string>(argv, argv + argc));
  if (!line.ok()) {
    const bool unknown =
        absl::StartsWith(line.status().message(), "unknown option ");
    Die(kExitUsage,
        absl::StrCat(name, ": ", line.status().message(),
                     unknown ? absl::StrCat(" (see ksym ", name, " --help)")
                             : ""));
  }
  if (line->help) {
    std::fputs(command.help, stdout);
    // `ksym lookup --help > /dev/full` used to exit 0.
    std::exit(FinishStdout(kExitOk));
  }
  Args args;
  args.values = std::move(line->values);
  args.flags = std::move(line->flags);
  args.positional = std::move(line->positional);
  return args;
}

std::unique_ptr<Symbolizer> OpenIndex(const Args& args, IndexOptions options) {
  absl::StatusOr<std::unique_ptr<Symbolizer>> s;
  if (args.has("--index")) {
    s = Symbolizer::Open(args.value("--index"), options);
    if (s.ok()) {
      const std::string warning =
          ExplicitIndexWarning(**s, args.value("--index"));
      if (!warning.empty()) {
        std::fprintf(stderr, "ksym: warning: %s\n", warning.c_str());
      }
    }
  } else {
    Progress progress(true);
    DefaultIndexOptions o;
    o.index = options;
    o.on_build = [](const std::string& path) {
      std::fprintf(stderr, "ksym: no index for the running kernel yet; "
                           "building %s\n", path.c_str());
    };
    o.progress = [&](uint64_t d, uint64_t t, absl::string_view w) {
      progress.Update(d, t, w);
    };
    o.on_stale = [](const std::string& path, const std::string& why) {
      std::fprintf(stderr, "ksym: %s is stale (%s); rebuilding it\n",
                   path.c_str(), why.c_str());
    };
    o.on_built = [&](const BuiltIndex& built) {
      progress.Clear();
      for (const std::string& line : BuildSummary(built)) {
        std::fprintf(stderr, "ksym: %s\n", line.c_str());
      }
    };
    s = OpenDefaultIndex(o);
  }
  if (!s.ok()) Die(kExitError, s.status().message());
  return *std::move(s);
}

int FinishStdout(int status) {
  if (absl::Status s = FlushOutput(stdout); !s.ok()) {
    std::fprintf(stderr, "ksym: %s\n", std::string(s.message()).c_str());
    return kExitError;
  }
  return status;
}

Progress::Progress(bool enabled) : enabled_(enabled && isatty(2)) {}

void Progress::Update(uint64_t done, uint64_t total, absl::string_view what) {
  if (!enabled_) return;
  std::string line(what);
  if (total > 0) absl::StrAppendFormat(&line, " %d%%", done * 100 / total);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  shown_ = true;
}

void Progress::Clear() {
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

std::string IndexPathOf(const Args& args) {
  if (args.has("--index")) return args.value("--index");
  absl::StatusOr<std::string> path = RunningKernelIndexPath();
  return path.ok() ? *path : "";
}

// Checks `watch` before `line` when due; ends the command on a change.
void CheckIndexBefore(IndexWatch* watch, uint64_t line) {
  if (watch == nullptr || !IndexWatch::Due(line, false)) return;
  absl::Status st = watch->Check(line);
  if (!st.ok()) {
    std::fflush(stdout);
    Die(kExitError, st.message());
  }
  if (std::optional<std::string> n = watch->replaced_notice()) {
    std::fprintf(stderr, "ksym: %s\n", n->c_str());
  }
}

int ForEachStdinLine(
    const std::function<void(absl::string_view, uint64_t)>& f,
    IndexWatch* watch) {
  auto checked = [&](absl::string_view line, uint64_t number) {
    CheckIndexBefore(watch, number);
    f(line, number);
  };
  return static_cast<int>(ForEachInputLine(stdin, checked, [](uint64_t number) {
    std::fprintf(stderr, "ksym: %s\n",
                 SkippedLineMessage("<stdin>", number).c_str());
  }));
}

}  // namespace cli
}  // namespace ksym
