#include "images/guest/archive.h"

#include <gtest/gtest.h>

#include <sstream>

#include "images/guest/backup.h"
#include "images/guest/sha256.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using testing::TempRoot;

TEST(GuestSha256Test, MatchesTheFipsVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(GuestArchiveTest, RoundTripsMembersWithTheirChecksums) {
  TempRoot root;
  std::filesystem::path tar = root.path() / "a.tar";
  auto writer = TarWriter::Create(tar);
  ASSERT_TRUE(writer.has_value());
  std::string big(3 * 1024 * 1024 + 17, 'x');
  auto small_digest = writer->AddBytes("m0", "hello");
  std::istringstream in(big);
  auto big_digest = writer->AddStream("m1", in, big.size());
  ASSERT_TRUE(small_digest && big_digest);
  ASSERT_TRUE(writer->Finish().has_value());
  EXPECT_EQ(*small_digest, Sha256Hex("hello"));

  auto members = ListTar(tar);
  ASSERT_TRUE(members.has_value()) << members.error().message;
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[1].name, "m1");
  EXPECT_EQ((*members)[1].size, big.size());
  EXPECT_EQ(ReadMember(tar, (*members)[0]).value().bytes, "hello");
  EXPECT_EQ(ReadMember(tar, (*members)[0]).value().sha256, Sha256Hex("hello"));
  std::ostringstream out;
  EXPECT_EQ(ExtractMember(tar, (*members)[1], out).value(), Sha256Hex(big));
  EXPECT_EQ(out.str(), big);
}

TEST(GuestArchiveTest, RejectsACorruptHeader) {
  TempRoot root;
  std::filesystem::path tar = root.path() / "a.tar";
  auto writer = TarWriter::Create(tar);
  ASSERT_TRUE(writer->AddBytes("m0", "data").has_value());
  ASSERT_TRUE(writer->Finish().has_value());
  std::string bytes = ReadFile(tar).value();
  bytes[0] = 'X';
  root.Write("a.tar", bytes);
  auto members = ListTar(tar);
  ASSERT_FALSE(members.has_value());
  EXPECT_NE(members.error().message.find("bad header checksum at offset 0"), std::string::npos);
}

TEST(GuestArchiveTest, ImageRegionsCoverHeadPartitionsAndTail) {
  constexpr uint64_t kMiB = 1 << 20;
  auto regions = ImageRegions(32 * kMiB, {{1 * kMiB, 16 * kMiB}, {17 * kMiB, 8 * kMiB}});
  ASSERT_EQ(regions.size(), 4u);
  EXPECT_EQ(regions[0].name, "head");
  EXPECT_EQ(regions[1].offset, 1 * kMiB);
  EXPECT_EQ(regions[3].name, "tail");
  EXPECT_EQ(regions[3].offset, 31 * kMiB);
}

TEST(GuestArchiveTest, ImageRegionsMergeOverlaps) {
  constexpr uint64_t kMiB = 1 << 20;
  auto regions = ImageRegions(4 * kMiB, {{512 * 1024, 3 * kMiB}});
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0].name, "head+part1+tail");
  EXPECT_EQ(regions[0].size, 4 * kMiB);
}

}  // namespace
}  // namespace restorelab::guest
