// Fuzzes the stream rewriter's line parser (FindFrames) and its qualifier
// helpers, checking that spans lie inside the line, in order, without
// overlapping, and that their string views point into the line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/rewriter/frame_parser.h"

namespace {

// `part` is empty or a view into `line`.
bool Inside(absl::string_view part, absl::string_view line) {
  return part.empty() ||
         (part.data() >= line.data() &&
          part.data() + part.size() <= line.data() + line.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  std::vector<ksym::FrameSpan> frames;
  ksym::FindFrames(line, &frames);
  size_t previous_end = 0;
  for (const ksym::FrameSpan& f : frames) {
    if (f.begin > f.end || f.end > line.size() || f.begin < previous_end) {
      std::abort();
    }
    previous_end = f.end;
    if (!Inside(f.symbol, line) || !Inside(f.name, line) ||
        !Inside(f.qualifiers, line)) {
      std::abort();
    }
    if (f.length.has_value() && !f.offset.has_value()) std::abort();
    for (const ksym::ModuleBracket& m : ksym::ModuleBrackets(f.qualifiers)) {
      if (!Inside(m.module, line) || !Inside(m.text, line)) std::abort();
    }
    if (!Inside(ksym::ObjectQualifier(f.qualifiers), line)) std::abort();
  }
  // The helpers on arbitrary text, too.
  (void)ksym::ModuleBrackets(line);
  (void)ksym::ObjectQualifier(line);
  return 0;
}
