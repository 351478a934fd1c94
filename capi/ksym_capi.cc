// The C API (include/ksym/ksym.h) over Symbolizer and symbolizer/api/: no
// behaviour of its own beyond translating types and errors.
#include "ksym/ksym.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "symbolizer/api/build_index.h"
#include "symbolizer/running_kernel/default_index.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/glob_resolve.h"
#include "symbolizer/api/live_pseudo.h"
#include "symbolizer/api/module_list.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/fleet/build_addressing.h"
#include "symbolizer/fleet/host_layout.h"
#include "symbolizer/fleet/index_store.h"
#include "symbolizer/fleet/layout_map.h"
#include "symbolizer/fleet/read_host_layout.h"
#include "symbolizer/query/symbolizer.h"

struct ksym_index {
  explicit ksym_index(std::unique_ptr<ksym::Symbolizer> s)
      : symbolizer(std::move(s)), live(*symbolizer) {}

  std::unique_ptr<ksym::Symbolizer> symbolizer;
  // The running kernel's [bpf] and ftrace frames (api/live_pseudo.h).
  ksym::SharedLiveOverlay live;
  // Fleet: where a mapped address lies in this build (read on first use).
  mutable std::once_flag addressing_once;
  mutable ksym::BuildAddressing addressing;
  // Its loadable modules (read on first use; their strings stay here).
  mutable std::once_flag modules_once;
  mutable std::vector<ksym::ModuleListing> modules;
};

struct ksym_layout {
  ksym::HostLayout layout;
  std::unique_ptr<ksym::LayoutMap> map;
};

namespace {

thread_local std::string last_error;

// ksym_last_error() keeps at most this many bytes of a message (ksym.h):
// a message echoing a caller's 50 MB input must not cost 50 MB per thread.
constexpr size_t kMaxLastError = 4096;

int Fail(int code, absl::string_view message) {
  if (message.size() <= kMaxLastError) {
    last_error.assign(message.data(), message.size());
    return code;
  }
  const std::string tail = absl::StrCat("... (", message.size(), " bytes)");
  size_t cut = kMaxLastError - tail.size();
  // Not inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xc0) == 0x80) {
    --cut;
  }
  last_error = absl::StrCat(message.substr(0, cut), tail);
  return code;
}

// Errors of opening an index or reading build inputs.
int FailStatus(const absl::Status& s) {
  int code;
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kResourceExhausted:
      code = KSYM_ERR_IO;
      break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
      code = KSYM_ERR_FORMAT;
      break;
    default:
      code = KSYM_ERR_INTERNAL;
  }
  return Fail(code, s.message());
}

// snprintf rules for a string the library already has.
int CopyOut(absl::string_view s, char* buf, size_t len) {
  if (len > 0) {
    const size_t n = std::min(s.size(), len - 1);
    if (n > 0) std::memcpy(buf, s.data(), n);
    buf[n] = '\0';
  }
  return static_cast<int>(s.size());
}

const std::vector<ksym::ModuleListing>& Modules(const ksym_index* idx) {
  std::call_once(idx->modules_once, [idx] {
    idx->modules = ksym::ListModules(idx->symbolizer->index());
  });
  return idx->modules;
}

// A hit the live overlay answers: no symbol of the index (ksym.h
// KSYM_REASON_LIVE), the offset into the live symbol. Out of line: only
// addresses the index does not answer exactly, above vmlinux, come here.
ABSL_ATTRIBUTE_NOINLINE bool LiveHitSlow(const ksym_index* idx,
                                         uint64_t addr,
                                         const ksym::SymbolHit& h,
                                         ksym_hit* out) {
  std::optional<ksym::PseudoHit> live = idx->live.Lookup(addr, h);
  if (!live.has_value()) return false;
  out->symbol = KSYM_NO_SYMBOL;
  out->reason = KSYM_REASON_LIVE;
  out->offset = live->offset;
  return true;
}

inline bool LiveHit(const ksym_index* idx, uint64_t addr,
                    const ksym::SymbolHit& h, ksym_hit* out) {
  // Inline, the usual cases: not the running kernel's index; an exact
  // answer of the index (the overlay answers only where it has none,
  // LiveOverlay::Lookup); an address below every live symbol (vmlinux).
  if (!idx->live.applies()) return false;
  if (h.found() && idx->symbolizer->index().SizeExact(h.symbol)) return false;
  if (idx->live.BelowEveryPseudoSymbol(addr)) return false;
  return LiveHitSlow(idx, addr, h, out);
}

bool BadSymbol(const ksym_index* idx, uint32_t symbol) {
  return symbol >= idx->symbolizer->index().symbol_count();
}

// The type_size pattern: copies the library's full struct into the
// caller's, as far as the caller's type_size reaches.
template <typename T>
int CopyStruct(const T& full, T* out) {
  const size_t n = std::min(out->type_size, sizeof(T));
  const size_t caller_size = out->type_size;
  std::memcpy(static_cast<void*>(out), &full, n);
  out->type_size = caller_size;
  return 0;
}

ksym::IndexOptions Options(const ksym_open_opts* opts) {
  ksym::IndexOptions o;
  if (opts != nullptr &&
      opts->type_size >= offsetof(ksym_open_opts, verify_checksums) + 1) {
    o.verify_checksums = opts->verify_checksums;
  }
  return o;
}

void Hit(const ksym::SymbolHit& h, ksym_hit* out) {
  out->symbol = h.symbol;
  out->reason = static_cast<uint32_t>(h.reason);
  out->offset = h.offset;
}

#define KSYM_CHECK_ARG(cond)                                            \
  do {                                                                  \
    if (!(cond)) return Fail(KSYM_ERR_INVALID, "invalid argument: " #cond); \
  } while (0)

}  // namespace

extern "C" {

const char* ksym_last_error(void) { return last_error.c_str(); }

const char* ksym_strerror(int code) {
  switch (code) {
    case KSYM_OK: return "success";
    case KSYM_ERR_INVALID: return "invalid argument";
    case KSYM_ERR_NOT_FOUND: return "not found";
    case KSYM_ERR_AMBIGUOUS: return "ambiguous";
    case KSYM_ERR_SYNTAX: return "query syntax error";
    case KSYM_ERR_IO: return "input/output error";
    case KSYM_ERR_FORMAT: return "damaged or unexpected file format";
    case KSYM_ERR_INTERNAL: return "internal error";
  }
  return "unknown error code";
}

int ksym_open_with(const char* path, const ksym_open_opts* opts,
                   ksym_index** out) {
  KSYM_CHECK_ARG(out != nullptr);
  *out = nullptr;
  KSYM_CHECK_ARG(path != nullptr);
  auto s = ksym::Symbolizer::Open(path, Options(opts));
  if (!s.ok()) return FailStatus(s.status());
  *out = new (std::nothrow) ksym_index(*std::move(s));
  if (*out == nullptr) return Fail(KSYM_ERR_INTERNAL, "out of memory");
  return 0;
}

int ksym_open(const char* path, ksym_index** out) {
  return ksym_open_with(path, nullptr, out);
}

int ksym_open_default(const ksym_open_opts* opts, ksym_index** out) {
  KSYM_CHECK_ARG(out != nullptr);
  *out = nullptr;
  ksym::DefaultIndexOptions o;
  o.index = Options(opts);
  auto s = ksym::OpenDefaultIndex(o);
  if (!s.ok()) return FailStatus(s.status());
  *out = new (std::nothrow) ksym_index(*std::move(s));
  if (*out == nullptr) return Fail(KSYM_ERR_INTERNAL, "out of memory");
  return 0;
}

void ksym_close(ksym_index* idx) { delete idx; }

int ksym_modules(const ksym_index* idx) {
  KSYM_CHECK_ARG(idx != nullptr);
  return static_cast<int>(Modules(idx).size());
}

int ksym_module_info(const ksym_index* idx, uint32_t k, ksym_module* out) {
  KSYM_CHECK_ARG(idx != nullptr && out != nullptr);
  KSYM_CHECK_ARG(out->type_size >= offsetof(ksym_module, size) +
                                       sizeof(uint64_t));
  KSYM_CHECK_ARG(k < Modules(idx).size());
  const ksym::ModuleListing& m = Modules(idx)[k];
  ksym_module full{};
  full.type_size = sizeof(full);
  full.name = m.name.c_str();
  full.build_id = m.build_id.c_str();
  full.base = m.base;
  full.size = m.size;
  full.section_count = static_cast<uint32_t>(m.sections.size());
  full.range_inferred = m.range_inferred;
  full.symbols_from_ko = m.symbols_from_ko;
  full.debug_read = m.debug_read;
  return CopyStruct(full, out);
}

int ksym_module_section(const ksym_index* idx, uint32_t k, uint32_t j,
                        const char** name, uint64_t* address) {
  KSYM_CHECK_ARG(idx != nullptr && name != nullptr && address != nullptr);
  KSYM_CHECK_ARG(k < Modules(idx).size());
  KSYM_CHECK_ARG(j < Modules(idx)[k].sections.size());
  const auto& section = Modules(idx)[k].sections[j];
  *name = section.first.c_str();
  *address = section.second;
  return 0;
}

int ksym_module_format(const ksym_index* idx, uint32_t k, char* buf,
                       size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (buf != nullptr || len == 0));
  KSYM_CHECK_ARG(k < Modules(idx).size());
  return CopyOut(ksym::ModuleLine(Modules(idx)[k]), buf, len);
}

int ksym_index_info(const ksym_index* idx, ksym_info* out) {
  KSYM_CHECK_ARG(idx != nullptr && out != nullptr);
  KSYM_CHECK_ARG(out->type_size >= offsetof(ksym_info, symbol_count) +
                                       sizeof(uint64_t));
  const ksym::IndexReader& r = idx->symbolizer->index();
  ksym_info full;
  std::memset(&full, 0, sizeof(full));
  full.type_size = sizeof(full);
  full.symbol_count = r.symbol_count();
  full.module_set_count = r.module_set_count() - 1;
  full.object_count = r.object_count();
  full.file_size = r.file_size();
  full.kaslr_offset = r.kaslr_offset();
  full.kaslr_offset_known = r.kaslr_offset_known();
  full.runtime_addresses = r.address_space() == ksym::AddressSpace::kRuntime;
  CopyOut(r.release(), full.release, sizeof(full.release));
  CopyOut(r.build_id(), full.build_id, sizeof(full.build_id));
  CopyOut(r.arch(), full.arch, sizeof(full.arch));
  return CopyStruct(full, out);
}

const char* ksym_reason_text(int reason) {
  if (reason < 0 || reason > KSYM_REASON_LIVE) return "unknown reason";
  return ksym::HitReasonText(static_cast<ksym::NotFoundReason>(reason));
}

int ksym_lookup(const ksym_index* idx, uint64_t addr, ksym_hit* out) {
  KSYM_CHECK_ARG(idx != nullptr && out != nullptr);
  const ksym::SymbolHit h = idx->symbolizer->Locate(addr);
  Hit(h, out);
  if (LiveHit(idx, addr, h, out)) return KSYM_ERR_NOT_FOUND;
  return out->symbol == KSYM_NO_SYMBOL ? KSYM_ERR_NOT_FOUND : 0;
}

int64_t ksym_lookup_batch(const ksym_index* idx, const uint64_t* addrs,
                          size_t n, ksym_hit* out) {
  KSYM_CHECK_ARG(idx != nullptr && (n == 0 || (addrs != nullptr && out != nullptr)));
  static_assert(sizeof(ksym_hit) == sizeof(ksym::SymbolHit), "hit layout");
  static_assert(static_cast<int>(ksym::LengthMatch::kKallsymsLength) ==
                        KSYM_LEN_KERNEL &&
                    static_cast<int>(ksym::LengthMatch::kElfSize) ==
                        KSYM_LEN_ELF_SIZE,
                "length_match values");
  static_assert(static_cast<int>(ksym::kLiveSymbolReason) == KSYM_REASON_LIVE,
                "live reason value");
  // Chunks through a local array so the caller's C struct stays the
  // contract, not the C++ one.
  constexpr size_t kChunk = 1024;
  ksym::SymbolHit hits[kChunk];
  int64_t found = 0;
  for (size_t at = 0; at < n; at += kChunk) {
    const size_t m = std::min(kChunk, n - at);
    found += static_cast<int64_t>(ksym::LocateBatchWithLive(
        *idx->symbolizer, idx->live, absl::MakeConstSpan(addrs + at, m),
        absl::MakeSpan(hits, m)));
    for (size_t k = 0; k < m; ++k) Hit(hits[k], &out[at + k]);
  }
  return found;
}

int ksym_lookup_live(const ksym_index* idx, uint64_t addr,
                     ksym_live_symbol* out) {
  KSYM_CHECK_ARG(idx != nullptr && out != nullptr);
  KSYM_CHECK_ARG(out->type_size >= offsetof(ksym_live_symbol, offset) +
                                       sizeof(uint64_t));
  const ksym::SymbolHit h = idx->symbolizer->Locate(addr);
  std::optional<ksym::PseudoHit> live = idx->live.Lookup(addr, h);
  if (!live.has_value()) {
    return Fail(KSYM_ERR_NOT_FOUND,
                h.found() ? "the index answers the address"
                          : ksym::NotFoundReasonText(h.reason));
  }
  ksym_live_symbol full;
  std::memset(&full, 0, sizeof(full));
  full.type_size = sizeof(full);
  full.address = live->symbol->address;
  full.offset = live->offset;
  full.type = live->symbol->type;
  if (live->bpf_program != nullptr) full.bpf_prog_id = live->bpf_program->id;
  CopyOut(live->symbol->name, full.name, sizeof(full.name));
  CopyOut(live->symbol->module, full.module, sizeof(full.module));
  return CopyStruct(full, out);
}

int ksym_lookup_all(const ksym_index* idx, uint64_t addr, uint32_t* symbols,
                    size_t cap) {
  KSYM_CHECK_ARG(idx != nullptr && (cap == 0 || symbols != nullptr));
  std::vector<ksym::SymbolInfo> all;
  idx->symbolizer->LookupAll(addr, &all);
  for (size_t k = 0; k < all.size() && k < cap; ++k) symbols[k] = all[k].index;
  return static_cast<int>(all.size());
}

int ksym_format_frame(const ksym_index* idx, uint64_t addr, char* buf,
                      size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  return CopyOut(ksym::FrameTextWithLive(*idx->symbolizer, idx->live, addr),
                 buf, len);
}

int ksym_lookup_location(const ksym_index* idx, uint64_t addr,
                         ksym_source_frame* frames, size_t cap) {
  KSYM_CHECK_ARG(idx != nullptr && (cap == 0 || frames != nullptr));
  const ksym::Symbolizer& s = *idx->symbolizer;
  const ksym::LookupResult r = s.Lookup(addr);
  if (!r.found) {
    return Fail(KSYM_ERR_NOT_FOUND, ksym::NotFoundReasonText(r.reason));
  }
  const ksym::SourceLines l = ksym::LocateSourceLines(s, r.symbol, r.offset);
  switch (l.state) {
    case ksym::SourceLines::State::kFound:
      break;
    case ksym::SourceLines::State::kDamaged:
      return Fail(KSYM_ERR_FORMAT, l.why);
    default:
      return Fail(KSYM_ERR_NOT_FOUND, l.why);
  }
  const size_t n = std::min(cap, l.frames.size());
  // The caller's array steps by the caller's struct size (ksym.h).
  const size_t stride = n > 0 ? frames[0].type_size : 0;
  KSYM_CHECK_ARG(n == 0 || stride >= offsetof(ksym_source_frame, column) +
                                         sizeof(uint32_t));
  auto frame = [frames, stride](size_t k) {
    return reinterpret_cast<ksym_source_frame*>(
        reinterpret_cast<char*>(frames) + k * stride);
  };
  // The strings of this call, NUL-terminated, kept until the next call in
  // this thread (ksym.h): offsets first, pointers once nothing moves.
  thread_local std::string strings;
  strings.clear();
  struct Offsets {
    size_t function, file, prefix;
  };
  absl::InlinedVector<Offsets, 8> at(n);
  auto add = [](absl::string_view v) {
    const size_t o = strings.size();
    strings.append(v.data(), v.size());
    strings.push_back('\0');
    return o;
  };
  for (size_t k = 0; k < n; ++k) {
    at[k].function = add(ksym::FrameFunction(l, k));
    at[k].file = add(l.frames[k].path);
    at[k].prefix = add(l.frames[k].prefix);
  }
  for (size_t k = 0; k < n; ++k) {
    ksym_source_frame full;
    std::memset(&full, 0, sizeof(full));
    full.type_size = sizeof(full);
    full.function = strings.data() + at[k].function;
    full.file = strings.data() + at[k].file;
    full.prefix = strings.data() + at[k].prefix;
    full.line = l.frames[k].line;
    full.column = l.frames[k].column;
    full.inlined = k + 1 < l.frames.size();
    ksym_source_frame* out = frame(k);
    out->type_size = stride;
    CopyStruct(full, out);
  }
  return static_cast<int>(l.frames.size());
}

int ksym_format_location(const ksym_index* idx, uint64_t addr, char* buf,
                         size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  const ksym::Symbolizer& s = *idx->symbolizer;
  const ksym::LookupResult r = s.Lookup(addr);
  std::string text;
  if (r.found) {
    for (const std::string& t : ksym::SourceLineTexts(
             ksym::LocateSourceLines(s, r.symbol, r.offset))) {
      absl::StrAppend(&text, t, "\n");
    }
  }
  return CopyOut(text, buf, len);
}

int ksym_symbol_info(const ksym_index* idx, uint32_t symbol, ksym_symbol* out) {
  KSYM_CHECK_ARG(idx != nullptr && out != nullptr);
  KSYM_CHECK_ARG(out->type_size >= offsetof(ksym_symbol, size) + sizeof(uint64_t));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  const ksym::Symbolizer& s = *idx->symbolizer;
  const ksym::SymbolFacts f = s.Facts(symbol);
  ksym_symbol full;
  std::memset(&full, 0, sizeof(full));
  full.type_size = sizeof(full);
  full.address = f.address;
  full.size = f.size;
  full.type = f.type;
  full.size_exact = f.size_exact;
  full.module_count = static_cast<uint32_t>(s.DisplayModules(f).size());
  return CopyStruct(full, out);
}

int ksym_symbol_name(const ksym_index* idx, uint32_t symbol, char* buf,
                     size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  return static_cast<int>(idx->symbolizer->Name(symbol, buf, len));
}

int ksym_symbol_qualified(const ksym_index* idx, uint32_t symbol, char* buf,
                          size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  return static_cast<int>(idx->symbolizer->QualifiedName(symbol, buf, len));
}

int ksym_symbol_resolved(const ksym_index* idx, uint32_t symbol, char* buf,
                         size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  const ksym::Symbolizer& s = *idx->symbolizer;
  return CopyOut(ksym::ResolvedText(s, s.Symbol(symbol)), buf, len);
}

int ksym_candidate_resolved(const ksym_index* idx,
                            const ksym_candidate* candidate, char* buf,
                            size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && candidate != nullptr &&
                 (len == 0 || buf != nullptr));
  if (BadSymbol(idx, candidate->symbol)) {
    return Fail(KSYM_ERR_INVALID, "no such symbol index");
  }
  if (candidate->length_match > KSYM_LEN_ELF_SIZE) {
    return Fail(KSYM_ERR_INVALID, "no such length_match value");
  }
  const ksym::Symbolizer& s = *idx->symbolizer;
  ksym::Candidate c;
  c.address = candidate->address;
  c.symbol = s.Symbol(candidate->symbol);
  c.length_match = static_cast<ksym::LengthMatch>(candidate->length_match);
  return CopyOut(ksym::ResolvedText(s, c), buf, len);
}

int ksym_symbol_select(const ksym_index* idx, uint32_t symbol, char* buf,
                       size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  const ksym::Symbolizer& s = *idx->symbolizer;
  return CopyOut(s.SelectingQuery(s.Symbol(symbol)), buf, len);
}

int ksym_symbol_module(const ksym_index* idx, uint32_t symbol, uint32_t k,
                       char* buf, size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  const ksym::Symbolizer& s = *idx->symbolizer;
  const std::vector<absl::string_view> mods = s.DisplayModules(s.Facts(symbol));
  if (k >= mods.size()) return Fail(KSYM_ERR_INVALID, "no such module number");
  return CopyOut(mods[k], buf, len);
}

int ksym_symbol_object(const ksym_index* idx, uint32_t symbol, char* buf,
                       size_t len) {
  KSYM_CHECK_ARG(idx != nullptr && (len == 0 || buf != nullptr));
  if (BadSymbol(idx, symbol)) return Fail(KSYM_ERR_INVALID, "no such symbol index");
  const ksym::Symbolizer& s = *idx->symbolizer;
  return CopyOut(s.index().ObjectPath(s.Facts(symbol).object), buf, len);
}

static ksym_candidate ToC(const ksym::Candidate& c) {
  return ksym_candidate{c.symbol.index, static_cast<uint32_t>(c.length_match),
                        c.address};
}

int ksym_resolve(const ksym_index* idx, const char* query, ksym_candidate* out,
                 size_t cap) {
  KSYM_CHECK_ARG(idx != nullptr && query != nullptr &&
                 (cap == 0 || out != nullptr));
  auto c = ksym::ResolveGlob(*idx->symbolizer, query);
  if (!c.ok()) return Fail(KSYM_ERR_SYNTAX, c.status().message());
  for (size_t k = 0; k < c->size() && k < cap; ++k) {
    out[k] = ToC((*c)[k]);
  }
  return static_cast<int>(c->size());
}

int ksym_resolve_unique(const ksym_index* idx, const char* query,
                        ksym_candidate* out, ksym_candidate* candidates,
                        size_t cap, size_t* count) {
  KSYM_CHECK_ARG(idx != nullptr && query != nullptr && out != nullptr &&
                 (cap == 0 || candidates != nullptr));
  if (count != nullptr) *count = 0;
  std::vector<ksym::Candidate> ambiguous;
  auto u = idx->symbolizer->ResolveUnique(query, &ambiguous);
  if (u.ok()) {
    *out = ToC(*u);
    if (count != nullptr) *count = 1;
    return 0;
  }
  switch (u.status().code()) {
    case absl::StatusCode::kNotFound:
      return Fail(KSYM_ERR_NOT_FOUND, u.status().message());
    case absl::StatusCode::kFailedPrecondition:
      for (size_t k = 0; k < ambiguous.size() && k < cap; ++k) {
        candidates[k] =
            ToC(ambiguous[k]);
      }
      if (count != nullptr) *count = ambiguous.size();
      return Fail(KSYM_ERR_AMBIGUOUS, u.status().message());
    default:
      return Fail(KSYM_ERR_SYNTAX, u.status().message());
  }
}

int ksym_resolve_address(const ksym_index* idx, const char* query,
                         uint64_t* addr) {
  KSYM_CHECK_ARG(addr != nullptr);
  ksym_candidate c;
  const int r = ksym_resolve_unique(idx, query, &c, nullptr, 0, nullptr);
  if (r == 0) *addr = c.address;
  return r;
}

// The struct's size is ABI: fields are carved out of `reserved`.
static_assert(sizeof(ksym_source_frame) ==
                  sizeof(size_t) + 3 * sizeof(void*) + 8 + 32,
              "ksym_source_frame changed size");
static_assert(sizeof(ksym_build_opts) == sizeof(size_t) + 8 * sizeof(void*) + 48,
              "ksym_build_opts changed size");

int ksym_build(const ksym_build_opts* opts, const char* output) {
  ksym::BuildInputs in;
  if (opts != nullptr) {
    KSYM_CHECK_ARG(opts->type_size >= offsetof(ksym_build_opts, build_dir) +
                                          sizeof(const char*));
    auto str = [](const char* p) { return p ? std::string(p) : std::string(); };
    in.vmlinux_path = str(opts->vmlinux);
    in.system_map_path = str(opts->system_map);
    in.kallsyms_path = str(opts->kallsyms);
    in.linker_map_path = str(opts->linker_map);
    in.modules_dir = str(opts->modules_dir);
    in.build_dir = str(opts->build_dir);
    // root and release came later: read them only from callers that know them.
    if (opts->type_size >= offsetof(ksym_build_opts, release) + sizeof(const char*)) {
      in.root = str(opts->root);
      in.release = str(opts->release);
    }
  }
  auto built = output != nullptr ? ksym::BuildIndexFile(in, output)
                                 : ksym::BuildDefaultIndex(in);
  if (!built.ok()) return FailStatus(built.status());
  return 0;
}

namespace {

int NewLayout(absl::StatusOr<ksym::HostLayout> l, ksym_layout** out) {
  if (!l.ok()) return FailStatus(l.status());
  auto* layout = new ksym_layout;
  layout->layout = *std::move(l);
  layout->map = std::make_unique<ksym::LayoutMap>(layout->layout);
  *out = layout;
  return 0;
}

}  // namespace

int ksym_layout_parse(const char* text, size_t len, ksym_layout** out) {
  KSYM_CHECK_ARG(out != nullptr && (len == 0 || text != nullptr));
  *out = nullptr;
  return NewLayout(ksym::ParseHostLayout(absl::string_view(text, len),
                                         "<layout>"),
                   out);
}

int ksym_layout_read(const char* root, ksym_layout** out) {
  KSYM_CHECK_ARG(out != nullptr);
  *out = nullptr;
  return NewLayout(ksym::ReadHostLayout(root != nullptr ? root : "/"), out);
}

void ksym_layout_free(ksym_layout* layout) { delete layout; }

int ksym_layout_format(const ksym_layout* layout, char* buf, size_t len) {
  KSYM_CHECK_ARG(layout != nullptr && (len == 0 || buf != nullptr));
  return CopyOut(ksym::FormatHostLayout(layout->layout), buf, len);
}

int ksym_layout_map(const ksym_layout* layout, uint64_t addr,
                    ksym_mapped* out) {
  KSYM_CHECK_ARG(layout != nullptr && out != nullptr);
  KSYM_CHECK_ARG(out->type_size >= offsetof(ksym_mapped, offset) +
                                       sizeof(uint64_t));
  const ksym::MappedAddress m = layout->map->Map(addr);
  ksym_mapped full;
  std::memset(&full, 0, sizeof(full));
  full.type_size = sizeof(full);
  full.offset = m.offset;
  switch (m.kind) {
    case ksym::MappedAddress::Kind::kUnmapped:
      return Fail(KSYM_ERR_NOT_FOUND,
                  layout->layout.text_known
                      ? "below the kernel text and every module of the layout"
                      : "the layout has no _text address and no module here");
    case ksym::MappedAddress::Kind::kKernel:
      full.kind = KSYM_MAPPED_KERNEL;
      full.build_id = layout->layout.build_id.c_str();
      break;
    case ksym::MappedAddress::Kind::kModule: {
      const ksym::LayoutModule& mod = layout->layout.modules[m.module];
      full.kind = KSYM_MAPPED_MODULE;
      full.build_id = mod.build_id.c_str();
      full.module = mod.name.c_str();
      full.section = m.section.data();  // a NUL-terminated std::string's
      break;
    }
  }
  return CopyStruct(full, out);
}

int ksym_store_open(const char* store, const char* build_id,
                    const char* debug_root, ksym_index** out) {
  KSYM_CHECK_ARG(store != nullptr && build_id != nullptr && out != nullptr);
  *out = nullptr;
  ksym::StoreOptions o;
  if (debug_root != nullptr) o.debug_root = debug_root;
  ksym::IndexStore s(store, o);
  absl::StatusOr<std::unique_ptr<ksym::Symbolizer>> idx = s.Open(build_id);
  if (!idx.ok()) return FailStatus(idx.status());
  *out = new ksym_index(*std::move(idx));
  return 0;
}

int ksym_mapped_address(const ksym_index* idx, const ksym_mapped* mapped,
                        uint64_t* addr) {
  KSYM_CHECK_ARG(idx != nullptr && mapped != nullptr && addr != nullptr);
  KSYM_CHECK_ARG(mapped->type_size >= offsetof(ksym_mapped, offset) +
                                          sizeof(uint64_t));
  KSYM_CHECK_ARG(mapped->kind == KSYM_MAPPED_KERNEL ||
                 (mapped->kind == KSYM_MAPPED_MODULE &&
                  mapped->section != nullptr));
  std::call_once(idx->addressing_once, [idx] {
    idx->addressing = ksym::BuildAddressing::Of(*idx->symbolizer);
  });
  absl::StatusOr<uint64_t> a = idx->addressing.IndexAddress(
      mapped->kind == KSYM_MAPPED_KERNEL ? ksym::MappedAddress::Kind::kKernel
                                         : ksym::MappedAddress::Kind::kModule,
      mapped->section != nullptr ? mapped->section : "", mapped->offset);
  if (!a.ok()) return Fail(KSYM_ERR_NOT_FOUND, a.status().message());
  *addr = *a;
  return 0;
}

}  // extern "C"
