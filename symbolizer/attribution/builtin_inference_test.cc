#include "symbolizer/attribution/builtin_inference.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Units laid out 0x1000 apart in the given (link) order.
std::vector<LinkedUnit> Units(std::vector<std::string> paths) {
  std::vector<LinkedUnit> units;
  uint64_t at = 0xffffffff81000000;
  for (std::string& p : paths) {
    units.push_back({std::move(p), {{at, at + 0x1000}}});
    at += 0x1000;
  }
  return units;
}

uint64_t AddressOf(const std::vector<LinkedUnit>& units,
                   absl::string_view path) {
  for (const LinkedUnit& u : units) {
    if (u.object_path == path) return u.ranges[0].first + 0x10;
  }
  return 0;
}

// An initcall of `modname` defined in `path`, as the kernel names it.
void Initcall(BuiltinInferenceInputs& in, absl::string_view path,
              absl::string_view modname, absl::string_view fn) {
  in.symbols.push_back({std::string(fn), AddressOf(in.units, path)});
  in.symbols.push_back(
      {absl::StrCat("__initcall__kmod_", modname, "__312_690_", fn, "6"),
       0xffffffff83000000});
}

// The `file=` record MODULE_LICENSE emits for `module` (file `file`), and
// its DWARF variable in `object`; `dirs` were read whole.
void License(BuiltinInferenceInputs& in, absl::string_view object,
             absl::string_view module, absl::string_view file) {
  const uint32_t size = static_cast<uint32_t>(
      absl::StrCat(module, ".file=", file).size() + 1);
  in.file_records.push_back({std::string(module), std::string(file), size});
  in.license_sites.push_back({std::string(object), {size}});
}

std::string Dump(const BuiltinInference& r) {
  std::string out;
  for (const InferredObject& o : r.objects) {
    absl::StrAppend(&out, o.object_path, "=", o.module, "(",
                    InferenceRuleName(o.rule), ") ");
  }
  return out;
}

TEST(ParseInitcallNameTest, KernelNames) {
  std::string m, f;
  ASSERT_TRUE(ParseInitcallName(
      "__initcall__kmod_8250__327_1250_serial8250_init6", &m, &f));
  EXPECT_EQ(m, "8250");
  EXPECT_EQ(f, "serial8250_init");
  ASSERT_TRUE(ParseInitcallName(
      "__initcall__kmod_8250__321_690_univ8250_console_initcon", &m, &f));
  EXPECT_EQ(f, "univ8250_console_init");
  ASSERT_TRUE(ParseInitcallName(
      "__initcall__kmod_nvme_core__412_5401_nvme_core_init6", &m, &f));
  EXPECT_EQ(m, "nvme_core");
  EXPECT_EQ(f, "nvme_core_init");
  ASSERT_TRUE(ParseInitcallName("__initcall__kmod_ipv6__1_2_inet6_init6s",
                                &m, &f));
  EXPECT_EQ(f, "inet6_init");
  ASSERT_TRUE(ParseInitcallName("__initcall__kmod_a__1_2_f2early", &m, &f));
  EXPECT_EQ(f, "f2");
  EXPECT_FALSE(ParseInitcallName("__initcall_foo6", &m, &f));
  EXPECT_FALSE(ParseInitcallName("__initcall__kmod_x__y_6", &m, &f));
  EXPECT_FALSE(ParseInitcallName("__initcall__kmod_x__1_2_6", &m, &f));
}

TEST(InferBuiltinModulesTest, DirectoryRunAroundAnInitcall) {
  BuiltinInferenceInputs in;
  in.module_files = {{"ext4", "fs/ext4/ext4"}, {"jbd2", "fs/jbd2/jbd2"}};
  in.units = Units({"fs/open.o", "fs/ext4/balloc.o", "fs/ext4/super.o",
                    "fs/ext4/xattr.o", "fs/jbd2/journal.o", "fs/jbd2/commit.o"});
  Initcall(in, "fs/ext4/super.o", "ext4", "ext4_init_fs");
  Initcall(in, "fs/jbd2/journal.o", "jbd2", "journal_init");
  Initcall(in, "fs/open.o", "open", "open_init");
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r),
            "fs/ext4/balloc.o=ext4(directory run) "
            "fs/ext4/super.o=ext4(initcall) "
            "fs/ext4/xattr.o=ext4(directory run) "
            "fs/jbd2/journal.o=jbd2(initcall) "
            "fs/jbd2/commit.o=jbd2(directory run) ");
  EXPECT_EQ(r.composite_modules, 2u);
  EXPECT_THAT(r.modules_without_objects, IsEmpty());
  EXPECT_THAT(r.conflicts, IsEmpty());
}

TEST(InferBuiltinModulesTest, RunEndingAtACoreObjectIsNotExtended) {
  // net/ipv6: the ipv6 members, then core objects of the same directory.
  BuiltinInferenceInputs in;
  in.module_files = {{"ipv6", "net/ipv6/ipv6"}};
  in.units = Units({"net/ipv4/tcp.o", "net/ipv6/af_inet6.o",
                    "net/ipv6/route.o", "net/ipv6/ndisc.o", "net/ipv6/proc.o",
                    "net/ipv6/addrconf_core.o", "net/ipv6/ip6_offload.o"});
  Initcall(in, "net/ipv6/af_inet6.o", "ipv6", "inet6_init");
  in.dyndbg = {{"ipv6", "net/ipv6/ndisc.c"},
               {"ipv6", "include/net/ipv6.h"},  // a header: ignored
               {"ip6_offload", "net/ipv6/ip6_offload.c"}};
  BuiltinInference r = InferBuiltinModules(in);
  // af_inet6 starts the directory: extended backwards to nothing; route
  // lies between two members; proc and addrconf_core are unknown up to the
  // core object ip6_offload: left out.
  EXPECT_EQ(Dump(r),
            "net/ipv6/af_inet6.o=ipv6(initcall) "
            "net/ipv6/route.o=ipv6(between members) "
            "net/ipv6/ndisc.o=ipv6(dynamic debug) ");
}

TEST(InferBuiltinModulesTest, SingleObjectModulesBoundRuns) {
  BuiltinInferenceInputs in;
  in.module_files = {{"fat", "fs/fat/fat"},
                     {"vfat", "fs/fat/vfat"},
                     {"msdos", "fs/fat/msdos"}};
  in.units = Units({"fs/fat/cache.o", "fs/fat/inode.o", "fs/fat/nfs.o",
                    "fs/fat/vfat.o", "fs/fat/msdos.o", "fs/isofs/inode.o"});
  Initcall(in, "fs/fat/inode.o", "fat", "init_fat_fs");
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r),
            "fs/fat/cache.o=fat(directory run) fs/fat/inode.o=fat(initcall) "
            "fs/fat/nfs.o=fat(directory run) ");
}

TEST(InferBuiltinModulesTest, ConflictingEvidenceGivesNoModule) {
  BuiltinInferenceInputs in;
  in.module_files = {{"a", "drivers/x/a"}, {"b", "drivers/x/b"}};
  in.units = Units({"drivers/x/a1.o", "drivers/x/mid.o", "drivers/x/b1.o",
                    "drivers/x/both.o"});
  Initcall(in, "drivers/x/a1.o", "a", "a_init");
  Initcall(in, "drivers/x/b1.o", "b", "b_init");
  in.dyndbg = {{"a", "drivers/x/both.c"}, {"b", "drivers/x/both.c"}};
  BuiltinInference r = InferBuiltinModules(in);
  // mid.o is claimed by both runs; both.o carries two names.
  EXPECT_EQ(Dump(r), "drivers/x/a1.o=a(initcall) drivers/x/b1.o=b(initcall) ");
  EXPECT_THAT(r.conflicts,
              ElementsAre("drivers/x/both.o: dynamic debug says a, dynamic "
                          "debug says b",
                          "drivers/x/mid.o: claimed by a and b"));
}

TEST(InferBuiltinModulesTest, AModuleWithoutEvidenceBlindsItsDirectory) {
  BuiltinInferenceInputs in;
  in.module_files = {{"a", "drivers/x/a"}, {"silent", "drivers/x/silent"}};
  in.units = Units({"drivers/x/a1.o", "drivers/x/a2.o", "drivers/x/s1.o"});
  Initcall(in, "drivers/x/a1.o", "a", "a_init");
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r), "drivers/x/a1.o=a(initcall) ");
  EXPECT_THAT(r.modules_without_objects, ElementsAre("silent"));
}

TEST(InferBuiltinModulesTest, KnownObjectsAndModulesAreNotInferred) {
  BuiltinInferenceInputs in;
  in.module_files = {{"ext4", "fs/ext4/ext4"}, {"jbd2", "fs/jbd2/jbd2"}};
  in.known_objects = {{"fs/ext4/super.o", {"ext4"}},
                      {"fs/jbd2/core.o", {}}};
  in.units = Units({"fs/ext4/super.o", "fs/jbd2/journal.o", "fs/jbd2/core.o"});
  Initcall(in, "fs/ext4/super.o", "ext4", "ext4_init_fs");
  Initcall(in, "fs/jbd2/journal.o", "jbd2", "journal_init");
  BuiltinInference r = InferBuiltinModules(in);
  // jbd2's run ends at a known core object: only its evidence counts.
  EXPECT_EQ(Dump(r), "fs/jbd2/journal.o=jbd2(initcall) ");
  EXPECT_EQ(r.composite_modules, 1u);
}

TEST(InferBuiltinModulesTest, EvidenceOutsideTheModuleDirectoryIsNotMembership) {
  BuiltinInferenceInputs in;
  in.module_files = {{"foo", "drivers/foo/foo"}};
  in.units = Units({"lib/foo.o", "drivers/foo/main.o", "drivers/foo/bar.o"});
  Initcall(in, "lib/foo.o", "foo", "foo_lib_init");
  Initcall(in, "drivers/foo/bar.o", "bar", "bar_init");
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r), "");
  EXPECT_THAT(r.modules_without_objects, ElementsAre("foo"));
}

TEST(InferBuiltinModulesTest, DuplicateFunctionNamesGiveNoEvidence) {
  BuiltinInferenceInputs in;
  in.module_files = {{"m", "drivers/m/m"}};
  in.units = Units({"drivers/m/a.o", "drivers/m/b.o"});
  Initcall(in, "drivers/m/a.o", "m", "init_once");
  in.symbols.push_back({"init_once", AddressOf(in.units, "drivers/m/b.o")});
  BuiltinInference r = InferBuiltinModules(in);
  // No initcall evidence: only the directory rule applies.
  EXPECT_EQ(Dump(r),
            "drivers/m/a.o=m(directory run) drivers/m/b.o=m(directory run) ");
}

TEST(InferBuiltinModulesTest, ADirectoryWithoutEvidenceIsTakenWholeOnlyAlone) {
  BuiltinInferenceInputs in;
  in.module_files = {{"zlib_inflate", "lib/zlib_inflate/zlib_inflate"},
                     {"bitrev", "lib/bitrev"}};
  in.units = Units({"lib/sort.o", "lib/zlib_inflate/inffast.o",
                    "lib/zlib_inflate/inflate.o", "lib/zstd/common.o"});
  BuiltinInference r = InferBuiltinModules(in);
  // bitrev (lib) is above zlib_inflate's directory: not in it.
  EXPECT_EQ(Dump(r),
            "lib/zlib_inflate/inffast.o=zlib_inflate(directory run) "
            "lib/zlib_inflate/inflate.o=zlib_inflate(directory run) ");
  EXPECT_THAT(r.modules_without_objects, ElementsAre("bitrev"));
}

TEST(InferBuiltinModulesTest, NameAffinitySettlesAClaimedObject) {
  BuiltinInferenceInputs in;
  in.module_files = {{"intel_uncore", "arch/x86/events/intel/intel-uncore"},
                     {"intel_cstate", "arch/x86/events/intel/intel-cstate"}};
  in.units = Units({"arch/x86/events/intel/uncore.o",
                    "arch/x86/events/intel/uncore_snb.o",
                    "arch/x86/events/intel/misc.o",
                    "arch/x86/events/intel/cstate.o"});
  Initcall(in, "arch/x86/events/intel/uncore.o", "intel_uncore", "u_init");
  Initcall(in, "arch/x86/events/intel/cstate.o", "intel_cstate", "c_init");
  const uint64_t snb = AddressOf(in.units, "arch/x86/events/intel/uncore_snb.o");
  in.symbols.push_back({"snb_uncore_msr_init_box", snb});
  in.symbols.push_back({"snb_uncore_imc_read", snb + 1});
  in.symbols.push_back({"snb_pci2phy_map_init", snb + 2});
  const uint64_t misc = AddressOf(in.units, "arch/x86/events/intel/misc.o");
  in.symbols.push_back({"uncore_thing", misc});
  in.symbols.push_back({"cstate_thing", misc + 1});
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r),
            "arch/x86/events/intel/uncore.o=intel_uncore(initcall) "
            "arch/x86/events/intel/uncore_snb.o=intel_uncore(name affinity) "
            "arch/x86/events/intel/cstate.o=intel_cstate(initcall) ");
  EXPECT_THAT(r.conflicts,
              ElementsAre("arch/x86/events/intel/misc.o: claimed by "
                          "intel_uncore and intel_cstate"));
}

// Each module's MODULE_LICENSE names one of its objects; the runs from
// there reach to a single-object module (crc32c_generic) or out of the
// directory. Between two modules' licenses the boundary is unknown: both
// runs claim the objects there, which get no module. A code-less unit
// with a license (lib/bitrev.o: a table) is a single-object module, not a
// composite without objects.
TEST(InferBuiltinModulesTest, ModuleLicenseNamesAnObject) {
  BuiltinInferenceInputs in;
  in.units = Units({"init/main.o", "crypto/api.o", "crypto/cipher.o",
                    "crypto/crc32c_generic.o", "crypto/algapi.o",
                    "crypto/proc.o", "crypto/ahash.o", "lib/sort.o"});
  in.module_files = {{"crypto", "crypto/crypto"},
                     {"crc32c_generic", "crypto/crc32c_generic"},
                     {"crypto_algapi", "crypto/crypto_algapi"},
                     {"crypto_hash", "crypto/crypto_hash"},
                     {"bitrev", "lib/bitrev"}};
  License(in, "crypto/api.o", "crypto", "crypto/crypto");
  License(in, "crypto/crc32c_generic.o", "crc32c_generic",
          "crypto/crc32c_generic");
  License(in, "crypto/algapi.o", "crypto_algapi", "crypto/crypto_algapi");
  License(in, "crypto/ahash.o", "crypto_hash", "crypto/crypto_hash");
  License(in, "lib/bitrev.o", "bitrev", "lib/bitrev");
  in.license_dirs = LicenseDirectories(in.module_files, in.units);
  EXPECT_THAT(in.license_dirs, ElementsAre("crypto", "lib"));
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r),
            "crypto/api.o=crypto(module license) "
            "crypto/cipher.o=crypto(directory run) "
            "crypto/algapi.o=crypto_algapi(module license) "
            "crypto/ahash.o=crypto_hash(module license) ");
  EXPECT_THAT(r.conflicts,
              ElementsAre("crypto/proc.o: claimed by crypto_algapi and "
                          "crypto_hash"));
  EXPECT_EQ(r.composite_modules, 3u);
  EXPECT_THAT(r.modules_without_objects, IsEmpty());
  EXPECT_THAT(r.unpaired_license_dirs, IsEmpty());
}

// lib/crypto/libcurve25519-generic: its license is in a unit without code
// (curve25519-generic.o, tables only) after its code (curve25519-hacl64.o).
// At its place in link order it anchors the module's run, and fences the
// run of the module before it.
TEST(InferBuiltinModulesTest, ALicenseWithoutCodeAnchorsAtItsPlace) {
  BuiltinInferenceInputs in;
  in.units = Units({"init/main.o", "lib/crypto/blake2s.o",
                    "lib/crypto/curve25519-hacl64.o", "lib/crypto/curve25519.o",
                    "lib/crypto/des.o", "lib/sort.o"});
  in.module_files = {{"libblake2s", "lib/crypto/libblake2s"},
                     {"libcurve25519_generic",
                      "lib/crypto/libcurve25519-generic"},
                     {"libcurve25519", "lib/crypto/libcurve25519"},
                     {"libdes", "lib/crypto/libdes"}};
  License(in, "lib/crypto/blake2s.o", "libblake2s", "lib/crypto/libblake2s");
  License(in, "lib/crypto/curve25519-generic.o", "libcurve25519_generic",
          "lib/crypto/libcurve25519-generic");
  License(in, "lib/crypto/curve25519.o", "libcurve25519",
          "lib/crypto/libcurve25519");
  License(in, "lib/crypto/des.o", "libdes", "lib/crypto/libdes");
  in.license_dirs = LicenseDirectories(in.module_files, in.units);
  // Its place unknown: the module has no anchor, the directory stays blind.
  BuiltinInference before = InferBuiltinModules(in);
  EXPECT_EQ(Dump(before),
            "lib/crypto/blake2s.o=libblake2s(module license) "
            "lib/crypto/curve25519.o=libcurve25519(module license) "
            "lib/crypto/des.o=libdes(module license) ");
  EXPECT_THAT(before.modules_without_objects,
              ElementsAre("libcurve25519_generic"));
  // At its place after hacl64: its run takes hacl64 back to libblake2s's
  // object. The other modules of lib/crypto do not extend their runs (a
  // module placed only by a unit without code still blinds the directory
  // for them): hacl64 is no one else's, and no core object is taken.
  const std::string want =
      "lib/crypto/blake2s.o=libblake2s(module license) "
      "lib/crypto/curve25519-hacl64.o=libcurve25519_generic(directory run) "
      "lib/crypto/curve25519.o=libcurve25519(module license) "
      "lib/crypto/des.o=libdes(module license) ";
  in.license_sites[1].after_object = "lib/crypto/curve25519-hacl64.o";
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r), want);
  EXPECT_THAT(r.conflicts, IsEmpty());
  EXPECT_THAT(r.modules_without_objects, IsEmpty());
  // Placed before hacl64 instead: its run takes hacl64 forward to
  // libcurve25519's object.
  in.license_sites[1].after_object = "lib/crypto/blake2s.o";
  r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r), want);
  EXPECT_THAT(r.conflicts, IsEmpty());
  // A place whose unit the inference does not know anchors nothing.
  in.license_sites[1].after_object = "lib/crypto/no_such.o";
  EXPECT_EQ(Dump(InferBuiltinModules(in)), Dump(before));
}

// Another module's member without code fences a run: liba's run from a1
// stops at libb's place, so b1 (between libb's place and its b2) is
// libb's alone; a2, between liba's a1 and libb's place, either module's
// run may hold: a conflict, said.
TEST(InferBuiltinModulesTest, APlaceWithoutCodeFencesOtherRuns) {
  BuiltinInferenceInputs in;
  in.units = Units({"init/main.o", "lib/x/a1.o", "lib/x/a2.o", "lib/x/b1.o",
                    "lib/x/b2.o", "lib/y.o"});
  in.module_files = {{"liba", "lib/x/liba"}, {"libb", "lib/x/libb"}};
  License(in, "lib/x/a1.o", "liba", "lib/x/liba");
  License(in, "lib/x/b0.o", "libb", "lib/x/libb");
  License(in, "lib/x/b2.o", "libb", "lib/x/libb");
  in.license_sites[1].after_object = "lib/x/a2.o";
  in.license_dirs = LicenseDirectories(in.module_files, in.units);
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r),
            "lib/x/a1.o=liba(module license) "
            "lib/x/b1.o=libb(between members) "
            "lib/x/b2.o=libb(module license) ");
  EXPECT_THAT(r.conflicts,
              ElementsAre("lib/x/a2.o: claimed by liba and libb"));
}

// lib/zstd: each module's license is in one object and the objects
// between two modules' licenses are claimed by both. The words of an
// object's path below the modules' common directory that only one module's
// name holds ("compress", "decompress", "common"; not "zstd") settle it;
// since a module's objects are one run, the objects up to the last one of
// the first module and from the first one of the next are theirs too
// (common/fse_decompress.o, whose words name both).
TEST(InferBuiltinModulesTest, PathWordsAndOneRunSettleClaimedObjects) {
  BuiltinInferenceInputs in;
  in.units = Units({"lib/zstd/zstd_compress_module.o",
                    "lib/zstd/compress/hist.o",
                    "lib/zstd/compress/zstd_opt.o",
                    "lib/zstd/zstd_decompress_module.o",
                    "lib/zstd/decompress/zstd_ddict.o",
                    "lib/zstd/common/entropy_common.o",
                    "lib/zstd/common/fse_decompress.o",
                    "lib/zstd/common/zstd_common.o"});
  in.module_files = {{"zstd_compress", "lib/zstd/zstd_compress"},
                     {"zstd_decompress", "lib/zstd/zstd_decompress"},
                     {"zstd_common", "lib/zstd/zstd_common"}};
  License(in, "lib/zstd/zstd_compress_module.o", "zstd_compress",
          "lib/zstd/zstd_compress");
  License(in, "lib/zstd/zstd_decompress_module.o", "zstd_decompress",
          "lib/zstd/zstd_decompress");
  License(in, "lib/zstd/common/zstd_common.o", "zstd_common",
          "lib/zstd/zstd_common");
  in.license_dirs = {"lib/zstd"};
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_EQ(Dump(r),
            "lib/zstd/zstd_compress_module.o=zstd_compress(module license) "
            "lib/zstd/compress/hist.o=zstd_compress(name affinity) "
            "lib/zstd/compress/zstd_opt.o=zstd_compress(name affinity) "
            "lib/zstd/zstd_decompress_module.o=zstd_decompress(module license) "
            "lib/zstd/decompress/zstd_ddict.o=zstd_decompress(name affinity) "
            "lib/zstd/common/entropy_common.o=zstd_common(name affinity) "
            "lib/zstd/common/fse_decompress.o=zstd_common(between members) "
            "lib/zstd/common/zstd_common.o=zstd_common(module license) ");
  EXPECT_THAT(r.conflicts, IsEmpty());

  // Path words out of order (the second module's before the first's)
  // settle nothing there.
  in.units[4].object_path = "lib/zstd/common/ddict.o";
  in.units[5].object_path = "lib/zstd/decompress/entropy.o";
  r = InferBuiltinModules(in);
  EXPECT_THAT(r.conflicts,
              ElementsAre("lib/zstd/common/ddict.o: claimed by "
                          "zstd_decompress and zstd_common",
                          "lib/zstd/decompress/entropy.o: claimed by "
                          "zstd_decompress and zstd_common",
                          "lib/zstd/common/fse_decompress.o: claimed by "
                          "zstd_decompress and zstd_common"));
}

// Path words count below each module's own directory: a core object in
// drivers/cxl/core (suspend.o, between cxl_core's objects and cxl_port's)
// is not cxl_core's for the "core" of its path.
TEST(InferBuiltinModulesTest, PathWordsOfTheModuleDirectoryNameNothing) {
  BuiltinInferenceInputs in;
  in.units = Units({"drivers/cxl/core/port.o", "drivers/cxl/core/hdm.o",
                    "drivers/cxl/core/suspend.o", "drivers/cxl/port.o"});
  in.module_files = {{"cxl_core", "drivers/cxl/core/cxl_core"},
                     {"cxl_port", "drivers/cxl/cxl_port"}};
  License(in, "drivers/cxl/core/port.o", "cxl_core",
          "drivers/cxl/core/cxl_core");
  License(in, "drivers/cxl/port.o", "cxl_port", "drivers/cxl/cxl_port");
  in.license_dirs = {"drivers/cxl"};
  BuiltinInference r = InferBuiltinModules(in);
  EXPECT_THAT(r.conflicts,
              ElementsAre("drivers/cxl/core/hdm.o: claimed by cxl_core and "
                          "cxl_port",
                          "drivers/cxl/core/suspend.o: claimed by cxl_core "
                          "and cxl_port"));
}

// A directory whose records and variables do not pair up one to one, in
// size and directory, gives no license evidence at all: a variable too
// many (MODULE_PARM_DESC(file, ...) is also __UNIQUE_ID_file<N>), one of
// the wrong size, a directory not read.
TEST(InferBuiltinModulesTest, UnpairedLicensesNameNothing) {
  auto inputs = [] {
    BuiltinInferenceInputs in;
    in.units = Units({"drivers/x/a1.o", "drivers/x/a2.o", "drivers/x/b1.o",
                      "drivers/x/b2.o", "drivers/y/c.o"});
    in.module_files = {{"a", "drivers/x/a"}, {"b", "drivers/x/b"}};
    License(in, "drivers/x/a2.o", "a", "drivers/x/a");
    License(in, "drivers/x/b1.o", "b", "drivers/x/b");
    in.license_dirs = {"drivers/x"};
    return in;
  };
  BuiltinInference paired = InferBuiltinModules(inputs());
  EXPECT_EQ(Dump(paired),
            "drivers/x/a1.o=a(directory run) drivers/x/a2.o=a(module license) "
            "drivers/x/b1.o=b(module license) drivers/x/b2.o=b(directory run) ");
  EXPECT_THAT(paired.unpaired_license_dirs, IsEmpty());

  BuiltinInferenceInputs extra = inputs();
  extra.license_sites[0].sizes.push_back(30);
  BuiltinInference r = InferBuiltinModules(extra);
  EXPECT_THAT(r.objects, IsEmpty());
  EXPECT_THAT(r.unpaired_license_dirs,
              ElementsAre("drivers/x: 2 file records, 3 license variables"));

  BuiltinInferenceInputs wrong_size = inputs();
  wrong_size.license_sites[1].sizes[0] += 1;
  r = InferBuiltinModules(wrong_size);
  EXPECT_THAT(r.objects, IsEmpty());
  ASSERT_EQ(r.unpaired_license_dirs.size(), 1u);
  EXPECT_THAT(r.unpaired_license_dirs[0],
              HasSubstr("drivers/x/b1.o holds a license variable of 20 bytes "
                        "where `b.file=drivers/x/b` has 19"));

  BuiltinInferenceInputs elsewhere = inputs();
  elsewhere.license_sites[1].object_path = "drivers/y/b1.o";
  elsewhere.units[2].object_path = "drivers/y/b1.o";
  r = InferBuiltinModules(elsewhere);
  EXPECT_THAT(r.unpaired_license_dirs,
              ElementsAre("drivers/x: 2 file records, 1 license variables"));

  BuiltinInferenceInputs unread = inputs();
  unread.license_dirs = {"drivers/y"};
  r = InferBuiltinModules(unread);
  EXPECT_THAT(r.objects, IsEmpty());
  EXPECT_THAT(r.unpaired_license_dirs, IsEmpty());
}

}  // namespace
}  // namespace ksym
