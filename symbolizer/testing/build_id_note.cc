#include "symbolizer/testing/build_id_note.h"

#include <cstdint>
#include <cstring>

namespace ksym::testutil {

std::string BuildIdNotes(const std::string& hex) {
  std::string desc;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    desc.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  std::string out;
  auto u32 = [&](uint32_t v) {
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
  };
  u32(4);
  u32(static_cast<uint32_t>(desc.size()));
  u32(3);  // NT_GNU_BUILD_ID
  out.append("GNU\0", 4);
  out += desc;
  while (out.size() % 4 != 0) out.push_back('\0');
  return out;
}

}  // namespace ksym::testutil
