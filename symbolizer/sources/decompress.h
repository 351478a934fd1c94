// Decompresses a kernel module file as distributions ship them: kbuild's
// CONFIG_MODULE_COMPRESS_{XZ,ZSTD,GZIP} write `M.ko.xz` (`xz --check=crc32
// --lzma2=dict=1MiB`), `M.ko.zst` (`zstd -T0`) or `M.ko.gz` (`gzip -n`),
// and debug modules can be compressed the same way. The format is told by
// the leading magic bytes, not by the file name:
//
//   fd 37 7a 58 5a 00   xz        (liblzma)
//   28 b5 2f fd         zstd      (libzstd)
//   1f 8b               gzip      (zlib)
//
//   absl::StatusOr<std::string> elf = Decompress(bytes, "fat.ko.xz");
//
// Concatenated streams (xz, zstd frames, gzip members) are decoded in turn,
// as the command-line tools do.
#ifndef KSYM_SYMBOLIZER_SOURCES_DECOMPRESS_H_
#define KSYM_SYMBOLIZER_SOURCES_DECOMPRESS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

enum class Compression : uint8_t { kNone = 0, kXz, kZstd, kGzip };

// "none", "xz", "zstd", "gzip".
const char* CompressionName(Compression c);

// The format `bytes` start with (kNone for anything else, e.g. ELF).
Compression DetectCompression(absl::string_view bytes);

// No decompressed module is larger than this (the biggest debug modules of
// a distribution kernel are a few hundred MB); a larger output is refused
// as ResourceExhausted rather than filling memory.
inline constexpr uint64_t kMaxDecompressedBytes = uint64_t{2} << 30;
// Nor more than this many times its compressed size: kbuild's xz, zstd and
// gzip shrink a module (debug ones included) 3 to 10 times; a crafted
// stream of zeros shrinks thousands of times. Inputs under 1 MiB may still
// give kExpansionFloor bytes.
inline constexpr uint64_t kMaxExpansion = 64;
inline constexpr uint64_t kExpansionFloor = uint64_t{64} << 20;

// The decompressed bytes; uncompressed input is returned as it is.
// `path` names the input in errors: InvalidArgument "PATH: xz: corrupt
// data" (or the zstd/zlib message) for damaged or truncated input,
// ResourceExhausted when the output would exceed `max_bytes` or
// kMaxExpansion times the input.
absl::StatusOr<std::string> Decompress(
    absl::string_view bytes, absl::string_view path,
    uint64_t max_bytes = kMaxDecompressedBytes);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_DECOMPRESS_H_
