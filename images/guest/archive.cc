#include "images/guest/archive.h"

#include <array>
#include <cstring>
#include <spanstream>
#include <sstream>

#include "images/guest/sha256.h"

namespace restorelab::guest {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kChunk = 1 << 20;

void PutOctal(char* field, size_t width, uint64_t value) {
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value > 0; value >>= 3) digits[i] = static_cast<char>('0' + (value & 7));
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

uint64_t GetOctal(const char* field, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width && field[i] >= '0' && field[i] <= '7'; ++i) value = value * 8 + (field[i] - '0');
  return value;
}

uint64_t Padding(uint64_t size) { return (kBlock - size % kBlock) % kBlock; }

using Sink = std::function<bool(const char*, size_t)>;

/// Reads `size` bytes from `in` in chunks, adding them to `hash` (if any)
/// and handing each chunk to `sink` (if any), which returns false when it
/// cannot take it.
Status CopyRange(std::istream& in, const Sink& sink, uint64_t size, const std::string& what, Sha256* hash) {
  std::vector<char> buffer(kChunk);
  while (size > 0) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(size, buffer.size()));
    in.read(buffer.data(), static_cast<std::streamsize>(take));
    if (static_cast<size_t>(in.gcount()) != take) return Fail(what + ": input ended early");
    if (hash != nullptr) hash->Update(buffer.data(), take);
    if (sink && !sink(buffer.data(), take)) return Fail(what + ": write failed");
    size -= take;
  }
  return {};
}

/// The bytes of `member` of `file`, through `sink` (if any), hashed when
/// `hash` is given.
Status ReadMemberInto(const fs::path& file, const TarMember& member, const Sink& sink, Sha256* hash) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail("cannot open archive " + file.string());
  in.seekg(static_cast<std::streamoff>(member.data_offset));
  return CopyRange(in, sink, member.size, file.string() + " member " + member.name, hash);
}

Sink To(std::ostream& out) {
  return [&out](const char* data, size_t n) { return static_cast<bool>(out.write(data, static_cast<std::streamsize>(n))); };
}

}  // namespace

TarWriter::TarWriter(const fs::path& file) : file_(file), out_(file, std::ios::binary | std::ios::trunc) {}

Result<TarWriter> TarWriter::Create(const fs::path& file) {
  TarWriter writer(file);
  if (!writer.out_) return Fail("cannot create archive " + file.string());
  return writer;
}

Status TarWriter::WriteHeader(const std::string& name, uint64_t size) {
  if (name.empty() || name.size() > 99) return Fail("archive member name '" + name + "' is not 1..99 bytes");
  std::array<char, kBlock> header{};
  std::memcpy(header.data(), name.data(), name.size());
  PutOctal(header.data() + 100, 8, 0644);
  PutOctal(header.data() + 108, 8, 0);
  PutOctal(header.data() + 116, 8, 0);
  PutOctal(header.data() + 124, 12, size);
  PutOctal(header.data() + 136, 12, 0);
  header[156] = '0';
  std::memcpy(header.data() + 257, "ustar", 6);
  std::memcpy(header.data() + 263, "00", 2);
  std::memset(header.data() + 148, ' ', 8);
  unsigned checksum = 0;
  for (char c : header) checksum += static_cast<unsigned char>(c);
  PutOctal(header.data() + 148, 7, checksum);
  header[155] = ' ';
  if (!Put(header.data(), kBlock)) return Fail("cannot write " + file_.string());
  return {};
}

bool TarWriter::Put(const char* data, size_t size) {
  return static_cast<bool>(out_.write(data, static_cast<std::streamsize>(size)));
}

Result<std::string> TarWriter::AddBytes(const std::string& name, std::string_view content) {
  std::ispanstream in(std::span<const char>(content.data(), content.size()));
  return AddStream(name, in, content.size());
}

Result<std::string> TarWriter::AddStream(const std::string& name, std::istream& in, uint64_t size) {
  if (auto status = WriteHeader(name, size); !status) return std::unexpected(status.error());
  Sha256 hash;
  if (auto copied = CopyRange(in, [this](const char* data, size_t n) { return Put(data, n); }, size,
                              file_.string() + " member " + name, &hash);
      !copied)
    return std::unexpected(copied.error());
  static const std::array<char, kBlock> kZeros{};
  if (!Put(kZeros.data(), Padding(size))) return Fail("cannot write " + file_.string());
  return hash.HexDigest();
}

Status TarWriter::Finish() {
  static const std::array<char, 2 * kBlock> kZeros{};
  const bool written = Put(kZeros.data(), kZeros.size());
  out_.close();
  if (!written || !out_) return Fail("cannot finish " + file_.string());
  return {};
}

Result<std::vector<TarMember>> ListTar(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail("cannot open archive " + file.string());
  std::vector<TarMember> members;
  uint64_t offset = 0;
  std::array<char, kBlock> header{};
  while (in.read(header.data(), kBlock)) {
    if (header[0] == '\0') return members;
    unsigned stored = static_cast<unsigned>(GetOctal(header.data() + 148, 8));
    std::memset(header.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (char c : header) sum += static_cast<unsigned char>(c);
    if (sum != stored) return Fail(file.string() + ": bad header checksum at offset " + std::to_string(offset));
    TarMember member;
    member.name = std::string(header.data(), strnlen(header.data(), 100));
    member.size = GetOctal(header.data() + 124, 12);
    member.data_offset = offset + kBlock;
    offset = member.data_offset + member.size + Padding(member.size);
    if (header[156] == '0' || header[156] == '\0') members.push_back(member);
    in.seekg(static_cast<std::streamoff>(offset));
  }
  return Fail(file.string() + ": archive ends without end blocks");
}

Result<std::string> ExtractMember(const fs::path& file, const TarMember& member, std::ostream& out) {
  Sha256 hash;
  if (auto s = ReadMemberInto(file, member, To(out), &hash); !s) return std::unexpected(s.error());
  return hash.HexDigest();
}

Status CopyMember(const fs::path& file, const TarMember& member, std::ostream& out) {
  return ReadMemberInto(file, member, To(out), nullptr);
}

Result<std::string> HashMember(const fs::path& file, const TarMember& member) {
  Sha256 hash;
  if (auto s = ReadMemberInto(file, member, {}, &hash); !s) return std::unexpected(s.error());
  return hash.HexDigest();
}

Result<MemberContent> ReadMember(const fs::path& file, const TarMember& member) {
  std::ostringstream out;
  auto digest = ExtractMember(file, member, out);
  if (!digest) return std::unexpected(digest.error());
  return MemberContent{out.str(), *digest};
}

}  // namespace restorelab::guest
