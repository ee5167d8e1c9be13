#include "harness/output/input_files.h"

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <utility>

namespace restorelab {

namespace {

struct Inputs {
  std::mutex mutex;
  int scopes = 0;  ///< InputFilesScopes alive: outside every one nothing is noted
  std::map<std::pair<dev_t, ino_t>, std::string> files;
};

Inputs& inputs() {
  static Inputs all;
  return all;
}

}  // namespace

void note_input(const std::string& path, dev_t device, ino_t inode) {
  Inputs& all = inputs();
  std::lock_guard lock(all.mutex);
  if (all.scopes > 0) all.files.emplace(std::pair{device, inode}, path);
}

void note_input(const std::filesystem::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) note_input(path.string(), st.st_dev, st.st_ino);
}

std::optional<std::string> input_at(const std::filesystem::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  Inputs& all = inputs();
  std::lock_guard lock(all.mutex);
  auto it = all.files.find({st.st_dev, st.st_ino});
  if (it == all.files.end()) return std::nullopt;
  return it->second;
}

InputFilesScope::InputFilesScope() {
  Inputs& all = inputs();
  std::lock_guard lock(all.mutex);
  if (all.scopes++ == 0) all.files.clear();
}

InputFilesScope::~InputFilesScope() {
  Inputs& all = inputs();
  std::lock_guard lock(all.mutex);
  if (--all.scopes == 0) all.files.clear();
}

}  // namespace restorelab
