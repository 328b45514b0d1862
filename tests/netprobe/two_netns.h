// The throwaway topology the netprobe integration tests share: namespaces "a" and "b" joined by a
// veth pair, IPv4 and IPv6 on both ends.
//
//   a: va 10.77.0.1/24 fd77::1/64  <—veth—>  b: vb 10.77.0.2/24 fd77::2/64
//
// Addresses are private to the two namespaces; nothing touches the root namespace. TempNetns deletes
// each namespace (and the veth with it) in its destructor, so a failing test leaves nothing behind.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/unique_fd.h"
#include "tests/support/system.h"

namespace sw::test {

struct TwoNetns {
  TempNetns a{"a"};
  TempNetns b{"b"};

  TwoNetns() {
    sh_ok("ip -n " + shq(a.name()) + " link add va type veth peer name vb netns " + shq(b.name()));
    a.exec_ok("ip link set va up && ip addr add 10.77.0.1/24 dev va && ip addr add fd77::1/64 dev va nodad");
    b.exec_ok("ip link set vb up && ip addr add 10.77.0.2/24 dev vb && ip addr add fd77::2/64 dev vb nodad");
  }

  sw::UniqueFd fd_a() const { return sw::UniqueFd(::open(a.path().c_str(), O_RDONLY | O_CLOEXEC)); }
  sw::UniqueFd fd_b() const { return sw::UniqueFd(::open(b.path().c_str(), O_RDONLY | O_CLOEXEC)); }
};

/// A TCP listener in `ns` on `port` that never accepts: the kernel completes handshakes from its
/// backlog, so connects succeed for as long as it runs. Waits (bounded) until the port listens.
inline std::unique_ptr<BackgroundProcess> tcp_listener(const TempNetns& ns, int port) {
  auto p = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/bin/python3", "-c",
                               "import socket,time\n"
                               "s=socket.socket()\n"
                               "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                               "s.bind(('0.0.0.0'," + std::to_string(port) + "))\n"
                               "s.listen(64)\n"
                               "time.sleep(120)\n"},
      ns.name());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ns.exec("ss -Hltn 'sport = :" + std::to_string(port) + "' | grep -q LISTEN").status == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return p;
}

}  // namespace sw::test
