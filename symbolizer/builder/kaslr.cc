#include "symbolizer/builder/kaslr.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

// Anchors for the KASLR slide, in order of preference.
constexpr const char* kAnchors[] = {"_text", "_stext", "startup_64"};

}  // namespace

std::vector<StaticName> CoreNames(const std::vector<KallsymsEntry>& entries) {
  std::vector<StaticName> out;
  out.reserve(entries.size());
  for (const KallsymsEntry& e : entries) {
    if (e.module.empty()) out.push_back({e.name, e.address});
  }
  return out;
}

std::vector<StaticName> CoreNames(const std::vector<Symbol>& symbols) {
  std::vector<StaticName> out;
  out.reserve(symbols.size());
  for (const Symbol& s : symbols) out.push_back({s.name, s.address});
  return out;
}

absl::StatusOr<int64_t> ComputeSlide(const std::vector<KallsymsEntry>& kallsyms,
                                     const std::vector<StaticName>& statics,
                                     absl::string_view label, BuildLog& log) {
  std::optional<int64_t> slide;
  for (const char* anchor : kAnchors) {
    std::optional<uint64_t> run, stat;
    for (const KallsymsEntry& e : kallsyms) {
      if (e.name == anchor && e.module.empty()) {
        run = e.address;
        break;
      }
    }
    for (const StaticName& s : statics) {
      if (s.name == anchor) {
        stat = s.address;
        break;
      }
    }
    if (run && stat) {
      slide = static_cast<int64_t>(*run - *stat);
      log.Note(absl::StrCat("KASLR offset 0x", absl::Hex(*run - *stat),
                            " (from ", anchor, ")"));
      break;
    }
  }
  if (!slide) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kallsyms and ", label,
        " share none of _text, _stext, startup_64: cannot compute the KASLR "
        "offset"));
  }
  // Only names that occur once can be compared.
  absl::flat_hash_map<absl::string_view, uint64_t> static_of;
  absl::flat_hash_set<absl::string_view> repeated;
  static_of.reserve(statics.size());
  for (const StaticName& s : statics) {
    if (!static_of.emplace(s.name, s.address).second) repeated.insert(s.name);
  }
  for (absl::string_view r : repeated) static_of.erase(r);
  size_t compared = 0, mismatched = 0;
  std::string example;
  for (const KallsymsEntry& e : kallsyms) {
    if (!e.module.empty() || !IsTextType(e.type)) continue;
    auto it = static_of.find(e.name);
    if (it == static_of.end()) continue;
    ++compared;
    if (it->second + static_cast<uint64_t>(*slide) != e.address) {
      if (++mismatched == 1) {
        example = absl::StrCat(e.name, " is at 0x", absl::Hex(e.address), ", ",
                               label, " says 0x", absl::Hex(it->second));
      }
    }
  }
  // Duplicated names can legitimately map differently; a real mismatch
  // moves nearly everything.
  if (compared == 0 || mismatched * 10 > compared) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, " does not match kallsyms: ", mismatched, " of ", compared,
        " text symbols disagree after the KASLR offset (", example, "); is it ",
        label == "System.map" ? "the System.map" : "the vmlinux",
        " of the running kernel?"));
  }
  return *slide;
}

std::vector<KallsymsEntry> RelocateToRuntime(
    int64_t slide_signed, const std::vector<bool>& percpu,
    std::vector<KallsymsEntry> kallsyms, absl::string_view kallsyms_path,
    absl::string_view static_label, Catalog& c, BuildLog& log) {
  const uint64_t slide = static_cast<uint64_t>(slide_signed);
  // KASLR moves the kernel image, not absolute symbols, nor per-CPU ones
  // where .data..percpu is linked at 0 (x86_64): kallsyms prints those at
  // their link-time values (as 'A' since 6.x). Symbols kallsyms lists are
  // placed where it says; the others by their kind.
  uint64_t text_start = ~uint64_t{0};
  for (const Symbol& s : c.symbols) {
    if (IsTextType(s.type)) text_start = std::min(text_start, s.address);
  }
  std::vector<bool> relocate(c.symbols.size());
  absl::flat_hash_map<std::pair<absl::string_view, uint64_t>, uint32_t> index;
  index.reserve(c.symbols.size());
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    const Symbol& s = c.symbols[i];
    const bool in_percpu = i < percpu.size() && percpu[i];
    relocate[i] = s.type != 'A' && s.type != 'a' &&
                  !(in_percpu && s.address < text_start);
    index.try_emplace(std::make_pair(absl::string_view(s.name), s.address), i);
  }
  std::vector<KallsymsEntry> unmatched;
  std::vector<std::string> examples;
  size_t fixed = 0, retyped = 0;
  for (KallsymsEntry& e : kallsyms) {
    auto it = index.find(
        std::make_pair(absl::string_view(e.name), e.address - slide));
    bool moved = it != index.end();
    if (!moved) {
      it = index.find(std::make_pair(absl::string_view(e.name), e.address));
    }
    if (it == index.end()) {
      // Core kallsyms symbols come from the same nm output as System.map:
      // any the vmlinux lacks are kept, and reported.
      if (unmatched.size() < kMaxExamples) {
        examples.push_back(
            absl::StrCat(e.name, " at 0x", absl::Hex(e.address)));
      }
      unmatched.push_back(std::move(e));
      continue;
    }
    relocate[it->second] = moved;
    fixed += !moved;
    Symbol& s = c.symbols[it->second];
    if (s.type != e.type) {
      s.type = e.type;
      ++retyped;
    }
  }
  index.clear();
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    if (relocate[i]) c.symbols[i].address += slide;
  }
  if (fixed > 0) {
    log.Note(absl::StrCat(fixed, " symbols stay at their link-time address, ",
                          "as ", kallsyms_path,
                          " lists them (absolute, per-CPU)"));
  }
  if (retyped > 0) {
    log.Note(absl::StrCat(retyped, " symbols take their type letter from ",
                          kallsyms_path));
  }
  if (!unmatched.empty()) {
    log.Warn(absl::StrCat(unmatched.size(), " core symbols of ", kallsyms_path,
                          " are not in the ", static_label,
                          " at the same address; added as they are (",
                          Examples(examples, unmatched.size()), ")"));
  }
  return unmatched;
}

}  // namespace ksym
