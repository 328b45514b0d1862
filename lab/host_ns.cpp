#include "lab/host_ns.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "common/unique_fd.h"

namespace sw::lab {
namespace {

// Messages from the helper (H) and the host init (I) to the builder, one write() each (< PIPE_BUF).
struct Msg {
  enum Kind : int { init_pid = 1, ready = 2, error = 3 } kind;
  int err;
  pid_t pid;
  char what[240];
};

void send(int fd, Msg::Kind kind, int err, pid_t pid, const char* what) {
  Msg m{};
  m.kind = kind;
  m.err = err;
  m.pid = pid;
  std::snprintf(m.what, sizeof m.what, "%s", what);
  [[maybe_unused]] ssize_t n = ::write(fd, &m, sizeof m);
}

[[noreturn]] void child_fail(int fd, const char* what, const char* arg) {
  const int err = errno;
  char buf[240];
  std::snprintf(buf, sizeof buf, "%s%s%s", what, arg ? " " : "", arg ? arg : "");
  send(fd, Msg::error, err, 0, buf);
  ::_exit(1);
}

// pid 1 of the host: reaps every child until killed (SIGKILL from the builder's namespace — an init
// without handlers ignores every other signal, from inside and outside its namespace alike).
[[noreturn]] void host_init_loop() {
  ::prctl(PR_SET_NAME, kHostInitComm, 0, 0, 0);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    siginfo_t info;
    sigwaitinfo(&chld, &info);
  }
}

// Runs in I (pid 1 of the new PID namespace, already in the host's mount namespace).
[[noreturn]] void host_init(int msg_fd, char* const* exec_argv) {
  if (::umount2("/proc", MNT_DETACH) != 0) child_fail(msg_fd, "umount", "/proc");
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    child_fail(msg_fd, "mount proc on", "/proc");
  send(msg_fd, Msg::ready, 0, ::getpid(), "");
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
  }
  ::close_range(3, ~0U, 0);
  ::setsid();
  if (::chdir("/") != 0) ::_exit(1);
  if (exec_argv) ::execv(exec_argv[0], exec_argv + 1);  // on failure the forked copy does the job
  host_init_loop();
}

void mkdir_mode(int msg_fd, const char* path, mode_t mode) {
  if (::mkdir(path, mode) != 0 && errno != EEXIST) child_fail(msg_fd, "mkdir", path);
  if (::chmod(path, mode) != 0) child_fail(msg_fd, "chmod", path);
}

// Runs in H: enters the host's network namespace, builds the mount namespace, forks the init.
[[noreturn]] void build_host(int msg_fd, int netns_fd, const HostFsPlan& plan,
                             const std::vector<std::string>& overlay_opts, char* const* exec_argv) {
  if (::setns(netns_fd, CLONE_NEWNET) != 0) child_fail(msg_fd, "setns", "net");
  if (::unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID) != 0) child_fail(msg_fd, "unshare", "mnt|uts|pid");
  // Nothing mounted from here on may propagate back to the machine (or in from it).
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(msg_fd, "make / rprivate", nullptr);
  // The machine's named namespaces and the lab's namespace files are not this host's business.
  ::umount2("/run/netns", MNT_DETACH);
  if (!plan.detach_dir.empty()) ::umount2(plan.detach_dir.c_str(), MNT_DETACH);
  for (size_t i = 0; i < plan.overlays.size(); ++i) {
    const auto& v = plan.overlays[i];
    if (::mount("overlay", v.target.c_str(), "overlay", 0, overlay_opts[i].c_str()) != 0)
      child_fail(msg_fd, "mount overlay on", v.target.c_str());
  }
  if (::mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) child_fail(msg_fd, "mount tmpfs on", "/run");
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0) child_fail(msg_fd, "mount tmpfs on", "/tmp");
  if (::mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
    child_fail(msg_fd, "mount tmpfs on", "/dev/shm");
  mkdir_mode(msg_fd, "/run/netns", 0755);
  mkdir_mode(msg_fd, "/run/sshd", 0755);
  mkdir_mode(msg_fd, "/run/openvswitch", 0755);
  mkdir_mode(msg_fd, "/run/lock", 01777);
  mkdir_mode(msg_fd, "/run/user", 0755);
  // sysfs shows the network namespace of whoever mounts it: this host's.
  ::umount2("/sys", MNT_DETACH);
  if (::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    child_fail(msg_fd, "mount sysfs on", "/sys");
  if (!plan.hide_dir.empty() &&
      ::mount("tmpfs", plan.hide_dir.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4k") != 0)
    child_fail(msg_fd, "hide", plan.hide_dir.c_str());
  if (::sethostname(plan.hostname.data(), plan.hostname.size()) != 0) child_fail(msg_fd, "sethostname", plan.hostname.c_str());
  const pid_t init = ::fork();
  if (init < 0) child_fail(msg_fd, "fork", "init");
  if (init == 0) host_init(msg_fd, exec_argv);
  send(msg_fd, Msg::init_pid, 0, init, "");
  ::_exit(0);
}

}  // namespace

Result<void> run_host_init() {
  if (::getpid() != 1) return fail(Error::input("lab __init: only a lab host's init (pid 1 of its PID namespace) runs this"));
  host_init_loop();
}

std::string overlay_options(const OverlayView& v) {
  return "lowerdir=" + v.target + ",upperdir=" + v.upper + ",workdir=" + v.work;
}

Result<ProcStat> create_host_namespaces(int netns_fd, const HostFsPlan& plan, std::chrono::milliseconds timeout) {
  std::vector<std::string> overlay_opts;
  for (const auto& v : plan.overlays) overlay_opts.push_back(overlay_options(v));
  std::vector<std::string> exec_strings = plan.init_exec;
  std::vector<char*> exec_argv;
  if (!exec_strings.empty()) {
    exec_strings.push_back(plan.init_title);
    for (auto& a : exec_strings) exec_argv.push_back(a.data());
    exec_argv.push_back(nullptr);
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno(errno, "pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  const pid_t helper = ::fork();
  if (helper < 0) return fail_errno(errno, "fork");
  if (helper == 0) {
    rd.reset();
    build_host(wr.get(), netns_fd, plan, overlay_opts, exec_argv.empty() ? nullptr : exec_argv.data());
  }
  wr.reset();
  const std::string who = "host '" + plan.hostname + "'";
  pid_t init_pid = 0;
  bool ready = false;
  std::optional<Error> error;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Read until both H and I have closed the pipe (EOF), an error arrives, or time runs out.
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = Error::timeout(who + ": namespaces not ready after " + std::to_string(timeout.count()) + " ms");
      break;
    }
    pollfd pfd{rd.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    Msg m{};
    const ssize_t n = ::read(rd.get(), &m, sizeof m);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (n != sizeof m) {
      error = Error::os(who + ": short message from namespace builder");
      break;
    }
    if (m.kind == Msg::init_pid) init_pid = m.pid;
    else if (m.kind == Msg::ready) ready = true;
    else if (m.kind == Msg::error) error = Error::from_errno(m.err, who + ": " + m.what);
    if (init_pid && ready) break;
  }
  int status = 0;
  while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (!error && !(init_pid && ready)) error = Error::os(who + ": namespace builder exited early");
  if (error) {
    if (init_pid > 0) ::kill(init_pid, SIGKILL);
    return fail(std::move(*error));
  }
  auto st = read_proc_stat(init_pid);
  if (!st) return fail(Error::os(who + ": init " + std::to_string(init_pid) + " vanished"));
  return *st;
}

}  // namespace sw::lab
