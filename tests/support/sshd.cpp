#include "tests/support/sshd.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

namespace sw::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every process below root (its children, their children, ...), found through /proc.
std::vector<pid_t> descendants(pid_t root) {
  std::map<pid_t, std::vector<pid_t>> children;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      const pid_t pid = std::atoi(e->d_name);
      if (pid <= 0) continue;
      const std::string stat = slurp("/proc/" + std::string(e->d_name) + "/stat");
      const auto paren = stat.rfind(')');
      if (paren == std::string::npos) continue;
      std::istringstream rest(stat.substr(paren + 2));
      char state;
      pid_t ppid = 0;
      rest >> state >> ppid;
      children[ppid].push_back(pid);
    }
    ::closedir(d);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    const pid_t p = todo.back();
    todo.pop_back();
    for (pid_t c : children[p]) {
      out.push_back(c);
      todo.push_back(c);
    }
  }
  return out;
}

}  // namespace

void run_in_netns(const std::string& netns_path, const std::function<void()>& fn) {
  std::string error;
  std::thread t([&] {
    const int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "open " + netns_path + ": " + std::strerror(errno);
      return;
    }
    const int rc = ::setns(fd, CLONE_NEWNET);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
      error = "setns " + netns_path + ": " + std::strerror(err);
      return;
    }
    fn();
  });
  t.join();
  if (!error.empty()) ADD_FAILURE() << error;
}

TempDir::TempDir(std::string_view tag) : path_("/tmp/" + unique_name(tag)) {
  if (::mkdir(path_.c_str(), 0700) != 0) ADD_FAILURE() << "mkdir " << path_ << ": " << std::strerror(errno);
}

TempDir::~TempDir() { sh("rm -rf " + shq(path_)); }

Sshd::Sshd(const TempNetns& netns, const std::string& dir, std::string address, int port)
    : netns_(netns), dir_(dir), address_(std::move(address)), port_(port) {
  // sshd insists on its privilege-separation directory; it is a standard empty root-owned dir,
  // created once and left in place.
  if (::mkdir("/run/sshd", 0755) != 0 && errno != EEXIST) ADD_FAILURE() << "mkdir /run/sshd: " << std::strerror(errno);
  sh_ok("ssh-keygen -q -t ed25519 -N '' -C swtest-host -f " + shq(dir_ + "/host_ed25519"));
  sh_ok("ssh-keygen -q -t ed25519 -N '' -C swtest-user -f " + shq(user_key()));
  sh_ok("cp " + shq(user_key() + ".pub") + " " + shq(dir_ + "/authorized_keys"));
  {
    std::ofstream conf(dir_ + "/sshd_config");
    conf << "Port " << port_ << "\n"
       << "HostKey " << dir_ << "/host_ed25519\n"
       << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
       << "PermitRootLogin prohibit-password\n"
       << "PubkeyAuthentication yes\n"
       << "PasswordAuthentication no\n"
       << "KbdInteractiveAuthentication no\n"
       << "UsePAM no\n"
       << "StrictModes no\n"  // the keys live under /tmp, which is world-writable
       << "UseDNS no\n"
       << "LogLevel VERBOSE\n"
       << "MaxStartups 50\n"
       // Debian's bash sources ~/.bashrc for commands run over ssh (when SHLVL < 1); this machine's
       // root .bashrc runs pyenv init (about 1 s, and a lock that a killed session leaves behind).
       // The tests measure the transport, not root's dotfiles.
       << "SetEnv SHLVL=1\n";
  }
  start();
}

Sshd::~Sshd() { stop(); }

bool Sshd::start() {
  const std::string pidfile = dir_ + "/sshd.pid";
  ::unlink(pidfile.c_str());
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/sbin/sshd", "-D", "-f", dir_ + "/sshd_config", "-E", dir_ + "/sshd.log", "-o",
                               "ListenAddress=" + address_, "-o", "PidFile=" + pidfile},
      netns_.name());
  // sshd writes its pid file once it listens.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::atoi(slurp(pidfile).c_str()) == process_->pid()) return true;
    if (!process_->alive()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ADD_FAILURE() << "sshd did not start in " << netns_.name() << " on " << address_ << ":" << port_ << "\n" << log();
  return false;
}

void Sshd::stop() {
  if (!process_) return;
  const pid_t root = process_->pid();
  if (root > 0)
    for (pid_t p : descendants(root)) ::kill(p, SIGKILL);
  process_.reset();
}

void Sshd::kill_all() {
  if (!process_) return;
  const pid_t root = process_->pid();
  std::vector<pid_t> all = descendants(root);
  ::kill(root, SIGKILL);
  for (pid_t p : all) ::kill(p, SIGKILL);
  process_.reset();  // reaps the daemon
}

void Sshd::freeze_sessions(bool frozen) {
  if (!process_) return;
  for (pid_t p : descendants(process_->pid())) ::kill(p, frozen ? SIGSTOP : SIGCONT);
}

void Sshd::regenerate_host_key() {
  sh_ok("rm -f " + shq(dir_ + "/host_ed25519") + " " + shq(dir_ + "/host_ed25519.pub") +
        " && ssh-keygen -q -t ed25519 -N '' -C swtest-host -f " + shq(dir_ + "/host_ed25519"));
}

std::string Sshd::host_key_fingerprint() const {
  std::istringstream line(sh_ok("ssh-keygen -l -E sha256 -f " + shq(dir_ + "/host_ed25519.pub")));
  std::string bits, fp;
  line >> bits >> fp;
  return fp;
}

std::string Sshd::host_public_key() const {
  std::istringstream line(slurp(dir_ + "/host_ed25519.pub"));
  std::string type, key;
  line >> type >> key;
  return type + " " + key;
}

void Sshd::trust_host_key() const {
  const std::string name = port_ == 22 ? address_ : "[" + address_ + "]:" + std::to_string(port_);
  std::ofstream(known_hosts(), std::ios::app) << name << " " << host_public_key() << "\n";
}

std::string Sshd::log() const { return slurp(dir_ + "/sshd.log"); }

}  // namespace sw::test
