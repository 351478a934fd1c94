// Maps a runtime address of one host to what a static index answers for:
// the kernel (an offset from _text, so that the static index adds its own
// link-time _text) or a module section and the offset in it.
//
//   LayoutMap map(layout);
//   MappedAddress m = map.Map(0xffffffffc0382a50);
//   // m.kind == kModule, layout.modules[m.module].name == "virtio_pci",
//   // m.section == ".text", m.offset == 0x1a50
//
// The rule: of _text and every module section start at or below the
// address, the nearest one owns it (modules sit above the kernel image on
// x86-64 and below it on arm64; either works). Whether the offset is inside
// a symbol is the static index's answer, which says so when it is not.
#ifndef KSYM_SYMBOLIZER_FLEET_LAYOUT_MAP_H_
#define KSYM_SYMBOLIZER_FLEET_LAYOUT_MAP_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/fleet/host_layout.h"

namespace ksym {

struct MappedAddress {
  enum class Kind : uint8_t {
    kUnmapped = 0,  // below _text and every module section, or _text unknown
    kKernel = 1,    // offset from the runtime _text
    kModule = 2,    // offset in `section` of module `module`
  };
  Kind kind = Kind::kUnmapped;
  uint32_t module = 0;          // index into HostLayout::modules
  absl::string_view section;    // into the layout (kModule)
  uint64_t offset = 0;
};

class LayoutMap {
 public:
  // `layout` must outlive the map.
  explicit LayoutMap(const HostLayout& layout);
  MappedAddress Map(uint64_t runtime_address) const;

 private:
  struct Start {
    uint64_t address;
    uint32_t module;   // kKernelStart for _text
    uint32_t section;  // index into the module's sections
  };
  static constexpr uint32_t kKernelStart = 0xffffffffu;
  const HostLayout& layout_;
  std::vector<Start> starts_;  // by address
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_LAYOUT_MAP_H_
