// Batch symbolization over an index store (index_store.h): rows of a host's
// runtime addresses with its layout record (host_layout.h), or of static
// addresses of one build. Each row gets an entry (the symbol's name,
// qualified name, modules, object: shared by every row in that symbol) and
// its offset; rows that nothing covers get an entry saying why, as `ksym
// lookup` prints it ("?? (in a gap between symbols)"), and so do rows whose
// build is not in the store or whose module or section the layout or index
// lacks. Never a silent guess.
//
//   IndexStore store("/srv/ksym-store");
//   FleetSymbolizer fleet(store, /*max_open=*/64);
//   FleetBatch batch;
//   fleet.SymbolizeHost(layout, addresses, &batch);
//   batch.entries[batch.entry[i]].qualified, batch.offset[i]
//
// One index is open per build-id (mmap: the page cache is shared by every
// process of the machine), at most `max_open` of them, least recently used
// closed first. Thread-safe (one lock: a worker's threads take turns).
#ifndef KSYM_SYMBOLIZER_FLEET_FLEET_SYMBOLIZER_H_
#define KSYM_SYMBOLIZER_FLEET_FLEET_SYMBOLIZER_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/fleet/build_addressing.h"
#include "symbolizer/fleet/host_layout.h"
#include "symbolizer/fleet/index_store.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct FleetEntry {
  bool found = false;
  std::string build_id;   // of the index that answered ("" when none)
  std::string name;       // "init_once"; "" when not found
  std::string qualified;  // "init_once [ext4]"; "?? (why)" when not found
  std::string modules;    // "ext4" (space separated), or ""
  std::string object;     // the object file ("fs/ext4/super.o"), or ""
};

struct FleetBatch {
  std::vector<int32_t> entry;    // per row: index into entries
  std::vector<uint64_t> offset;  // per row: address - symbol start (0: none)
  std::vector<FleetEntry> entries;

  // Source lines, when `lines` is set before the first call: per row, the
  // innermost frame's file (under the build prefix), line (0: unknown) and
  // function, and `source`, every frame's FILE:LINE innermost first as
  // scripts/decode_stacktrace.sh prints them, or "?? (why)" when the index
  // has no lines there. file/function/source index `texts` (-1: none).
  bool lines = false;
  std::vector<int32_t> file;
  std::vector<uint32_t> line;
  std::vector<int32_t> function;
  std::vector<int32_t> source;
  std::vector<std::string> texts;

  void Clear() {
    entry.clear();
    offset.clear();
    entries.clear();
    file.clear();
    line.clear();
    function.clear();
    source.clear();
    texts.clear();
  }
};

class FleetSymbolizer {
 public:
  explicit FleetSymbolizer(const IndexStore& store, size_t max_open = 64);

  // Appends one row per address: runtime addresses of the host `layout`
  // describes.
  void SymbolizeHost(const HostLayout& layout,
                     absl::Span<const uint64_t> addresses, FleetBatch* batch);
  // Appends one row per address of build `build_id`: link-time addresses of
  // a kernel build; of a module build, offsets in `section`.
  void SymbolizeBuild(absl::string_view build_id, absl::string_view section,
                      absl::Span<const uint64_t> addresses, FleetBatch* batch);

  // One group of rows of SymbolizeBuilds: a build and, for a module build,
  // the section its rows are offsets in.
  struct BuildKey {
    std::string build_id;
    std::string section;
  };
  // SymbolizeBuild for rows of many builds at once: row i is of
  // builds[group[i]] (a negative group: no build, answered "?? (no
  // build-id)"). The rows are grouped here in one pass, so a caller with a
  // build column (pandas factorize codes) needs no grouping of its own.
  // InvalidArgument when a group is not an index into `builds` or the
  // spans differ in length; nothing is appended then.
  absl::Status SymbolizeBuilds(absl::Span<const BuildKey> builds,
                               absl::Span<const int32_t> group,
                               absl::Span<const uint64_t> addresses,
                               FleetBatch* batch);

  size_t open_count() const;

 private:
  struct Slot {
    uint64_t serial = 0;
    std::string build_id;
    absl::Status status;  // why it could not be opened
    std::unique_ptr<Symbolizer> index;
    BuildAddressing addressing;
    // Per batch: symbol -> entry, valid when entries_epoch == epoch_ (a
    // vector, not a hash map: one index per row on the hot path).
    std::vector<int32_t> entry_of_symbol;
    uint64_t entries_epoch = 0;
  };
  // The slot of `build_id`, opened (or its failure recorded) on first use.
  Slot* Get(absl::string_view build_id);
  // Looks up `targets` (index addresses) of `rows`, appending entries.
  void Answer(Slot* slot, absl::Span<const uint64_t> targets,
              absl::Span<const size_t> rows, FleetBatch* batch);
  // Rows `rows` (batch rows) of build `build_id` at `addresses` (link-time,
  // or offsets in `section` of a module build). Called with mu_ held.
  void AnswerBuild(absl::string_view build_id, absl::string_view section,
                   absl::Span<const uint64_t> addresses,
                   absl::Span<const size_t> rows, FleetBatch* batch);
  // The index of `text` in batch->texts, added on first use.
  int32_t TextEntry(const std::string& text, FleetBatch* batch);
  // The line columns of `row`, found at `symbol` + `offset` of `s` (the
  // index of `slot_serial`); an address seen before in the batch is not
  // looked up again (profiles repeat a few return addresses millions of
  // times).
  void FillLines(const Symbolizer& s, uint64_t slot_serial, uint32_t symbol,
                 uint64_t offset, size_t row, FleetBatch* batch);
  // Appends `n` unanswered rows to `batch` and returns the first one's index;
  // forgets the entries of a previous batch. Called with mu_ held.
  size_t BeginRows(size_t n, FleetBatch* batch);
  // The entry "?? (text)" (of `build_id` when an index answered).
  int32_t ProblemEntry(const std::string& text, FleetBatch* batch,
                       absl::string_view build_id = "");

  const IndexStore& store_;
  const size_t max_open_;
  mutable std::mutex mu_;
  uint64_t next_serial_ = 1;
  std::list<Slot> slots_;  // most recently used first
  absl::flat_hash_map<std::string, std::list<Slot>::iterator> by_id_;
  // Per batch: problem text -> entry; the slots' entry_of_symbol are of
  // batch epoch_.
  absl::flat_hash_map<std::string, int32_t> problem_of_;
  // Per batch: text -> its index in FleetBatch::texts, and (slot serial,
  // symbol, offset) -> the row's line columns.
  absl::flat_hash_map<std::string, int32_t> text_of_;
  struct LineColumns {
    int32_t file, function, source;
    uint32_t line;
  };
  absl::flat_hash_map<std::tuple<uint64_t, uint32_t, uint64_t>, LineColumns>
      lines_of_;
  uint64_t epoch_ = 1;
  const FleetBatch* entries_for_ = nullptr;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_FLEET_SYMBOLIZER_H_
