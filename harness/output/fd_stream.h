// An output stream on a file descriptor whose every write is checked: what
// the CLI prints on standard output. A CI job must not trust a truncated
// JSONL, so a failed write (a full disk, /dev/full, a closed stdout) is
// kept and reported, and the command exits 3.
#pragma once

#include <optional>
#include <streambuf>
#include <string>
#include <vector>

#include "harness/output/output_file.h"

namespace restorelab {

/// A buffered streambuf writing to `fd` (not owned). After the first failed
/// write it takes nothing more and error() says what failed.
class FdStreambuf final : public std::streambuf {
 public:
  /// `what` names the descriptor in messages ("standard output").
  FdStreambuf(int fd, std::string what, std::size_t buffer = 64 * 1024);
  ~FdStreambuf() override;
  FdStreambuf(const FdStreambuf&) = delete;
  FdStreambuf& operator=(const FdStreambuf&) = delete;

  /// The first write failure, if any.
  const std::optional<OutputError>& error() const { return error_; }
  /// Marks the descriptor as unusable from the start (it was closed when the
  /// process started): the first write fails with this message.
  void refuse(std::string message);

 protected:
  int_type overflow(int_type c) override;
  int sync() override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool flush_buffer();
  int fd_;
  std::string what_;
  std::vector<char> buffer_;
  std::optional<OutputError> error_;
  std::optional<std::string> refused_;
};

/// Makes sure descriptors 0, 1 and 2 are open, so that no file the process
/// opens later becomes "standard output" by accident: a closed one is
/// occupied by /dev/null. Returns which of 1 and 2 were closed.
struct ClosedStdio {
  bool out = false, err = false;
};
ClosedStdio occupy_closed_stdio();

}  // namespace restorelab
