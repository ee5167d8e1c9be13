#include "harness/libvirt/png.h"

#include <gtest/gtest.h>

#include <string>

namespace restorelab::libvirt {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

TEST(PngTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32(bytes("123456789")), 0xcbf43926u);
}

TEST(PngTest, OnePixelImageIsExact) {
  // One red pixel; checked with Python's zlib.decompress and `file`.
  const std::vector<std::uint8_t> expected = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
      0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
      0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
      0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x01, 0x63, 0xfc, 0xcf, 0xc0, 0x00,
      0x00, 0x03, 0x05, 0x01, 0x01, 0xf6, 0x9f, 0xe7, 0xfa, 0x00, 0x00, 0x00,
      0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  const auto png = encode_png(RgbImage{1, 1, {0xff, 0x00, 0x00}});
  EXPECT_EQ(png, expected);
  EXPECT_TRUE(is_png(png));
  EXPECT_FALSE(is_png(std::vector<std::uint8_t>{0x89, 'P', 'N'}));
}

TEST(PngTest, ChunksHaveValidCrcs) {
  RgbImage image{64, 48, std::vector<std::uint8_t>(64 * 48 * 3, 0)};
  for (std::size_t i = 0; i < image.rgb.size(); i += 7) image.rgb[i] = static_cast<std::uint8_t>(i);
  const auto png = encode_png(image);
  std::size_t at = 8;
  std::vector<std::string> types;
  while (at + 12 <= png.size()) {
    const std::uint32_t length = be32(png, at);
    types.emplace_back(png.begin() + static_cast<long>(at + 4), png.begin() + static_cast<long>(at + 8));
    const std::span<const std::uint8_t> typed(png.data() + at + 4, length + 4);
    EXPECT_EQ(crc32(typed), be32(png, at + 8 + length)) << types.back();
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
}

TEST(PngTest, FlatScreensCompressWell) {
  RgbImage image{1024, 768, std::vector<std::uint8_t>(1024 * 768 * 3, 0)};
  EXPECT_LT(encode_png(image).size(), 20'000u);  // 2.3 MB of pixels
}

TEST(PngTest, ParsesPpmWithComments) {
  auto ppm = bytes("P6\n# from QEMU\n2 1\n255\n");
  ppm.insert(ppm.end(), {1, 2, 3, 4, 5, 6});
  auto image = parse_ppm(ppm);
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_EQ(image->width, 2);
  EXPECT_EQ(image->height, 1);
  EXPECT_EQ(image->rgb, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(PngTest, RejectsBadPpm) {
  EXPECT_EQ(parse_ppm(bytes("P3\n1 1\n255\n")).error().message, "PPM: no P6 signature");
  EXPECT_EQ(parse_ppm(bytes("P6\n1 1\n65535\n")).error().message,
            "PPM: maxval 65535 (only 255 is supported)");
  EXPECT_EQ(parse_ppm(bytes("P6\n2 2\n255\nabc")).error().message,
            "PPM: 3 bytes of pixels, 12 expected");
  EXPECT_EQ(parse_ppm(bytes("P6\n0 2\n255\n")).error().message, "PPM: bad size 0x2");
}

}  // namespace
}  // namespace restorelab::libvirt
