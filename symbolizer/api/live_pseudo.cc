#include "symbolizer/api/live_pseudo.h"

#include <algorithm>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/json_records.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

absl::StatusOr<std::vector<PseudoSymbol>> ParsePseudoSymbols(
    absl::string_view text, absl::string_view filename) {
  std::vector<PseudoSymbol> out;
  size_t at = 0;
  while ((at = text.find("\t[", at)) != absl::string_view::npos) {
    const size_t begin = text.rfind('\n', at);
    const size_t start = begin == absl::string_view::npos ? 0 : begin + 1;
    size_t end = text.find('\n', at);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(start, end - start);
    at = end;
    const size_t open = line.find("\t[");
    absl::string_view module = line.substr(open + 2);
    if (!module.empty() && module.back() == ']') module.remove_suffix(1);
    if (!IsPseudoModule(module)) continue;
    // The one kallsyms line parser, on this line alone.
    absl::StatusOr<std::vector<KallsymsEntry>> parsed =
        ParseKallsyms(line, filename);
    if (absl::IsFailedPrecondition(parsed.status())) return parsed.status();
    if (!parsed.ok() || parsed->size() != 1) {
      const size_t line_number =
          1 + static_cast<size_t>(
                  std::count(text.begin(), text.begin() + start, '\n'));
      return absl::InvalidArgumentError(absl::StrCat(
          filename, ":", line_number,
          ": expected \"ADDRESS TYPE NAME\\t[MODULE]\""));
    }
    out.push_back(std::move(parsed->front()));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PseudoSymbol& a, const PseudoSymbol& b) {
                     return a.address < b.address;
                   });
  return out;
}

std::string LiveFrameText(const PseudoHit& hit) {
  std::string text =
      absl::StrCat(hit.symbol->name, "+0x", absl::Hex(hit.offset));
  QualifierWriter<StringAppender>(StringAppender{&text}).Module(
      hit.symbol->module);
  if (hit.bpf_program != nullptr) {
    absl::StrAppend(&text, " (BPF program ", hit.bpf_program->id, ", ");
    if (const BpfLine* l = hit.bpf_place.line) {
      absl::StrAppend(&text, l->file, ":", l->line);
      if (l->column != 0) absl::StrAppend(&text, ":", l->column);
    } else {
      text += "no line info";
    }
    text += ")";
  } else if (!hit.bpf_note.empty()) {
    absl::StrAppend(&text, " (BPF program not read: ", hit.bpf_note, ")");
  }
  return text;
}

void LiveOverlay::PlaceInBpfProgram(uint64_t address, PseudoHit* hit) {
  if (hit->symbol->module != "bpf" ||
      !absl::StartsWith(hit->symbol->name, "bpf_prog_")) {
    return;
  }
  for (const std::unique_ptr<BpfProgram>& p : programs_) {
    BpfPlace place = LocateInBpfProgram(*p, address);
    if (place.found) {
      hit->bpf_program = p.get();
      hit->bpf_place = place;
      return;
    }
  }
  if (!bpf_status_.ok()) {
    hit->bpf_note = std::string(bpf_status_.message());
    return;
  }
  // Only the running kernel's programs can be asked about.
  if (root_ != "/") return;
  absl::StatusOr<std::optional<BpfProgram>> found = FindLoadedBpfProgram(address);
  if (!found.ok()) {
    bpf_status_ = found.status();  // the same for every later address
    hit->bpf_note = std::string(bpf_status_.message());
    return;
  }
  if (!found->has_value()) {
    hit->bpf_note = "no loaded program holds the address now (unloaded?)";
    return;
  }
  programs_.push_back(std::make_unique<BpfProgram>(**std::move(found)));
  hit->bpf_program = programs_.back().get();
  hit->bpf_place = LocateInBpfProgram(*hit->bpf_program, address);
}

LiveOverlay::LiveOverlay(const Symbolizer& index, std::string root)
    : index_(index), root_(std::move(root)) {}

void LiveOverlay::SetForTesting(std::vector<PseudoSymbol> symbols) {
  std::call_once(read_once_, [&] { symbols_ = std::move(symbols); });
  SetFloor();
}

void LiveOverlay::ReadOnce() {
  std::call_once(read_once_, [this] { Read(); });
  SetFloor();
}

void LiveOverlay::SetFloor() {
  floor_.store(symbols_.empty() ? ~uint64_t{0} : symbols_.front().address,
               std::memory_order_relaxed);
  read_done_.store(true, std::memory_order_release);
}

void LiveOverlay::Read() {
  const std::string path =
      absl::StrCat(root_ == "/" ? "" : root_, "/proc/kallsyms");
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    read_status_ = text.status();
    return;
  }
  absl::StatusOr<std::vector<PseudoSymbol>> s =
      ParsePseudoSymbols(*text, path);
  if (!s.ok()) {
    read_status_ = s.status();
    return;
  }
  symbols_ = *std::move(s);
}

std::optional<PseudoHit> LiveOverlay::Lookup(uint64_t address) {
  return Lookup(address, index_.Lookup(address));
}

std::optional<PseudoHit> LiveOverlay::Lookup(uint64_t address,
                                             const LookupResult& indexed) {
  return Lookup(address, indexed.found && indexed.symbol.size_exact);
}

std::optional<PseudoHit> LiveOverlay::Lookup(uint64_t address,
                                             const SymbolHit& indexed) {
  if (BelowEveryPseudoSymbol(address)) return std::nullopt;
  return Lookup(address,
                indexed.found() && index_.index().SizeExact(indexed.symbol));
}

std::optional<PseudoHit> LiveOverlay::Lookup(uint64_t address,
                                             bool indexed_exact) {
  if (indexed_exact) return std::nullopt;
  if (!read_done_.load(std::memory_order_acquire)) ReadOnce();
  // The last pseudo symbol at or below the address.
  auto it = std::upper_bound(
      symbols_.begin(), symbols_.end(), address,
      [](uint64_t a, const PseudoSymbol& s) { return a < s.address; });
  if (it == symbols_.begin()) return std::nullopt;
  // Of aliases at one address, the first kallsyms lists.
  auto first = it - 1;
  while (first != symbols_.begin() && (first - 1)->address == first->address) {
    --first;
  }
  const PseudoSymbol& s = *first;
  // Ends at the next pseudo symbol (aliases at one address excepted) ...
  for (auto next = it; next != symbols_.end(); ++next) {
    if (next->address > s.address) {
      if (address >= next->address) return std::nullopt;
      break;
    }
  }
  // ... or at the index's next symbol above its start.
  const IndexReader& index = index_.index();
  uint32_t lo = 0, hi = static_cast<uint32_t>(index.symbol_count());
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (index.Address(mid) <= s.address) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < index.symbol_count() && address >= index.Address(lo)) {
    return std::nullopt;
  }
  PseudoHit hit{&s, address - s.address};
  {
    std::lock_guard<std::mutex> lock(bpf_mu_);
    PlaceInBpfProgram(address, &hit);
  }
  return hit;
}

bool IsRunningKernelIndex(const IndexReader& index) {
  if (index.address_space() != AddressSpace::kRuntime) return false;
  const KernelIdentity running = RunningKernelIdentity();
  return !index.build_id().empty() && !running.build_id.empty()
             ? index.build_id() == running.build_id
             : !index.release().empty() && index.release() == running.release;
}

std::unique_ptr<LiveOverlay> LiveOverlayFor(const Symbolizer& s) {
  if (!IsRunningKernelIndex(s.index())) return nullptr;
  return std::make_unique<LiveOverlay>(s, "/");
}

const char* LiveReasonText() {
  return "not in the index: a live symbol of the running kernel's [bpf] or "
         "ftrace/kprobe pseudo-modules (read from /proc/kallsyms) covers it";
}

const char* HitReasonText(NotFoundReason reason) {
  if (reason == kLiveSymbolReason) return LiveReasonText();
  if (static_cast<int>(reason) > static_cast<int>(kLiveSymbolReason)) {
    return "unknown reason";
  }
  return NotFoundReasonText(reason);
}

namespace {

ABSL_ATTRIBUTE_NOINLINE bool LiveHitSlow(const SharedLiveOverlay& live,
                                         uint64_t address, SymbolHit* h) {
  std::optional<PseudoHit> hit = live.Lookup(address, *h);
  if (!hit.has_value()) return false;
  h->symbol = SymbolHit::kNoSymbol;
  h->reason = kLiveSymbolReason;
  h->offset = hit->offset;
  return true;
}

}  // namespace

size_t LocateBatchWithLive(const Symbolizer& s, const SharedLiveOverlay& live,
                           absl::Span<const uint64_t> addresses,
                           absl::Span<SymbolHit> hits) {
  s.LocateBatch(addresses, hits);
  size_t found = 0;
  const IndexReader& r = s.index();
  for (size_t k = 0; k < addresses.size(); ++k) {
    SymbolHit& h = hits[k];
    // Inline, the usual cases: not the running kernel's index; an exact
    // answer of the index (the overlay answers only where it has none,
    // LiveOverlay::Lookup); an address below every live symbol (vmlinux).
    if (live.applies() && !(h.found() && r.SizeExact(h.symbol)) &&
        !live.BelowEveryPseudoSymbol(addresses[k]) &&
        LiveHitSlow(live, addresses[k], &h)) {
      continue;
    }
    found += h.found();
  }
  return found;
}

SharedLiveOverlay::SharedLiveOverlay(const Symbolizer& s)
    : live_(LiveOverlayFor(s)) {}

std::string FrameTextWithLive(const Symbolizer& s,
                              const SharedLiveOverlay& live, uint64_t address) {
  const LookupResult r = s.Lookup(address);
  SymbolHit h;
  if (r.found) {
    h.symbol = r.symbol.index;
    h.offset = r.offset;
  }
  if (std::optional<PseudoHit> hit = live.Lookup(address, h)) {
    return LiveFrameText(*hit);
  }
  return FrameText(s, r);
}

std::function<std::optional<LiveFrame>(uint64_t)> RewriterLiveFrames(
    LiveOverlay* live) {
  return [live](uint64_t address) -> std::optional<LiveFrame> {
    std::optional<PseudoHit> hit = live->Lookup(address);
    if (!hit.has_value()) return std::nullopt;
    LiveFrame f;
    f.name = hit->symbol->name;
    f.offset = hit->offset;
    f.text = LiveFrameText(*hit);
    const size_t head = absl::StrCat(f.name, "+0x", absl::Hex(f.offset)).size();
    f.suffix = f.text.substr(head);
    return f;
  };
}

std::string LiveJson(uint64_t address, const PseudoHit& hit) {
  JsonLine j;
  j.Field("address", JsonAddress(address))
      .Bool("found", true)
      .Field("name", hit.symbol->name)
      .Field("start", JsonAddress(hit.symbol->address))
      .Field("type", absl::string_view(&hit.symbol->type, 1))
      .Strings("modules", std::vector<absl::string_view>{hit.symbol->module})
      .Field("offset", hit.offset)
      .Bool("live", true);
  if (hit.bpf_program != nullptr) {
    JsonLine b;
    b.Field("id", hit.bpf_program->id).Field("function", hit.bpf_place.function);
    if (const BpfLine* l = hit.bpf_place.line) {
      b.Field("file", l->file).Field("line", l->line).Field("column", l->column);
    }
    j.Raw("bpf", b.Finish());
  } else if (!hit.bpf_note.empty()) {
    j.Field("bpf_note", hit.bpf_note);
  }
  return j.Finish();
}

}  // namespace ksym
