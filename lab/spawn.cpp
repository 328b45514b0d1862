#include "lab/spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "lab/netns.h"


namespace sw::lab {
namespace {

// What the helper tells the caller: the program's pid, or where starting it failed.
struct Report {
  enum Stage : int { started = 0, enter_failed = 1, exec_failed = 2, fork_failed = 3 } stage;
  int err;
  pid_t pid;
  char what[64];
};

struct Prepared {
  std::vector<std::string> argv_s, env_s;
  std::vector<char*> argv, envp;
  std::string cwd;
  bool inherit_env = true;
};

Prepared prepare(const SpawnSpec& spec) {
  Prepared p;
  p.argv_s = spec.argv;
  for (auto& a : p.argv_s) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  if (spec.env) {
    p.inherit_env = false;
    p.env_s = *spec.env;
    for (auto& e : p.env_s) p.envp.push_back(e.data());
    p.envp.push_back(nullptr);
  }
  p.cwd = spec.cwd.empty() ? "/" : spec.cwd;
  return p;
}

void write_report(int fd, Report::Stage stage, int err, pid_t pid, const char* what) {
  Report r{};
  r.stage = stage;
  r.err = err;
  r.pid = pid;
  std::snprintf(r.what, sizeof r.what, "%s", what);
  [[maybe_unused]] ssize_t n = ::write(fd, &r, sizeof r);
}

// In the helper: joins the member's namespaces. Returns the failed step, or nullptr.
const char* enter(const MemberNamespaces* ns) {
  if (!ns) return nullptr;
  if (ns->pid && ::setns(ns->pid.get(), CLONE_NEWPID) != 0) return "setns pid";
  if (ns->uts && ::setns(ns->uts.get(), CLONE_NEWUTS) != 0) return "setns uts";
  if (::setns(ns->net.get(), CLONE_NEWNET) != 0) return "setns net";
  if (ns->mnt) {
    if (::setns(ns->mnt.get(), CLONE_NEWNS) != 0) return "setns mnt";
    return nullptr;
  }
  // A bare network namespace: a private view with this namespace's sysfs, as `ip netns exec` does.
  if (::unshare(CLONE_NEWNS) != 0) return "unshare mnt";
  if (::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) return "make / rslave";
  ::umount2("/sys", MNT_DETACH);
  if (::mount(ns->member.c_str(), "/sys", "sysfs", 0, nullptr) != 0) return "mount sysfs";
  return nullptr;
}

void set_stdio(int want, int target, int null_fd) {
  const int fd = want >= 0 ? want : null_fd;
  if (fd != target) ::dup2(fd, target);
  else ::fcntl(fd, F_SETFD, 0);
}

// Forks the helper; the helper enters ns (may be null: the machine itself) and forks the program.
// `detach`: the program is forked once more inside the member's PID namespace and its intermediate
// parent exits, so the host's init (not the machine's) adopts and reaps it; the helper exits as soon
// as the program has exec'd. Otherwise the helper waits for the program and exits with its status.
// The program announces itself on a SO_PASSCRED socket, so the kernel tells the helper its pid as
// seen from the caller's PID namespace.
Result<pid_t> start(const MemberNamespaces* ns, const SpawnSpec& spec, bool detach, int report_wr) {
  Prepared p = prepare(spec);
  if (p.argv_s.empty()) return fail(Error::input("no command given"));
  const pid_t helper = ::fork();
  if (helper < 0) return fail_errno(errno, "fork");
  if (helper != 0) return helper;

  // Helper (A).
  if (const char* step = enter(ns)) {
    write_report(report_wr, Report::enter_failed, errno, 0, step);
    ::_exit(127);
  }
  int execp[2], cred[2];
  const int one = 1;
  if (::pipe2(execp, O_CLOEXEC) != 0 || ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cred) != 0 ||
      ::setsockopt(cred[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) {
    write_report(report_wr, Report::fork_failed, errno, 0, "pipe");
    ::_exit(127);
  }
  const pid_t child = ::fork();
  if (child < 0) {
    write_report(report_wr, Report::fork_failed, errno, 0, "fork");
    ::_exit(127);
  }
  if (child == 0) {
    if (detach) {
      const pid_t grandchild = ::fork();
      if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);
    }
    // Program (B, or C when detached).
    [[maybe_unused]] ssize_t sent = ::send(cred[1], "p", 1, MSG_NOSIGNAL);
    const int null_fd = ::open("/dev/null", O_RDWR);
    set_stdio(spec.stdin_fd, 0, null_fd);
    set_stdio(spec.stdout_fd, 1, null_fd);
    set_stdio(spec.stderr_fd, 2, null_fd);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (detach) ::setsid();
    if (::chdir(p.cwd.c_str()) != 0 && ::chdir("/") != 0) {
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    if (p.inherit_env) ::execvp(p.argv[0], p.argv.data());
    else ::execvpe(p.argv[0], p.argv.data(), p.envp.data());
    const int err = errno;
    [[maybe_unused]] ssize_t n = ::write(execp[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(execp[1]);
  ::close(cred[1]);
  pid_t prog = 0;
  {
    char byte;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    ssize_t n;
    while ((n = ::recvmsg(cred[0], &msg, 0)) < 0 && errno == EINTR) {
    }
    for (cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr; c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
        prog = reinterpret_cast<ucred*>(CMSG_DATA(c))->pid;
  }
  if (prog <= 0) {
    write_report(report_wr, Report::fork_failed, EAGAIN, 0, "fork");
    ::_exit(127);
  }
  int exec_err = 0;
  ssize_t n;
  while ((n = ::read(execp[0], &exec_err, sizeof exec_err)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof exec_err)) write_report(report_wr, Report::exec_failed, exec_err, prog, p.argv[0]);
  else write_report(report_wr, Report::started, 0, prog, "");
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (detach) ::_exit(0);
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

// Reads the helper's report (one message; EOF without one means the helper died).
Result<pid_t> read_report(int fd, const std::string& what) {
  Report r{};
  ssize_t n;
  while ((n = ::read(fd, &r, sizeof r)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof r)) return fail(Error::os(what + ": helper died before starting it"));
  switch (r.stage) {
    case Report::started:
      return r.pid;
    case Report::enter_failed:
      return fail(Error::from_errno(r.err, what + ": " + r.what));
    case Report::exec_failed:
      if (r.err == ENOENT) return fail(Error::not_found(what + ": '" + r.what + "': command not found"));
      return fail(Error::from_errno(r.err, what + ": exec '" + std::string(r.what) + "'"));
    case Report::fork_failed:
      return fail(Error::from_errno(r.err, what + ": " + r.what));
  }
  return fail(Error::os(what + ": bad report from helper"));
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string describe(const MemberNamespaces* ns, const std::vector<std::string>& argv) {
  std::string s = ns ? "in " + ns->member : std::string("locally");
  if (!argv.empty()) s = "'" + argv[0] + "' " + s;
  return "run " + s;
}

Result<RunResult> capture(const MemberNamespaces* ns, const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout) {
  int out[2], err[2], rep[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return fail_errno(errno, "pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return fail_errno(errno, "pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);
  if (::pipe2(rep, O_CLOEXEC) != 0) return fail_errno(errno, "pipe");
  UniqueFd rep_r(rep[0]), rep_w(rep[1]);
  SpawnSpec spec;
  spec.argv = argv;
  spec.env = default_host_env();
  spec.stdout_fd = out_w.get();
  spec.stderr_fd = err_w.get();
  const std::string what = describe(ns, argv);
  const pid_t helper = SW_TRY(start(ns, spec, false, rep_w.get()));
  out_w.reset();
  err_w.reset();
  rep_w.reset();
  auto prog = read_report(rep_r.get(), what);
  if (!prog) {
    wait_status(helper);
    return fail(std::move(prog).error());
  }
  UniqueFd helper_fd(static_cast<int>(::syscall(SYS_pidfd_open, helper, 0)));
  RunResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool helper_done = false;
  // Read until both pipes close, or the program has exited and its pipes are drained (a daemon it
  // left behind may keep them open), or time runs out.
  for (;;) {
    std::vector<pollfd> fds;
    if (out_r) fds.push_back({out_r.get(), POLLIN, 0});
    if (err_r) fds.push_back({err_r.get(), POLLIN, 0});
    if (fds.empty()) break;
    if (!helper_done && helper_fd) fds.push_back({helper_fd.get(), POLLIN, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (helper_done) left = 0;
    if (left < 0) left = 0;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    bool got_data = false;
    for (const auto& f : fds) {
      if (f.fd == helper_fd.get()) {
        if (f.revents) helper_done = true;
        continue;
      }
      if (!(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t k = ::read(f.fd, buf, sizeof buf);
      UniqueFd& owner = f.fd == out_r.get() ? out_r : err_r;
      if (k > 0) {
        (f.fd == out_r.get() ? r.out : r.err).append(buf, static_cast<size_t>(k));
        got_data = true;
      } else if (k == 0 || errno != EINTR) {
        owner.reset();
      }
    }
    if (n == 0 && !helper_done) {
      // Deadline: kill the program (the helper is waiting for it and then exits 137).
      if (UniqueFd pfd(static_cast<int>(::syscall(SYS_pidfd_open, *prog, 0))); pfd)
        ::syscall(SYS_pidfd_send_signal, pfd.get(), SIGKILL, nullptr, 0);
      r.timed_out = true;
      helper_done = true;
      continue;
    }
    if (helper_done && !got_data) break;
  }
  r.status = wait_status(helper);
  return r;
}

}  // namespace

std::vector<std::string> default_host_env() {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "USER=root",
          "LOGNAME=root", "LANG=C.UTF-8", "SHELL=/bin/sh"};
}

Result<MemberNamespaces> open_member(const LabLayout& layout, std::string_view member) {
  MemberNamespaces ns;
  ns.member = std::string(member);
  const bool host = layout.find(member) != nullptr;
  if (!host && member != "switch" && member != "outside") {
    std::string known;
    for (const auto& h : layout.hosts) known += h.name + "|";
    return fail(Error::not_found("lab host '" + std::string(member) + "': no such host (known: " + known +
                                 "outside|switch)"));
  }
  auto net = open_named_netns(layout.netns_name(member));
  if (!net)
    return fail(Error::not_found("lab host '" + std::string(member) + "': not up (no " +
                                 layout.netns_name(member) + " in /run/netns; run `stackwire lab up`)"));
  ns.net = std::move(*net);
  if (!host) return ns;
  const auto open_ns = [&](std::string_view kind, UniqueFd& into) -> Result<void> {
    const auto path = layout.ns_file(member, kind);
    // Only a bind-mounted namespace file will do: a leftover plain file would setns() to nothing.
    if (!ns_id(path.string())) return fail(Error::not_found("lab host '" + std::string(member) + "': " +
                                                            path.string() + " is not a namespace (lab half down?)"));
    into.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!into) return fail_errno(errno, "open " + path.string());
    return {};
  };
  SW_TRY_VOID(open_ns("mnt", ns.mnt));
  SW_TRY_VOID(open_ns("uts", ns.uts));
  SW_TRY_VOID(open_ns("pid", ns.pid));
  return ns;
}

Result<pid_t> spawn_daemon(const MemberNamespaces& ns, const SpawnSpec& spec) {
  int rep[2];
  if (::pipe2(rep, O_CLOEXEC) != 0) return fail_errno(errno, "pipe");
  UniqueFd rep_r(rep[0]), rep_w(rep[1]);
  const pid_t helper = SW_TRY(start(&ns, spec, true, rep_w.get()));
  rep_w.reset();
  auto prog = read_report(rep_r.get(), describe(&ns, spec.argv));
  wait_status(helper);
  return prog;
}

Result<int> run_attached(const MemberNamespaces& ns, const SpawnSpec& spec) {
  struct sigaction ign {}, old_int {}, old_quit {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  ::sigaction(SIGINT, &ign, &old_int);
  ::sigaction(SIGQUIT, &ign, &old_quit);
  int rep[2];
  Result<int> result = 0;
  if (::pipe2(rep, O_CLOEXEC) != 0) {
    result = fail_errno(errno, "pipe");
  } else {
    UniqueFd rep_r(rep[0]), rep_w(rep[1]);
    auto helper = start(&ns, spec, false, rep_w.get());
    rep_w.reset();
    if (!helper) {
      result = fail(std::move(helper).error());
    } else {
      auto prog = read_report(rep_r.get(), describe(&ns, spec.argv));
      const int status = wait_status(*helper);
      if (!prog) result = fail(std::move(prog).error());
      else result = status;
    }
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  return result;
}

Result<RunResult> run_captured(const MemberNamespaces& ns, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout) {
  return capture(&ns, argv, timeout);
}

Result<RunResult> run_in_member(const LabLayout& layout, std::string_view member,
                                const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  auto ns = SW_TRY(open_member(layout, member));
  return capture(&ns, argv, timeout);
}

Result<RunResult> run_local(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  return capture(nullptr, argv, timeout);
}

}  // namespace sw::lab
