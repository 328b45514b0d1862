#include "checks/processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
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

// A hosts file larger than this is not read (Neutron writes one short line per port).
constexpr std::size_t kMaxHostsFile = 16u << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// "fa:16:3e:d1:0f:75", also dnsmasq's wildcards ("fa:16:3e:*:*:*") and hardware types ("1-fa:...").
bool looks_like_mac(std::string_view f) {
  if (f.size() > 2 && f[1] == '-' && std::isdigit(static_cast<unsigned char>(f[0]))) f.remove_prefix(2);
  int groups = 0;
  while (!f.empty()) {
    const auto colon = f.find(':');
    const std::string_view g = f.substr(0, colon);
    if (!(g == "*" || (g.size() >= 1 && g.size() <= 2 && is_hex(g[0]) && (g.size() == 1 || is_hex(g[1]))))) return false;
    ++groups;
    if (colon == std::string_view::npos) break;
    f.remove_prefix(colon + 1);
    if (f.empty()) return false;
  }
  return groups == 6;
}

bool looks_like_ipv4(std::string_view f) {
  int parts = 0;
  while (true) {
    const auto dot = f.find('.');
    const std::string_view p = f.substr(0, dot);
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || p.size() > 3 || ec != std::errc() || end != p.data() + p.size() || v > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    f.remove_prefix(dot + 1);
  }
  return parts == 4;
}

// "86400", "12h", "45m", "1d", "2w", "infinite".
bool looks_like_lease_time(std::string_view f) {
  if (f == "infinite") return true;
  if (f.empty()) return false;
  if (f.size() > 1 && (f.back() == 'h' || f.back() == 'm' || f.back() == 'd' || f.back() == 'w' || f.back() == 's'))
    f.remove_suffix(1);
  return std::all_of(f.begin(), f.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string user_label(unsigned uid) {
  std::string out = "uid " + std::to_string(uid);
  if (const passwd* pw = ::getpwuid(uid)) out += " (" + std::string(pw->pw_name) + ")";
  return out;
}

std::string owner_label(const struct stat& st) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  std::string out = std::string("mode ") + mode + " ";
  if (const passwd* pw = ::getpwuid(st.st_uid)) out += pw->pw_name; else out += std::to_string(st.st_uid);
  out += ":";
  if (const group* gr = ::getgrgid(st.st_gid)) out += gr->gr_name; else out += std::to_string(st.st_gid);
  return out;
}

// The permission class the kernel applies (owner, group, other) and whether `bit` (4 r, 1 x) is in it.
bool permits(const struct stat& st, const FsCredentials& c, unsigned bit) {
  if (c.uid == 0) return true;
  unsigned shift = 0;
  if (st.st_uid == c.uid) {
    shift = 6;
  } else if (st.st_gid == c.gid || std::find(c.groups.begin(), c.groups.end(), st.st_gid) != c.groups.end()) {
    shift = 3;
  }
  return ((st.st_mode >> shift) & bit) != 0;
}

// The value of dnsmasq's --dhcp-hostsfile (either --dhcp-hostsfile=PATH or --dhcp-hostsfile PATH).
std::optional<std::string> hostsfile_arg(const std::vector<std::string>& argv) {
  static constexpr std::string_view kOpt = "--dhcp-hostsfile";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > kOpt.size() && a.compare(0, kOpt.size() + 1, std::string(kOpt) + "=") == 0)
      return a.substr(kOpt.size() + 1);
    if (a == kOpt && i + 1 < argv.size()) return argv[i + 1];
  }
  return std::nullopt;
}

DhcpHostsFile read_hostsfile(int pid_dir, const std::string& proc_pid, const std::string& path) {
  DhcpHostsFile f;
  f.path = path;
  const std::string root = proc_pid + "/root";
  const std::string full = root + path;
  UniqueFd fd(::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    f.error = "cannot read " + path + ": " + std::strerror(errno);
    return f;
  }
  if (!S_ISREG(st.st_mode)) {
    f.error = path + " is not a regular file";
    return f;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxHostsFile) {
    f.error = path + " is larger than 16 MiB: not read";
    return f;
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
      if (text.size() > kMaxHostsFile) {
        f.error = path + " is larger than 16 MiB: not read";
        return f;
      }
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      f.error = "cannot read " + path + ": " + std::strerror(errno);
      return f;
    }
  }
  f.hosts = parse_dhcp_hostsfile(text);
  if (const auto status = read_at(pid_dir, "status")) {
    if (const auto creds = parse_status_credentials(*status)) f.denied = read_denied(root, path, *creds);
  }
  return f;
}

}  // namespace

std::vector<DhcpHostEntry> parse_dhcp_hostsfile(std::string_view text) {
  std::vector<DhcpHostEntry> out;
  int lineno = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++lineno;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    DhcpHostEntry e;
    e.line = lineno;
    while (true) {
      const auto comma = line.find(',');
      const std::string_view field = trim(line.substr(0, comma));
      if (field.empty() || field == "ignore" || field.starts_with("set:") || field.starts_with("tag:") ||
          field.starts_with("id:") || field.starts_with("net:")) {
        // not an address, a MAC or a name
      } else if (field.front() == '[' && field.back() == ']') {
        e.addresses.emplace_back(lower(field.substr(1, field.size() - 2)));
      } else if (looks_like_ipv4(field)) {
        e.addresses.emplace_back(field);
      } else if (looks_like_mac(field)) {
        e.macs.push_back(lower(field));
      } else if (looks_like_lease_time(field)) {
        // a lease time
      } else if (e.name.empty()) {
        e.name = std::string(field);
      }
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<FsCredentials> parse_status_credentials(std::string_view status) {
  FsCredentials c;
  bool have_uid = false, have_gid = false;
  auto numbers = [](std::string_view rest) {
    std::vector<unsigned> v;
    while (true) {
      rest = trim(rest);
      if (rest.empty()) break;
      unsigned x = 0;
      const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), x);
      if (ec != std::errc()) break;
      v.push_back(x);
      rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    }
    return v;
  };
  while (!status.empty()) {
    const auto nl = status.find('\n');
    const std::string_view line = status.substr(0, nl);
    status.remove_prefix(nl == std::string_view::npos ? status.size() : nl + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon);
    const auto v = numbers(line.substr(colon + 1));
    // Uid:/Gid: are real, effective, saved, filesystem; file access uses the last.
    if (key == "Uid" && v.size() == 4) {
      c.uid = v[3];
      have_uid = true;
    } else if (key == "Gid" && v.size() == 4) {
      c.gid = v[3];
      have_gid = true;
    }
    if (key == "Groups") c.groups = v;
  }
  if (!have_uid || !have_gid) return std::nullopt;
  return c;
}

std::string read_denied(const std::string& root, const std::string& path, const FsCredentials& creds) {
  if (path.empty() || path.front() != '/') return "";  // relative to dnsmasq's cwd: not judged
  std::string prefix;
  std::string_view rest(path);
  // Every directory from / down to the file's parent needs search (x) permission.
  while (true) {
    const std::string dir = prefix.empty() ? "/" : prefix;
    struct stat st {};
    if (::stat((root + dir).c_str(), &st) != 0) return "";  // vanished: not a permission question
    if (!permits(st, creds, 1))
      return dir + ": " + owner_label(st) + ", no search permission for " + user_label(creds.uid);
    rest.remove_prefix(1);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) break;
    prefix += "/" + std::string(rest.substr(0, slash));
    rest.remove_prefix(slash);
  }
  struct stat st {};
  if (::stat((root + path).c_str(), &st) != 0) return "";
  if (!permits(st, creds, 4)) return path + ": " + owner_label(st) + ", not readable by " + user_label(creds.uid);
  return "";
}

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
    if (p.comm == "dnsmasq")
      if (const auto hf = hostsfile_arg(p.cmdline)) p.dhcp_hosts = read_hostsfile(pid_dir.get(), proc_root + "/" + e->d_name, *hf);
    out[static_cast<std::uint64_t>(st.st_ino)].push_back(std::move(p));
  }
  for (auto& [inode, list] : out)
    std::sort(list.begin(), list.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
  return out;
}

}  // namespace sw::checks
