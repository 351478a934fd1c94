// Fuzzes the stream rewriter over the sample index (sample_index.h): any
// text must rewrite without crashing, and rewriting is idempotent
// (rewriter.h): rewriting the output again changes nothing. The
// decode_stacktrace.sh shape (not idempotent: it drops offsets) keeps one
// output line per input line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <algorithm>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "fuzz/sample_index.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"

namespace {

const ksym::Symbolizer& SampleSymbolizer() {
  static const ksym::Symbolizer* symbolizer = [] {
    auto reader = ksym::IndexReader::FromBuffer(ksym::SampleIndexBytes());
    if (!reader.ok()) std::abort();
    return new ksym::Symbolizer(*std::move(reader));
  }();
  return *symbolizer;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  SampleSymbolizer();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool append_addresses : {false, true}) {
    ksym::RewriteOptions options;
    options.append_addresses = append_addresses;
    ksym::Rewriter first(SampleSymbolizer(), options);
    const std::string once = first.RewriteText(text);
    ksym::Rewriter second(SampleSymbolizer(), options);
    const std::string twice = second.RewriteText(once);
    if (twice != once) {
      std::fprintf(stderr,
                   "rewriter fuzzer: not idempotent (append_addresses=%d)\n"
                   "input:  '%s'\nonce:   '%s'\ntwice:  '%s'\n",
                   append_addresses, absl::CHexEscape(text).c_str(),
                   absl::CHexEscape(once).c_str(),
                   absl::CHexEscape(twice).c_str());
      std::abort();
    }
  }
  ksym::RewriteOptions script;
  script.decode_stacktrace = true;
  ksym::Rewriter as_script(SampleSymbolizer(), script);
  const std::string shaped = as_script.RewriteText(text);
  if (std::count(shaped.begin(), shaped.end(), '\n') !=
      std::count(text.begin(), text.end(), '\n')) {
    std::fprintf(stderr,
                 "rewriter fuzzer: --decode-stacktrace changed the line "
                 "count\ninput:  '%s'\noutput: '%s'\n",
                 absl::CHexEscape(text).c_str(),
                 absl::CHexEscape(shaped).c_str());
    std::abort();
  }
  return 0;
}
