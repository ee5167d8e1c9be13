#include "harness/output/png.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "harness/output/text.h"

namespace restorelab {

namespace {

constexpr std::array<std::uint8_t, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr int kMaxSide = 16384;

}  // namespace

bool is_png(std::span<const std::uint8_t> data) {
  return data.size() >= kSignature.size() && std::equal(kSignature.begin(), kSignature.end(), data.begin());
}

std::expected<std::vector<std::uint8_t>, std::string> encode_png(const RgbImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
    return std::unexpected(text("PNG: an image of {}x{} needs {} bytes, not {}", image.width, image.height,
                                static_cast<std::size_t>(std::max(image.width, 0)) * std::max(image.height, 0) * 3,
                                image.rgb.size()));
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.rgb.data(), 0, nullptr))
    return std::unexpected(std::string("PNG: ") + png.message);
  std::vector<std::uint8_t> out(size);
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.rgb.data(), 0, nullptr))
    return std::unexpected(std::string("PNG: ") + png.message);
  out.resize(size);
  return out;
}

std::expected<RgbImage, std::string> decode_png(std::span<const std::uint8_t> data) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, data.data(), data.size()))
    return std::unexpected(std::string("PNG: ") + png.message);
  if (png.width == 0 || png.height == 0 || png.width > kMaxSide || png.height > kMaxSide) {
    png_image_free(&png);
    return std::unexpected(text("PNG: {}x{} is not a size restorelab reads", png.width, png.height));
  }
  png.format = PNG_FORMAT_RGB;
  RgbImage image{static_cast<int>(png.width), static_cast<int>(png.height), {}};
  image.rgb.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, image.rgb.data(), 0, nullptr))
    return std::unexpected(std::string("PNG: ") + png.message);
  return image;
}

std::expected<RgbImage, std::string> parse_ppm(std::span<const std::uint8_t> ppm) {
  std::size_t pos = 0;
  auto fail = [](std::string what) { return std::unexpected("PPM: " + what); };
  if (ppm.size() < 2 || ppm[0] != 'P' || ppm[1] != '6') return fail("no P6 signature");
  pos = 2;
  // Reads the next header number, skipping whitespace and comments.
  auto number = [&]() -> long {
    while (pos < ppm.size()) {
      if (ppm[pos] == '#') {
        while (pos < ppm.size() && ppm[pos] != '\n') ++pos;
      } else if (std::isspace(ppm[pos])) {
        ++pos;
      } else {
        break;
      }
    }
    long v = -1;
    while (pos < ppm.size() && std::isdigit(ppm[pos]) && v < 100000) v = (v < 0 ? 0 : v * 10) + (ppm[pos++] - '0');
    return v;
  };
  const long width = number(), height = number(), maxval = number();
  if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide)
    return fail(text("bad size {}x{}", width, height));
  if (maxval != 255) return fail(text("maxval {} (only 255 is supported)", maxval));
  if (pos >= ppm.size() || !std::isspace(ppm[pos])) return fail("no whitespace after the header");
  ++pos;
  const std::size_t bytes = static_cast<std::size_t>(width * height * 3);
  if (ppm.size() - pos < bytes) return fail(text("{} bytes of pixels, {} expected", ppm.size() - pos, bytes));
  RgbImage image{static_cast<int>(width), static_cast<int>(height), {}};
  image.rgb.assign(ppm.begin() + static_cast<std::ptrdiff_t>(pos),
                   ppm.begin() + static_cast<std::ptrdiff_t>(pos + bytes));
  return image;
}

RgbImage shrink(const RgbImage& image, int max_width) {
  if (image.width <= max_width || max_width <= 0) return image;
  const int factor = (image.width + max_width - 1) / max_width;
  RgbImage out{image.width / factor, std::max(1, image.height / factor), {}};
  out.rgb.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) * 3);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        unsigned sum = 0, n = 0;
        for (int dy = 0; dy < factor && y * factor + dy < image.height; ++dy)
          for (int dx = 0; dx < factor; ++dx, ++n)
            sum += image.rgb[(static_cast<std::size_t>(y * factor + dy) * static_cast<std::size_t>(image.width) +
                              static_cast<std::size_t>(x * factor + dx)) * 3 + static_cast<std::size_t>(c)];
        out.rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(out.width) + static_cast<std::size_t>(x)) * 3 +
                static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(sum / std::max(n, 1u));
      }
    }
  }
  return out;
}

}  // namespace restorelab
