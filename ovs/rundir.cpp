#include "ovs/rundir.h"

#include <arpa/inet.h>

#include <cstdlib>

#include "common/strings.h"

namespace sw::ovs {

std::string default_rundir() {
  const char* env = std::getenv("OVS_RUNDIR");
  if (env && *env) return env;
  return "/var/run/openvswitch";
}

std::string db_remote_for(std::string_view rundir) {
  return "unix:" + std::string(rundir) + "/db.sock";
}

std::string mgmt_remote_for(std::string_view rundir, std::string_view bridge) {
  return "unix:" + std::string(rundir) + "/" + std::string(bridge) + ".mgmt";
}

Result<std::string> parse_db_remote(std::string_view remote) {
  const auto bad = [&](std::string_view why) {
    return fail(Error::input("--db '" + std::string(remote) + "': " + std::string(why)));
  };
  if (remote.starts_with("unix:")) {
    const auto path = remote.substr(5);
    if (path.empty()) return bad("no socket path after 'unix:'");
    if (path.find('\0') != std::string_view::npos) return bad("NUL in the socket path");
    return std::string(remote);
  }
  if (remote.starts_with("tcp:")) {
    const auto rest = remote.substr(4);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad("expected tcp:IP:PORT");
    std::string ip(rest.substr(0, colon));
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1)
      return bad("'" + ip + "' is not an IP address");
    if (!parse_uint(rest.substr(colon + 1), 1, 65535)) return bad("the port is not a number in 1..65535");
    return std::string(remote);
  }
  return bad("expected unix:PATH or tcp:IP:PORT");
}

Result<void> check_bridge_name(std::string_view bridge) {
  if (bridge.empty()) return fail(Error::input("bridge name is empty"));
  if (bridge.size() > 255 || bridge.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos)
    return fail(Error::input("bridge '" + std::string(bridge) + "': not a valid bridge name"));
  return {};
}

}  // namespace sw::ovs
