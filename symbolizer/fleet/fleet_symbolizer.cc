#include "symbolizer/fleet/fleet_symbolizer.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/fleet/layout_map.h"

namespace ksym {

FleetSymbolizer::FleetSymbolizer(const IndexStore& store, size_t max_open)
    : store_(store), max_open_(max_open == 0 ? 1 : max_open) {}

size_t FleetSymbolizer::open_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const Slot& s : slots_) n += s.index != nullptr;
  return n;
}

FleetSymbolizer::Slot* FleetSymbolizer::Get(absl::string_view build_id) {
  auto it = by_id_.find(build_id);
  if (it != by_id_.end()) {
    slots_.splice(slots_.begin(), slots_, it->second);
    return &slots_.front();
  }
  while (slots_.size() >= max_open_) {
    by_id_.erase(slots_.back().build_id);
    slots_.pop_back();
  }
  Slot slot;
  slot.serial = next_serial_++;
  slot.build_id = std::string(build_id);
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = store_.Open(build_id);
  if (!s.ok()) {
    slot.status = s.status();
  } else {
    slot.index = *std::move(s);
    slot.addressing = BuildAddressing::Of(*slot.index);
  }
  slots_.push_front(std::move(slot));
  by_id_[slots_.front().build_id] = slots_.begin();
  return &slots_.front();
}

int32_t FleetSymbolizer::ProblemEntry(const std::string& text,
                                      FleetBatch* batch,
                                      absl::string_view build_id) {
  auto [it, added] = problem_of_.try_emplace(
      absl::StrCat(build_id, "/", text),
      static_cast<int32_t>(batch->entries.size()));
  if (added) {
    FleetEntry e;
    e.build_id = std::string(build_id);
    e.qualified = absl::StrCat("?? (", text, ")");
    batch->entries.push_back(std::move(e));
  }
  return it->second;
}

void FleetSymbolizer::Answer(Slot* slot, absl::Span<const uint64_t> targets,
                             absl::Span<const size_t> rows,
                             FleetBatch* batch) {
  const Symbolizer& s = *slot->index;
  if (slot->entries_epoch != epoch_) {
    slot->entry_of_symbol.assign(s.index().symbol_count(), -1);
    slot->entries_epoch = epoch_;
  }
  constexpr size_t kChunk = 4096;
  std::vector<SymbolHit> hits(std::min(targets.size(), kChunk));
  char buf[SymbolInfo::kNameCapacity * 2];
  for (size_t at = 0; at < targets.size(); at += kChunk) {
    const size_t m = std::min(kChunk, targets.size() - at);
    s.LocateBatch(targets.subspan(at, m), absl::MakeSpan(hits.data(), m));
    for (size_t k = 0; k < m; ++k) {
      const SymbolHit& h = hits[k];
      const size_t row = rows[at + k];
      if (!h.found()) {
        batch->entry[row] =
            ProblemEntry(NotFoundReasonText(h.reason), batch, slot->build_id);
        batch->offset[row] = 0;
        continue;
      }
      int32_t& entry = slot->entry_of_symbol[h.symbol];
      if (entry < 0) {
        entry = static_cast<int32_t>(batch->entries.size());
        FleetEntry e;
        e.found = true;
        e.build_id = slot->build_id;
        size_t n = s.Name(h.symbol, buf, sizeof(buf));
        e.name.assign(buf, std::min(n, sizeof(buf) - 1));
        const SymbolInfo info = s.Symbol(h.symbol);
        e.qualified = s.QualifiedName(info);
        e.modules = absl::StrJoin(s.DisplayModules(info), " ");
        e.object = std::string(s.index().ObjectPath(info.object));
        batch->entries.push_back(std::move(e));
      }
      batch->entry[row] = entry;
      batch->offset[row] = h.offset;
      if (batch->lines) FillLines(s, slot->serial, h.symbol, h.offset, row, batch);
    }
  }
}

int32_t FleetSymbolizer::TextEntry(const std::string& text,
                                   FleetBatch* batch) {
  auto [it, added] = text_of_.try_emplace(
      text, static_cast<int32_t>(batch->texts.size()));
  if (added) batch->texts.push_back(text);
  return it->second;
}

void FleetSymbolizer::FillLines(const Symbolizer& s, uint64_t slot_serial,
                                uint32_t symbol, uint64_t offset, size_t row,
                                FleetBatch* batch) {
  auto [it, added] = lines_of_.try_emplace(
      std::make_tuple(slot_serial, symbol, offset), LineColumns{-1, -1, -1, 0});
  LineColumns& c = it->second;
  if (added) {
    const SourceLines l = LocateSourceLines(s, s.Symbol(symbol), offset);
    if (l.state != SourceLines::State::kFound || l.frames.empty()) {
      c.source = TextEntry(absl::StrCat("?? (", l.why, ")"), batch);
    } else {
      const LineFrame& f = l.frames[0];
      if (!f.path.empty()) c.file = TextEntry(std::string(f.path), batch);
      c.line = f.line;
      const absl::string_view function = FrameFunction(l, 0);
      if (!function.empty()) c.function = TextEntry(std::string(function), batch);
      c.source = TextEntry(DecodeStacktraceText(l), batch);
    }
  }
  batch->file[row] = c.file;
  batch->line[row] = c.line;
  batch->function[row] = c.function;
  batch->source[row] = c.source;
}

size_t FleetSymbolizer::BeginRows(size_t n, FleetBatch* batch) {
  // Entries are shared within one batch only.
  if (batch != entries_for_ || batch->entries.empty()) {
    ++epoch_;
    problem_of_.clear();
    text_of_.clear();
    lines_of_.clear();
    entries_for_ = batch;
  }
  const size_t first = batch->entry.size();
  batch->entry.resize(first + n, -1);
  batch->offset.resize(first + n, 0);
  if (batch->lines) {
    batch->file.resize(first + n, -1);
    batch->line.resize(first + n, 0);
    batch->function.resize(first + n, -1);
    batch->source.resize(first + n, -1);
  }
  return first;
}

void FleetSymbolizer::SymbolizeHost(const HostLayout& layout,
                                    absl::Span<const uint64_t> addresses,
                                    FleetBatch* batch) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t first = BeginRows(addresses.size(), batch);
  const LayoutMap map(layout);
  // Rows by target build: 0 the kernel, 1 + i module i.
  std::vector<std::vector<size_t>> rows(layout.modules.size() + 1);
  std::vector<std::vector<uint64_t>> offsets(layout.modules.size() + 1);
  std::vector<std::vector<absl::string_view>> sections(layout.modules.size() + 1);
  for (size_t i = 0; i < addresses.size(); ++i) {
    const MappedAddress m = map.Map(addresses[i]);
    switch (m.kind) {
      case MappedAddress::Kind::kUnmapped:
        batch->entry[first + i] = ProblemEntry(
            layout.text_known
                ? "below the kernel text and every module of the host layout"
                : "the host layout has no _text address and no module here",
            batch);
        break;
      case MappedAddress::Kind::kKernel:
        rows[0].push_back(first + i);
        offsets[0].push_back(m.offset);
        break;
      case MappedAddress::Kind::kModule:
        rows[1 + m.module].push_back(first + i);
        offsets[1 + m.module].push_back(m.offset);
        sections[1 + m.module].push_back(m.section);
        break;
    }
  }
  for (size_t g = 0; g < rows.size(); ++g) {
    if (rows[g].empty()) continue;
    const std::string what =
        g == 0 ? std::string("kernel")
               : absl::StrCat("module ", layout.modules[g - 1].name);
    const std::string& id =
        g == 0 ? layout.build_id : layout.modules[g - 1].build_id;
    auto fail = [&](const std::string& why) {
      const int32_t e = ProblemEntry(why, batch);
      for (size_t row : rows[g]) batch->entry[row] = e;
    };
    if (id.empty()) {
      fail(absl::StrCat(what, ": build-id unknown in the host layout"));
      continue;
    }
    Slot* slot = Get(id);
    if (slot->index == nullptr) {
      fail(absl::StrCat(what, ": ", slot->status.message()));
      continue;
    }
    std::vector<size_t> answer_rows;
    std::vector<uint64_t> answer_targets;
    answer_rows.reserve(rows[g].size());
    answer_targets.reserve(rows[g].size());
    for (size_t k = 0; k < rows[g].size(); ++k) {
      absl::StatusOr<uint64_t> target = slot->addressing.IndexAddress(
          g == 0 ? MappedAddress::Kind::kKernel : MappedAddress::Kind::kModule,
          g == 0 ? absl::string_view() : sections[g][k], offsets[g][k]);
      if (!target.ok()) {
        batch->entry[rows[g][k]] = ProblemEntry(
            absl::StrCat(what, " build-id ", id, ": ", target.status().message()),
            batch);
        continue;
      }
      answer_targets.push_back(*target);
      answer_rows.push_back(rows[g][k]);
    }
    Answer(slot, answer_targets, answer_rows, batch);
  }
}

void FleetSymbolizer::AnswerBuild(absl::string_view build_id,
                                  absl::string_view section,
                                  absl::Span<const uint64_t> addresses,
                                  absl::Span<const size_t> rows,
                                  FleetBatch* batch) {
  auto fail = [&](const std::string& why) {
    const int32_t e = ProblemEntry(why, batch);
    for (size_t row : rows) batch->entry[row] = e;
  };
  Slot* slot = Get(build_id);
  if (slot->index == nullptr) return fail(std::string(slot->status.message()));
  uint64_t base = 0;
  if (slot->addressing.module || !section.empty()) {
    absl::StatusOr<uint64_t> b = slot->addressing.IndexAddress(
        MappedAddress::Kind::kModule, section, 0);
    if (!b.ok()) {
      return fail(absl::StrCat("build-id ", build_id, ": ", b.status().message()));
    }
    base = *b;
  }
  if (base == 0) return Answer(slot, addresses, rows, batch);
  std::vector<uint64_t> targets(addresses.begin(), addresses.end());
  for (uint64_t& t : targets) t += base;
  Answer(slot, targets, rows, batch);
}

void FleetSymbolizer::SymbolizeBuild(absl::string_view build_id,
                                     absl::string_view section,
                                     absl::Span<const uint64_t> addresses,
                                     FleetBatch* batch) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t first = BeginRows(addresses.size(), batch);
  std::vector<size_t> rows(addresses.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = first + i;
  AnswerBuild(build_id, section, addresses, rows, batch);
}

absl::Status FleetSymbolizer::SymbolizeBuilds(
    absl::Span<const BuildKey> builds, absl::Span<const int32_t> group,
    absl::Span<const uint64_t> addresses, FleetBatch* batch) {
  if (group.size() != addresses.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        group.size(), " build groups for ", addresses.size(), " addresses"));
  }
  // Counting sort of the rows by group: start[g] .. start[g + 1].
  std::vector<size_t> start(builds.size() + 2, 0);
  for (int32_t g : group) {
    if (g >= static_cast<int64_t>(builds.size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "build group ", g, " of ", builds.size(), " builds"));
    }
    ++start[g < 0 ? builds.size() + 1 : static_cast<size_t>(g) + 1];
  }
  std::lock_guard<std::mutex> lock(mu_);
  const size_t first = BeginRows(addresses.size(), batch);
  // The rows without a build go last.
  const size_t none = start[builds.size() + 1];
  for (size_t g = 1; g <= builds.size(); ++g) start[g] += start[g - 1];
  std::vector<size_t> rows(addresses.size() - none);
  std::vector<uint64_t> sorted(rows.size());
  std::vector<size_t> fill(start.begin(), start.end() - 1);
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i] < 0) {
      batch->entry[first + i] = ProblemEntry("no build-id", batch);
      continue;
    }
    const size_t at = fill[group[i]]++;
    rows[at] = first + i;
    sorted[at] = addresses[i];
  }
  const absl::Span<const size_t> all_rows(rows);
  const absl::Span<const uint64_t> all_addresses(sorted);
  for (size_t g = 0; g < builds.size(); ++g) {
    const size_t n = start[g + 1] - start[g];
    if (n == 0) continue;
    AnswerBuild(builds[g].build_id, builds[g].section,
                all_addresses.subspan(start[g], n),
                all_rows.subspan(start[g], n), batch);
  }
  return absl::OkStatus();
}

}  // namespace ksym
