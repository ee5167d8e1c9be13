// PNG through libpng (harness/output/png.h): screenshots and thumbnails.
#include "harness/output/png.h"

#include <gtest/gtest.h>

#include <string>

namespace restorelab {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

RgbImage pattern(int width, int height) {
  RgbImage image{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width * height * 3), 0)};
  for (std::size_t i = 0; i < image.rgb.size(); i += 7) image.rgb[i] = static_cast<std::uint8_t>(i);
  return image;
}

TEST(PngTest, EncodedImagesDecodeToTheSamePixels) {
  const RgbImage image = pattern(64, 48);
  auto png = encode_png(image);
  ASSERT_TRUE(png) << png.error();
  EXPECT_TRUE(is_png(*png));
  auto back = decode_png(*png);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->width, 64);
  EXPECT_EQ(back->height, 48);
  EXPECT_EQ(back->rgb, image.rgb);
  EXPECT_FALSE(is_png(std::vector<std::uint8_t>{0x89, 'P', 'N'}));
}

TEST(PngTest, FlatScreensCompressWell) {
  RgbImage image{1024, 768, std::vector<std::uint8_t>(1024 * 768 * 3, 0)};
  EXPECT_LT(encode_png(image)->size(), 20'000u);  // 2.3 MB of pixels
}

TEST(PngTest, RefusesAnImageWhosePixelsDoNotFit) {
  EXPECT_EQ(encode_png(RgbImage{2, 2, {1, 2, 3}}).error(), "PNG: an image of 2x2 needs 12 bytes, not 3");
  EXPECT_FALSE(decode_png(bytes("\x89PNG\r\n\x1a\n broken")));
}

TEST(PngTest, ShrinksToAThumbnailKeepingProportions) {
  RgbImage white{720, 400, std::vector<std::uint8_t>(720 * 400 * 3, 255)};
  const RgbImage small = shrink(white, 240);
  EXPECT_EQ(small.width, 240);
  EXPECT_EQ(small.height, 133);
  EXPECT_EQ(small.rgb.front(), 255);
  EXPECT_EQ(shrink(small, 400).width, 240);
}

TEST(PngTest, ParsesPpmWithComments) {
  auto ppm = bytes("P6\n# from QEMU\n2 1\n255\n");
  ppm.insert(ppm.end(), {1, 2, 3, 4, 5, 6});
  auto image = parse_ppm(ppm);
  ASSERT_TRUE(image.has_value()) << image.error();
  EXPECT_EQ(image->width, 2);
  EXPECT_EQ(image->height, 1);
  EXPECT_EQ(image->rgb, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(PngTest, RejectsBadPpm) {
  EXPECT_EQ(parse_ppm(bytes("P3\n1 1\n255\n")).error(), "PPM: no P6 signature");
  EXPECT_EQ(parse_ppm(bytes("P6\n1 1\n65535\n")).error(), "PPM: maxval 65535 (only 255 is supported)");
  EXPECT_EQ(parse_ppm(bytes("P6\n2 2\n255\nabc")).error(), "PPM: 3 bytes of pixels, 12 expected");
  EXPECT_EQ(parse_ppm(bytes("P6\n0 2\n255\n")).error(), "PPM: bad size 0x2");
}

}  // namespace
}  // namespace restorelab
