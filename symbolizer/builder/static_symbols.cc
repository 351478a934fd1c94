#include "symbolizer/builder/static_symbols.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/builder/vmlinux_facts.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

// System.map files in Debian's non-dbg image package are a one-line
// placeholder; say so instead of failing on the blanks in its "name".
constexpr absl::string_view kPlaceholder = "The real System.map is in";

absl::Status ReadVmlinux(const ResolvedInputs& in,
                         const std::vector<KallsymsEntry>& system_map,
                         StaticSymbols& out, BuildLog& log) {
  const std::string& vmlinux = in.vmlinux;
  log.Progress(absl::StrCat("reading symbols of ", vmlinux));
  absl::StatusOr<ElfSymbolTable> table = ReadElfSymtabFile(vmlinux, in.root);
  if (!table.ok()) return table.status();
  if (table->relocatable) {
    return absl::InvalidArgumentError(absl::StrCat(
        vmlinux,
        ": a relocatable object (a .ko or vmlinux.o?), not a linked vmlinux"));
  }
  if (table->symbols.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        vmlinux,
        ": no symbols (stripped?); use the vmlinux of the -dbg package or the "
        "build tree"));
  }
  out.build_id = table->build_id;
  out.arch = table->arch;
  out.files = std::move(table->files);

  // System.map, when given, decides which symbols are listed (its
  // mksysmap may be older or newer than the rules here); every System.map
  // symbol must then be a vmlinux symbol at the same address.
  struct Listed {
    char type;
    bool matched;
  };
  absl::flat_hash_map<std::pair<absl::string_view, uint64_t>, Listed> listed;
  if (!system_map.empty()) {
    listed.reserve(system_map.size());
    for (const KallsymsEntry& e : system_map) {
      listed.try_emplace(std::make_pair(absl::string_view(e.name), e.address),
                         Listed{e.type, false});
    }
  }
  out.symbols.reserve(system_map.empty() ? table->symbols.size()
                                         : system_map.size());
  size_t exact = 0, retyped = 0;
  for (ElfSymbol& e : table->symbols) {
    char type = e.nm_type;
    if (!system_map.empty()) {
      auto it = listed.find(std::make_pair(absl::string_view(e.name), e.value));
      if (it == listed.end()) continue;
      it->second.matched = true;
      if (it->second.type != type) {
        ++retyped;
        type = it->second.type;
      }
    } else if (!MksysmapKeeps(type, e.name)) {
      continue;
    }
    Symbol s;
    s.address = e.value;
    s.size = e.size;
    s.size_exact = e.size != 0;
    exact += s.size_exact;
    s.type = type;
    s.name = std::move(e.name);
    out.symbols.push_back(std::move(s));
    out.file_group.push_back(e.file);
    out.percpu.push_back(e.section_name == ".data..percpu");
  }
  std::string symtab_note =
      absl::StrCat("symbols: ", out.symbols.size(), " from ", vmlinux,
                   " .symtab (", exact, " with an exact size)");
  if (!system_map.empty()) {
    size_t missing_text = 0, missing_other = 0;
    std::vector<std::string> examples;
    for (const KallsymsEntry& e : system_map) {
      auto it =
          listed.find(std::make_pair(absl::string_view(e.name), e.address));
      if (it->second.matched) continue;
      if (IsTextType(e.type)) {
        if (++missing_text <= kMaxExamples) {
          examples.push_back(
              absl::StrCat(e.name, " at 0x", absl::Hex(e.address)));
        }
      } else {
        ++missing_other;
      }
      it->second.matched = true;  // count repeats once
    }
    if (missing_text > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(in.system_map, " does not match ", vmlinux, ": ",
                       missing_text,
                       " of its text symbols are not in the vmlinux at the "
                       "same address (",
                       Examples(examples, missing_text),
                       "); are they from the same build?"));
    }
    absl::StrAppend(&symtab_note, ", the symbols of ", in.system_map);
    if (missing_other > 0) {
      log.Warn(absl::StrCat(missing_other, " non-text symbols of ",
                            in.system_map,
                            " are not in the vmlinux at the same address; "
                            "they are left out"));
    }
    if (retyped > 0) {
      log.Note(absl::StrCat(retyped, " symbols take their type letter from ",
                            in.system_map, " (nm differs)"));
    }
  } else {
    absl::StrAppend(&symtab_note, ", filtered as scripts/mksysmap does");
  }
  log.Note(std::move(symtab_note));
  if (std::string note = UnselectableNote(*table, vmlinux); !note.empty()) {
    log.Warn(std::move(note));
  }

  for (const Symbol& s : out.symbols) {
    if (s.name != "linux_banner") continue;
    absl::StatusOr<std::string> release =
        ReleaseAtBanner(vmlinux, s.address, in.root);
    if (release.ok()) out.banner_release = *release;
    if (out.banner_release.empty()) {
      log.Warn(absl::StrCat(
          vmlinux, ": linux_banner holds no \"Linux version RELEASE\""));
    }
    break;
  }
  return absl::OkStatus();
}

// No kallsyms or System.map is near this: an allyesconfig kernel's hold
// about a million symbols, well under 100 MB.
constexpr uint64_t kMaxSymbolMapBytes = uint64_t{512} << 20;

}  // namespace

absl::StatusOr<std::vector<KallsymsEntry>> ReadSymbolMap(
    const std::string& root, const std::string& path, bool kallsyms,
    BuildLog& log) {
  log.Progress(absl::StrCat("reading ", path));
  // The first lines are parsed as they arrive: garbage on a pipe is an
  // error at its first line, not after gigabytes of it were held.
  auto check_head = [&](absl::string_view head) -> absl::Status {
    const size_t nl = head.rfind('\n');
    if (nl == absl::string_view::npos) {
      if (head.size() < kHeadBytes) return absl::OkStatus();  // one short line
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":1: no line end in the first ", kHeadBytes,
          " bytes (expected ", kallsyms ? "kallsyms" : "System.map",
          " lines \"ADDRESS TYPE NAME\")"));
    }
    if (!kallsyms && absl::StrContains(head.substr(0, 200), kPlaceholder)) {
      return absl::OkStatus();  // said below, with the whole file
    }
    absl::StatusOr<std::vector<KallsymsEntry>> first =
        kallsyms ? ParseKallsyms(head.substr(0, nl + 1), path)
                 : ParseSystemMap(head.substr(0, nl + 1), path);
    return first.status();
  };
  absl::StatusOr<std::string> text =
      ReadFileInRoot(root, path, kMaxSymbolMapBytes, check_head);
  if (!text.ok()) return text.status();
  if (!kallsyms && absl::StrContains(text->substr(0, 200), kPlaceholder)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": a placeholder, not a symbol map (Debian ships the real System.map "
        "in the linux-image-RELEASE-dbg package)"));
  }
  absl::StatusOr<std::vector<KallsymsEntry>> entries =
      kallsyms ? ParseKallsyms(*text, path) : ParseSystemMap(*text, path);
  if (entries.ok() && !kallsyms &&
      std::all_of(entries->begin(), entries->end(),
                  [](const KallsymsEntry& e) { return e.address == 0; })) {
    // (kallsyms of zeros is refused by its parser: a privilege problem.)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": all ", entries->size(),
        " addresses are zero (expected the link-time addresses of a "
        "System.map)"));
  }
  return entries;
}

absl::StatusOr<StaticSymbols> ReadStaticSymbols(const ResolvedInputs& inputs,
                                                BuildLog& log) {
  StaticSymbols out;
  std::vector<KallsymsEntry> system_map;
  if (!inputs.system_map.empty()) {
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ReadSymbolMap(inputs.root, inputs.system_map, false, log);
    if (!e.ok()) return e.status();
    system_map = *std::move(e);
  }
  if (!inputs.vmlinux.empty()) {
    if (absl::Status s = ReadVmlinux(inputs, system_map, out, log); !s.ok()) {
      return s;
    }
    out.label = "vmlinux";
  } else if (!system_map.empty()) {
    out.label = "System.map";
    out.system_map = std::move(system_map);
  }
  return out;
}

}  // namespace ksym
