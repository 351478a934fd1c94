// The fleet part of the extension module `ksym._ksym` (pybind11): host
// layout records, the index store by build-id and batch symbolization over
// it (symbolizer/fleet). python/ksym/fleet.py builds the DataFrame interface
// on these.
#include "python/fleet_module.h"

#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/files/debuginfod_fetch.h"
#include "symbolizer/fleet/fleet_symbolizer.h"
#include "symbolizer/fleet/host_layout.h"
#include "symbolizer/fleet/index_store.h"
#include "symbolizer/fleet/layout_map.h"
#include "symbolizer/fleet/module_index.h"
#include "symbolizer/fleet/read_host_layout.h"

namespace py = pybind11;

namespace ksym {
namespace {

[[noreturn]] void RaiseStatus(const absl::Status& s) {
  const std::string msg(s.message());
  PyObject* type = PyExc_OSError;
  if (s.code() == absl::StatusCode::kNotFound) {
    type = PyExc_FileNotFoundError;
  } else if (s.code() == absl::StatusCode::kPermissionDenied) {
    type = PyExc_PermissionError;
  } else if (s.code() == absl::StatusCode::kDataLoss ||
             s.code() == absl::StatusCode::kInvalidArgument ||
             s.code() == absl::StatusCode::kFailedPrecondition) {
    type = PyExc_ValueError;
  }
  PyErr_SetString(type, msg.c_str());
  throw py::error_already_set();
}

// A contiguous 1-D buffer of 8-byte integers (numpy uint64/int64: int64
// values are read as their uint64 bit pattern, as kernel addresses are).
struct Addresses {
  py::buffer_info info;
  const uint64_t* data = nullptr;
  size_t size = 0;
};

Addresses ReadAddresses(py::object addresses) {
  Addresses a;
  if (!PyObject_CheckBuffer(addresses.ptr())) {
    throw py::type_error("addresses: expected a numpy array of uint64/int64");
  }
  a.info = py::reinterpret_borrow<py::buffer>(addresses).request();
  const std::string& f = a.info.format;
  const bool int64 = a.info.itemsize == 8 &&
                     (f == "Q" || f == "q" || f == "L" || f == "l" ||
                      f == "K" || f == "k" || f == "<Q" || f == "<q" ||
                      f == "=Q" || f == "=q");
  if (!int64 || a.info.ndim != 1 ||
      (a.info.shape[0] > 1 &&
       a.info.strides[0] != static_cast<py::ssize_t>(sizeof(uint64_t)))) {
    throw py::type_error(
        "addresses: expected a contiguous 1-D array of 64-bit integers "
        "(format '" + f + "')");
  }
  a.data = static_cast<const uint64_t*>(a.info.ptr);
  a.size = static_cast<size_t>(a.info.shape[0]);
  return a;
}

// A contiguous 1-D numpy int32 array (group codes).
std::vector<int32_t> ReadGroups(py::object groups) {
  if (!PyObject_CheckBuffer(groups.ptr())) {
    throw py::type_error("groups: expected a numpy array of int32");
  }
  py::buffer_info info = py::reinterpret_borrow<py::buffer>(groups).request();
  const std::string& f = info.format;
  if (info.itemsize != 4 || info.ndim != 1 ||
      !(f == "i" || f == "l" || f == "<i" || f == "=i") ||
      (info.shape[0] > 1 &&
       info.strides[0] != static_cast<py::ssize_t>(sizeof(int32_t)))) {
    throw py::type_error(
        "groups: expected a contiguous 1-D array of int32 (format '" + f +
        "')");
  }
  const int32_t* p = static_cast<const int32_t*>(info.ptr);
  return std::vector<int32_t>(p, p + info.shape[0]);
}

class PyStore {
 public:
  PyStore(const std::string& dir, const std::string& debug_root,
          bool debuginfod) {
    StoreOptions o;
    o.debug_root = debug_root;
    if (debuginfod) {
      absl::StatusOr<std::unique_ptr<DebugFileFetcher>> f =
          DebuginfodFromEnvironment();
      if (!f.ok()) RaiseStatus(f.status());
      fetcher_ = *std::move(f);
      o.fetcher = fetcher_.get();
    }
    store_ = std::make_unique<IndexStore>(dir, std::move(o));
  }

  py::tuple Add(const std::string& path, const std::string& modules_dir,
                const std::string& system_map) {
    KernelExtras extras{modules_dir, system_map};
    absl::StatusOr<IndexStore::Added> a;
    {
      py::gil_scoped_release release;
      a = store_->Add(path, extras);
    }
    if (!a.ok()) RaiseStatus(a.status());
    return py::make_tuple(a->build_id, a->module ? "module" : "kernel",
                          a->path, a->symbols);
  }

  std::string PathFor(const std::string& build_id) const {
    absl::StatusOr<std::string> p = store_->PathFor(build_id);
    if (!p.ok()) RaiseStatus(p.status());
    return *p;
  }

  // Section -> placed base of a module build's index ({} for a kernel).
  py::dict ModuleSections(const std::string& build_id) const {
    absl::StatusOr<std::unique_ptr<Symbolizer>> s;
    {
      py::gil_scoped_release release;
      s = store_->Open(build_id);
    }
    if (!s.ok()) RaiseStatus(s.status());
    py::dict out;
    for (const auto& [name, base] : ModuleSectionBases(**s)) {
      out[py::str(name)] = base;
    }
    return out;
  }

  const IndexStore& store() const { return *store_; }
  const std::string& dir() const { return store_->dir(); }

 private:
  std::unique_ptr<DebugFileFetcher> fetcher_;
  std::unique_ptr<IndexStore> store_;
};

py::object Int32View(const std::vector<int32_t>& v) {
  py::bytearray b(reinterpret_cast<const char*>(v.data()),
                  v.size() * sizeof(int32_t));
  return py::memoryview(b).attr("cast")("i");
}

// One text column of the entries as a code per entry and each distinct text
// once, what a pandas Categorical holds, so that Python does not hash the
// texts again. `only_found`: -1 for the entries of nothing found. Texts
// are decoded as UTF-8 with replacement; two byte strings that decode
// alike share a code, so the texts stay distinct.
py::tuple TextColumn(const std::vector<FleetEntry>& entries,
                     std::string FleetEntry::*field, bool only_found) {
  absl::flat_hash_map<std::string, int32_t> code_of_bytes, code_of_text;
  std::vector<int32_t> codes(entries.size(), -1);
  py::list texts;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (only_found && !entries[i].found) continue;
    const std::string& t = entries[i].*field;
    auto [it, added] = code_of_bytes.try_emplace(t, 0);
    if (added) {
      py::str text = py::reinterpret_steal<py::str>(
          PyUnicode_DecodeUTF8(t.data(), t.size(), "replace"));
      auto [same, fresh] = code_of_text.try_emplace(
          text.cast<std::string>(), static_cast<int32_t>(texts.size()));
      if (fresh) texts.append(std::move(text));
      it->second = same->second;
    }
    codes[i] = it->second;
  }
  return py::make_tuple(Int32View(codes), texts);
}

// (row codes, row offsets, entries[, lines]): entries is (found per entry
// as bytes, then a TextColumn each of build_id, name, qualified, modules,
// object).
py::tuple BatchToPython(FleetBatch& batch) {
  const size_t n = batch.entry.size();
  py::bytearray codes(reinterpret_cast<const char*>(batch.entry.data()),
                      n * sizeof(int32_t));
  py::bytearray offsets(reinterpret_cast<const char*>(batch.offset.data()),
                        n * sizeof(uint64_t));
  std::string found(batch.entries.size(), '\0');
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    found[i] = batch.entries[i].found ? 1 : 0;
  }
  const std::vector<FleetEntry>& e = batch.entries;
  py::tuple entries = py::make_tuple(
      py::bytes(found), TextColumn(e, &FleetEntry::build_id, false),
      TextColumn(e, &FleetEntry::name, true),
      TextColumn(e, &FleetEntry::qualified, false),
      TextColumn(e, &FleetEntry::modules, false),
      TextColumn(e, &FleetEntry::object, false));
  if (!batch.lines) {
    return py::make_tuple(py::memoryview(codes).attr("cast")("i"),
                          py::memoryview(offsets).attr("cast")("Q"), entries);
  }
  py::bytearray lines(reinterpret_cast<const char*>(batch.line.data()),
                      n * sizeof(uint32_t));
  py::list texts;
  for (const std::string& t : batch.texts) {
    texts.append(py::str(PyUnicode_DecodeUTF8(t.data(), t.size(), "replace")));
  }
  return py::make_tuple(py::memoryview(codes).attr("cast")("i"),
                        py::memoryview(offsets).attr("cast")("Q"), entries,
                        py::make_tuple(Int32View(batch.file),
                                       py::memoryview(lines).attr("cast")("I"),
                                       Int32View(batch.function),
                                       Int32View(batch.source), texts));
}

class PyFleet {
 public:
  PyFleet(std::shared_ptr<PyStore> store, size_t max_open)
      : store_(std::move(store)),
        fleet_(std::make_unique<FleetSymbolizer>(store_->store(), max_open)) {}

  py::tuple Host(const HostLayout& layout, py::object addresses, bool lines) {
    Addresses a = ReadAddresses(addresses);
    FleetBatch batch;
    batch.lines = lines;
    {
      py::gil_scoped_release release;
      fleet_->SymbolizeHost(layout, absl::MakeConstSpan(a.data, a.size),
                            &batch);
    }
    return BatchToPython(batch);
  }

  py::tuple Build(const std::string& build_id, py::object addresses,
                  const std::string& section, bool lines) {
    Addresses a = ReadAddresses(addresses);
    FleetBatch batch;
    batch.lines = lines;
    {
      py::gil_scoped_release release;
      fleet_->SymbolizeBuild(build_id, section,
                             absl::MakeConstSpan(a.data, a.size), &batch);
    }
    return BatchToPython(batch);
  }

  // Rows of many builds: row i of builds[groups[i]] ((build_id, section)
  // pairs; a negative group has none), grouped in C++.
  py::tuple Builds(const std::vector<std::pair<std::string, std::string>>& builds,
                   py::object groups, py::object addresses, bool lines) {
    Addresses a = ReadAddresses(addresses);
    const std::vector<int32_t> g = ReadGroups(groups);
    std::vector<FleetSymbolizer::BuildKey> keys;
    keys.reserve(builds.size());
    for (const auto& [id, section] : builds) keys.push_back({id, section});
    FleetBatch batch;
    batch.lines = lines;
    absl::Status st;
    {
      py::gil_scoped_release release;
      st = fleet_->SymbolizeBuilds(keys, g, absl::MakeConstSpan(a.data, a.size),
                                   &batch);
    }
    if (!st.ok()) RaiseStatus(st);
    return BatchToPython(batch);
  }

  size_t OpenCount() const { return fleet_->open_count(); }

 private:
  std::shared_ptr<PyStore> store_;  // outlives fleet_
  std::unique_ptr<FleetSymbolizer> fleet_;
};

}  // namespace

void BindFleet(py::module_& m) {
  py::class_<HostLayout>(m, "HostLayout")
      .def_static(
          "parse",
          [](const std::string& text, const std::string& filename) {
            absl::StatusOr<HostLayout> l = ParseHostLayout(text, filename);
            if (!l.ok()) RaiseStatus(l.status());
            return *std::move(l);
          },
          py::arg("text"), py::arg("filename") = "<layout>")
      .def_static(
          "read",
          [](const std::string& root) {
            absl::StatusOr<HostLayout> l;
            {
              py::gil_scoped_release release;
              l = ReadHostLayout(root);
            }
            if (!l.ok()) RaiseStatus(l.status());
            return *std::move(l);
          },
          py::arg("root") = "/")
      .def_readonly("release", &HostLayout::release)
      .def_readonly("build_id", &HostLayout::build_id)
      .def_property_readonly("text_address",
                             [](const HostLayout& l) -> py::object {
                               if (!l.text_known) return py::none();
                               return py::int_(l.text_address);
                             })
      .def_property_readonly(
          "modules",
          [](const HostLayout& l) {
            py::list out;
            for (const LayoutModule& mod : l.modules) {
              py::dict sections;
              for (const LayoutSection& s : mod.sections) {
                sections[py::str(s.name)] = s.address;
              }
              out.append(py::make_tuple(mod.name, mod.build_id, sections));
            }
            return out;
          })
      .def("text", &FormatHostLayout)
      .def("json", &HostLayoutJson)
      .def(
          "map",
          [](const HostLayout& l, uint64_t address) -> py::object {
            const MappedAddress a = LayoutMap(l).Map(address);
            switch (a.kind) {
              case MappedAddress::Kind::kUnmapped:
                return py::none();
              case MappedAddress::Kind::kKernel:
                return py::make_tuple(l.build_id, "_text", a.offset);
              case MappedAddress::Kind::kModule:
                return py::make_tuple(l.modules[a.module].build_id,
                                      std::string(a.section), a.offset);
            }
            return py::none();
          },
          py::arg("address"))
      .def("__str__", &FormatHostLayout);
  py::class_<PyStore, std::shared_ptr<PyStore>>(m, "Store")
      .def(py::init<const std::string&, const std::string&, bool>(),
           py::arg("dir"), py::arg("debug_root") = "",
           py::arg("debuginfod") = false)
      .def("add", &PyStore::Add, py::arg("path"), py::arg("modules_dir") = "",
           py::arg("system_map") = "")
      .def("path_for", &PyStore::PathFor, py::arg("build_id"))
      .def("module_sections", &PyStore::ModuleSections, py::arg("build_id"))
      .def_property_readonly("dir", &PyStore::dir);
  py::class_<PyFleet>(m, "FleetSymbolizer")
      .def(py::init<std::shared_ptr<PyStore>, size_t>(), py::arg("store"),
           py::arg("max_open") = 64)
      .def("symbolize_host", &PyFleet::Host, py::arg("layout"),
           py::arg("addresses"), py::arg("lines") = false)
      .def("symbolize_build", &PyFleet::Build, py::arg("build_id"),
           py::arg("addresses"), py::arg("section") = "",
           py::arg("lines") = false)
      .def("symbolize_builds", &PyFleet::Builds, py::arg("builds"),
           py::arg("groups"), py::arg("addresses"), py::arg("lines") = false)
      .def_property_readonly("open_count", &PyFleet::OpenCount);
}

}  // namespace ksym
