#include "symbolizer/sources/decompress.h"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ksym {
namespace {

constexpr absl::string_view kXzMagic("\xfd\x37\x7a\x58\x5a\x00", 6);
constexpr absl::string_view kZstdMagic("\x28\xb5\x2f\xfd", 4);
constexpr absl::string_view kGzipMagic("\x1f\x8b", 2);

// The output buffer: grows by doubling, never past `max`.
class Output {
 public:
  Output(uint64_t max, size_t input_size) : max_(max) {
    out_.resize(std::min<uint64_t>(max_, std::max<size_t>(input_size * 4,
                                                          size_t{1} << 16)));
  }
  // Room to write into, or nullptr when `max` is reached.
  char* Room(size_t* room) {
    if (used_ == out_.size()) {
      if (out_.size() >= max_) return nullptr;
      out_.resize(std::min<uint64_t>(max_, out_.size() * 2));
    }
    *room = out_.size() - used_;
    return out_.data() + used_;
  }
  void Advance(size_t n) { used_ += n; }
  std::string Take() {
    out_.resize(used_);
    return std::move(out_);
  }

 private:
  uint64_t max_;
  std::string out_;
  size_t used_ = 0;
};

// The output bound for `input` bytes: `max`, and kMaxExpansion times the
// input (with a floor for tiny inputs), so that a small crafted file cannot
// make gigabytes (a decompression bomb).
uint64_t Limit(uint64_t max, size_t input) {
  const uint64_t by_ratio =
      std::max<uint64_t>(uint64_t{input} * kMaxExpansion, kExpansionFloor);
  return std::min(max, by_ratio);
}

absl::Status TooLarge(absl::string_view path, absl::string_view format,
                      uint64_t max, size_t input) {
  if (Limit(max, input) < max) {
    return absl::ResourceExhaustedError(absl::StrCat(
        path, ": ", format, ": decompresses to more than ", kMaxExpansion,
        " times its ", input, " bytes, which no kernel module does "
        "(a decompression bomb?)"));
  }
  return absl::ResourceExhaustedError(
      absl::StrCat(path, ": ", format, ": decompresses to more than ", max,
                   " bytes"));
}

absl::Status Corrupt(absl::string_view path, absl::string_view format,
                     absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", format, ": ", what));
}

const char* LzmaMessage(lzma_ret r) {
  switch (r) {
    case LZMA_MEM_ERROR:
      return "out of memory";
    case LZMA_FORMAT_ERROR:
      return "not an xz stream";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options";
    case LZMA_DATA_ERROR:
      return "corrupt data";
    case LZMA_BUF_ERROR:
      return "truncated stream";
    default:
      return "decoder error";
  }
}

absl::StatusOr<std::string> DecompressXz(absl::string_view in,
                                         absl::string_view path,
                                         uint64_t max) {
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_ret r = lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED);
  if (r != LZMA_OK) return Corrupt(path, "xz", LzmaMessage(r));
  s.next_in = reinterpret_cast<const uint8_t*>(in.data());
  s.avail_in = in.size();
  Output out(Limit(max, in.size()), in.size());
  for (;;) {
    size_t room = 0;
    char* p = out.Room(&room);
    if (p == nullptr) {
      lzma_end(&s);
      return TooLarge(path, "xz", max, in.size());
    }
    s.next_out = reinterpret_cast<uint8_t*>(p);
    s.avail_out = room;
    // All input is given at once: LZMA_FINISH lets the decoder report a
    // truncated stream instead of waiting for more.
    r = lzma_code(&s, LZMA_FINISH);
    out.Advance(room - s.avail_out);
    if (r == LZMA_STREAM_END) break;
    if (r != LZMA_OK) {
      lzma_end(&s);
      return Corrupt(path, "xz", LzmaMessage(r));
    }
  }
  lzma_end(&s);
  return out.Take();
}

absl::StatusOr<std::string> DecompressZstd(absl::string_view in,
                                           absl::string_view path,
                                           uint64_t max) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (ctx == nullptr) return Corrupt(path, "zstd", "out of memory");
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  Output out(Limit(max, in.size()), in.size());
  size_t last = 1;  // ZSTD_decompressStream's hint: 0 once a frame ends
  while (input.pos < input.size || last != 0) {
    size_t room = 0;
    char* p = out.Room(&room);
    if (p == nullptr) {
      ZSTD_freeDCtx(ctx);
      return TooLarge(path, "zstd", max, in.size());
    }
    ZSTD_outBuffer output{p, room, 0};
    const size_t before = input.pos;
    last = ZSTD_decompressStream(ctx, &output, &input);
    out.Advance(output.pos);
    if (ZSTD_isError(last)) {
      std::string message = ZSTD_getErrorName(last);
      ZSTD_freeDCtx(ctx);
      return Corrupt(path, "zstd", message);
    }
    if (last != 0 && input.pos == input.size && before == input.pos &&
        output.pos < room) {
      ZSTD_freeDCtx(ctx);
      return Corrupt(path, "zstd", "truncated stream");
    }
  }
  ZSTD_freeDCtx(ctx);
  return out.Take();
}

absl::StatusOr<std::string> DecompressGzip(absl::string_view in,
                                           absl::string_view path,
                                           uint64_t max) {
  z_stream s;
  std::memset(&s, 0, sizeof(s));
  if (inflateInit2(&s, 15 + 16) != Z_OK) {
    return Corrupt(path, "gzip", "zlib initialization failed");
  }
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  // Module files are far below 4 GiB (ReadFileToString's limit).
  s.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  Output out(Limit(max, in.size()), in.size());
  for (;;) {
    size_t room = 0;
    char* p = out.Room(&room);
    if (p == nullptr) {
      inflateEnd(&s);
      return TooLarge(path, "gzip", max, in.size());
    }
    room = std::min<size_t>(room, UINT32_MAX);
    s.next_out = reinterpret_cast<Bytef*>(p);
    s.avail_out = static_cast<uInt>(room);
    int r = inflate(&s, Z_NO_FLUSH);
    out.Advance(room - s.avail_out);
    if (r == Z_STREAM_END) {
      if (s.avail_in == 0) break;
      inflateReset(&s);  // another gzip member follows
      continue;
    }
    if (r == Z_BUF_ERROR && s.avail_in == 0) {
      inflateEnd(&s);
      return Corrupt(path, "gzip", "truncated stream");
    }
    if (r != Z_OK && r != Z_BUF_ERROR) {
      std::string message = s.msg != nullptr ? s.msg : "corrupt data";
      inflateEnd(&s);
      return Corrupt(path, "gzip", message);
    }
  }
  inflateEnd(&s);
  return out.Take();
}

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kXz:
      return "xz";
    case Compression::kZstd:
      return "zstd";
    case Compression::kGzip:
      return "gzip";
  }
  return "?";
}

Compression DetectCompression(absl::string_view bytes) {
  if (absl::StartsWith(bytes, kXzMagic)) return Compression::kXz;
  if (absl::StartsWith(bytes, kZstdMagic)) return Compression::kZstd;
  if (absl::StartsWith(bytes, kGzipMagic)) return Compression::kGzip;
  return Compression::kNone;
}

absl::StatusOr<std::string> Decompress(absl::string_view bytes,
                                       absl::string_view path,
                                       uint64_t max_bytes) {
  switch (DetectCompression(bytes)) {
    case Compression::kXz:
      return DecompressXz(bytes, path, max_bytes);
    case Compression::kZstd:
      return DecompressZstd(bytes, path, max_bytes);
    case Compression::kGzip:
      return DecompressGzip(bytes, path, max_bytes);
    case Compression::kNone:
      break;
  }
  return std::string(bytes);
}

}  // namespace ksym
