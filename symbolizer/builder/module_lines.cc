#include "symbolizer/builder/module_lines.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ksym {

uint32_t ModuleLinePlacer::Intern(absl::flat_hash_map<std::string, uint32_t>& ids,
                                  std::vector<std::string>& values,
                                  absl::string_view s) {
  auto [it, added] = ids.try_emplace(s, static_cast<uint32_t>(values.size()));
  if (added) values.emplace_back(s);
  return it->second;
}

void ModuleLinePlacer::Add(
    absl::string_view module, const LineTable& ko,
    const absl::flat_hash_map<std::string, uint64_t>& sections) {
  if (!ko.relocatable) return;
  if (table_.files.empty()) {
    table_.sections = {""};
    table_.prefixes.emplace_back();
    prefix_ids_.emplace("", 0);
    table_.files.emplace_back();
  }
  modules_.emplace_back(module);
  // The module's ids in the merged table, made on first use.
  constexpr uint32_t kUnset = UINT32_MAX;
  std::vector<uint32_t> names(ko.names.size(), kUnset);
  std::vector<uint32_t> files(ko.files.size(), kUnset);
  auto name = [&](uint32_t n) {
    if (n >= ko.names.size()) return Intern(name_ids_, table_.names, "");
    if (names[n] == kUnset) names[n] = Intern(name_ids_, table_.names, ko.names[n]);
    return names[n];
  };
  auto file = [&](uint32_t f) -> uint32_t {
    if (f == 0 || f >= ko.files.size()) return 0;
    if (files[f] != kUnset) return files[f];
    const SourceFile& sf = ko.files[f];
    const uint32_t prefix =
        Intern(prefix_ids_, table_.prefixes,
               sf.prefix < ko.prefixes.size() ? ko.prefixes[sf.prefix] : "");
    auto [it, added] = file_ids_.try_emplace(
        std::make_pair(prefix, sf.path),
        static_cast<uint32_t>(table_.files.size()));
    if (added) table_.files.push_back(SourceFile{prefix, sf.path});
    return files[f] = it->second;
  };
  for (const FunctionLines& f : ko.functions) {
    const std::string& section =
        f.section < ko.sections.size() ? ko.sections[f.section] : "";
    if (absl::StartsWith(section, ".init")) {
      ++init_dropped_;
      continue;
    }
    auto base = sections.find(section);
    if (base == sections.end()) {
      ++unplaced_;
      continue;
    }
    FunctionLines placed = f;
    placed.section = 0;
    placed.start = base->second + f.start;
    placed.name = name(f.name);
    placed.first_row = static_cast<uint32_t>(table_.rows.size());
    for (uint32_t r = 0; r < f.row_count; ++r) {
      LineRow row = ko.rows[f.first_row + r];
      row.file = file(row.file);
      table_.rows.push_back(row);
    }
    placed.first_call = static_cast<uint32_t>(table_.calls.size());
    for (uint32_t c = 0; c < f.call_count; ++c) {
      InlineCall call = ko.calls[f.first_call + c];
      call.name = name(call.name);
      call.call_file = file(call.call_file);
      const uint32_t first = call.first_range;
      call.first_range = static_cast<uint32_t>(table_.inline_ranges.size());
      for (uint32_t k = 0; k < call.range_count; ++k) {
        table_.inline_ranges.push_back(ko.inline_ranges[first + k]);
      }
      table_.calls.push_back(call);  // parent: an index within the function
    }
    table_.functions.push_back(placed);
  }
}

std::shared_ptr<const LineTable> ModuleLinePlacer::Finish(
    std::vector<InputSource>& sources) {
  InputSource record;
  record.what = kModuleLineTablesSource;
  if (modules_.empty()) {
    sources.push_back(MissingModuleLines("no module's debug .ko was read"));
    return nullptr;
  }
  std::vector<FunctionLines>& fs = table_.functions;
  std::stable_sort(fs.begin(), fs.end(),
                   [](const FunctionLines& a, const FunctionLines& b) {
                     return a.start < b.start;
                   });
  size_t kept = 0;
  for (size_t i = 0; i < fs.size(); ++i) {
    if (kept > 0 && fs[i].start < fs[kept - 1].start + fs[kept - 1].size) {
      ++overlapping_;
      continue;
    }
    fs[kept++] = fs[i];
  }
  fs.resize(kept);
  record.state = SourceState::kFound;
  std::sort(modules_.begin(), modules_.end());
  record.why = absl::StrCat("debug .ko of ", modules_.size(), " modules (",
                            absl::StrJoin(modules_, ", "), "): ",
                            table_.functions.size(), " functions placed");
  if (init_dropped_ + unplaced_ + overlapping_ > 0) {
    absl::StrAppend(&record.why, "; left out: ", init_dropped_,
                    " in .init sections (freed after load), ", unplaced_,
                    " in sections without a load address, ", overlapping_,
                    " overlapping another");
  }
  sources.push_back(std::move(record));
  return std::make_shared<const LineTable>(std::move(table_));
}

std::optional<LineTable> ModuleLinesOrWarn(absl::StatusOr<LineTable> lines,
                                           absl::string_view path,
                                           BuildLog& log) {
  if (!lines.ok()) {
    log.Warn(absl::StrCat("source lines of ", path,
                          " left out: ", lines.status().message()));
    return std::nullopt;
  }
  return *std::move(lines);
}

InputSource MissingModuleLines(std::string why) {
  InputSource record;
  record.what = kModuleLineTablesSource;
  record.why = std::move(why);
  return record;
}

}  // namespace ksym
