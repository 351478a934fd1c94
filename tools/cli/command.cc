#include "tools/cli/command.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/api/build_index.h"
#include "symbolizer/api/default_index.h"
#include "symbolizer/api/freshness.h"

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
  const std::map<std::string, std::string> aliases = {
      {"-i", "--index"}, {"-o", "--output"}, {"-q", "--quiet"},
      {"-h", "--help"}};
  const std::string name = command.name;
  Args args;
  bool options_done = false;
  for (int k = 0; k < argc; ++k) {
    std::string a = argv[k];
    if (options_done || a.size() < 2 || a[0] != '-' ||
        (a[1] != '-' && !aliases.count(a))) {
      args.positional.push_back(a);
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
      std::fputs(command.help, stdout);
      std::exit(kExitOk);
    }
    bool is_value = false, is_bool = false;
    for (const std::string& f : command.value_flags) is_value |= f == a;
    for (const std::string& f : command.bool_flags) is_bool |= f == a;
    if (is_value) {
      if (!has_value) {
        if (k + 1 >= argc) {
          Die(kExitUsage, absl::StrCat(name, ": ", a, " needs a value"));
        }
        value = argv[++k];
      }
      args.values[a] = value;
    } else if (is_bool && !has_value) {
      args.flags[a] = true;
    } else {
      Die(kExitUsage, absl::StrCat(name, ": unknown option ", argv[k],
                                   " (see ksym ", name, " --help)"));
    }
  }
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

namespace {

void OnSigbus(int) {
  static const char kMessage[] =
      "ksym: the index file changed while it was read (truncated in place?); "
      "run the command again\n";
  // Only async-signal-safe calls here.
  ssize_t ignored = write(2, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(kExitError);
}

}  // namespace

void ReportSigbusAsChangedIndex() {
  struct sigaction sa = {};
  sa.sa_handler = OnSigbus;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, nullptr);
}

int FinishStdout(int status) {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "ksym: cannot write standard output: %s\n",
                 errno != 0 ? std::strerror(errno) : "write error");
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

int ForEachStdinLine(const std::function<void(const std::string&, int)>& f) {
  std::string line;
  int number = 0, skipped = 0;
  std::vector<char> chunk(64 << 10);
  bool too_long = false;
  while (true) {
    std::cin.getline(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const size_t got = static_cast<size_t>(std::cin.gcount());
    const bool full = std::cin.fail() && !std::cin.eof() &&
                      got == chunk.size() - 1;
    if (got == 0 && !std::cin.good() && !full) break;
    // getline counts the newline it consumed in gcount.
    const size_t text = full ? got : (std::cin.eof() ? got : got - 1);
    if (!too_long) line.append(chunk.data(), text);
    if (line.size() > kMaxStdinLine) {
      too_long = true;
      line.clear();
    }
    if (full) {
      std::cin.clear();
      continue;  // the rest of this line follows
    }
    ++number;
    if (too_long) {
      std::fprintf(stderr,
                   "ksym: <stdin>:%d: line longer than %zu bytes skipped\n",
                   number, kMaxStdinLine);
      ++skipped;
    } else {
      f(line, number);
    }
    line.clear();
    too_long = false;
    if (std::cin.eof()) break;
  }
  return skipped;
}

std::string QuoteForMessage(absl::string_view text) {
  constexpr size_t kShown = 200;
  std::string out;
  for (unsigned char c : text.substr(0, kShown)) {
    if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (text.size() > kShown) {
    absl::StrAppend(&out, "... (", text.size(), " bytes)");
  }
  return out;
}

}  // namespace cli
}  // namespace ksym
