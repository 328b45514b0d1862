#include "tests/support/system.h"

#include <sys/prctl.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace sw::test {
namespace {

std::atomic<int> g_counter{0};

// Removes namespaces left by earlier test runs that died (their pid no longer exists).
class LeftoverSweeper : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!is_root()) return;
    DIR* d = ::opendir("/run/netns");
    if (!d) return;
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (!n.starts_with("swt")) continue;
      const auto dash = n.find('-');
      if (dash == std::string_view::npos) continue;
      const int pid = std::atoi(std::string(n.substr(3, dash - 3)).c_str());
      if (pid <= 0 || pid == ::getpid()) continue;
      if (::kill(pid, 0) == 0 || errno == EPERM) continue;  // still running
      stale.emplace_back(n);
    }
    ::closedir(d);
    for (const auto& n : stale) sh("ip netns del " + shq(n));
  }
};

const auto* g_sweeper = ::testing::AddGlobalTestEnvironment(new LeftoverSweeper);

}  // namespace

bool is_root() { return ::geteuid() == 0; }

CmdResult sh(const std::string& cmd) {
  CmdResult r;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return r;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  // Drain both pipes without deadlocking on a full one.
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string sh_ok(const std::string& cmd) {
  CmdResult r = sh(cmd);
  EXPECT_EQ(r.status, 0) << "command failed: " << cmd << "\n" << r.err;
  return r.out;
}

std::string shq(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  q += '\'';
  return q;
}

std::string unique_name(std::string_view tag) {
  return "swt" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++) + "-" + std::string(tag);
}

TempNetns::TempNetns(std::string_view tag) : name_(unique_name(tag)) {
  sh_ok("ip netns add " + shq(name_) + " && ip -n " + shq(name_) + " link set lo up");
}

TempNetns::~TempNetns() { sh("ip netns del " + shq(name_)); }

CmdResult TempNetns::exec(const std::string& cmd) const {
  return sh("ip netns exec " + shq(name_) + " sh -c " + shq(cmd));
}

std::string TempNetns::exec_ok(const std::string& cmd) const {
  CmdResult r = exec(cmd);
  EXPECT_EQ(r.status, 0) << "command failed in " << name_ << ": " << cmd << "\n" << r.err;
  return r.out;
}

BackgroundProcess::BackgroundProcess(std::vector<std::string> argv, std::string netns) {
  if (!netns.empty()) argv.insert(argv.begin(), {"ip", "netns", "exec", netns});
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // A test that crashes (a sanitizer's abort) runs no destructor: the daemon dies with it, rather
    // than living on with the test's stderr open and ctest waiting for that pipe until its timeout.
    // The signal comes when the forking thread ends: a daemon started from a run_in_netns thread lives
    // as long as that thread, which in every test is the rest of the test.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
    }
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
}

BackgroundProcess::~BackgroundProcess() { stop(); }

bool BackgroundProcess::alive() const {
  if (pid_ <= 0) return false;
  int status;
  return ::waitpid(pid_, &status, WNOHANG) == 0;
}

void BackgroundProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  using namespace std::chrono;
  const auto deadline = steady_clock::now() + seconds(3);
  int status;
  while (steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) != 0) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace sw::test
