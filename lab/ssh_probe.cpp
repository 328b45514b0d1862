#include "lab/ssh_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/unique_fd.h"
#include "lab/netns.h"

namespace sw::lab {

bool is_ssh_banner(std::string_view text) { return text.starts_with("SSH-2.0-") || text.starts_with("SSH-1.99-"); }

std::vector<bool> probe_ssh(int netns_fd, const std::vector<std::string>& ips, std::chrono::milliseconds timeout) {
  std::vector<bool> ok(ips.size(), false);
  struct Probe {
    UniqueFd fd;
    std::string got;
    bool done = false;
  };
  std::vector<Probe> probes(ips.size());
  {
    auto guard = NetnsGuard::enter(netns_fd);
    if (!guard) return ok;
    for (size_t i = 0; i < ips.size(); ++i) {
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(22);
      if (::inet_pton(AF_INET, ips[i].c_str(), &sa.sin_addr) != 1) {
        probes[i].done = true;
        continue;
      }
      probes[i].fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!probes[i].fd ||
          (::connect(probes[i].fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS))
        probes[i].done = true;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<size_t> idx;
    for (size_t i = 0; i < probes.size(); ++i) {
      if (probes[i].done) continue;
      fds.push_back({probes[i].fd.get(), POLLIN, 0});
      idx.push_back(i);
    }
    if (fds.empty()) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!fds[k].revents) continue;
      Probe& p = probes[idx[k]];
      char buf[256];
      const ssize_t r = ::read(p.fd.get(), buf, sizeof buf);
      if (r > 0) {
        p.got.append(buf, static_cast<size_t>(r));
        if (p.got.find('\n') != std::string::npos || p.got.size() >= 64) {
          ok[idx[k]] = is_ssh_banner(p.got);
          p.done = true;
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        p.done = true;
      }
    }
  }
  return ok;
}

}  // namespace sw::lab
