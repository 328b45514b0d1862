#include "installer/host_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "common/log.h"
#include "common/unique_fd.h"

extern char** environ;

namespace sw::installer {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", double(ms) / 1000.0);
  return buf;
}

// Blocks SIGPIPE in this thread while we write into a child's stdin (the child may exit first),
// and swallows a SIGPIPE raised meanwhile, so EPIPE is an error code and not our death.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pending_before_ = sigpending_has_pipe();
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SigpipeGuard() {
    if (!pending_before_ && sigpending_has_pipe()) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      const timespec zero{0, 0};
      while (::sigtimedwait(&set, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  static bool sigpending_has_pipe() {
    sigset_t p;
    sigemptyset(&p);
    ::sigpending(&p);
    return sigismember(&p, SIGPIPE) == 1;
  }
  sigset_t old_{};
  bool pending_before_ = false;
};

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? abbrev : std::to_string(sig);
}

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

std::string CommandResult::status_text() const {
  if (!signal.empty()) return "killed by signal " + signal;
  return "exit status " + std::to_string(exit_status);
}

std::string display_command(const std::string& command, const RunOptions& options) {
  std::string shown = options.display.empty() ? log::mask(command) : options.display;
  for (char& c : shown)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  constexpr size_t kMax = 160;
  if (shown.size() > kMax) shown = shown.substr(0, kMax) + "...";
  return shown;
}

void OutputTail::append(std::string_view data) {
  total_ += data.size();
  if (cap_ == 0) return;
  buf_.append(data);
  // Trim only once we hold twice the cap, so trimming costs O(1) per byte.
  if (buf_.size() >= 2 * cap_) buf_.erase(0, buf_.size() - cap_);
}

std::string OutputTail::take() {
  if (buf_.size() > cap_) buf_.erase(0, buf_.size() - cap_);
  return std::exchange(buf_, {});
}

LocalRunner::LocalRunner(std::string label) : label_(std::move(label)) {}

Result<CommandResult> LocalRunner::run(const std::string& command, const RunOptions& options) {
  const std::string prefix = "host " + label_ + ": command '" + display_command(command, options) + "'";
  if (command.find('\0') != std::string::npos) return fail(Error::input(prefix + ": contains a NUL byte"));
  const auto start = Clock::now();
  const auto deadline = start + options.timeout;

  int in_p[2], out_p[2], err_p[2];
  if (::pipe2(in_p, O_CLOEXEC) != 0) return fail_errno(errno, prefix + ": pipe");
  UniqueFd in_r(in_p[0]), in_w(in_p[1]);
  if (::pipe2(out_p, O_CLOEXEC) != 0) return fail_errno(errno, prefix + ": pipe");
  UniqueFd out_r(out_p[0]), out_w(out_p[1]);
  if (::pipe2(err_p, O_CLOEXEC) != 0) return fail_errno(errno, prefix + ": pipe");
  UniqueFd err_r(err_p[0]), err_w(err_p[1]);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  const int spawn_rc = ::posix_spawn(&pid, "/bin/sh", &fa, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (spawn_rc != 0) return fail_errno(spawn_rc, prefix + ": spawn /bin/sh");
  in_r.reset();
  out_w.reset();
  err_w.reset();

  SigpipeGuard sigpipe_guard;
  OutputTail out(options.output_cap), err(options.output_cap);
  size_t input_sent = 0;
  if (options.input.empty()) in_w.reset();
  else ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);

  auto kill_and_reap = [&] {
    ::kill(-pid, SIGKILL);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  };

  char buf[65536];
  while (out_r || err_r || in_w) {
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in_w) { idx_in = n; fds[n++] = {in_w.get(), POLLOUT, 0}; }
    if (out_r) { idx_out = n; fds[n++] = {out_r.get(), POLLIN, 0}; }
    if (err_r) { idx_err = n; fds[n++] = {err_r.get(), POLLIN, 0}; }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      kill_and_reap();
      return fail(Error::timeout(prefix + ": timed out after " + seconds_text(options.timeout)));
    }
    const int pr = ::poll(fds, nfds_t(n), int(std::min<long long>(left, 1000)));
    if (pr < 0 && errno != EINTR) {
      const int e = errno;
      kill_and_reap();
      return fail_errno(e, prefix + ": poll");
    }
    if (pr <= 0) continue;
    if (idx_in >= 0 && fds[idx_in].revents) {
      const ssize_t w = ::write(in_w.get(), options.input.data() + input_sent, options.input.size() - input_sent);
      if (w > 0) input_sent += size_t(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || input_sent == options.input.size()) in_w.reset();
    }
    for (auto [idx, fd, tail] : {std::tuple{idx_out, &out_r, &out}, std::tuple{idx_err, &err_r, &err}}) {
      if (idx < 0 || !fds[idx].revents) continue;
      const ssize_t r = ::read(fd->get(), buf, sizeof buf);
      if (r > 0) tail->append({buf, size_t(r)});
      else if (r == 0 || (errno != EINTR && errno != EAGAIN)) fd->reset();
    }
  }

  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) return fail_errno(errno, prefix + ": waitpid");
    if (Clock::now() >= deadline) {
      kill_and_reap();
      return fail(Error::timeout(prefix + ": timed out after " + seconds_text(options.timeout)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }

  CommandResult r;
  if (WIFEXITED(status)) r.exit_status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.signal = signal_name(WTERMSIG(status));
  r.out_bytes = out.total();
  r.err_bytes = err.total();
  r.out = out.take();
  r.err = err.take();
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return r;
}

Result<void> LocalRunner::upload(const std::string& path, std::string_view content, const UploadOptions& options) {
  const std::string prefix = "host " + label_ + ": upload " + path;
  const auto slash = path.rfind('/');
  if (path.empty() || path.back() == '/' || slash == std::string::npos)
    return fail(Error::input(prefix + ": need an absolute file path"));
  const std::string tmp = path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".swtmp-" + random_suffix();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return fail_errno(errno, prefix + ": create " + tmp);
  auto abandon = [&](int err, std::string_view what) {
    ::unlink(tmp.c_str());
    return fail_errno(err, prefix + ": " + std::string(what));
  };
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return abandon(errno, "write");
    }
    done += size_t(n);
  }
  if (::fchmod(fd.get(), options.mode & 07777) != 0) return abandon(errno, "chmod");
  if (::fsync(fd.get()) != 0) return abandon(errno, "fsync");
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return abandon(errno, "rename");
  return {};
}

}  // namespace sw::installer
