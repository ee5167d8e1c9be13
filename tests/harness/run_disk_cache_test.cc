// Disks made once per image and copied for later requests alike
// (harness/run/disk_cache.h), through the real ScriptDiskTool with a
// make-disk.sh that counts its runs.
#include "harness/run/disk_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "harness/run/disk_tool.h"

namespace restorelab::run {
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class DiskCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(root);
    fs::create_directories(images);
    fs::create_directories(artifacts);
    fs::create_directories(work);
    std::ofstream(artifacts / "stamp") << "image 1\n";
    // Counts its runs in the artifacts folder and writes its arguments.
    std::ofstream(images / "make-disk.sh") << "#!/bin/sh\n"
                                              "n=$(cat \"$2/runs\" 2>/dev/null || echo 0)\n"
                                              "echo $((n + 1)) > \"$2/runs\"\n"
                                              "printf '%s\\n' \"$@\" run $((n + 1)) > \"$3\"\n";
    fs::permissions(images / "make-disk.sh", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(root); }

  DiskRequest system_disk(const std::string& name, std::uint32_t size_mib = 0) const {
    DiskRequest d;
    d.kind = DiskRequest::Kind::System;
    d.path = work / name;
    d.drivers = {DiskBus::Ide};
    d.size_mib = size_mib;
    return d;
  }
  int runs() const { return std::stoi(slurp(artifacts / "runs")); }

  const fs::path root = fs::temp_directory_path() / ("restorelab-disk-cache-test-" + std::to_string(::getpid()));
  const fs::path images = root / "images";
  const fs::path artifacts = root / "artifacts";
  const fs::path work = root / "work";
};

TEST_F(DiskCacheTest, ADiskAskedForAgainIsACopyOfTheFirstAndTheScriptRunsOnce) {
  ScriptDiskTool tool(images);
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("a.img")));
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("b.img")));
  EXPECT_EQ(runs(), 1);
  EXPECT_EQ(slurp(work / "b.img"), slurp(work / "a.img"));
  // Another size is another disk.
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("c.img", 64)));
  EXPECT_EQ(runs(), 2);
  EXPECT_NE(slurp(work / "c.img").find("64"), std::string::npos);
}

TEST_F(DiskCacheTest, AnImageRebuiltInPlaceStartsAnotherGenerationAndTheOldOneGoes) {
  ScriptDiskTool tool(images);
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("a.img")));
  const fs::path old_generation = DiskCache(artifacts, images / "make-disk.sh").dir();
  ASSERT_TRUE(fs::is_directory(old_generation));
  std::ofstream(artifacts / "stamp") << "image 2\n";
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("b.img")));
  EXPECT_EQ(runs(), 2) << "the new image's disk is made, not copied";
  EXPECT_FALSE(fs::exists(old_generation));
  // Another make-disk.sh: another generation too.
  std::ofstream(images / "make-disk.sh", std::ios::app) << "# changed\n";
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("c.img")));
  EXPECT_EQ(runs(), 3);
}

TEST_F(DiskCacheTest, AKeptDiskThatIsNoRegularFileIsNeverCopiedAndTheDiskIsMade) {
  ScriptDiskTool tool(images);
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("a.img")));
  const DiskCache cache(artifacts, images / "make-disk.sh");
  // Whatever replaced the kept disk (here a link to a device) is not read.
  for (const auto& e : fs::directory_iterator(cache.dir())) {
    fs::remove(e.path());
    fs::create_symlink("/dev/zero", e.path());
  }
  ASSERT_TRUE(tool.make_disk(artifacts, system_disk("b.img")));
  EXPECT_EQ(runs(), 2);
  EXPECT_NE(slurp(work / "b.img").find("run\n2"), std::string::npos);
}

TEST(CopySparseTest, CopiesTheDataAndLeavesTheHolesUnwritten) {
  const fs::path dir = fs::temp_directory_path() / ("restorelab-copy-sparse-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path from = dir / "from.img", to = dir / "to.img";
  {
    std::ofstream out(from, std::ios::binary);
    out.seekp(1 << 20);
    out << "boot sector";
    out.seekp(6 << 20);
    out << "system volume";
    out.seekp((16 << 20) - 1);
    out << '\0';
  }
  ASSERT_EQ(copy_sparse(from, to), "");
  EXPECT_EQ(slurp(to), slurp(from));
  struct stat st{};
  ASSERT_EQ(::stat(to.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 16 << 20);
  EXPECT_LT(st.st_blocks * 512, 1 << 20) << "the holes were written";
  // Never onto an existing file, never from what is not a regular file.
  EXPECT_NE(copy_sparse(from, to).find("File exists"), std::string::npos);
  EXPECT_NE(copy_sparse("/dev/zero", dir / "zero.img").find("not a regular file"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "zero.img"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace restorelab::run
