#include "symbolizer/probe/ftrace_functions.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/sources/input_errors.h"
#include "symbolizer/sources/strict_text.h"

namespace ksym {
namespace {

constexpr uint64_t kPage = 0x1000;

// "name" or "name [mod]".
absl::Status ParseNameAndModule(absl::string_view text, absl::string_view label,
                                size_t line, FtraceRecord* out) {
  const size_t space = text.find(' ');
  out->name = std::string(text.substr(0, space));
  if (out->name.empty()) return LineError(label, line, "empty function name");
  if (space == absl::string_view::npos) return absl::OkStatus();
  absl::string_view mod = text.substr(space + 1);
  if (mod.size() < 3 || mod.front() != '[' || mod.back() != ']' ||
      mod.find(' ') != absl::string_view::npos) {
    return LineError(label, line,
                     absl::StrCat("unexpected \"", mod,
                                  "\" after the name, expected [module]"));
  }
  out->module = std::string(mod.substr(1, mod.size() - 2));
  return absl::OkStatus();
}

std::vector<absl::string_view> Lines(absl::string_view bytes) {
  std::vector<absl::string_view> lines = absl::StrSplit(bytes, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// What kallsyms prints as [mod]: a loadable module, never a built-in one.
std::string LoadableModule(const IndexReader& index, uint32_t set) {
  if (set == kNoModules || !index.ModuleSetLoadable(set) ||
      index.ModuleSetSize(set) != 1) {
    return "";
  }
  return std::string(index.ModuleName(set, 0));
}

// "name" or "name [mod]", as available_filter_functions lists it.
std::string Listed(absl::string_view name, absl::string_view module) {
  std::vector<absl::string_view> modules;
  if (!module.empty()) modules.push_back(module);
  return FormatQualifiedName(name, modules, "");
}

std::string Listed(const FtraceRecord& r) { return Listed(r.name, r.module); }

}  // namespace

absl::StatusOr<FtraceFunctions> FtraceFunctions::Parse(
    absl::string_view names, absl::string_view names_label,
    absl::string_view addrs, absl::string_view addrs_label) {
  FtraceFunctions out;
  if (!addrs.empty()) {
    out.has_addresses_ = true;
    out.label_ = std::string(addrs_label);
    size_t n = 0;
    for (absl::string_view line : Lines(addrs)) {
      ++n;
      const size_t space = line.find(' ');
      FtraceRecord r;
      absl::string_view hex = line.substr(0, space);
      if (space == absl::string_view::npos || !ParseHexDigits(hex, &r.ip)) {
        return LineError(addrs_label, n,
                         "expected \"ADDRESS NAME [MODULE]\" like "
                         "\"ffffffff813704f4 init_once\"");
      }
      absl::Status st = ParseNameAndModule(line.substr(space + 1), addrs_label, n, &r);
      if (!st.ok()) return st;
      out.records_.push_back(std::move(r));
    }
  }
  if (!names.empty()) {
    if (out.label_.empty()) out.label_ = std::string(names_label);
    size_t n = 0;
    for (absl::string_view line : Lines(names)) {
      ++n;
      FtraceRecord r;
      absl::Status st = ParseNameAndModule(line, names_label, n, &r);
      if (!st.ok()) return st;
      if (!out.has_addresses_) {
        out.records_.push_back(std::move(r));
        continue;
      }
      if (n > out.records_.size() || out.records_[n - 1].name != r.name ||
          out.records_[n - 1].module != r.module) {
        return absl::FailedPreconditionError(absl::StrCat(
            names_label, ":", n, ": \"", line, "\" is not line ", n, " of ",
            addrs_label, ": the files were read at different times (a module "
            "loaded in between?); read them again"));
      }
    }
    if (out.has_addresses_ && n != out.records_.size()) {
      return absl::FailedPreconditionError(absl::StrCat(
          names_label, " has ", n, " lines, ", addrs_label, " ",
          out.records_.size(), ": the files were read at different times; "
          "read them again"));
    }
  }
  return out;
}

absl::StatusOr<int64_t> FtraceFunctions::OffsetFrom(
    const Symbolizer& symbolizer) const {
  if (!has_addresses_) {
    return absl::FailedPreconditionError(
        "the offset between the index and the tracefs files needs "
        "available_filter_functions_addrs (Linux 6.5+)");
  }
  absl::flat_hash_map<std::string, int> in_file;
  for (const FtraceRecord& r : records_) {
    if (r.module.empty()) ++in_file[r.name];
  }
  absl::flat_hash_map<uint64_t, size_t> votes;
  size_t voters = 0;
  const IndexReader& index = symbolizer.index();
  for (const FtraceRecord& r : records_) {
    if (!r.module.empty() || in_file[r.name] != 1) continue;
    uint32_t found = 0;
    int count = 0;
    index.ForEachNamed(r.name, [&](uint32_t i) {
      ++count;
      found = i;
    });
    if (count != 1 || !IsTextType(index.Type(found))) continue;
    const uint64_t delta = (r.ip - index.Address(found)) & ~(kPage - 1);
    ++votes[delta];
    if (++voters == 1000) break;
  }
  uint64_t best = 0;
  size_t best_votes = 0;
  for (const auto& [delta, n] : votes) {
    if (n > best_votes) {
      best = delta;
      best_votes = n;
    }
  }
  if (best_votes * 2 <= voters || voters == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        label_, ": its addresses agree on no offset from the index (", voters,
        " functions compared): is it the same kernel build?"));
  }
  return static_cast<int64_t>(best);
}

absl::StatusOr<FtraceIndex> FtraceFunctions::Find(const Symbolizer& symbolizer,
                                                  const SymbolInfo& symbol,
                                                  int64_t to_files) const {
  const std::string name(symbol.name());
  const std::string qualified = symbolizer.QualifiedName(symbol);
  const IndexReader& index = symbolizer.index();
  const std::string module = LoadableModule(index, symbol.module_set);
  const std::string kNoRecord = absl::StrCat(
      qualified, " is not in ", label_,
      ": the function tracer cannot select it (notrace, always inlined, "
      "init code, or its record was discarded)");
  if (has_addresses_) {
    const uint64_t start = symbol.address + static_cast<uint64_t>(to_files);
    const uint64_t end = start + (symbol.size ? symbol.size : 1);
    for (size_t k = 0; k < records_.size(); ++k) {
      const FtraceRecord& r = records_[k];
      if (r.ip >= start && r.ip < end) {
        return FtraceIndex{static_cast<uint32_t>(k + 1), r.ip, Listed(r)};
      }
    }
    return absl::NotFoundError(kNoRecord);
  }
  std::vector<size_t> lines;
  for (size_t k = 0; k < records_.size(); ++k) {
    if (records_[k].name == name && records_[k].module == module) lines.push_back(k);
  }
  size_t functions = 0;
  index.ForEachNamed(name, [&](uint32_t i) {
    if (IsTextType(index.Type(i)) &&
        LoadableModule(index, index.ModuleSetOf(i)) == module) {
      ++functions;
    }
  });
  if (lines.empty()) return absl::NotFoundError(kNoRecord);
  if (lines.size() == 1 && functions == 1) {
    return FtraceIndex{static_cast<uint32_t>(lines[0] + 1), 0, Listed(records_[lines[0]])};
  }
  return absl::FailedPreconditionError(absl::StrCat(
      label_, " lists ", Listed(name, module),
      " on ", lines.size(), " lines and the index has ", functions,
      " such functions: which line is ", qualified,
      " needs available_filter_functions_addrs (Linux 6.5+)"));
}

}  // namespace ksym
