#include "symbolizer/fleet/host_layout.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "symbolizer/api/json_writer.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

constexpr absl::string_view kMagic = "ksym-layout";
// A record line longer than this is not one ksym wrote: release and names
// are short, build-ids at most 128 digits.
constexpr size_t kMaxLine = 1024;

std::string OrDash(absl::string_view s) {
  return s.empty() ? "-" : std::string(s);
}

bool ParseAddress(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleHexAtoi(s, out);
}

}  // namespace

bool IsBuildIdHex(absl::string_view id) { return CheckBuildId(id).ok(); }

std::string FormatHostLayout(const HostLayout& layout) {
  std::string out = absl::StrCat(kMagic, " ", kHostLayoutVersion, "\n");
  absl::StrAppend(&out, "kernel ", OrDash(layout.release), " ",
                  OrDash(layout.build_id), "\n");
  if (layout.text_known) {
    absl::StrAppendFormat(&out, "text %016x\n", layout.text_address);
  } else {
    out += "text -\n";
  }
  for (const LayoutModule& m : layout.modules) {
    absl::StrAppend(&out, "module ", m.name, " ", OrDash(m.build_id), "\n");
    for (const LayoutSection& s : m.sections) {
      absl::StrAppendFormat(&out, "section %s %016x\n", s.name, s.address);
    }
  }
  return out;
}

std::string HostLayoutJson(const HostLayout& layout) {
  std::string modules = "[";
  for (size_t i = 0; i < layout.modules.size(); ++i) {
    const LayoutModule& m = layout.modules[i];
    std::string sections = "{";
    for (size_t j = 0; j < m.sections.size(); ++j) {
      if (j > 0) sections += ",";
      AppendJsonString(&sections, m.sections[j].name);
      absl::StrAppendFormat(&sections, ":\"0x%x\"", m.sections[j].address);
    }
    sections += "}";
    JsonLine line;
    line.Field("name", m.name);
    if (m.build_id.empty()) {
      line.Null("build_id");
    } else {
      line.Field("build_id", m.build_id);
    }
    line.Raw("sections", sections);
    if (i > 0) modules += ",";
    modules += line.Finish();
  }
  modules += "]";
  JsonLine out;
  out.Field("version", kHostLayoutVersion);
  if (layout.release.empty()) {
    out.Null("release");
  } else {
    out.Field("release", layout.release);
  }
  if (layout.build_id.empty()) {
    out.Null("build_id");
  } else {
    out.Field("build_id", layout.build_id);
  }
  if (layout.text_known) {
    out.Field("text", absl::StrFormat("0x%x", layout.text_address));
  } else {
    out.Null("text");
  }
  out.Raw("modules", modules);
  return out.Finish();
}

absl::StatusOr<HostLayout> ParseHostLayout(absl::string_view bytes,
                                           absl::string_view filename) {
  HostLayout layout;
  enum class Expect { kMagic, kKernel, kText, kModules };
  Expect expect = Expect::kMagic;
  std::set<std::string> module_names;
  std::set<std::string> section_names;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(bytes, '\n')) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    auto error = [&](absl::string_view what) {
      return LineError(filename, line_number,
                       absl::StrCat(QuoteInput(line), ": ", what));
    };
    if (line.size() > kMaxLine) return error("line longer than 1024 bytes");
    const std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    for (absl::string_view field : f) {
      if (field.empty() || HasBlankOrControl(field)) {
        return error("expected fields separated by one space");
      }
    }
    auto build_id = [&](absl::string_view s, std::string* out) {
      if (s == "-") return true;
      if (!IsBuildIdHex(s)) return false;
      *out = std::string(s);
      return true;
    };
    switch (expect) {
      case Expect::kMagic: {
        int version = 0;
        if (f.size() != 2 || f[0] != kMagic ||
            !absl::SimpleAtoi(f[1], &version)) {
          return error("expected \"ksym-layout VERSION\" (not a host layout)");
        }
        if (version != kHostLayoutVersion) {
          return absl::FailedPreconditionError(absl::StrCat(
              filename, ":", line_number, ": host layout version ", version,
              ", this ksym reads version ", kHostLayoutVersion));
        }
        expect = Expect::kKernel;
        break;
      }
      case Expect::kKernel:
        if (f.size() != 3 || f[0] != "kernel") {
          return error("expected \"kernel RELEASE BUILD-ID\"");
        }
        if (f[1] != "-") {
          if (absl::Status s = CheckKernelRelease(f[1]); !s.ok()) {
            return error(s.message());
          }
          layout.release = std::string(f[1]);
        }
        if (!build_id(f[2], &layout.build_id)) {
          return error("the build-id is not 2 to 128 lowercase hex digits");
        }
        expect = Expect::kText;
        break;
      case Expect::kText:
        if (f.size() != 2 || f[0] != "text") {
          return error("expected \"text ADDRESS\" (hex, or - when unknown)");
        }
        if (f[1] != "-") {
          if (!ParseAddress(f[1], &layout.text_address)) {
            return error("the _text address is not 1 to 16 hex digits");
          }
          layout.text_known = true;
        }
        expect = Expect::kModules;
        break;
      case Expect::kModules:
        if (f[0] == "module") {
          if (f.size() != 3) return error("expected \"module NAME BUILD-ID\"");
          LayoutModule m;
          m.name = std::string(f[1]);
          if (m.name.find('/') != std::string::npos) {
            return error("a module name has no '/'");
          }
          if (!module_names.insert(m.name).second) {
            return error("module listed twice");
          }
          if (!build_id(f[2], &m.build_id)) {
            return error("the build-id is not 2 to 128 lowercase hex digits");
          }
          layout.modules.push_back(std::move(m));
          section_names.clear();
        } else if (f[0] == "section") {
          if (f.size() != 3) return error("expected \"section NAME ADDRESS\"");
          if (layout.modules.empty()) {
            return error("a section before any module line");
          }
          LayoutSection s;
          s.name = std::string(f[1]);
          if (!ParseAddress(f[2], &s.address)) {
            return error("the address is not 1 to 16 hex digits");
          }
          if (!section_names.insert(s.name).second) {
            return error("section listed twice for this module");
          }
          layout.modules.back().sections.push_back(std::move(s));
        } else {
          return error("expected a \"module\" or \"section\" line");
        }
        break;
    }
  }
  if (expect != Expect::kModules) {
    return absl::InvalidArgumentError(absl::StrCat(
        filename, ": truncated host layout: expected the ksym-layout, kernel "
                  "and text lines"));
  }
  return layout;
}

}  // namespace ksym
