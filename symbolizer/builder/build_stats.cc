// Builds an index the way `ksym build` does and prints what the builder
// reported, with timings and memory, to measure and check real kernels:
//
//   build_stats [--vmlinux F] [--system-map F] [--kallsyms F]
//               [--linker-map F] [--modules-dir D] [--build-dir D]
//               [--ambiguous] [-o INDEX]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/writer.h"

namespace {

std::string PeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmHWM:")) return line;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  ksym::BuildInputs in;
  std::string output;
  bool list_ambiguous = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--ambiguous") {
      list_ambiguous = true;
      continue;
    }
    if (i + 1 >= argc) {
      absl::FPrintF(stderr, "%s needs a value\n", flag);
      return 2;
    }
    std::string value = argv[++i];
    if (flag == "--vmlinux") {
      in.vmlinux_path = value;
    } else if (flag == "--system-map") {
      in.system_map_path = value;
    } else if (flag == "--kallsyms") {
      in.kallsyms_path = value;
    } else if (flag == "--linker-map") {
      in.linker_map_path = value;
    } else if (flag == "--modules-dir") {
      in.modules_dir = value;
    } else if (flag == "--build-dir") {
      in.build_dir = value;
    } else if (flag == "-o") {
      output = value;
    } else {
      absl::FPrintF(stderr, "unknown flag %s\n", flag);
      return 2;
    }
  }
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  absl::StatusOr<ksym::BuildOutput> out =
      ksym::BuildCatalog(in, [&](uint64_t, uint64_t, absl::string_view what) {
        absl::FPrintF(stderr, "%7.3f s  %s\n", seconds(), what);
      });
  if (!out.ok()) {
    absl::FPrintF(stderr, "error: %s\n", out.status().ToString());
    return 1;
  }
  double build_seconds = seconds();
  absl::StatusOr<std::string> bytes = ksym::SerializeIndex(out->catalog);
  if (!bytes.ok()) {
    absl::FPrintF(stderr, "error: %s\n", bytes.status().ToString());
    return 1;
  }
  if (!output.empty()) {
    if (absl::Status s = ksym::WriteFileAtomically(output, *bytes); !s.ok()) {
      absl::FPrintF(stderr, "error: %s\n", s.ToString());
      return 1;
    }
  }
  const ksym::Catalog& c = out->catalog;
  const ksym::AttributionStats& a = out->attribution;
  absl::PrintF("build %.3f s, index %.3f s, %d bytes; %s\n", build_seconds,
               seconds(), bytes->size(), PeakRss());
  absl::PrintF("kernel %s, arch %s, build-id %s, %s, KASLR offset 0x%x\n",
               c.identity.release, c.identity.arch, c.identity.build_id,
               c.identity.address_space == ksym::AddressSpace::kStatic
                   ? "static"
                   : "runtime",
               c.identity.kaslr_offset);
  absl::PrintF(
      "symbols %d (text %d); with object %d (text %d); with module %d "
      "(text %d); objects %d, module sets %d\n",
      a.symbols, a.text_symbols, a.with_object, a.text_with_object,
      a.with_module, a.text_with_module, c.objects.size(),
      c.module_sets.size());
  for (size_t i = 0; i < ksym::kFactSourceCount; ++i) {
    if (a.object_from[i] == 0 && a.module_from[i] == 0) continue;
    absl::PrintF("  %-24s objects %7d  modules %7d\n",
                 ksym::FactSourceName(static_cast<ksym::FactSource>(i)),
                 a.object_from[i], a.module_from[i]);
  }
  for (const std::string& n : out->notes) absl::PrintF("note: %s\n", n);
  for (const std::string& w : out->warnings) absl::PrintF("warning: %s\n", w);
  const ksym::DisambiguationReport& r = out->report;
  for (const auto& [kind, k] : {std::make_pair("text", &r.text),
                                std::make_pair("data", &r.data)}) {
    absl::PrintF(
        "duplicate %s names %d; after module sets %d; annotated objects %d\n",
        kind, k->duplicate_names_before, k->duplicate_names_after_modules,
        k->annotated_objects);
  }
  absl::PrintF("still ambiguous %d\n", r.ambiguous.size());
  if (list_ambiguous) {
    for (const ksym::AmbiguousName& n : r.ambiguous) {
      absl::PrintF("  %s (%d symbols): %s\n", n.qualified, n.addresses.size(),
                   n.reason);
    }
  }
  return 0;
}
