#include "symbolizer/sources/modules_builtin.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

// Calls fn(line, line_number) for each non-empty line; stops at an error.
template <typename Fn>
absl::Status ForEachLine(absl::string_view text, Fn fn) {
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (line.empty()) continue;
    absl::Status status = fn(line, number);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// 1 to 16 hex digits, nothing else (SimpleHexAtoi would take "0x" and
// signs).
bool ParseHexOffset(absl::string_view s, uint64_t& value) {
  return ParseHexDigits(s, &value);
}

// Offsets in modules.builtin.ranges are into one section of vmlinux.
constexpr uint64_t kMaxSectionOffset = 0xffffffffu;

// Module names (KBUILD_MODNAME, '-' already made '_') and modinfo keys
// (MODULE_INFO tags) are C identifiers.
bool IsIdentifier(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Why a modinfo record is not what modpost and the MODULE_* macros write,
// or "". Values are free text (descriptions may hold newlines and tabs)
// but no other control byte.
std::string BadModinfoRecord(absl::string_view module, absl::string_view key,
                             absl::string_view value) {
  for (absl::string_view name : absl::StrSplit(module, ':')) {
    if (name.empty() && key == "file") continue;  // said below, with the form
    if (!IsIdentifier(name)) {
      return absl::StrCat("module name ", QuoteInput(name),
                          " is not an identifier (letters, digits, '_')");
    }
  }
  if (!IsIdentifier(key)) {
    return absl::StrCat("key ", QuoteInput(key),
                        " is not an identifier (letters, digits, '_')");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      return absl::StrCat("value has control byte 0x", absl::Hex(c),
                          " at byte ", i);
    }
  }
  return "";
}

// Finds `flag` ("-DKBUILD_MODFILE=") as a whole word of `command` and
// returns what follows it, or npos.
size_t FindFlag(absl::string_view command, absl::string_view flag) {
  size_t pos = 0;
  while ((pos = command.find(flag, pos)) != absl::string_view::npos) {
    if (pos == 0 || command[pos - 1] == ' ' || command[pos - 1] == '\t') {
      return pos + flag.size();
    }
    pos += flag.size();
  }
  return absl::string_view::npos;
}

// kbuild's stringify: -DKBUILD_MODFILE='"fs/ext4/ext4"'.
absl::StatusOr<std::optional<std::string>> QuotedFlagValue(
    absl::string_view command, absl::string_view flag,
    absl::string_view filename) {
  size_t start = FindFlag(command, flag);
  if (start == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = command.substr(start);
  size_t close = rest.find("\"'", 2);
  if (!absl::StartsWith(rest, "'\"") || close == absl::string_view::npos ||
      absl::StripAsciiWhitespace(rest.substr(2, close - 2)).empty() ||
      rest.substr(2, close - 2).find_first_of("'\"") !=
          absl::string_view::npos) {
    absl::string_view shown = rest.substr(0, rest.find_first_of(" \t"));
    return LineError(filename, 1,
                     absl::StrCat("bad ", flag, " value ", QuoteInput(shown),
                                  " (expected '\"VALUE\"')"));
  }
  return std::string(rest.substr(2, close - 2));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseModulesBuiltin(
    absl::string_view text, absl::string_view filename) {
  std::vector<std::string> paths;
  absl::Status status =
      ForEachLine(text, [&](absl::string_view line, int number) {
        if (line.size() <= 10 || !absl::StartsWith(line, "kernel/") ||
            !absl::EndsWith(line, ".ko") || HasBlankOrControl(line)) {
          return LineError(
              filename, number,
              absl::StrCat("expected \"kernel/PATH.ko\", got ", QuoteInput(line)));
        }
        paths.emplace_back(line);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return paths;
}

absl::StatusOr<BuiltinModinfo> ParseModulesBuiltinModinfo(
    absl::string_view bytes, absl::string_view filename) {
  BuiltinModinfo modinfo;
  std::set<std::pair<std::string, std::string>> seen_files;
  size_t offset = 0;
  while (offset < bytes.size()) {
    size_t nul = bytes.find('\0', offset);
    if (nul == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ": record at offset ", offset, " (",
                       QuoteInput(bytes.substr(offset)),
                       ") is not NUL-terminated; is the file truncated?"));
    }
    absl::string_view record = bytes.substr(offset, nul - offset);
    const size_t record_offset = offset;
    offset = nul + 1;
    // The section is a concatenation of C strings; tolerate padding NULs.
    if (record.empty()) continue;

    size_t eq = record.find('=');
    size_t dot = record.substr(0, eq).find('.');
    if (eq == absl::string_view::npos || dot == absl::string_view::npos ||
        dot == 0 || dot + 1 == eq) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ": record at offset ", record_offset,
                       ": expected \"MODULE.KEY=VALUE\", got ", QuoteInput(record)));
    }
    if (std::string why = BadModinfoRecord(record.substr(0, dot),
                                           record.substr(dot + 1, eq - dot - 1),
                                           record.substr(eq + 1));
        !why.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ": record at offset ", record_offset, ": ",
                       why, " in ", QuoteInput(record)));
    }
    ModinfoRecord r;
    r.module = std::string(record.substr(0, dot));
    r.key = std::string(record.substr(dot + 1, eq - dot - 1));
    r.value = std::string(record.substr(eq + 1));

    if (r.key == "file") {
      std::vector<absl::string_view> names = absl::StrSplit(r.module, ':');
      std::vector<absl::string_view> files =
          absl::StrSplit(r.value, ' ', absl::SkipEmpty());
      if (names.size() != files.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(filename, ": record at offset ", record_offset, ": ",
                         names.size(), " module name(s) but ", files.size(),
                         " file path(s) in ", QuoteInput(record)));
      }
      for (absl::string_view name : names) {
        if (name.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              filename, ": record at offset ", record_offset,
              ": empty module name in ", QuoteInput(record),
              " (expected \"MODULE[:MODULE...].file=PATH[ PATH...]\")"));
        }
      }
      for (size_t i = 0; i < names.size(); ++i) {
        std::pair<std::string, std::string> pair(names[i], files[i]);
        if (seen_files.insert(pair).second) {
          modinfo.module_files.push_back(std::move(pair));
        }
      }
    }
    modinfo.records.push_back(std::move(r));
  }
  return modinfo;
}

absl::StatusOr<std::vector<BuiltinModuleObjects>> ParseModulesBuiltinObjs(
    absl::string_view text, absl::string_view filename) {
  std::vector<BuiltinModuleObjects> modules;
  absl::Status status =
      ForEachLine(text, [&](absl::string_view line, int number) {
        std::vector<absl::string_view> tokens =
            absl::StrSplit(line, ' ', absl::SkipEmpty());
        if (tokens.size() == 1 && !absl::StrContains(line, ':') &&
            !HasBlankOrControl(tokens[0])) {
          return absl::OkStatus();  // a shared object's stray path, see header
        }
        auto malformed = [&] {
          return LineError(
              filename, number,
              absl::StrCat("expected \"MODULE.o: [OBJECT.o]...\", got ",
                           QuoteInput(line)));
        };
        if (tokens.empty() || !absl::EndsWith(tokens[0], ":"))
          return malformed();
        absl::string_view module = tokens[0].substr(0, tokens[0].size() - 1);
        if (module.empty()) return malformed();
        BuiltinModuleObjects entry;
        for (size_t i = 0; i < tokens.size(); ++i) {
          absl::string_view token = i == 0 ? module : tokens[i];
          if (absl::StrContains(token, ':') || HasBlankOrControl(token)) {
            return malformed();
          }
          if (i > 0) entry.objects.emplace_back(token);
        }
        if (!absl::EndsWith(module, ".o")) {
          return LineError(filename, number,
                           absl::StrCat("module object ", QuoteInput(module),
                                        " does not end in \".o\""));
        }
        entry.module_object = std::string(module);
        modules.push_back(std::move(entry));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return modules;
}

absl::StatusOr<std::vector<BuiltinRange>> ParseModulesBuiltinRanges(
    absl::string_view text, absl::string_view filename) {
  struct Anchor {
    std::string symbol;
    uint64_t offset = 0;
  };
  struct Previous {
    uint64_t start = 0;
    uint64_t end = 0;
  };
  absl::flat_hash_map<std::string, Anchor> anchors;
  absl::flat_hash_map<std::string, Previous> previous;
  std::vector<BuiltinRange> ranges;

  absl::Status status =
      ForEachLine(text, [&](absl::string_view line, int number) {
        auto malformed = [&] {
          return LineError(
              filename, number,
              absl::StrCat("expected \"SECTION START-END MODULE...\" or "
                           "\"SECTION START-END = SYMBOL\", got ",
                           QuoteInput(line)));
        };
        std::vector<absl::string_view> tokens =
            absl::StrSplit(line, ' ', absl::SkipEmpty());
        if (tokens.size() < 3) return malformed();
        for (absl::string_view token : tokens) {
          if (HasBlankOrControl(token)) return malformed();
        }
        absl::string_view section = tokens[0];
        std::pair<absl::string_view, absl::string_view> bounds =
            absl::StrSplit(tokens[1], absl::MaxSplits('-', 1));
        uint64_t start, end;
        if (!ParseHexOffset(bounds.first, start) ||
            !ParseHexOffset(bounds.second, end)) {
          return LineError(filename, number,
                           absl::StrCat("bad offset range ", QuoteInput(tokens[1]),
                                        " (expected hex \"START-END\")"));
        }
        if (end < start) {
          return LineError(filename, number,
                           absl::StrCat("offset range ", QuoteInput(tokens[1]),
                                        " ends before it starts"));
        }
        if (end > kMaxSectionOffset) {
          // The generator prints offsets into one section of vmlinux; a
          // larger one would wrap when made absolute and cover nothing.
          return LineError(
              filename, number,
              absl::StrCat("offset range ", QuoteInput(tokens[1]),
                           " reaches past 4 GiB, more than any section of "
                           "vmlinux holds (expected offsets of 8 hex digits)"));
        }

        if (tokens[2] == "=") {
          if (tokens.size() != 4) return malformed();
          if (start != end) {
            return LineError(
                filename, number,
                absl::StrCat("anchor range ", QuoteInput(tokens[1]),
                             " is not empty (expected \"OFFSET-OFFSET\")"));
          }
          anchors[section] = Anchor{std::string(tokens[3]), start};
          return absl::OkStatus();
        }

        auto [it, first] = previous.try_emplace(section, Previous{start, end});
        if (!first) {
          if (start < it->second.end) {
            return LineError(
                filename, number,
                absl::StrFormat(
                    "range %08x-%08x of %s starts before the end of "
                    "the previous one, %08x-%08x (ranges must ascend "
                    "without overlapping)",
                    start, end, section, it->second.start, it->second.end));
          }
          it->second = Previous{start, end};
        }
        BuiltinRange range;
        range.section = std::string(section);
        range.start = start;
        range.end = end;
        for (size_t i = 2; i < tokens.size(); ++i) {
          if (tokens[i] == "=") return malformed();
          range.modules.emplace_back(tokens[i]);
        }
        auto anchor = anchors.find(section);
        if (anchor != anchors.end()) {
          range.anchor = anchor->second.symbol;
          range.anchor_offset = anchor->second.offset;
        }
        ranges.push_back(std::move(range));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return ranges;
}

absl::StatusOr<std::optional<KbuildCmd>> ParseKbuildCmd(
    absl::string_view text, absl::string_view filename) {
  absl::string_view line = text.substr(0, text.find('\n'));
  auto malformed = [&] {
    return LineError(filename, 1,
                     absl::StrCat("expected \"savedcmd_OBJECT := COMMAND\" "
                                  "(or \"cmd_OBJECT := COMMAND\"), got ",
                                  QuoteInput(line)));
  };
  absl::string_view rest = line;
  if (!absl::ConsumePrefix(&rest, "savedcmd_") &&
      !absl::ConsumePrefix(&rest, "cmd_")) {
    return malformed();
  }
  size_t assign = rest.find(" := ");
  if (assign == absl::string_view::npos) return malformed();
  absl::string_view object = rest.substr(0, assign);
  absl::string_view command = rest.substr(assign + 4);
  if (object.empty() || HasBlankOrControl(object)) return malformed();

  KbuildCmd cmd;
  cmd.object = std::string(object);
  absl::StatusOr<std::optional<std::string>> modfile =
      QuotedFlagValue(command, "-DKBUILD_MODFILE=", filename);
  if (!modfile.ok()) return modfile.status();
  if (modfile->has_value()) {
    cmd.modfile = std::move(**modfile);
  } else {
    // Rust objects: "RUST_MODFILE=drivers/net/phy/ax88796b_rust rustc ...".
    size_t start = FindFlag(command, "RUST_MODFILE=");
    if (start == absl::string_view::npos) return std::nullopt;
    absl::string_view value = command.substr(start);
    value = value.substr(0, value.find_first_of(" \t"));
    if (value.empty()) {
      return LineError(filename, 1, "empty RUST_MODFILE= value");
    }
    cmd.modfile = std::string(value);
  }
  absl::StatusOr<std::optional<std::string>> modname =
      QuotedFlagValue(command, "-DKBUILD_MODNAME=", filename);
  if (!modname.ok()) return modname.status();
  if (modname->has_value()) cmd.modname = std::move(**modname);
  for (absl::string_view file :
       absl::StrSplit(cmd.modfile, ' ', absl::SkipEmpty())) {
    cmd.modfiles.emplace_back(file);
  }
  return cmd;
}

}  // namespace ksym
