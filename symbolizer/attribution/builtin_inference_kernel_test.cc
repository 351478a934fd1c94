// Measures the built-in module inference on a real kernel build against its
// ground truth (the KBUILD_MODFILE of every object's .cmd file), from the
// compact data tools/builtin-inference-testdata.py derives from the build:
// modinfo `file=` records, DWARF compile units in link order with their
// ranges and text-symbol counts, the initcall symbols, the text symbols of
// directories two modules share, and the dynamic-debug descriptors
// (KBUILD_MODNAME, __FILE__), and the license variables of every unit
// (DwarfUnit::license_records) with every modinfo `file=` record. The
// inference sees only what a distribution kernel ships.
//
// Precision: of the text symbols given a module (inferred, or by the
// single-object rule the builder applies first), the share given the right
// one. Recall: of the text symbols of built-in modules, the share given
// their module. Targets: precision >= 99.5%; recall >= 97% on the builds
// with license lines, 95% on the tiny build without.
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "symbolizer/attribution/builtin_inference.h"

namespace ksym {
namespace {

// One kernel build's data and the recall it must reach. The tiny build's
// data predates the license lines (its build tree is gone): its recall
// comes from the other rules alone.
struct Build {
  const char* data;
  double min_recall;
};
constexpr Build kBuilds[] = {
    {"testdata/builtin_inference/linux-6.1-tiny-x86_64.txt", 0.95},
    {"testdata/builtin_inference/linux-6.1-libs-x86_64.txt", 0.97},
    {"testdata/builtin_inference/linux-6.1-netguest-x86_64.txt", 0.97},
};

struct KernelData {
  BuiltinInferenceInputs in;
  absl::flat_hash_map<std::string, std::string> truth;  // object → module
  absl::flat_hash_map<std::string, uint64_t> text;      // object → symbols
};

bool Load(const char* path, KernelData& d) {
  std::ifstream f(path);
  if (!f) return false;
  std::string line;
  while (std::getline(f, line)) {
    std::vector<std::string> w = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (w.empty() || w[0][0] == '#') continue;
    if (w[0] == "module" && w.size() == 3) {
      d.in.module_files.emplace_back(w[1], w[2]);
    } else if (w[0] == "unit" && w.size() == 5) {
      LinkedUnit u{w[1], {}};
      for (absl::string_view r : absl::StrSplit(w[4], ',')) {
        std::pair<std::string, std::string> be = absl::StrSplit(r, '-');
        uint64_t b, e;
        if (!absl::SimpleHexAtoi(be.first, &b) ||
            !absl::SimpleHexAtoi(be.second, &e)) {
          ADD_FAILURE() << "bad range in: " << line;
          return false;
        }
        u.ranges.emplace_back(b, e);
      }
      uint64_t n;
      if (!absl::SimpleAtoi(w[3], &n)) return false;
      d.truth[w[1]] = w[2] == "-" ? "" : w[2];
      d.text[w[1]] += n;
      d.in.units.push_back(std::move(u));
    } else if (w[0] == "dyndbg" && w.size() == 3) {
      d.in.dyndbg.push_back({w[1], w[2]});
    } else if (w[0] == "record" && w.size() >= 4) {
      ModinfoFileRecord r;
      r.module = w[2];
      r.file = absl::StrJoin(w.begin() + 3, w.end(), " ");
      if (!absl::SimpleAtoi(w[1], &r.size)) return false;
      d.in.file_records.push_back(std::move(r));
    } else if (w[0] == "license" && (w.size() == 3 ||
                                     (w.size() == 4 &&
                                      absl::StartsWith(w[3], "after=")))) {
      LicenseSite site{w[1], {}, {}};
      if (w.size() == 4) {
        // A unit without code: its place in link order.
        const std::string after = w[3].substr(6);
        site.after_object = after == "-" ? "" : after;
      }
      for (absl::string_view n : absl::StrSplit(w[2], ',')) {
        uint32_t size;
        if (!absl::SimpleAtoi(n, &size)) return false;
        site.sizes.push_back(size);
      }
      d.in.license_sites.push_back(std::move(site));
    } else if (w[0] == "symbol" && w.size() == 3) {
      uint64_t a;
      if (!absl::SimpleHexAtoi(w[2], &a)) return false;
      d.in.symbols.push_back({w[1], a});
    } else {
      ADD_FAILURE() << "unknown line: " << line;
      return false;
    }
  }
  return true;
}

class BuiltinInferenceKernelTest : public ::testing::TestWithParam<Build> {};

TEST_P(BuiltinInferenceKernelTest, PrecisionAndRecallOnARealBuild) {
  const Build& build = GetParam();
  KernelData d;
  ASSERT_TRUE(Load(build.data, d)) << build.data;
  ASSERT_FALSE(d.in.units.empty());
  // The tool read every unit's license variables.
  if (!d.in.license_sites.empty()) {
    d.in.license_dirs = LicenseDirectories(d.in.module_files, d.in.units);
  }
  BuiltinInference r = InferBuiltinModules(d.in);

  // What a distribution build gets: single-object modules exactly, the
  // rest inferred.
  absl::flat_hash_map<std::string, std::string> predicted;
  absl::flat_hash_map<std::string, bool> inferred;
  for (const auto& [module, file] : d.in.module_files) {
    predicted.try_emplace(file + ".o", module);
  }
  for (const InferredObject& o : r.objects) {
    ASSERT_FALSE(predicted.contains(o.object_path)) << o.object_path;
    predicted[o.object_path] = o.module;
    inferred[o.object_path] = true;
  }
  uint64_t in_modules = 0, given = 0, right = 0;
  uint64_t inferred_given = 0, inferred_right = 0;
  std::string wrong;
  std::map<std::string, uint64_t> missed;  // module → text symbols
  for (const auto& [object, truth] : d.truth) {
    const uint64_t n = d.text[object];
    in_modules += truth.empty() ? 0 : n;
    auto it = predicted.find(object);
    if (it == predicted.end()) {
      if (!truth.empty() && n > 0) missed[truth] += n;
      continue;
    }
    given += n;
    right += it->second == truth ? n : 0;
    if (inferred.contains(object)) {
      inferred_given += n;
      inferred_right += it->second == truth ? n : 0;
    }
    if (it->second != truth && n > 0) {
      wrong += "\n  " + object + ": " + it->second + ", truth " +
               (truth.empty() ? "-" : truth);
    }
  }
  // The data must exercise the inference: modules of several objects.
  ASSERT_GT(r.composite_modules, 3u);
  ASSERT_GT(inferred_given, in_modules / 2);
  const double precision = static_cast<double>(right) / given;
  const double recall = static_cast<double>(right) / in_modules;
  const double inferred_precision =
      static_cast<double>(inferred_right) / inferred_given;
  std::printf(
      "%s: text symbols of built-in modules %llu; given a module %llu, right "
      "%llu: precision %.4f recall %.4f; inferred %llu, right %llu "
      "(precision %.4f)\n",
      build.data, static_cast<unsigned long long>(in_modules),
      static_cast<unsigned long long>(given),
      static_cast<unsigned long long>(right), precision, recall,
      static_cast<unsigned long long>(inferred_given),
      static_cast<unsigned long long>(inferred_right), inferred_precision);
  EXPECT_GE(precision, 0.995) << "wrong:" << wrong;
  EXPECT_GE(inferred_precision, 0.995) << "wrong:" << wrong;
  std::string missed_text;
  for (const auto& [module, n] : missed) {
    missed_text += " " + module + ":" + std::to_string(n);
  }
  std::printf("text symbols missed per module:%s\n", missed_text.c_str());
  if (!wrong.empty()) std::printf("wrong:%s\n", wrong.c_str());
  for (const std::string& c : r.conflicts) {
    std::printf("conflict: %s\n", c.c_str());
  }
  for (const std::string& u : r.unpaired_license_dirs) {
    std::printf("license records not paired: %s\n", u.c_str());
  }
  EXPECT_GE(recall, build.min_recall)
      << "text symbols missed per module:" << missed_text;
  // Where license variables were read, every directory pairs up.
  EXPECT_TRUE(r.unpaired_license_dirs.empty());
}

INSTANTIATE_TEST_SUITE_P(Builds, BuiltinInferenceKernelTest,
                         ::testing::ValuesIn(kBuilds));

}  // namespace
}  // namespace ksym
