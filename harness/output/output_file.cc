#include "harness/output/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "harness/output/input_files.h"
#include "rules/unique_fd.h"

namespace restorelab {

namespace fs = std::filesystem;

namespace {

/// Errors that say the path cannot be an output, as opposed to a failure
/// while writing to one.
bool is_bad_path(int error) {
  switch (error) {
    case EACCES: case EPERM: case EROFS: case ENOENT: case ENOTDIR: case ENAMETOOLONG:
    case EISDIR: case ELOOP: case ENXIO: case ETXTBSY:
      return true;
    default:
      return false;
  }
}

OutputError error_from(int error, const fs::path& path, std::string_view doing) {
  OutputError e;
  e.kind = is_bad_path(error) ? OutputError::Kind::BadPath : OutputError::Kind::Failed;
  e.message = path.string() + ": " + std::string(doing) + ": " + std::strerror(error);
  if (error == ENXIO) e.message += " (a FIFO that nobody reads?)";
  return e;
}

std::unexpected<OutputError> bad_path(const fs::path& path, std::string why) {
  return std::unexpected(OutputError{OutputError::Kind::BadPath, path.string() + ": " + std::move(why)});
}

/// The refusal of an output that is one of the command's inputs, or nothing.
std::optional<std::unexpected<OutputError>> replaces_input(const fs::path& path) {
  const auto input = input_at(path);
  if (!input) return std::nullopt;
  return bad_path(path, (*input == path.string() ? std::string("is an input of this command")
                                                 : "is the input " + *input + " of this command") +
                            "; an output never replaces an input");
}

/// The process's umask, read without changing it (umask(2) would, for a
/// moment, for every thread): from /proc/self/status, else the usual 022.
mode_t process_umask() {
  static const mode_t mask = [] {
    std::FILE* f = std::fopen("/proc/self/status", "re");
    if (f == nullptr) return static_cast<mode_t>(022);
    char line[256];
    mode_t found = 022;
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::strncmp(line, "Umask:", 6) == 0) {
        found = static_cast<mode_t>(std::strtoul(line + 6, nullptr, 8));
        break;
      }
    }
    std::fclose(f);
    return found;
  }();
  return mask;
}

/// Writes into something that is not a regular file (a device, a FIFO) in place.
OutputStatus write_in_place(const fs::path& path, std::string_view text) {
  // O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of
  // hanging; the writes themselves block as usual.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return std::unexpected(error_from(errno, path, "cannot open for writing"));
  if (const int flags = ::fcntl(fd.get(), F_GETFL); flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  if (auto st = write_all(fd.get(), text, path.string()); !st) return st;
  if (const int e = fd.close(); e != 0) return std::unexpected(error_from(e, path, "cannot write"));
  return {};
}

/// Replaces the regular file (or the free name) `target` by a new file holding `text`.
/// `keep` is the old file's status when there is one (its mode and owner carry over).
OutputStatus replace_file(const fs::path& target, std::string_view text, const struct stat* keep) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ".rl-out-XXXXXX").string();
  UniqueFd fd(::mkstemp(temp.data()));
  if (fd.get() < 0) return std::unexpected(error_from(errno, target, "cannot create a file in " + dir.string()));
  bool done = false;
  struct RemoveTemp {
    const std::string& temp;
    const bool& done;
    ~RemoveTemp() {
      if (!done) ::unlink(temp.c_str());
    }
  } remove_temp{temp, done};

  if (keep) {
    ::fchmod(fd.get(), keep->st_mode & 07777);
    if (::fchown(fd.get(), keep->st_uid, keep->st_gid) != 0) {
      // Not the owner's to give away: the new file stays ours.
    }
  } else {
    ::fchmod(fd.get(), 0666 & ~process_umask());
  }
  if (auto st = write_all(fd.get(), text, target.string()); !st) return st;
  if (::fsync(fd.get()) != 0 && errno != EINVAL) return std::unexpected(error_from(errno, target, "cannot write"));
  if (const int e = fd.close(); e != 0) return std::unexpected(error_from(e, target, "cannot write"));

  // The last look before the rename: only a regular file (or nothing) is replaced.
  struct stat now{};
  if (::lstat(target.c_str(), &now) == 0 && !S_ISREG(now.st_mode))
    return bad_path(target, "is no longer a regular file; not replaced");
  if (::rename(temp.c_str(), target.c_str()) != 0) return std::unexpected(error_from(errno, target, "cannot write"));
  done = true;
  return {};
}

}  // namespace

std::string rename_onto_regular(const std::filesystem::path& from, const std::filesystem::path& to) {
  struct stat st{};
  if (::lstat(to.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return to.string() + " exists and is not a regular file; not replacing it";
  if (::rename(from.c_str(), to.c_str()) != 0)
    return "renaming " + from.string() + " to " + to.string() + ": " + std::strerror(errno);
  return "";
}

int OutputError::exit_code() const { return kind == Kind::BadPath ? 2 : 3; }

OutputStatus write_all(int fd, std::string_view text, std::string_view what) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(error_from(errno, std::string(what), "cannot write"));
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

OutputStatus write_output_file(const fs::path& path, std::string_view text) {
  if (path.empty()) return bad_path(path, "an empty path");
  if (auto refused = replaces_input(path)) return *refused;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return bad_path(path, "is a folder; expected a file name");
    if (!S_ISREG(st.st_mode)) return write_in_place(path, text);
    // A regular file, maybe through symlinks: replace the file they lead to.
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr)
      return std::unexpected(error_from(errno, path, "cannot resolve"));
    return replace_file(resolved, text, &st);
  }
  if (errno != ENOENT) return std::unexpected(error_from(errno, path, "cannot write"));
  struct stat link{};
  if (::lstat(path.c_str(), &link) == 0) return bad_path(path, "is a symlink to nothing; not followed");
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  struct stat parent{};
  if (::stat(dir.c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode))
    return bad_path(path, "the folder " + dir.string() + " does not exist");
  return replace_file(path, text, nullptr);
}

OutputStatus check_output_path(const fs::path& path) {
  if (path.empty()) return bad_path(path, "an empty path");
  if (auto refused = replaces_input(path)) return *refused;
  struct stat st{};
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return bad_path(path, "is a folder; expected a file name");
    if (!S_ISREG(st.st_mode)) {
      if (::access(path.c_str(), W_OK) != 0) return std::unexpected(error_from(errno, path, "cannot write"));
      return {};
    }
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr)
      return std::unexpected(error_from(errno, path, "cannot resolve"));
    dir = fs::path(resolved).parent_path();
  } else if (errno != ENOENT) {
    return std::unexpected(error_from(errno, path, "cannot write"));
  } else if (struct stat link{}; ::lstat(path.c_str(), &link) == 0) {
    return bad_path(path, "is a symlink to nothing; not followed");
  }
  struct stat parent{};
  if (::stat(dir.c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode))
    return bad_path(path, "the folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) return std::unexpected(error_from(errno, path, "cannot create a file in " + dir.string()));
  if (path.filename().string().size() > NAME_MAX) return std::unexpected(error_from(ENAMETOOLONG, path, "cannot write"));
  return {};
}

OutputStatus make_output_folder(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (fs::is_directory(dir, ec)) return {};
    return bad_path(dir, "exists and is not a folder");
  }
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(error_from(ec.value(), dir, "cannot create the folder"));
  return {};
}

}  // namespace restorelab
