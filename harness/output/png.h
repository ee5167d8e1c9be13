// PNG images through Debian's libpng: screenshots arrive from the hypervisor
// as PNG (QEMU >= 7.1, Debian 12's 7.2) or, from an older QEMU on another
// host, as PPM; reports show them as thumbnails.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

namespace restorelab {

/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  ///< width * height * 3 bytes
};

/// A complete PNG file (8-bit RGB) holding `image`, or why not.
std::expected<std::vector<std::uint8_t>, std::string> encode_png(const RgbImage& image);

/// The image in a PNG file (any colour type, converted to 8-bit RGB), or why
/// not. Images larger than 16384 x 16384 are refused.
std::expected<RgbImage, std::string> decode_png(std::span<const std::uint8_t> png);

/// Parses a binary PPM (P6, maxval 255; `#` comments allowed in the header).
std::expected<RgbImage, std::string> parse_ppm(std::span<const std::uint8_t> ppm);

/// True when `data` starts with the PNG signature.
bool is_png(std::span<const std::uint8_t> data);

/// `image` scaled down (box filter) to at most `max_width` pixels wide,
/// keeping its proportions; unchanged when it is narrower already.
RgbImage shrink(const RgbImage& image, int max_width);

}  // namespace restorelab
