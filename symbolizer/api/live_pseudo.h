// Addresses a cached index never holds, answered live: the kernel's
// pseudo-modules (sources/kallsyms.h IsPseudoModule) come and go by the
// second, so their current /proc/kallsyms lines are read at most once per
// process, and only those lines are kept:
//
//   ffffffffc0203000 t bpf_prog_6deef7357e7b4530_sd_fw_egress	[bpf]
//   ffffffffc0201000 t ftrace_trampoline	[__builtin__ftrace]
//
// A pseudo symbol reaches from its address to the next higher address of
// any other pseudo symbol or of any symbol in the index (kallsyms gives no
// sizes): within that range an address is named
// `bpf_prog_6deef7357e7b4530_sd_fw_egress+0x4c [bpf]`.
//
//   LiveOverlay live(symbolizer, "/");      // nothing read yet
//   if (auto hit = live.Lookup(addr)) puts(LiveFrameText(*hit).c_str());
#ifndef KSYM_SYMBOLIZER_API_LIVE_PSEUDO_H_
#define KSYM_SYMBOLIZER_API_LIVE_PSEUDO_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"
#include "symbolizer/sources/bpf_programs.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

// A kallsyms line of a pseudo-module: name
// "bpf_prog_6deef7357e7b4530_sd_fw_egress", module "bpf" or
// "__builtin__ftrace", ...
using PseudoSymbol = KallsymsEntry;

// The pseudo-module lines of kallsyms text, sorted by address. Other
// lines are skipped without being parsed; a malformed pseudo-module line
// is an InvalidArgument "FILE:LINE: ...".
absl::StatusOr<std::vector<PseudoSymbol>> ParsePseudoSymbols(
    absl::string_view kallsyms, absl::string_view filename);

struct PseudoHit {
  const PseudoSymbol* symbol = nullptr;
  uint64_t offset = 0;  // address - symbol->address
  // A BPF program's address (bpf_prog_*): the program read from the kernel
  // and the function and source line there (sources/bpf_programs.h), or
  // why it could not be read (bpf_note).
  const BpfProgram* bpf_program = nullptr;
  BpfPlace bpf_place;
  std::string bpf_note;
};

// "bpf_prog_6deef7357e7b4530_sd_fw_egress+0x4c [bpf]": no /0xLEN, the
// length is not known from kallsyms. A BPF program's frame goes on with
// its id and source line, " (BPF program 42, /src/prog.c:12:5)", or says
// why there is none: " (BPF program 42, no line info)", " (BPF program not
// read: ...)".
std::string LiveFrameText(const PseudoHit& hit);

class LiveOverlay {
 public:
  // Over `index`, a runtime index of the kernel running under `root`.
  LiveOverlay(const Symbolizer& index, std::string root);

  // The pseudo symbol covering `address` when the index has no exact
  // answer there (no symbol, or one whose size is only inferred): reads
  // ROOT/proc/kallsyms on first use. nullopt when none covers it, or when
  // kallsyms could not be read (read_status() says why).
  std::optional<PseudoHit> Lookup(uint64_t address);
  // The same, given the index's answer for `address` already looked up.
  std::optional<PseudoHit> Lookup(uint64_t address,
                                  const LookupResult& indexed);
  std::optional<PseudoHit> Lookup(uint64_t address, const SymbolHit& indexed);
  // True once kallsyms is read and `address` lies below every pseudo
  // symbol (all of vmlinux): no answer, whatever the index says. Inline,
  // lock-free: the common case of a running kernel's index.
  bool BelowEveryPseudoSymbol(uint64_t address) const {
    return address < floor_.load(std::memory_order_relaxed);
  }
  // Valid once a Lookup has read kallsyms.
  const absl::Status& read_status() const { return read_status_; }

  // For tests: the lines as if read from kallsyms.
  void SetForTesting(std::vector<PseudoSymbol> symbols);

 private:
  std::optional<PseudoHit> Lookup(uint64_t address, bool indexed_exact);
  void ReadOnce();
  void Read();
  void SetFloor();
  // Fills the hit's BPF program fields, reading each program once
  // (bpf_mu_ held).
  void PlaceInBpfProgram(uint64_t address, PseudoHit* hit);

  const Symbolizer& index_;
  std::string root_;
  // symbols_ and read_status_ are written once, then only read: Lookup
  // may be called from many threads at once.
  std::once_flag read_once_;
  std::atomic<bool> read_done_{false};  // read_once_ has run: skip it
  std::atomic<uint64_t> floor_{0};  // the lowest pseudo address, once read
  absl::Status read_status_;
  std::vector<PseudoSymbol> symbols_;
  std::mutex bpf_mu_;
  std::vector<std::unique_ptr<BpfProgram>> programs_;  // read so far
  absl::Status bpf_status_;  // the first failure to read programs
};

// Whether the live overlay applies to `index`: a runtime index of the
// kernel running now (same build-id, or same release when either has
// none).
bool IsRunningKernelIndex(const IndexReader& index);

// The overlay of `s` when it is the running kernel's runtime index (every
// front end's lookups go through it), else nullptr.
std::unique_ptr<LiveOverlay> LiveOverlayFor(const Symbolizer& s);

// The overlay of a long-lived index shared by threads (the C API's
// ksym_index, Python's Index): whether it applies (LiveOverlayFor) is
// decided at construction (no I/O for an index that is not a runtime one;
// uname and /sys/kernel/notes for one that is), ROOT/proc/kallsyms is read
// on the first address the index does not answer exactly. An index that
// is not the running kernel's costs one inline check per lookup. The
// pseudo lines are those of that first read: reopen the index to see
// programs loaded since.
//
//   SharedLiveOverlay live(symbolizer);
//   SymbolHit h = symbolizer.Locate(addr);
//   if (auto hit = live.Lookup(addr, h)) puts(LiveFrameText(*hit).c_str());
class SharedLiveOverlay {
 public:
  explicit SharedLiveOverlay(const Symbolizer& s);
  // Whether it is the running kernel's index (else Lookup never answers).
  bool applies() const { return live_ != nullptr; }
  // True when Lookup has no answer at `address` whatever the index says
  // (as LiveOverlay::BelowEveryPseudoSymbol): inline, for the callers that
  // test it before an out-of-line call of Lookup.
  bool BelowEveryPseudoSymbol(uint64_t address) const {
    return live_ == nullptr || live_->BelowEveryPseudoSymbol(address);
  }
  // As LiveOverlay::Lookup, given the index's answer; thread-safe.
  std::optional<PseudoHit> Lookup(uint64_t address,
                                  const SymbolHit& indexed) const {
    if (live_ == nullptr || live_->BelowEveryPseudoSymbol(address)) {
      return std::nullopt;
    }
    return live_->Lookup(address, indexed);
  }
  // For tests: this overlay (or none) whatever the running kernel is;
  // before any Lookup.
  void SetForTesting(std::unique_ptr<LiveOverlay> live) {
    live_ = std::move(live);
  }

 private:
  // Lookup is logically const: the overlay reads kallsyms once, then
  // only reads (its own locking, LiveOverlay).
  std::unique_ptr<LiveOverlay> live_;
};

// Why a lookup answered from the live overlay has no symbol of the index
// (the C API's KSYM_REASON_LIVE).
const char* LiveReasonText();

// The reason a batch answer (LocateBatchWithLive) gives for an address a
// live symbol covers: the value after NotFoundReason's own (the C API's
// KSYM_REASON_LIVE, Python's ksym.REASON_LIVE). The query layer never
// writes it.
inline constexpr NotFoundReason kLiveSymbolReason =
    static_cast<NotFoundReason>(6);
static_assert(static_cast<int>(NotFoundReason::kNotKernelAddress) + 1 == 6,
              "kLiveSymbolReason follows NotFoundReason's values");
// The text of a batch answer's reason: NotFoundReasonText, or
// LiveReasonText for kLiveSymbolReason; "unknown reason" past those.
const char* HitReasonText(NotFoundReason reason);

// The answers of ksym_lookup_batch and Python's lookup_many, address by
// address what ksym_lookup and Index.lookup answer: hits[k] is
// s.LocateBatch's answer for addresses[k], except where `live` answers
// (the running kernel's index; SharedLiveOverlay::Lookup): there hits[k]
// has no symbol (such symbols are never in an index), reason
// kLiveSymbolReason and the offset into the live symbol, never the
// indexed symbol of inferred size the address falls in. Every miss has
// its reason. Returns how many the index answered. hits.size() must be
// addresses.size().
size_t LocateBatchWithLive(const Symbolizer& s, const SharedLiveOverlay& live,
                           absl::Span<const uint64_t> addresses,
                           absl::Span<SymbolHit> hits);

// What `ksym lookup` prints after the address: the live frame where the
// overlay answers (LiveFrameText), else the index's (api/frame.h
// FrameText).
std::string FrameTextWithLive(const Symbolizer& s,
                              const SharedLiveOverlay& live, uint64_t address);

// The rewriter's hook (RewriteOptions::live_frame) answering from `live`,
// which must outlive it: `ksym symbolize` and Python's symbolize name the
// running kernel's BPF programs and trampolines as `lookup` does.
std::function<std::optional<LiveFrame>(uint64_t)> RewriterLiveFrames(
    LiveOverlay* live);

// The JSON Lines record of a live answer, like LookupJson's:
// {"address":"0x...","found":true,"name":"bpf_prog_...","start":"0x...",
//  "modules":["bpf"],"offset":76,"live":true} (no size: kallsyms has none).
std::string LiveJson(uint64_t address, const PseudoHit& hit);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_LIVE_PSEUDO_H_
