// The Python extension module `ksym._ksym` (pybind11, over Symbolizer and
// symbolizer/api): what the Python package `ksym` exposes. See
// python/ksym/__init__.py for the documented interface.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "python/fleet_module.h"
#include "symbolizer/running_kernel/default_index.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/glob_resolve.h"
#include "symbolizer/api/live_pseudo.h"
#include "symbolizer/api/module_list.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"

namespace py = pybind11;

namespace ksym {
namespace {

// Names, objects and frames are bytes from the index (kallsyms names are
// not always UTF-8): a byte that is not UTF-8 reads as "\\xff" instead of
// raising UnicodeDecodeError.
py::str Text(const std::string& bytes) {
  PyObject* o = PyUnicode_DecodeUTF8(bytes.data(),
                                     static_cast<Py_ssize_t>(bytes.size()),
                                     "backslashreplace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// One symbol as Python sees it: a handle (symbol index, the address asked
// about) whose fields are decoded from the index when read, so a lookup
// costs one Locate and one small object.
struct PySymbol {
  std::shared_ptr<const Symbolizer> s;
  uint32_t index = 0;
  uint64_t address = 0;  // looked-up address, or a candidate's target
  uint64_t offset = 0;   // address - start
  // For a resolve candidate of a query with /0xLEN: which size it matched.
  LengthMatch length_match = LengthMatch::kNotAsked;

  SymbolFacts facts() const { return s->Facts(index); }
  std::string name() const {
    char buf[IndexReader::kMaxNameLength];
    return std::string(buf, std::min(s->Name(index, buf, sizeof(buf)),
                                     sizeof(buf) - 1));
  }
  std::string qualified() const { return s->QualifiedName(s->Symbol(index)); }
  std::string frame() const { return FrameText(*s, s->Symbol(index), offset); }
  std::string resolved() const {
    Candidate c;
    c.address = address;
    c.symbol = s->Symbol(index);
    c.length_match = length_match;
    return ResolvedText(*s, c);
  }
  std::vector<std::string> modules() const {
    std::vector<std::string> out;
    for (absl::string_view m : s->DisplayModules(facts())) out.emplace_back(m);
    return out;
  }
  // The source lines at this address (api/source_lines.h).
  SourceLines lines() const {
    return LocateSourceLines(*s, s->Symbol(index), offset);
  }
  std::optional<std::string> object() const {
    absl::string_view obj = s->index().ObjectPath(facts().object);
    if (obj.empty()) return std::nullopt;
    return std::string(obj);
  }
};

// One source frame as `ksym lookup --lines --json` writes it.
py::dict FrameDict(const SourceLines& l, size_t i) {
  const LineFrame& f = l.frames[i];
  py::dict d;
  d["function"] = Text(std::string(FrameFunction(l, i)));
  d["file"] = Text(std::string(f.path));
  d["prefix"] = Text(std::string(f.prefix));
  d["line"] = f.line;
  d["column"] = f.column;
  return d;
}

// A live frame of the running kernel ([bpf] program or trampoline,
// [__builtin__ftrace], ...: api/live_pseudo.h), copied out of the overlay
// so that it outlives it.
struct PyLiveSymbol {
  uint64_t address = 0, start = 0, offset = 0;
  std::string name, module, frame;
  char type = '?';
  std::optional<uint32_t> bpf_id;
  std::string bpf_function, bpf_file, bpf_note;
  uint32_t bpf_line = 0, bpf_column = 0;
  bool bpf_has_line = false;
};

PyLiveSymbol MakeLiveSymbol(uint64_t address, const PseudoHit& hit) {
  PyLiveSymbol l;
  l.address = address;
  l.start = hit.symbol->address;
  l.offset = hit.offset;
  l.name = hit.symbol->name;
  l.module = hit.symbol->module;
  l.type = hit.symbol->type;
  l.frame = LiveFrameText(hit);
  if (hit.bpf_program != nullptr) {
    l.bpf_id = hit.bpf_program->id;
    l.bpf_function = hit.bpf_place.function;
    if (const BpfLine* line = hit.bpf_place.line) {
      l.bpf_has_line = true;
      l.bpf_file = line->file;
      l.bpf_line = line->line;
      l.bpf_column = line->column;
    }
  }
  l.bpf_note = hit.bpf_note;
  return l;
}

// lookup_many(lines=True): no file (no lines there, or an unknown file).
constexpr uint32_t kNoFile = 0xffffffffu;

PySymbol MakeSymbol(const std::shared_ptr<const Symbolizer>& s, uint32_t index,
                    uint64_t address, uint64_t offset) {
  return PySymbol{s, index, address, offset};
}

class PyIndex {
 public:
  explicit PyIndex(std::unique_ptr<Symbolizer> s)
      : s_(std::move(s)), live_(std::make_shared<SharedLiveOverlay>(*s_)) {}

  static PyIndex Open(const std::string& path, bool verify_checksums) {
    if (path.find('\0') != std::string::npos) {
      throw py::value_error("ksym.Index: the path holds a NUL byte");
    }
    IndexOptions o;
    o.verify_checksums = verify_checksums;
    absl::StatusOr<std::unique_ptr<Symbolizer>> s;
    {
      py::gil_scoped_release release;
      s = Symbolizer::Open(path, o);
    }
    if (!s.ok()) Raise(s.status());
    return PyIndex(*std::move(s));
  }

  static PyIndex Running(bool verify_checksums) {
    DefaultIndexOptions o;
    o.index.verify_checksums = verify_checksums;
    absl::StatusOr<std::unique_ptr<Symbolizer>> s;
    {
      py::gil_scoped_release release;
      s = OpenDefaultIndex(o);
    }
    if (!s.ok()) Raise(s.status());
    return PyIndex(*std::move(s));
  }

  // A Symbol, a LiveSymbol (the running kernel's BPF programs and
  // trampolines, as `ksym lookup` names them), or None.
  py::object Lookup(uint64_t address) const {
    const SymbolHit h = s_->Locate(address);
    std::optional<PseudoHit> live = live_->Lookup(address, h);
    if (live.has_value()) return py::cast(MakeLiveSymbol(address, *live));
    if (!h.found()) return py::none();
    return py::cast(MakeSymbol(s_, h.symbol, address, h.offset));
  }

  std::string Frame(uint64_t address) const {
    return FrameTextWithLive(*s_, *live_, address);
  }

  PySymbol Symbol(uint32_t index) const {
    if (index >= s_->index().symbol_count()) {
      throw py::index_error(absl::StrCat("no symbol ", index));
    }
    return MakeSymbol(s_, index, s_->index().Address(index), 0);
  }

  // Addresses from a buffer of 8-byte integers (numpy uint64/int64,
  // array.array('Q'), ...) without copying, else from any sequence of ints.
  // lines: also the innermost source line of each address (its
  // Symbol.location's file and line), as two more arrays and the file table
  // they index.
  // Each address is answered as Lookup answers it: on the running
  // kernel's index a live frame is NO_SYMBOL with REASON_LIVE and the
  // offset into it, never the indexed symbol of inferred size it falls in.
  // reasons: also why each address has no symbol (uint8 REASON_*, as the C
  // API's enum ksym_reason; REASON_NONE where one covers it), last.
  py::tuple LookupMany(py::object addresses, bool lines, bool reasons) const {
    std::vector<uint64_t> copied;
    const uint64_t* data = nullptr;
    size_t n = 0;
    py::buffer_info info;
    if (PyObject_CheckBuffer(addresses.ptr())) {
      info = py::reinterpret_borrow<py::buffer>(addresses).request();
      const std::string& f = info.format;
      const bool int64 = info.itemsize == 8 &&
                         (f == "Q" || f == "q" || f == "L" || f == "l" ||
                          f == "K" || f == "k" || f == "<Q" || f == "<q" ||
                          f == "=Q" || f == "=q");
      if (!int64 || info.ndim != 1 ||
          info.strides[0] != static_cast<py::ssize_t>(sizeof(uint64_t))) {
        throw py::type_error(
            "lookup_many: a buffer must be a contiguous 1-D array of 64-bit "
            "integers (format '" + f + "')");
      }
      data = static_cast<const uint64_t*>(info.ptr);
      n = static_cast<size_t>(info.shape[0]);
    } else {
      py::sequence seq = py::reinterpret_borrow<py::sequence>(addresses);
      copied.reserve(seq.size());
      for (py::handle h : seq) copied.push_back(h.cast<uint64_t>());
      data = copied.data();
      n = copied.size();
    }
    py::bytearray symbols_bytes = py::reinterpret_steal<py::bytearray>(
        PyByteArray_FromStringAndSize(nullptr, static_cast<py::ssize_t>(4 * n)));
    py::bytearray offsets_bytes = py::reinterpret_steal<py::bytearray>(
        PyByteArray_FromStringAndSize(nullptr, static_cast<py::ssize_t>(8 * n)));
    auto* symbols = reinterpret_cast<uint32_t*>(PyByteArray_AsString(symbols_bytes.ptr()));
    auto* offsets = reinterpret_cast<uint64_t*>(PyByteArray_AsString(offsets_bytes.ptr()));
    py::bytearray reasons_bytes = py::reinterpret_steal<py::bytearray>(
        PyByteArray_FromStringAndSize(nullptr,
                                      static_cast<py::ssize_t>(reasons ? n : 0)));
    auto* why = reinterpret_cast<uint8_t*>(PyByteArray_AsString(reasons_bytes.ptr()));
    {
      py::gil_scoped_release release;
      constexpr size_t kChunk = 4096;
      std::vector<SymbolHit> hits(std::min(n, kChunk));
      for (size_t at = 0; at < n; at += kChunk) {
        const size_t m = std::min(kChunk, n - at);
        LocateBatchWithLive(*s_, *live_, absl::MakeConstSpan(data + at, m),
                            absl::MakeSpan(hits.data(), m));
        for (size_t k = 0; k < m; ++k) {
          symbols[at + k] = hits[k].symbol;
          offsets[at + k] = hits[k].offset;
        }
        if (reasons) {
          for (size_t k = 0; k < m; ++k) {
            why[at + k] = static_cast<uint8_t>(hits[k].reason);
          }
        }
      }
    }
    py::object mv_s = py::reinterpret_steal<py::object>(
        PyMemoryView_FromObject(symbols_bytes.ptr()));
    py::object mv_o = py::reinterpret_steal<py::object>(
        PyMemoryView_FromObject(offsets_bytes.ptr()));
    py::list out;
    out.append(mv_s.attr("cast")("I"));
    out.append(mv_o.attr("cast")("Q"));
    if (lines) AppendLines(symbols, offsets, n, &out);
    if (reasons) {
      out.append(py::reinterpret_steal<py::object>(
          PyMemoryView_FromObject(reasons_bytes.ptr())));
    }
    return py::tuple(out);
  }

  // lookup_many(lines=True)'s files, lines and file table.
  void AppendLines(const uint32_t* symbols, const uint64_t* offsets, size_t n,
                   py::list* out) const {
    WarnWithoutLines("lookup_many");
    py::bytearray files_bytes = py::reinterpret_steal<py::bytearray>(
        PyByteArray_FromStringAndSize(nullptr, static_cast<py::ssize_t>(4 * n)));
    py::bytearray lines_bytes = py::reinterpret_steal<py::bytearray>(
        PyByteArray_FromStringAndSize(nullptr, static_cast<py::ssize_t>(4 * n)));
    auto* files = reinterpret_cast<uint32_t*>(PyByteArray_AsString(files_bytes.ptr()));
    auto* line_numbers = reinterpret_cast<uint32_t*>(PyByteArray_AsString(lines_bytes.ptr()));
    std::vector<std::string> table;
    {
      py::gil_scoped_release release;
      absl::flat_hash_map<std::string, uint32_t> ids;
      for (size_t k = 0; k < n; ++k) {
        files[k] = kNoFile;
        line_numbers[k] = 0;
        if (symbols[k] == SymbolHit::kNoSymbol) continue;
        const SourceLines l =
            LocateSourceLines(*s_, s_->Symbol(symbols[k]), offsets[k]);
        if (l.state != SourceLines::State::kFound) continue;
        const LineFrame& f = l.frames[0];
        line_numbers[k] = f.line;
        if (f.path.empty()) continue;
        auto [it, added] = ids.try_emplace(std::string(f.path),
                                           static_cast<uint32_t>(table.size()));
        if (added) table.emplace_back(f.path);
        files[k] = it->second;
      }
    }
    py::list file_table;
    for (const std::string& t : table) file_table.append(Text(t));
    py::object mv_f = py::reinterpret_steal<py::object>(
        PyMemoryView_FromObject(files_bytes.ptr()));
    py::object mv_l = py::reinterpret_steal<py::object>(
        PyMemoryView_FromObject(lines_bytes.ptr()));
    out->append(mv_f.attr("cast")("I"));
    out->append(mv_l.attr("cast")("I"));
    out->append(file_table);
  }

  // As `ksym symbolize --lines` says it once on stderr: asked for lines of
  // an index without them, the answers come without lines.
  void WarnWithoutLines(absl::string_view what) const {
    const std::string warning = LinesWarning(s_->index());
    if (warning.empty()) return;
    const std::string why = absl::StrCat("ksym: ", what, ": lines: ", warning);
    if (PyErr_WarnEx(PyExc_UserWarning, why.c_str(), 1) != 0) {
      throw py::error_already_set();
    }
  }

  std::vector<PySymbol> Resolve(const std::string& query) const {
    absl::StatusOr<std::vector<Candidate>> c = ResolveGlob(*s_, query);
    if (!c.ok()) throw py::value_error(std::string(c.status().message()));
    return Candidates(*c);
  }

  PySymbol ResolveUnique(const std::string& query) const {
    std::vector<Candidate> ambiguous;
    absl::StatusOr<Candidate> u = s_->ResolveUnique(query, &ambiguous);
    if (u.ok()) {
      return MakeSymbol(s_, u->symbol.index, u->address,
                        u->address - u->symbol.address);
    }
    const std::string msg(u.status().message());
    if (u.status().code() == absl::StatusCode::kNotFound) {
      PyErr_SetString(PyExc_LookupError, msg.c_str());
      throw py::error_already_set();
    }
    if (u.status().code() == absl::StatusCode::kFailedPrecondition) {
      py::object type = py::module_::import("ksym").attr("AmbiguousError");
      py::object e = type(msg, Candidates(ambiguous));
      PyErr_SetObject(type.ptr(), e.ptr());
      throw py::error_already_set();
    }
    throw py::value_error(msg);
  }

  py::str Symbolize(const std::string& text, bool lines,
                    bool decode_stacktrace) const {
    RewriteOptions options;
    options.decode_stacktrace = decode_stacktrace;
    options.lines = lines || decode_stacktrace;
    if (options.lines) WarnWithoutLines("symbolize");
    // The running kernel's BPF programs and trampolines, as `ksym
    // symbolize` names them.
    std::unique_ptr<LiveOverlay> live = LiveOverlayFor(*s_);
    if (live != nullptr) options.live_frame = RewriterLiveFrames(live.get());
    Rewriter r(*s_, options);
    return Text(r.RewriteText(text));
  }

  py::dict Info() const {
    const IndexReader& r = s_->index();
    py::dict d;
    d["release"] = Text(std::string(r.release()));
    d["build_id"] = std::string(r.build_id());
    d["arch"] = std::string(r.arch());
    d["symbols"] = r.symbol_count();
    d["runtime_addresses"] = r.address_space() == AddressSpace::kRuntime;
    // None when unknown (a runtime index built from kallsyms alone), never
    // a 0 that would read as "no KASLR".
    if (r.kaslr_offset_known()) {
      d["kaslr_offset"] = r.kaslr_offset();
    } else {
      d["kaslr_offset"] = py::none();
    }
    d["file_size"] = r.file_size();
    return d;
  }

  // The loadable modules, as `ksym modules --json` lists them (addresses
  // as ints; `text` is the line `ksym modules` prints).
  py::list Modules() const {
    py::list out;
    for (const ModuleListing& m : ListModules(s_->index())) {
      py::dict d;
      d["name"] = Text(m.name);
      d["base"] = m.base;
      d["size"] = m.size;
      d["end"] = m.base + m.size;
      d["range_inferred"] = m.range_inferred;
      if (m.build_id.empty()) {
        d["build_id"] = py::none();
      } else {
        d["build_id"] = Text(m.build_id);
      }
      d["symbols_from_ko"] = m.symbols_from_ko;
      d["debug_read"] = m.debug_read;
      d["symbols_from"] = ModuleSymbolsFrom(m);
      py::list sections;
      for (const auto& [name, address] : m.sections) {
        sections.append(py::make_tuple(Text(name), address));
      }
      d["sections"] = sections;
      d["text"] = Text(ModuleLine(m));
      out.append(d);
    }
    return out;
  }

  uint64_t Size() const { return s_->index().symbol_count(); }

 private:
  [[noreturn]] static void Raise(const absl::Status& s) {
    const std::string msg(s.message());
    PyObject* type = PyExc_OSError;
    if (s.code() == absl::StatusCode::kNotFound) {
      type = PyExc_FileNotFoundError;
    } else if (s.code() == absl::StatusCode::kPermissionDenied) {
      type = PyExc_PermissionError;
    } else if (s.code() == absl::StatusCode::kDataLoss ||
               s.code() == absl::StatusCode::kInvalidArgument) {
      type = PyExc_ValueError;  // a damaged or foreign file
    }
    PyErr_SetString(type, msg.c_str());
    throw py::error_already_set();
  }

  std::vector<PySymbol> Candidates(const std::vector<Candidate>& c) const {
    std::vector<PySymbol> out;
    out.reserve(c.size());
    for (const Candidate& x : c) {
      out.push_back(MakeSymbol(s_, x.symbol.index, x.address,
                               x.address - x.symbol.address));
      out.back().length_match = x.length_match;
    }
    return out;
  }

  std::shared_ptr<const Symbolizer> s_;
  // Its live frames when it is the running kernel's (read on first need).
  std::shared_ptr<const SharedLiveOverlay> live_;
};

}  // namespace
}  // namespace ksym

PYBIND11_MODULE(_ksym, m) {
  using ksym::PyIndex;
  using ksym::PySymbol;
  m.doc() = "ksym: unique, fast kernel symbol names (see help(ksym))";
  m.attr("NO_SYMBOL") = py::int_(ksym::SymbolHit::kNoSymbol);
  m.attr("NO_FILE") = py::int_(ksym::kNoFile);
  // Why no symbol covers an address (lookup_many(reasons=True)): the C
  // API's enum ksym_reason.
  m.attr("REASON_NONE") = py::int_(static_cast<int>(ksym::NotFoundReason::kNone));
  m.attr("REASON_EMPTY_INDEX") =
      py::int_(static_cast<int>(ksym::NotFoundReason::kEmptyIndex));
  m.attr("REASON_BELOW_FIRST") =
      py::int_(static_cast<int>(ksym::NotFoundReason::kBelowFirstSymbol));
  m.attr("REASON_PAST_LAST") =
      py::int_(static_cast<int>(ksym::NotFoundReason::kPastLastSymbol));
  m.attr("REASON_IN_GAP") = py::int_(static_cast<int>(ksym::NotFoundReason::kInGap));
  m.attr("REASON_NOT_KERNEL") =
      py::int_(static_cast<int>(ksym::NotFoundReason::kNotKernelAddress));
  m.attr("REASON_LIVE") = py::int_(static_cast<int>(ksym::kLiveSymbolReason));
  // What idx.frame(addr) says in "?? (...)" for a reason.
  m.def(
      "reason_text",
      [](int reason) {
        if (reason < 0 || reason > static_cast<int>(ksym::kLiveSymbolReason)) {
          return std::string("unknown reason");
        }
        return std::string(
            ksym::HitReasonText(static_cast<ksym::NotFoundReason>(reason)));
      },
      py::arg("reason"));
  ksym::BindFleet(m);
  py::class_<PySymbol>(m, "Symbol")
      .def_property_readonly("name",
                             [](const PySymbol& p) { return ksym::Text(p.name()); })
      .def_property_readonly(
          "qualified", [](const PySymbol& p) { return ksym::Text(p.qualified()); })
      .def_property_readonly(
          "resolved", [](const PySymbol& p) { return ksym::Text(p.resolved()); })
      .def_property_readonly(
          "unique",
          [](const PySymbol& p) { return Ambiguity(*p.s, p.s->Symbol(p.index)).unique; })
      .def_property_readonly(
          "candidates",
          [](const PySymbol& p) { return Ambiguity(*p.s, p.s->Symbol(p.index)).candidates; })
      .def_property_readonly(
          "select",
          [](const PySymbol& p) { return p.s->SelectingQuery(p.s->Symbol(p.index)); })
      .def_readonly("address", &PySymbol::address)
      .def_property_readonly("start",
                             [](const PySymbol& p) { return p.facts().address; })
      .def_readonly("offset", &PySymbol::offset)
      .def_property_readonly("size",
                             [](const PySymbol& p) { return p.facts().size; })
      .def_property_readonly(
          "size_exact", [](const PySymbol& p) { return p.facts().size_exact; })
      .def_property_readonly(
          "type", [](const PySymbol& p) { return std::string(1, p.facts().type); })
      .def_property_readonly("modules",
                             [](const PySymbol& p) {
                               py::list out;
                               for (const std::string& m : p.modules()) {
                                 out.append(ksym::Text(m));
                               }
                               return out;
                             })
      .def_property_readonly("object",
                             [](const PySymbol& p) -> py::object {
                               std::optional<std::string> o = p.object();
                               if (!o.has_value()) return py::none();
                               return ksym::Text(*o);
                             })
      .def_property_readonly("location",
                             [](const PySymbol& p) -> py::object {
                               const ksym::SourceLines l = p.lines();
                               if (l.state != ksym::SourceLines::State::kFound) {
                                 return py::none();
                               }
                               return ksym::FrameDict(l, 0);
                             })
      .def_property_readonly("inlined",
                             [](const PySymbol& p) {
                               const ksym::SourceLines l = p.lines();
                               py::list out;
                               if (l.state != ksym::SourceLines::State::kFound) {
                                 return out;
                               }
                               for (size_t i = 1; i < l.frames.size(); ++i) {
                                 out.append(ksym::FrameDict(l, i));
                               }
                               return out;
                             })
      .def_property_readonly("location_missing",
                             [](const PySymbol& p) -> py::object {
                               const ksym::SourceLines l = p.lines();
                               if (l.state == ksym::SourceLines::State::kFound) {
                                 return py::none();
                               }
                               return ksym::Text(l.why);
                             })
      .def_property_readonly("source_lines",
                             [](const PySymbol& p) {
                               py::list out;
                               for (const std::string& t :
                                    ksym::SourceLineTexts(p.lines())) {
                                 out.append(ksym::Text(t));
                               }
                               return out;
                             })
      .def_property_readonly("frame",
                             [](const PySymbol& p) { return ksym::Text(p.frame()); })
      .def_readonly("index", &PySymbol::index)
      .def_property_readonly("live", [](const PySymbol&) { return false; })
      .def("__str__", [](const PySymbol& p) { return ksym::Text(p.frame()); })
      .def("__repr__", [](const PySymbol& p) {
        return ksym::Text(absl::StrCat("<ksym.Symbol 0x", absl::Hex(p.address), " ",
                                 p.frame(), ">"));
      });
  py::class_<ksym::PyLiveSymbol>(m, "LiveSymbol")
      .def_readonly("address", &ksym::PyLiveSymbol::address)
      .def_readonly("start", &ksym::PyLiveSymbol::start)
      .def_readonly("offset", &ksym::PyLiveSymbol::offset)
      .def_property_readonly(
          "name", [](const ksym::PyLiveSymbol& l) { return ksym::Text(l.name); })
      .def_property_readonly(
          "type", [](const ksym::PyLiveSymbol& l) { return std::string(1, l.type); })
      .def_property_readonly("modules",
                             [](const ksym::PyLiveSymbol& l) {
                               py::list out;
                               out.append(ksym::Text(l.module));
                               return out;
                             })
      .def_property_readonly("live", [](const ksym::PyLiveSymbol&) { return true; })
      // No source lines: `ksym lookup --lines` prints none after a live
      // frame (the BPF line is in .bpf and in the frame text).
      .def_property_readonly("location",
                             [](const ksym::PyLiveSymbol&) { return py::none(); })
      .def_property_readonly("inlined",
                             [](const ksym::PyLiveSymbol&) { return py::list(); })
      .def_property_readonly("source_lines",
                             [](const ksym::PyLiveSymbol&) { return py::list(); })
      .def_property_readonly("bpf",
                             [](const ksym::PyLiveSymbol& l) -> py::object {
                               if (!l.bpf_id.has_value()) return py::none();
                               py::dict d;
                               d["id"] = *l.bpf_id;
                               d["function"] = ksym::Text(l.bpf_function);
                               if (l.bpf_has_line) {
                                 d["file"] = ksym::Text(l.bpf_file);
                                 d["line"] = l.bpf_line;
                                 d["column"] = l.bpf_column;
                               }
                               return d;
                             })
      .def_property_readonly("bpf_note",
                             [](const ksym::PyLiveSymbol& l) -> py::object {
                               if (l.bpf_note.empty()) return py::none();
                               return ksym::Text(l.bpf_note);
                             })
      .def_property_readonly(
          "frame", [](const ksym::PyLiveSymbol& l) { return ksym::Text(l.frame); })
      .def("__str__", [](const ksym::PyLiveSymbol& l) { return ksym::Text(l.frame); })
      .def("__repr__", [](const ksym::PyLiveSymbol& l) {
        return ksym::Text(absl::StrCat("<ksym.LiveSymbol 0x", absl::Hex(l.address),
                                       " ", l.frame, ">"));
      });
  py::class_<PyIndex>(m, "Index")
      // Checksums verified by default, as the CLI and ksym_open do.
      .def(py::init(&PyIndex::Open), py::arg("path"),
           py::arg("verify_checksums") = true)
      .def_static("running", &PyIndex::Running,
                  py::arg("verify_checksums") = true)
      .def("lookup", &PyIndex::Lookup, py::arg("address"))
      .def("frame",
           [](const PyIndex& i, uint64_t a) { return ksym::Text(i.Frame(a)); },
           py::arg("address"))
      .def("symbol", &PyIndex::Symbol, py::arg("index"))
      .def("lookup_many", &PyIndex::LookupMany, py::arg("addresses"),
           py::arg("lines") = false, py::arg("reasons") = false)
      .def("resolve", &PyIndex::Resolve, py::arg("query"))
      .def("resolve_unique", &PyIndex::ResolveUnique, py::arg("query"))
      .def("symbolize", &PyIndex::Symbolize, py::arg("text"),
           py::arg("lines") = false, py::arg("decode_stacktrace") = false)
      .def("info", &PyIndex::Info)
      .def("modules", &PyIndex::Modules)
      .def("__len__", &PyIndex::Size)
      // Every symbol in address order, as idx.symbol(i) gives it.
      .def("__iter__", [](py::object self) {
        py::module_ builtins = py::module_::import("builtins");
        return builtins.attr("map")(self.attr("symbol"),
                                    builtins.attr("range")(py::len(self)));
      });
}
