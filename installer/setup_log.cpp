#include "installer/setup_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <random>

#include "common/log.h"
#include "common/strings.h"
#include "common/unique_fd.h"

namespace sw::installer {

Result<SetupLog> SetupLog::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return fail_errno(errno, "open " + path);
  std::FILE* f = ::fdopen(fd, "a");
  if (!f) {
    const int err = errno;
    ::close(fd);
    return fail_errno(err, "fdopen " + path);
  }
  return SetupLog(path, f);
}

SetupLog SetupLog::null() { return SetupLog({}, nullptr); }

void SetupLog::write(std::string_view tag, std::string_view text) {
  if (!file_) return;
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  const std::string masked = log::mask(text);
  std::lock_guard lock(*mu_);
  auto lines = split(masked, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto l : lines)
    std::fprintf(file_.get(), "%s %.*s: %.*s\n", stamp, static_cast<int>(tag.size()), tag.data(),
                 static_cast<int>(l.size()), l.data());
  std::fflush(file_.get());
}

Result<std::string> make_log_dir(const std::string& base) {
  if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) return fail_errno(errno, "mkdir " + base);
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string dir = base + "/" + stamp + "-";
    for (int i = 0; i < 6; ++i) dir += alphabet[rd() % (sizeof alphabet - 1)];
    if (::mkdir(dir.c_str(), 0700) == 0) {
      if (::mkdir((dir + "/manifests").c_str(), 0700) != 0) return fail_errno(errno, "mkdir " + dir + "/manifests");
      return dir;
    }
    if (errno != EEXIST) return fail_errno(errno, "mkdir " + dir);
  }
  return fail(Error::os("cannot create a unique log directory under " + base));
}

Result<void> write_file_atomic(const std::string& path, std::string_view content, unsigned mode) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return fail_errno(errno, "create " + tmp);
  if (::fchmod(fd.get(), mode) != 0) return fail_errno(errno, "chmod " + tmp);  // umask may have cut bits
  size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::unlink(tmp.c_str());
      return fail_errno(err, "write " + tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail_errno(err, "write " + path);
  }
  return {};
}

}  // namespace sw::installer
