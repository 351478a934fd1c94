#include "symbolizer/fleet/index_store.h"

#include <sys/stat.h>

#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/api/build_index.h"
#include "symbolizer/builder/paths.h"
#include "symbolizer/builder/vmlinux_facts.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/fleet/module_index.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// The release a vmlinux's linux_banner names; "" when it has none. The
// banner comes from an untrusted file: only a release CheckKernelRelease
// accepts (never a path) is returned.
std::string VmlinuxRelease(const std::string& path) {
  absl::StatusOr<ElfSymbolTable> table = ReadElfSymtabFile(path);
  if (!table.ok() || table->relocatable) return "";
  for (const ElfSymbol& s : table->symbols) {
    if (s.name != "linux_banner") continue;
    absl::StatusOr<std::string> release = ReleaseAtBanner(path, s.value);
    if (!release.ok() || !CheckKernelRelease(*release, "linux_banner").ok()) {
      return "";
    }
    return *release;
  }
  return "";
}

}  // namespace

KernelExtras KernelExtrasInDebugTree(const std::string& debug_root,
                                     const std::string& vmlinux) {
  KernelExtras extras;
  if (debug_root.empty()) {
    extras.modules_dir_missing_why =
        "built on demand without a local debug tree (debuginfod serves only "
        "the debug file): add the kernel with `ksym store add --modules-dir`";
    return extras;
  }
  const std::string release = VmlinuxRelease(vmlinux);
  if (release.empty()) {
    extras.modules_dir_missing_why =
        "built on demand: the vmlinux's linux_banner names no release to "
        "find its modules directory by";
    return extras;
  }
  const std::string root = debug_root == "/" ? "" : debug_root;
  // The -dbg package ships both under usr/lib/debug; the image package
  // has them under lib/modules and boot.
  for (const char* dir : {"/usr/lib/debug/lib/modules/", "/lib/modules/"}) {
    const std::string modules = absl::StrCat(root, dir, release);
    if (IsRegularFile(modules + "/modules.builtin") ||
        IsRegularFile(modules + "/modules.builtin.modinfo")) {
      extras.modules_dir = modules;
      break;
    }
  }
  if (extras.modules_dir.empty()) {
    extras.modules_dir_missing_why = absl::StrCat(
        "built on demand: no modules.builtin* of release ", release, " in ",
        debug_root, " (usr/lib/debug/lib/modules/", release, " or lib/modules/",
        release, ")");
  }
  for (const char* dir : {"/usr/lib/debug/boot/", "/boot/"}) {
    const std::string map = absl::StrCat(root, dir, "System.map-", release);
    if (IsRegularFile(map)) {
      extras.system_map = map;
      break;
    }
  }
  return extras;
}

IndexStore::IndexStore(std::string dir, StoreOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  if (!options_.debug_root.empty()) {
    debug_files_ = std::make_shared<DebugTreeFiles>(options_.debug_root);
  }
}

absl::StatusOr<std::string> IndexStore::PathFor(
    absl::string_view build_id) const {
  if (absl::Status s = CheckBuildId(build_id); !s.ok()) return s;
  return absl::StrCat(dir_, "/.build-id/", build_id.substr(0, 2), "/",
                      build_id.substr(2), ".ksym");
}

absl::StatusOr<IndexStore::Added> IndexStore::Add(
    const std::string& elf_path, const KernelExtras& extras) const {
  absl::StatusOr<std::string> id = ReadElfBuildIdFile(elf_path);
  Added added;
  if (id.ok() && !id->empty()) {
    added.build_id = *id;
  } else {
    // Compressed modules (.ko.xz) are not ELF until decompressed: the
    // module path below reads the build-id from the decompressed image.
    absl::StatusOr<Catalog> c = ModuleCatalog(elf_path);
    if (!c.ok()) return c.status();
    added.build_id = c->identity.build_id;
  }
  absl::StatusOr<std::string> path = PathFor(added.build_id);
  if (!path.ok()) return path.status();
  added.path = *path;

  absl::StatusOr<ElfSymbolTable> header = ReadElfSymtabFile(elf_path);
  const bool module = !header.ok() || header->relocatable;
  if (module) {
    absl::StatusOr<Catalog> c = ModuleCatalog(elf_path);
    if (!c.ok()) return c.status();
    Disambiguate(*c);
    absl::StatusOr<std::string> bytes = SerializeIndex(*c);
    if (!bytes.ok()) return bytes.status();
    if (absl::Status s =
            WriteIndexAtomically(*path, *bytes, /*create_parents=*/true);
        !s.ok()) {
      return s;
    }
    added.module = true;
    added.symbols = c->symbols.size();
    return added;
  }
  BuildInputs in;
  in.vmlinux_path = elf_path;
  in.modules_dir = extras.modules_dir;
  in.modules_dir_missing_why = extras.modules_dir_missing_why;
  in.system_map_path = extras.system_map;
  absl::StatusOr<BuiltIndex> built = BuildIndexFile(in, *path);
  if (!built.ok()) return built.status();
  if (built->output.catalog.identity.build_id != added.build_id) {
    return absl::InternalError(absl::StrCat(
        elf_path, ": indexed build-id ", built->output.catalog.identity.build_id,
        " differs from the file's ", added.build_id));
  }
  added.symbols = built->output.catalog.symbols.size();
  return added;
}

absl::StatusOr<std::unique_ptr<Symbolizer>> IndexStore::OpenStored(
    absl::string_view build_id, const std::string& path) const {
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = Symbolizer::Open(path);
  if (!s.ok()) {
    if (absl::IsNotFound(s.status())) return s.status();
    return absl::DataLossError(absl::StrCat(
        "store: ", s.status().message(), ": refused (remove it, or run `ksym "
        "store add` with the build's file)"));
  }
  const IndexReader& index = (*s)->index();
  if (index.build_id() != build_id) {
    return absl::DataLossError(absl::StrCat(
        "store: ", path, " holds the index of build-id ",
        index.build_id().empty() ? "(none)" : index.build_id(), ", not ",
        build_id, ": refused"));
  }
  if (index.address_space() == AddressSpace::kRuntime) {
    return absl::DataLossError(absl::StrCat(
        "store: ", path,
        " is a runtime index (one host's addresses), not a static one: "
        "refused"));
  }
  return s;
}

absl::StatusOr<std::string> IndexStore::FindDebugFile(
    absl::string_view build_id) const {
  const std::string rel = absl::StrCat("usr/lib/debug/.build-id/",
                                       build_id.substr(0, 2), "/",
                                       build_id.substr(2), ".debug");
  if (!options_.debug_root.empty()) {
    std::string path = options_.debug_root == "/"
                           ? "/" + rel
                           : absl::StrCat(options_.debug_root, "/", rel);
    if (Exists(path)) return path;
    if (std::string found = debug_files_->Find(build_id); !found.empty()) {
      return found;
    }
  }
  if (options_.fetcher != nullptr) {
    absl::StatusOr<FetchedFile> f =
        // A build-id alone does not say vmlinux or module: the larger bound.
        options_.fetcher->FetchDebugInfo(build_id, {}, kVmlinuxDebugLimits);
    if (f.ok()) return f->path;
    if (!absl::IsNotFound(f.status())) return f.status();
  }
  return absl::NotFoundError(absl::StrCat(
      "store: no index of build-id ", build_id, " in ", dir_,
      options_.debug_root.empty() ? ""
                                  : absl::StrCat(", no ", rel, " under ",
                                                 options_.debug_root),
      options_.fetcher != nullptr
          ? absl::StrCat(", not on debuginfod (", options_.fetcher->Servers(),
                         ")")
          : ""));
}

absl::StatusOr<std::unique_ptr<Symbolizer>> IndexStore::Open(
    absl::string_view build_id) const {
  absl::StatusOr<std::string> path = PathFor(build_id);
  if (!path.ok()) return path.status();
  if (Exists(*path)) return OpenStored(build_id, *path);
  absl::StatusOr<std::string> debug = FindDebugFile(build_id);
  if (!debug.ok()) return debug.status();
  // A kernel built on demand gets its built-in modules and System.map from
  // the same debug tree when it has them (a debuginfod server serves only
  // the debug file: then the index says which files it lacked).
  absl::StatusOr<Added> added =
      Add(*debug, KernelExtrasInDebugTree(options_.debug_root, *debug));
  if (!added.ok()) return added.status();
  if (added->build_id != build_id) {
    return absl::DataLossError(absl::StrCat(
        "store: ", *debug, " has build-id ", added->build_id, ", not ",
        build_id, ": refused"));
  }
  return OpenStored(build_id, *path);
}

}  // namespace ksym
