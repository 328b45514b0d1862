#include "checks/processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>

#include "common/unique_fd.h"

namespace sw::checks {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

// The whole of a /proc file (their st_size is 0, so read until EOF). nullopt when it cannot be
// read — typically the process exited in the meantime (ESRCH/ENOENT).
std::optional<std::string> read_at(int dir_fd, const char* name) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return out;
    } else if (errno != EINTR) {
      return std::nullopt;
    }
  }
}

}  // namespace

std::optional<int> parse_proc_pid(std::string_view name) {
  if (name.empty() || name.front() < '1' || name.front() > '9') return std::nullopt;
  int pid = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end != name.data() + name.size() || pid <= 0) return std::nullopt;
  return pid;
}

std::string parse_comm(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> parse_cmdline(std::string_view bytes) {
  std::vector<std::string> argv;
  while (!bytes.empty()) {
    const auto nul = bytes.find('\0');
    argv.emplace_back(bytes.substr(0, nul));
    if (nul == std::string_view::npos) break;
    bytes.remove_prefix(nul + 1);
  }
  return argv;
}

Result<ProcessesByNetns> read_processes_by_netns(const std::string& proc_root) {
  UniqueFd root(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail_errno(errno, "open " + proc_root);
  // fdopendir takes the fd over; keep our own for openat.
  UniqueDir dir(::fdopendir(::dup(root.get())));
  if (!dir) return fail_errno(errno, "opendir " + proc_root);

  ProcessesByNetns out;
  while (const dirent* e = ::readdir(dir.get())) {
    const auto pid = parse_proc_pid(e->d_name);
    if (!pid) continue;
    UniqueFd pid_dir(::openat(root.get(), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!pid_dir) continue;  // exited since readdir
    auto cmdline = read_at(pid_dir.get(), "cmdline");
    if (!cmdline || cmdline->empty()) continue;  // kernel thread, zombie, or gone
    struct stat st {};
    // Follows the ns/net magic link to the nsfs inode; EACCES for processes we may not inspect.
    if (::fstatat(pid_dir.get(), "ns/net", &st, 0) != 0) continue;
    auto comm = read_at(pid_dir.get(), "comm");
    if (!comm) continue;
    ProcessInfo p;
    p.pid = *pid;
    p.comm = parse_comm(*comm);
    p.cmdline = parse_cmdline(*cmdline);
    out[static_cast<std::uint64_t>(st.st_ino)].push_back(std::move(p));
  }
  for (auto& [inode, list] : out)
    std::sort(list.begin(), list.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
  return out;
}

}  // namespace sw::checks
