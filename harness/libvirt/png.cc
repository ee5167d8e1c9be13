#include "harness/libvirt/png.h"

#include <array>
#include <cctype>
#include "harness/libvirt/text.h"

namespace restorelab::libvirt {
namespace {

constexpr std::array<std::uint8_t, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/// Bits out, least significant first, as deflate packs them.
class BitWriter {
 public:
  void bits(std::uint32_t value, int count) {
    for (int i = 0; i < count; ++i) put((value >> i) & 1u);
  }
  /// A Huffman code, most significant bit first.
  void code(std::uint32_t value, int length) {
    for (int i = length - 1; i >= 0; --i) put((value >> i) & 1u);
  }
  std::vector<std::uint8_t> finish() {
    if (used_ > 0) out_.push_back(current_);
    used_ = 0;
    current_ = 0;
    return std::move(out_);
  }

 private:
  void put(std::uint32_t bit) {
    current_ |= static_cast<std::uint8_t>(bit << used_);
    if (++used_ == 8) {
      out_.push_back(current_);
      current_ = 0;
      used_ = 0;
    }
  }
  std::vector<std::uint8_t> out_;
  std::uint8_t current_ = 0;
  int used_ = 0;
};

/// The fixed Huffman code of literal/length symbol `sym` (RFC 1951 3.2.6).
void fixed_symbol(BitWriter& w, int sym) {
  if (sym < 144) w.code(0x30 + sym, 8);
  else if (sym < 256) w.code(0x190 + (sym - 144), 9);
  else if (sym < 280) w.code(sym - 256, 7);
  else w.code(0xc0 + (sym - 280), 8);
}

/// A match of `length` (3..258) bytes at distance 1.
void fixed_match(BitWriter& w, int length) {
  static constexpr std::array<int, 29> base = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
                                               15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
                                               67, 83, 99, 115, 131, 163, 195, 227, 258};
  static constexpr std::array<int, 29> extra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  int i = 28;
  while (base[static_cast<std::size_t>(i)] > length) --i;
  fixed_symbol(w, 257 + i);
  w.bits(static_cast<std::uint32_t>(length - base[static_cast<std::size_t>(i)]),
         extra[static_cast<std::size_t>(i)]);
  w.code(0, 5);  // distance code 0: distance 1
}

/// A zlib stream of `data`: one final fixed-Huffman block, runs as matches.
std::vector<std::uint8_t> zlib_compress(std::span<const std::uint8_t> data) {
  BitWriter w;
  w.bits(1, 1);  // BFINAL
  w.bits(1, 2);  // BTYPE = fixed Huffman
  std::size_t i = 0;
  while (i < data.size()) {
    // A run repeating the previous byte becomes a distance-1 match.
    std::size_t run = 0;
    if (i > 0)
      while (i + run < data.size() && data[i + run] == data[i - 1] && run < 258) ++run;
    if (run >= 3) {
      fixed_match(w, static_cast<int>(run));
      i += run;
    } else {
      fixed_symbol(w, data[i]);
      ++i;
    }
  }
  fixed_symbol(w, 256);  // end of block
  std::vector<std::uint8_t> out = {0x78, 0x01};  // deflate, 32 KiB window, no dictionary
  std::vector<std::uint8_t> body = w.finish();
  out.insert(out.end(), body.begin(), body.end());
  std::uint32_t a = 1, b = 0;  // Adler-32
  for (std::uint8_t byte : data) {
    a = (a + byte) % 65521u;
    b = (b + a) % 65521u;
  }
  const std::uint32_t adler = (b << 16) | a;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(adler >> shift));
  return out;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_chunk(std::vector<std::uint8_t>& out, std::string_view type,
               std::span<const std::uint8_t> data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), data.begin(), data.end());
  put_u32(out, crc32(std::span(out).subspan(start)));
}

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::uint8_t byte : data) crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8);
  return ~crc;
}

bool is_png(std::span<const std::uint8_t> data) {
  return data.size() >= kSignature.size() &&
         std::equal(kSignature.begin(), kSignature.end(), data.begin());
}

std::vector<std::uint8_t> encode_png(const RgbImage& image) {
  const std::size_t stride = static_cast<std::size_t>(image.width) * 3;
  // Each row: filter type 1 (Sub), then each byte minus the byte 3 to its left.
  std::vector<std::uint8_t> filtered;
  filtered.reserve((stride + 1) * static_cast<std::size_t>(image.height));
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* row = image.rgb.data() + static_cast<std::size_t>(y) * stride;
    filtered.push_back(1);
    for (std::size_t x = 0; x < stride; ++x)
      filtered.push_back(static_cast<std::uint8_t>(row[x] - (x >= 3 ? row[x - 3] : 0)));
  }
  std::vector<std::uint8_t> out(kSignature.begin(), kSignature.end());
  std::vector<std::uint8_t> ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(image.width));
  put_u32(ihdr, static_cast<std::uint32_t>(image.height));
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8 bits, truecolour, deflate, adaptive, no interlace
  put_chunk(out, "IHDR", ihdr);
  put_chunk(out, "IDAT", zlib_compress(filtered));
  put_chunk(out, "IEND", {});
  return out;
}

Result<RgbImage> parse_ppm(std::span<const std::uint8_t> ppm) {
  std::size_t pos = 0;
  auto fail = [](std::string what) { return std::unexpected(make_error("PPM: " + what)); };
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
    while (pos < ppm.size() && std::isdigit(ppm[pos]) && v < 100000)
      v = (v < 0 ? 0 : v * 10) + (ppm[pos++] - '0');
    return v;
  };
  const long width = number(), height = number(), maxval = number();
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
    return fail(text("bad size {}x{}", width, height));
  if (maxval != 255) return fail(text("maxval {} (only 255 is supported)", maxval));
  if (pos >= ppm.size() || !std::isspace(ppm[pos])) return fail("no whitespace after the header");
  ++pos;
  const std::size_t bytes = static_cast<std::size_t>(width * height * 3);
  if (ppm.size() - pos < bytes)
    return fail(text("{} bytes of pixels, {} expected", ppm.size() - pos, bytes));
  RgbImage image{static_cast<int>(width), static_cast<int>(height), {}};
  image.rgb.assign(ppm.begin() + static_cast<std::ptrdiff_t>(pos),
                   ppm.begin() + static_cast<std::ptrdiff_t>(pos + bytes));
  return image;
}

}  // namespace restorelab::libvirt
