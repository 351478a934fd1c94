#include "symbolizer/sources/elf/lines_peer_testing.h"

#include <cstdio>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace ksym {
namespace testutil {

std::vector<std::string> PrintFrames(const std::vector<SourceFrame>& frames,
                                     bool columns) {
  std::vector<std::string> out;
  for (const SourceFrame& f : frames) {
    std::string line =
        absl::StrCat(f.function.empty() ? "??" : f.function, " ",
                     f.file.empty() ? "??" : f.file, ":", f.line);
    if (columns) absl::StrAppend(&line, ":", f.column);
    out.push_back(std::move(line));
  }
  if (out.empty()) out.push_back(columns ? "?? ??:0:0" : "?? ??:0");
  return out;
}

std::map<uint64_t, std::vector<std::string>> ParsePeerOutput(
    absl::string_view text) {
  std::map<uint64_t, std::vector<std::string>> answers;
  std::vector<std::string>* current = nullptr;
  std::string function;
  bool want_function = true;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::string_view hex = line;
    uint64_t address = 0;
    if (absl::ConsumePrefix(&hex, "0x") && absl::SimpleHexAtoi(hex, &address) &&
        want_function) {
      current = &answers[address];
      current->clear();  // an address asked twice is answered twice
      continue;
    }
    if (current == nullptr) {
      ADD_FAILURE() << "peer output before an address: " << line;
      continue;
    }
    if (want_function) {
      function = std::string(line);
    } else {
      size_t d = line.find(" (discriminator ");
      if (d != absl::string_view::npos) line = line.substr(0, d);
      current->push_back(absl::StrCat(function, " ", line));
    }
    want_function = !want_function;
  }
  return answers;
}

bool SameButOutermostName(const std::vector<std::string>& ours,
                          const std::vector<std::string>& peer, bool any_name) {
  if (ours.size() != peer.size() || ours.empty()) return false;
  for (size_t i = 0; i + 1 < ours.size(); ++i) {
    if (ours[i] != peer[i]) return false;
  }
  std::pair<std::string, std::string> o =
      absl::StrSplit(ours.back(), absl::MaxSplits(' ', 1));
  std::pair<std::string, std::string> p =
      absl::StrSplit(peer.back(), absl::MaxSplits(' ', 1));
  return o.second == p.second && (any_name || o.first == "??" ||
                                  absl::StartsWith(p.first, o.first + "."));
}

namespace {

std::string Unquote(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  absl::ConsumePrefix(&s, "\"");
  absl::ConsumeSuffix(&s, "\"");
  return std::string(s);
}

}  // namespace

std::string DwarfdumpLineTable::Path(uint32_t file,
                                     bool comp_dir_relative) const {
  if (file >= files.size()) return "";
  const File& f = files[file];
  if ((!f.name.empty() && f.name[0] == '/') || f.dir >= dirs.size() ||
      (comp_dir_relative && f.dir == 0)) {
    return f.name;
  }
  return absl::StrCat(dirs[f.dir], "/", f.name);
}

std::vector<DwarfdumpLineTable> ParseDwarfdumpDebugLine(
    absl::string_view text) {
  std::vector<DwarfdumpLineTable> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(l, "debug_line[")) {
      out.emplace_back();
      continue;
    }
    if (out.empty()) continue;
    DwarfdumpLineTable& t = out.back();
    if (absl::ConsumePrefix(&l, "include_directories[")) {
      t.dirs.push_back(Unquote(l.substr(l.find('=') + 1)));
    } else if (absl::StartsWith(l, "file_names[")) {
      t.files.emplace_back();
    } else if (absl::ConsumePrefix(&l, "name:") && !t.files.empty()) {
      t.files.back().name = Unquote(l);
    } else if (absl::ConsumePrefix(&l, "dir_index:") && !t.files.empty()) {
      EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(l),
                                   &t.files.back().dir));
    } else if (absl::StartsWith(l, "0x")) {
      std::vector<absl::string_view> f =
          absl::StrSplit(l, ' ', absl::SkipEmpty());
      DwarfdumpRow r;
      if (f.size() < 6 || !absl::SimpleHexAtoi(f[0], &r.address) ||
          !absl::SimpleAtoi(f[1], &r.line) || !absl::SimpleAtoi(f[3], &r.file)) {
        continue;
      }
      for (size_t i = 6; i < f.size(); ++i) {
        r.is_stmt |= f[i] == "is_stmt";
        r.end_sequence |= f[i] == "end_sequence";
      }
      t.rows.push_back(r);
    }
  }
  return out;
}

std::string RunPeer(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return "";
  }
  std::string out;
  char buffer[1 << 16];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << command
                       << " failed (llvm-symbolizer and addr2line come with "
                          "tools/install-deps.sh)";
  return out;
}

}  // namespace testutil
}  // namespace ksym
