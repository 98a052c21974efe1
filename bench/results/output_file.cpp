#include "results/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "cli/options.hpp"

namespace elubench::bench {

namespace {
bool exists(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0;
}
std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace

std::string default_out_path(const std::string& dir, const std::string& hostname, const std::string& utc_compact) {
  const std::string stem = dir + "/" + hostname + "-" + utc_compact;
  std::string p = stem + ".json";
  for (int k = 2; exists(p); ++k) p = stem + "-" + std::to_string(k) + ".json";
  return p;
}

void check_out_path(const std::string& path, bool force) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UsageError("--out: '" + path + "' is a directory");
    // A device node, fifo or socket is never replaced by a results file, --force or not.
    if (!S_ISREG(st.st_mode)) throw UsageError("--out: '" + path + "' exists and is not a regular file");
    if (!force) throw UsageError("--out: '" + path + "' exists; pass --force to overwrite it");
  }
  const std::string dir = dir_of(path);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UsageError("--out: directory '" + dir + "' does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw UsageError("--out: directory '" + dir + "' is not writable");
}

void write_atomically(const std::string& path, const std::string& text, bool force) {
  const std::string slash_name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::string tmp = dir_of(path) + "/." + slash_name + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw std::runtime_error("cannot create a temporary file next to " + path + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(what + " " + path + ": " + std::strerror(e));
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("cannot write");
    }
    done += static_cast<std::size_t>(w);
  }
  ::fchmod(fd, 0644);  // mkstemp makes it 0600; a results file is for sharing
  if (::fsync(fd) != 0 || ::close(fd) != 0) fail("cannot flush");
  if (force) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename the temporary file to");
  } else {
    // link() refuses an existing target, so a file that appeared during the run survives.
    if (::link(tmp.c_str(), path.c_str()) != 0) fail("refusing to overwrite (or cannot create)");
    ::unlink(tmp.c_str());
  }
}

}  // namespace elubench::bench
