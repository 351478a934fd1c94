// Little-endian loads/stores and LEB128 varints for the index format.
// Loads go through memcpy: the mapping gives no alignment guarantee that the
// compiler may rely on, and memcpy compiles to a plain load on x86/arm64.
#ifndef KSYM_SYMBOLIZER_INDEX_BYTES_H_
#define KSYM_SYMBOLIZER_INDEX_BYTES_H_

#include <cstdint>
#include <cstring>
#include <string>

namespace ksym {
namespace bytes {

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
inline uint16_t ToLe(uint16_t v) { return __builtin_bswap16(v); }
inline uint32_t ToLe(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t ToLe(uint64_t v) { return __builtin_bswap64(v); }
#else
inline uint16_t ToLe(uint16_t v) { return v; }
inline uint32_t ToLe(uint32_t v) { return v; }
inline uint64_t ToLe(uint64_t v) { return v; }
#endif

template <typename T>
inline T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return ToLe(v);
}
inline uint16_t Load16(const char* p) { return Load<uint16_t>(p); }
inline uint32_t Load32(const char* p) { return Load<uint32_t>(p); }
inline uint64_t Load64(const char* p) { return Load<uint64_t>(p); }

template <typename T>
inline void Append(std::string* out, T v) {
  v = ToLe(v);
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}
inline void Append16(std::string* out, uint16_t v) { Append(out, v); }
inline void Append32(std::string* out, uint32_t v) { Append(out, v); }
inline void Append64(std::string* out, uint64_t v) { Append(out, v); }

template <typename T>
inline void Store(char* p, T v) {
  v = ToLe(v);
  std::memcpy(p, &v, sizeof(v));
}

// Unsigned LEB128.
inline void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint of at most `max_bytes` bytes from [*p, end). Returns false
// (leaving *p unspecified) when it runs past `end` or is longer.
inline bool ReadVarint(const char** p, const char* end, int max_bytes,
                       uint64_t* value) {
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (*p >= end) return false;
    uint8_t b = static_cast<uint8_t>(*(*p)++);
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *value = v;
      return true;
    }
  }
  return false;
}

}  // namespace bytes
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_BYTES_H_
