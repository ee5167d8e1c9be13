// PNG output for screenshots, without a compression library: libvirt hands
// out whatever QEMU's screendump produced (PNG on QEMU >= 7.1, PPM before),
// and PPM is turned into PNG here. The encoder uses PNG's Sub filter and one
// fixed-Huffman deflate block with byte runs, which shrinks the flat areas of
// a console screen well (a text screen is a few KiB).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "harness/libvirt/libvirt_error.h"

namespace restorelab::libvirt {

/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  ///< width * height * 3 bytes
};

/// A complete PNG file (8-bit truecolour, not interlaced) holding `image`.
/// Precondition: image.rgb.size() == width * height * 3, width and height > 0.
std::vector<std::uint8_t> encode_png(const RgbImage& image);

/// Parses a binary PPM (P6, maxval 255; `#` comments allowed in the header).
Result<RgbImage> parse_ppm(std::span<const std::uint8_t> ppm);

/// True when `data` starts with the PNG signature.
bool is_png(std::span<const std::uint8_t> data);

/// CRC-32 as PNG and zlib use it (polynomial 0xEDB88320).
std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

}  // namespace restorelab::libvirt
