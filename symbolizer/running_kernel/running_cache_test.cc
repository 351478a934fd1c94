// The running kernel's default cache on this machine's real /proc/kallsyms:
// a second open uses the index the first one built. Kernels list
// pseudo-modules in kallsyms ([__builtin__ftrace] on 6.18, [bpf] wherever
// systemd or a tracer loaded a BPF program); they used to make every open
// rebuild. freshness_test has the same case on a fixture, for machines
// without them.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/running_kernel/default_index.h"
#include "symbolizer/running_kernel/freshness.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

struct Opened {
  std::unique_ptr<Symbolizer> symbolizer;
  int built = 0;
  int stale = 0;
  std::string why;
};

Opened Open() {
  Opened o;
  DefaultIndexOptions options;
  options.on_build = [&](const std::string&) { ++o.built; };
  options.on_stale = [&](const std::string&, const std::string& why) {
    ++o.stale;
    o.why = why;
  };
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = OpenDefaultIndex(options);
  EXPECT_TRUE(s.ok()) << s.status();
  if (s.ok()) o.symbolizer = *std::move(s);
  return o;
}

TEST(RunningCacheTest, TheSecondOpenUsesTheCache) {
  const std::string cache = absl::StrCat(std::getenv("TEST_TMPDIR"), "/xdg");
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  unsetenv("KSYM_INDEX");

  // What this machine's kallsyms lists as pseudo-modules right now.
  absl::StatusOr<std::string> text = ReadFileToString("/proc/kallsyms");
  ASSERT_TRUE(text.ok()) << text.status();
  int pseudo_lines = 0;
  std::string example;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    size_t open = line.find("\t[");
    if (open == absl::string_view::npos) continue;
    absl::string_view module = line.substr(open + 2);
    module.remove_suffix(module.size() - module.find(']'));
    if (!IsPseudoModule(module)) continue;
    ++pseudo_lines;
    if (example.empty()) {
      std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
      if (fields.size() >= 3) {
        example = std::string(fields[2].substr(0, fields[2].find('\t')));
      }
    }
  }
  std::cerr << "pseudo-module lines in /proc/kallsyms: " << pseudo_lines
            << (example.empty() ? "" : absl::StrCat(" (e.g. ", example, ")"))
            << "\n";

  Opened first = Open();
  ASSERT_NE(first.symbolizer, nullptr);
  EXPECT_EQ(first.built, 1);
  if (!example.empty()) {
    Query q;
    q.name = example;
    EXPECT_TRUE(first.symbolizer->Resolve(q).empty())
        << example << " is a pseudo-module symbol and must not be indexed";
  }
  Opened second = Open();
  ASSERT_NE(second.symbolizer, nullptr);
  EXPECT_EQ(second.built, 0);
  EXPECT_EQ(second.stale, 0) << second.why;
  // And an explicit -i of that same file is not reported stale.
  absl::StatusOr<std::string> path = RunningKernelIndexPath();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(ExplicitIndexWarning(*second.symbolizer, *path), "");
}

}  // namespace
}  // namespace ksym
