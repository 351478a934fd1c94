// Whether a runtime index still describes the live kernel's layout, checked
// cheaply: the first core-kernel lines of /proc/kallsyms (their addresses
// move with KASLR) and /proc/modules (which modules are loaded, and where):
//
//   ffffffff9d000000 T startup_64              (first lines of kallsyms)
//   ext4 1015808 1 - Live 0xffffffffc0a00000   (/proc/modules)
//
// The index is stale when one of those kallsyms symbols is not in it at
// that address, when the loaded modules are not the index's loadable
// modules, or when a module's load address falls on a symbol of another
// module or of the core kernel. Reading both files costs well under a
// millisecond; no whole-kallsyms parse.
//
//   absl::StatusOr<LiveLayout> live = ReadLiveLayout("/");
//   Freshness f = CheckFreshness(symbolizer, *live);
//   if (!f.fresh) rebuild, or warn with f.why
#ifndef KSYM_SYMBOLIZER_RUNNING_KERNEL_FRESHNESS_H_
#define KSYM_SYMBOLIZER_RUNNING_KERNEL_FRESHNESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/kallsyms.h"
#include "symbolizer/sources/loaded_modules.h"  // ParseProcModules

namespace ksym {

struct LiveLayout {
  // The first core-kernel entries of kallsyms (at most a few dozen).
  std::vector<KallsymsEntry> kallsyms_head;
  std::vector<LoadedModule> modules;
  // With LiveDepth::kEveryCoreSymbol: every core-kernel line (no [mod]).
  std::vector<KallsymsEntry> kallsyms_core;
};

// How much of kallsyms to read: its head (a reboot moves every address),
// or every core-kernel line, so that a cached index whose names differ
// from the live ones anywhere is stale (an index planted in the cache,
// built from a tree that renamed one symbol). The whole file costs what
// the kernel takes to print it: ~0.1 s for 121,000 lines (see
// freshness_test's note), against well under 1 ms for the head.
enum class LiveDepth { kHead, kEveryCoreSymbol };

// Reads the first few KB of ROOT/proc/kallsyms (or all of it) and
// ROOT/proc/modules (a missing proc/modules: a kernel without loadable
// modules).
absl::StatusOr<LiveLayout> ReadLiveLayout(const std::string& root = "/",
                                          LiveDepth depth = LiveDepth::kHead);

struct Freshness {
  bool fresh = true;
  // Why not ("startup_64 is at 0xffffffff9e000000 but the index has it at
  // 0xffffffff9d000000 (KASLR moved: rebooted?)"), or what could not be
  // checked.
  std::string why;
};

// A static index, or live addresses hidden (all zero), count as fresh: they
// cannot be compared. With kallsyms_core read, every core line must be in
// the index: that name at that address.
Freshness CheckFreshness(const Symbolizer& s, const LiveLayout& live);

// For an explicitly given index on a live system: a warning when it is a
// runtime index of the running kernel (same build-id, or same release when
// either has none) whose layout is no longer the live one; "" otherwise.
std::string ExplicitIndexWarning(const Symbolizer& s,
                                 const std::string& path);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_RUNNING_KERNEL_FRESHNESS_H_
