#include "symbolizer/sources/kallsyms.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/sources/input_errors.h"

namespace ksym {
namespace {

enum class Format { kKallsyms, kSystemMap };

std::string QuoteChar(char c) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(&c, 1)), "'");
}

// -1 for a non-hex byte.
struct HexTable {
  int8_t value[256];
  constexpr HexTable() : value() {
    for (int i = 0; i < 256; ++i) value[i] = -1;
    for (int i = 0; i < 10; ++i) value['0' + i] = static_cast<int8_t>(i);
    for (int i = 0; i < 6; ++i) {
      value['a' + i] = static_cast<int8_t>(10 + i);
      value['A' + i] = static_cast<int8_t>(10 + i);
    }
  }
};
constexpr HexTable kHex;

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHigh = 0x8080808080808080ull;
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

// Counts '\n' eight bytes at a time (std::count is not vectorized at -O2,
// and a memchr call per line costs more than the scan). Per-byte counters
// are summed every 255 words, before any of them can overflow.
size_t CountLines(absl::string_view text) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
  constexpr uint64_t kEvenBytes = 0x00ff00ff00ff00ffull;
  size_t lines = 1;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (end - p >= 8) {
    uint64_t counters = 0;
    for (int i = 0; i < 255 && end - p >= 8; ++i, p += 8) {
      uint64_t word;
      memcpy(&word, p, sizeof(word));
      word ^= kOnes * '\n';
      // High bit of each byte set exactly where the byte was '\n'.
      counters += (~(((word & kLow7) + kLow7) | word) & kHigh) >> 7;
    }
    uint64_t pairs = (counters & kEvenBytes) + ((counters >> 8) & kEvenBytes);
    lines += static_cast<size_t>((pairs * 0x0001000100010001ull) >> 48);
  }
  for (; p < end; ++p) lines += *p == '\n';
  return lines;
}

// High bit set in the bytes of `word` that are <= ' ' or DEL, the bytes
// that end or spoil a symbol name (bytes >= 0x80 pass). A borrow can flag a
// byte above a flagged one, never one below, so the lowest flag is exact.
inline uint64_t NameStopBytes(uint64_t word) {
  uint64_t below = (word - kOnes * 0x21) & ~word & kHigh;
  uint64_t del = word ^ (kOnes * 0x7f);
  del = (del - kOnes) & ~del & kHigh;
  return below | del;
}

// High bit of each byte set where the byte is in [lo, hi]; every byte of
// `word` must be below 0x80 (so the additions never carry across bytes).
inline uint64_t BytesInRange(uint64_t word, uint8_t lo, uint8_t hi) {
  uint64_t at_least_lo = word + kOnes * (0x80 - lo);
  uint64_t above_hi = word + kOnes * (0x7f - hi);
  return at_least_lo & ~above_hi & kHigh;
}

// Decodes 8 hex digits (the first is the most significant) without a
// per-digit dependency chain; false if any byte is not a hex digit.
inline bool DecodeHex8(const char* p, uint32_t& value) {
  uint64_t word;
  memcpy(&word, p, sizeof(word));
  if ((word & kHigh) != 0) return false;
  uint64_t digit = BytesInRange(word, '0', '9');
  uint64_t alpha = BytesInRange(word | (kOnes * 0x20), 'a', 'f');
  if ((digit | alpha) != kHigh) return false;
  uint64_t v = (word & (kOnes * 0x0f)) + (alpha >> 7) * 9;
  // Little-endian load: digit i is byte i. Pair them up, most significant
  // first: bytes -> 16-bit -> 32-bit groups.
  if (kLittleEndian) {
    v = ((v << 4) | (v >> 8)) & 0x00ff00ff00ff00ffull;
    v = ((v << 8) | (v >> 16)) & 0x0000ffff0000ffffull;
    v = ((v << 16) | (v >> 32)) & 0x00000000ffffffffull;
  } else {
    v = ((v >> 4) | v) & 0x00ff00ff00ff00ffull;
    v = ((v >> 8) | v) & 0x0000ffff0000ffffull;
    v = ((v >> 16) | v) & 0x00000000ffffffffull;
  }
  value = static_cast<uint32_t>(v);
  return true;
}

inline bool ParseHex(const char* p, size_t width, uint64_t& value) {
  uint32_t high, low;
  if (width == 8) {
    if (!DecodeHex8(p, low)) return false;
    value = low;
    return true;
  }
  if (!DecodeHex8(p, high) || !DecodeHex8(p + 8, low)) return false;
  value = (static_cast<uint64_t>(high) << 32) | low;
  return true;
}

inline bool IsTypeChar(char c, Format format) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) ||
         (c == '?' && format == Format::kSystemMap);
}

inline bool IsNameStopByte(char c) {
  return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
}

// Returns the first byte at or after `p` that is <= ' ' or DEL, or `end`.
inline const char* SkipNameBytes(const char* p, const char* end) {
  while (end - p >= 8) {
    uint64_t word;
    memcpy(&word, p, sizeof(word));
    uint64_t stops = NameStopBytes(word);
    if (stops != 0) {
      if (kLittleEndian) return p + __builtin_ctzll(stops) / 8;
      break;
    }
    p += 8;
  }
  while (p < end && !IsNameStopByte(*p)) ++p;
  return p;
}

class Parser {
 public:
  Parser(Format format, absl::string_view filename)
      : format_(format), filename_(filename) {}

  absl::StatusOr<std::vector<KallsymsEntry>> Parse(absl::string_view text) {
    std::vector<KallsymsEntry> entries;
    entries.reserve(CountLines(text));
    bool any_nonzero = false;
    const char* p = text.data();
    const char* const end = p + text.size();
    Fields fields;
    for (line_number_ = 1; p < end; ++line_number_) {
      if (*p == '\n') {
        ++p;
        continue;
      }
      fields.skip = false;
      const char* next = ParseFast(p, end, fields);
      if (next == nullptr) {
        // The careful parser is the authority; it names what is wrong.
        const char* nl = static_cast<const char*>(
            memchr(p, '\n', static_cast<size_t>(end - p)));
        const char* line_end = nl != nullptr ? nl : end;
        absl::Status status = ParseLine(
            absl::string_view(p, static_cast<size_t>(line_end - p)), fields);
        if (!status.ok()) return status;
        next = nl != nullptr ? nl + 1 : end;
      }
      if (fields.skip ||
          (format_ == Format::kSystemMap && IsIgnoredByKallsyms(fields.name))) {
        p = next;
        continue;
      }
      if (fields.name.size() > kMaxSymbolNameLength) {
        return Error(absl::StrCat(
            "symbol name of ", fields.name.size(), " bytes (",
            QuoteInput(fields.name.substr(0, 40)), "...) is longer than ",
            kMaxSymbolNameLength, " (the kernel's KSYM_NAME_LEN - 1)"));
      }
      entries.push_back(KallsymsEntry{fields.address, fields.type,
                                      std::string(fields.name),
                                      std::string(fields.module)});
      any_nonzero |= fields.address != 0;
      p = next;
    }
    if (entries.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          filename_, ": no symbols (expected lines like \"ffffffff81000000 T "
          "_text\")"));
    }
    if (format_ == Format::kKallsyms && !any_nonzero) {
      return absl::FailedPreconditionError(absl::StrCat(
          filename_, ": all ", entries.size(),
          " addresses are zero: the file was read without the privilege to "
          "see kernel addresses (kernel.kptr_restrict); read it as root, or "
          "set kernel.kptr_restrict=0 and kernel.perf_event_paranoid<=1"));
    }
    return entries;
  }

 private:
  struct Fields {
    uint64_t address = 0;
    char type = 0;
    absl::string_view name;
    absl::string_view module;
    bool skip = false;  // a System.map line the kernel's kallsyms leaves out
  };

  // Parses one well-formed line starting at `p` (not empty) and returns the
  // start of the next line, or nullptr if anything is unusual, leaving the
  // diagnosis to ParseLine. Never accepts what ParseLine would reject.
  const char* ParseFast(const char* p, const char* end, Fields& fields) {
    size_t width = width_;
    if (width == 0) {
      if (end - p > 16 && p[16] == ' ') {
        width = 16;
      } else if (end - p > 8 && p[8] == ' ') {
        width = 8;
      } else {
        return nullptr;
      }
    }
    // ADDRESS ' ' TYPE ' ' and at least one name byte.
    if (static_cast<size_t>(end - p) < width + 4 || p[width] != ' ' ||
        !IsTypeChar(p[width + 1], format_) || p[width + 2] != ' ') {
      return nullptr;
    }
    uint64_t address;
    if (!ParseHex(p, width, address)) return nullptr;

    const char* name = p + width + 3;
    const char* q = SkipNameBytes(name, end);
    if (q == name) return nullptr;
    fields.module = absl::string_view();
    if (q < end && *q == '\t') {
      if (format_ != Format::kKallsyms) return nullptr;
      const char* module = q + 2;
      if (end - q < 4 || q[1] != '[') return nullptr;
      const char* close = SkipNameBytes(module, end);
      // The scan stops at the newline (or end); ']' must be right before it.
      if (close - module < 2 || close[-1] != ']') return nullptr;
      if (close < end && *close != '\n') return nullptr;
      absl::string_view module_name(module,
                                    static_cast<size_t>(close - 1 - module));
      if (module_name.find_first_of("[]") != absl::string_view::npos) {
        return nullptr;
      }
      fields.module = module_name;
      fields.name = absl::string_view(name, static_cast<size_t>(q - name));
      q = close;
    } else {
      if (q < end && *q != '\n') return nullptr;
      fields.name = absl::string_view(name, static_cast<size_t>(q - name));
    }
    // The line-by-line parser says what is wrong with such a name.
    if (FindQuerySyntaxByte(fields.name) != nullptr) return nullptr;
    width_ = width;
    fields.address = address;
    fields.type = p[width + 1];
    return q < end ? q + 1 : end;
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(filename_, ":", line_number_, ": ", what));
  }

  absl::Status Malformed(absl::string_view line) const {
    return Error(
        absl::StrCat(format_ == Format::kKallsyms
                         ? "expected \"ADDRESS TYPE NAME[\\t[MODULE]]\", got "
                         : "expected \"ADDRESS TYPE NAME\", got ",
                     QuoteInput(line)));
  }

  // Parses one line (without its '\n') and says exactly what is wrong.
  absl::Status ParseLine(absl::string_view line, Fields& fields) {
    const char* s = line.data();
    const size_t n = line.size();

    // Address: 16 hex digits, or 8 on 32-bit kernels.
    const char* space = static_cast<const char*>(memchr(s, ' ', n));
    if (space == nullptr) return Malformed(line);
    const size_t digits = static_cast<size_t>(space - s);
    absl::string_view token(s, digits);
    if (digits != 16 && digits != 8) {
      return Error(absl::StrCat("bad address ", QuoteInput(token),
                                " (expected 8 or 16 hex digits)"));
    }
    uint64_t address = 0;
    for (size_t i = 0; i < digits; ++i) {
      int v = kHex.value[static_cast<unsigned char>(s[i])];
      if (v < 0) {
        return Error(absl::StrCat("bad address ", QuoteInput(token),
                                  " (expected 8 or 16 hex digits)"));
      }
      address = (address << 4) | static_cast<uint64_t>(v);
    }
    if (width_ != 0 && digits != width_) {
      // Only a mistake mixes lines of a 32-bit and a 64-bit kernel.
      return Error(absl::StrCat("address ", QuoteInput(token), " has ", digits,
                                " hex digits, earlier lines have ", width_));
    }

    // " T " then the name.
    if (n < digits + 4 || s[digits + 1] == ' ' || s[digits + 2] != ' ') {
      return Malformed(line);
    }
    const char type = s[digits + 1];
    if (!IsTypeChar(type, format_)) {
      return Error(absl::StrCat("bad symbol type ", QuoteChar(type),
                                format_ == Format::kKallsyms
                                    ? " (expected a letter)"
                                    : " (expected a letter or '?')"));
    }

    const char* name = s + digits + 3;
    const char* line_end = s + n;
    // Symbol names never hold blanks or control bytes; this also catches
    // "\r\n" line ends.
    const char* q = SkipNameBytes(name, line_end);
    absl::string_view name_view(name, static_cast<size_t>(q - name));
    if (q < line_end && *q != '\t') {
      // GNU as writes local labels with a \x02 byte (".L14472\x02" "1"):
      // arm64's nVHE hypervisor objects put them in System.map
      // ("__kvm_nvhe_.L14472\x02..."), which kallsyms skips, and a module's
      // (sha256-arm64's .rodata.str) reach /proc/kallsyms, where the
      // kernel's %pS never names them (find_kallsyms_symbol skips .L).
      if (IsIgnoredByKallsyms(name_view)) {
        fields.name = name_view;
        fields.skip = true;
        return absl::OkStatus();
      }
      return Error(absl::StrCat("bad character ", QuoteChar(*q),
                                " in symbol name ", QuoteInput(name_view)));
    }
    if (name_view.empty()) return Malformed(line);
    if (const char* c = FindQuerySyntaxByte(name_view)) {
      return Error(absl::StrCat(
          "symbol name ", QuoteInput(name_view), " holds ", QuoteChar(*c),
          ": no kernel symbol name holds + : @ [ ] { } * or ? (ksym's query "
          "syntax), and no query could select this one"));
    }
    fields.module = absl::string_view();
    if (q < line_end) {
      // "\t[MODULE]" up to the end of the line.
      if (format_ == Format::kSystemMap) {
        return Error(absl::StrCat("unexpected tab in ", QuoteInput(line),
                                  " (System.map has no module column)"));
      }
      absl::string_view annotation(q, static_cast<size_t>(line_end - q));
      if (annotation.size() >= 2 && annotation[1] == '[' &&
          annotation.find(']') == absl::string_view::npos) {
        return Error(
            absl::StrCat("missing ']' after module name in ", QuoteInput(line)));
      }
      absl::string_view module = annotation.substr(1);
      bool ok =
          module.size() >= 3 && module.front() == '[' && module.back() == ']';
      if (ok) {
        module = module.substr(1, module.size() - 2);
        for (char c : module) {
          if (IsNameStopByte(c) || c == '[' || c == ']') {
            ok = false;
            break;
          }
        }
      }
      if (!ok) {
        return Error(absl::StrCat("bad module annotation ", QuoteInput(annotation),
                                  " (expected \"\\t[MODULE]\" at the end of "
                                  "the line)"));
      }
      fields.module = module;
    }
    width_ = digits;
    fields.address = address;
    fields.type = type;
    fields.name = name_view;
    return absl::OkStatus();
  }

  const Format format_;
  const absl::string_view filename_;
  int line_number_ = 0;
  size_t width_ = 0;  // hex digits per address, fixed by the first line
};

}  // namespace

bool IsIgnoredByKallsyms(absl::string_view name) {
  // scripts/kallsyms.c is_ignored_symbol() (6.1) and scripts/mksysmap
  // (6.3+): mapping symbols and the local symbols of prefixed objects.
  static constexpr absl::string_view kPrefixes[] = {
      "__efistub_",        // arm64 EFI stub namespace, all of it (6.1
                           // kallsyms.c; 6.3+ mksysmap drops it from
                           // System.map too)
      "__kvm_nvhe_$",      // arm64 non-VHE KVM namespace: mapping symbols
      "__kvm_nvhe_.L",     //   and local labels
      "__AArch64ADRPThunk_",  // arm64 lld
      "__ARMV5PILongThunk_",  // arm lld
      "__ARMV7PILongThunk_",
      "__ThumbV7PILongThunk_",
      "__LA25Thunk_",  // mips lld
      "__microLA25Thunk_",
      "__kcfi_typeid_",  // CFI type identifiers
      "__kvm_nvhe___kcfi_typeid_",
      "__pi___kcfi_typeid_",
  };
  if (!name.empty() && name[0] == '$') return true;  // $x, $d, $t, $a
  if (absl::StartsWith(name, ".L")) return true;     // assembler locals
  for (absl::string_view p : kPrefixes) {
    if (absl::StartsWith(name, p)) return true;
  }
  return false;
}

bool IsPseudoModule(absl::string_view module) {
  return absl::StartsWith(module, "__builtin__") || module == "bpf";
}

absl::StatusOr<std::vector<KallsymsEntry>> ParseKallsyms(
    absl::string_view text, absl::string_view filename) {
  return Parser(Format::kKallsyms, filename).Parse(text);
}

absl::StatusOr<std::vector<KallsymsEntry>> ParseSystemMap(
    absl::string_view text, absl::string_view filename) {
  return Parser(Format::kSystemMap, filename).Parse(text);
}

}  // namespace ksym
