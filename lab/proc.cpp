#include "lab/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/strings.h"
#include "common/unique_fd.h"

namespace sw::lab {
namespace {

std::optional<std::string> read_small_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

ino_t ns_inode(const std::string& proc_dir, const char* kind) {
  char buf[64];
  const std::string link = proc_dir + "/ns/" + kind;
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  return parse_ns_link(std::string_view(buf, static_cast<size_t>(n)));
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_send_signal(int fd, int sig) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0)); }

struct Victim {
  ProcStat stat;
  UniqueFd pidfd;
  bool term = false;  ///< gets SIGTERM first
  bool gone = false;
};

// Waits until every listed victim's pidfd reports exit, or the budget runs out.
void wait_exit(const std::vector<Victim*>& victims, std::chrono::milliseconds budget) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + budget;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Victim*> who;
    for (Victim* v : victims) {
      if (v->gone) continue;
      fds.push_back({v->pidfd.get(), POLLIN, 0});
      who.push_back(v);
    }
    if (fds.empty()) return;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0 && errno != EINTR) return;
    for (size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) who[i]->gone = true;
  }
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  const auto pid = parse_uint(trim(text.substr(0, open)), 1, 1u << 30);
  if (!pid) return std::nullopt;
  ProcStat s;
  s.pid = static_cast<pid_t>(*pid);
  s.comm = std::string(text.substr(open + 1, close - open - 1));
  // After ") ": field 3 (state) onwards, space separated.
  std::vector<std::string_view> rest;
  for (std::string_view f : split(trim(text.substr(close + 1)), ' '))
    if (!f.empty()) rest.push_back(f);
  if (rest.size() < 20 || rest[0].size() != 1) return std::nullopt;
  s.state = rest[0][0];
  const auto ppid = parse_uint(rest[1]);
  const auto start = parse_uint(rest[19]);  // field 22
  if (!ppid || !start) return std::nullopt;
  s.ppid = static_cast<pid_t>(*ppid);
  s.start_time = *start;
  return s;
}

std::vector<pid_t> parse_nspid(std::string_view status_text) {
  std::vector<pid_t> out;
  for (std::string_view line : split(status_text, '\n')) {
    if (!line.starts_with("NSpid:")) continue;
    for (std::string_view f : split(trim(line.substr(6)), '\t')) {
      for (std::string_view g : split(f, ' ')) {
        if (g.empty()) continue;
        const auto v = parse_uint(g, 1, 1u << 30);
        if (!v) return {};
        out.push_back(static_cast<pid_t>(*v));
      }
    }
  }
  return out;
}

ino_t parse_ns_link(std::string_view link) {
  const size_t open = link.find(":[");
  if (open == std::string_view::npos || !link.ends_with("]")) return 0;
  const auto v = parse_uint(link.substr(open + 2, link.size() - open - 3), 1);
  return v ? static_cast<ino_t>(*v) : 0;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  const auto text = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  return parse_proc_stat(*text);
}

bool process_alive(pid_t pid, unsigned long long start_time) {
  if (pid <= 0) return false;
  const auto s = read_proc_stat(pid);
  return s && s->start_time == start_time && s->state != 'Z' && s->state != 'X';
}

std::vector<ProcEntry> scan_processes(bool with_nspid) {
  std::vector<ProcEntry> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  const pid_t self = ::getpid();
  while (dirent* e = ::readdir(d)) {
    const auto pid = parse_uint(e->d_name, 1, 1u << 30);
    if (!pid || static_cast<pid_t>(*pid) == self) continue;
    const std::string dir = std::string("/proc/") + e->d_name;
    const auto text = read_small_file(dir + "/stat");
    if (!text) continue;
    auto st = parse_proc_stat(*text);
    if (!st) continue;
    ProcEntry p;
    p.stat = std::move(*st);
    p.net_ns = ns_inode(dir, "net");
    p.mnt_ns = ns_inode(dir, "mnt");
    p.pid_ns = ns_inode(dir, "pid");
    if (with_nspid) {
      if (const auto status = read_small_file(dir + "/status")) p.nspid = parse_nspid(*status);
    }
    out.push_back(std::move(p));
  }
  ::closedir(d);
  return out;
}

StopReport stop_processes(const std::vector<ProcStat>& term, const std::vector<ProcStat>& kill_only,
                          std::chrono::milliseconds grace, std::chrono::milliseconds kill_wait) {
  StopReport report;
  std::vector<Victim> victims;
  const auto add = [&](const ProcStat& s, bool first_term) {
    if (std::any_of(victims.begin(), victims.end(), [&](const Victim& v) { return v.stat.pid == s.pid; })) return;
    UniqueFd fd(pidfd_open(s.pid));
    if (!fd) return;  // already gone
    // The pidfd pins this pid: re-check that it is still the process we were told about.
    const auto now = read_proc_stat(s.pid);
    if (!now || now->start_time != s.start_time) return;
    victims.push_back({s, std::move(fd), first_term, false});
  };
  for (const auto& s : term) add(s, true);
  for (const auto& s : kill_only) add(s, false);

  std::vector<Victim*> termed, all;
  for (auto& v : victims) {
    all.push_back(&v);
    if (!v.term) continue;
    if (pidfd_send_signal(v.pidfd.get(), SIGTERM) != 0 && errno == ESRCH) v.gone = true;
    termed.push_back(&v);
  }
  wait_exit(termed, grace);
  for (Victim* v : termed)
    if (v->gone) ++report.terminated;
  for (Victim* v : all) {
    if (v->gone) continue;
    if (pidfd_send_signal(v->pidfd.get(), SIGKILL) != 0 && errno == ESRCH) {
      v->gone = true;
      continue;
    }
    ++report.killed;
  }
  wait_exit(all, kill_wait);
  for (Victim* v : all)
    if (!v->gone) report.remaining.push_back(v->stat.pid);
  return report;
}

}  // namespace sw::lab
