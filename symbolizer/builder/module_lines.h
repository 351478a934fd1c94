// Build stage part: the loadable modules' source lines for the index's
// kModuleLines section (format.h). Each module's debug .ko gives a
// section-relative LineTable (sources/elf/dwarf_lines.h: libdwfl applies
// the .ko's relocations); ModuleLinePlacer places it by the module's
// section addresses (ROOT/sys/module/M/sections), as the module's symbols
// are placed, and merges every module's into one table at load addresses:
//
//   ModuleLinePlacer placer;
//   placer.Add("fat", *ParseLineTable(debug_bytes, path), m.sections);
//   catalog.module_lines = placer.Finish(catalog.sources);
//   //   fat_fill_super: .text + 0x3c40 -> 0xffffffffc0a04c40
//
// Sections the running module no longer has (.init*, freed after init)
// and sections with no address are left out, counted.
#ifndef KSYM_SYMBOLIZER_BUILDER_MODULE_LINES_H_
#define KSYM_SYMBOLIZER_BUILDER_MODULE_LINES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/elf/line_table.h"

namespace ksym {

// The `what` of the source record that says whether the index has module
// lines and why not.
inline constexpr char kModuleLineTablesSource[] = "module line tables";

class ModuleLinePlacer {
 public:
  // Adds the functions of `module`'s section-relative table `ko` at
  // `sections`' addresses. A linked (not relocatable) table is ignored.
  void Add(absl::string_view module, const LineTable& ko,
           const absl::flat_hash_map<std::string, uint64_t>& sections);

  size_t modules() const { return modules_.size(); }
  size_t functions() const { return table_.functions.size(); }
  // Functions left out: in an .init* section, in a section without an
  // address, or overlapping another placed function (Finish).
  size_t init_dropped() const { return init_dropped_; }
  size_t unplaced() const { return unplaced_; }
  size_t overlapping() const { return overlapping_; }

  // The merged table, sorted by address, overlaps left out (counted), or
  // null when no module was added. Adds a "module line tables" record to
  // `sources` saying which modules gave lines.
  std::shared_ptr<const LineTable> Finish(std::vector<InputSource>& sources);

 private:
  uint32_t Intern(absl::flat_hash_map<std::string, uint32_t>& ids,
                  std::vector<std::string>& values, absl::string_view s);

  LineTable table_;
  std::vector<std::string> modules_;
  absl::flat_hash_map<std::string, uint32_t> name_ids_, prefix_ids_;
  absl::flat_hash_map<std::pair<uint32_t, std::string>, uint32_t> file_ids_;
  size_t init_dropped_ = 0, unplaced_ = 0, overlapping_ = 0;
};

// The source lines of the debug .ko at `path`, read with its units
// (sources/elf/dwarf_lines.h ParseUnitsAndLinesInPlace: one DWARF open),
// or nullopt with a warning when its DWARF lines cannot be read (the
// module keeps its symbols and objects; only its lines are left out).
std::optional<LineTable> ModuleLinesOrWarn(absl::StatusOr<LineTable> lines,
                                           absl::string_view path,
                                           BuildLog& log);

// The record for a build that read no module lines: `why` ("not read:
// built with --no-lines", "no module's debug .ko was read").
InputSource MissingModuleLines(std::string why);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_MODULE_LINES_H_
