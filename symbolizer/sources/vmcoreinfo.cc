#include "symbolizer/sources/vmcoreinfo.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ksym {
namespace {

absl::Status LineError(absl::string_view source, size_t line,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ": ", what));
}

// 1 to 16 hex digits, with the "0x" the key's format string prints (or
// without, for "%lx").
bool ParseHex(absl::string_view text, bool with_0x, uint64_t* value) {
  if (with_0x && !absl::ConsumePrefix(&text, "0x")) return false;
  if (text.empty() || text.size() > 16) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return absl::SimpleHexAtoi(text, value);
}

bool Printable(absl::string_view text) {
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Vmcoreinfo> ParseVmcoreinfo(absl::string_view text,
                                           absl::string_view source) {
  if (text.size() > kMaxVmcoreinfoBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", text.size(), " bytes; a kernel's vmcoreinfo is at most ",
        kMaxVmcoreinfoBytes));
  }
  // The note's text may end in NUL padding.
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  Vmcoreinfo v;
  bool have_release = false, have_build_id = false;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    if (!Printable(line)) {
      return LineError(source, line_number,
                       "a control or NUL byte; expected KEY=VALUE text");
    }
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return LineError(source, line_number, "expected KEY=VALUE");
    }
    const absl::string_view key = line.substr(0, eq);
    const absl::string_view value = line.substr(eq + 1);
    auto once = [&](bool seen) -> absl::Status {
      if (seen) {
        return LineError(source, line_number,
                         absl::StrCat(key, " given twice"));
      }
      return absl::OkStatus();
    };
    if (key == "OSRELEASE") {
      if (absl::Status s = once(have_release); !s.ok()) return s;
      if (value.empty() || value.size() > 64) {
        return LineError(source, line_number,
                         "expected a kernel release of 1 to 64 bytes");
      }
      v.osrelease = std::string(value);
      have_release = true;
    } else if (key == "BUILD-ID") {
      if (absl::Status s = once(have_build_id); !s.ok()) return s;
      // %20phN: exactly 20 bytes, two lowercase hex digits each.
      bool ok = value.size() == 40;
      for (char c : value) ok = ok && absl::ascii_isxdigit(c);
      if (!ok) {
        return LineError(source, line_number,
                         "expected a build-id of 40 hex digits");
      }
      v.build_id = absl::AsciiStrToLower(value);
      have_build_id = true;
    } else if (key == "KERNELOFFSET" || key == "SYMBOL(_stext)" ||
               key == "NUMBER(kimage_voffset)") {
      std::optional<uint64_t>* field =
          key == "KERNELOFFSET"     ? &v.kernel_offset
          : key == "SYMBOL(_stext)" ? &v.stext
                                    : &v.kimage_voffset;
      if (absl::Status s = once(field->has_value()); !s.ok()) return s;
      const bool with_0x = key == "NUMBER(kimage_voffset)";
      uint64_t n;
      if (!ParseHex(value, with_0x, &n)) {
        return LineError(source, line_number,
                         absl::StrCat("expected ", with_0x ? "0x and " : "",
                                      "1 to 16 hex digits after ", key, "="));
      }
      *field = n;
    }
  }
  if (!have_release) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": no OSRELEASE= line: not a kernel's vmcoreinfo"));
  }
  return v;
}

}  // namespace ksym
