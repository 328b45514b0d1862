// Everything netprobe reads about one namespace in one value: links, addresses, routes, neighbours and
// router sysctls (the `ip netns exec NS ip -d link; ip addr; ip route show table all; ip neigh;
// sysctl` of troubleshooting, without a process).
//
// inspect() enters the namespace only to create one netlink socket, leaves at once, and then runs six
// dumps on it (links, addresses, routes, neighbours, IPv4 and IPv6 netconf) — a few hundred
// microseconds for a small namespace, so sweeping thousands of them stays cheap. The result is plain
// data; to_json/from_json round-trip it losslessly so snapshots can travel between hosts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/address.h"
#include "netprobe/link.h"
#include "netprobe/neighbour.h"
#include "netprobe/netns.h"
#include "netprobe/route.h"
#include "netprobe/sysctl.h"

namespace sw::netprobe {

struct NetnsSnapshot {
  std::string name;          ///< the /run/netns name(s) of the namespace joined by ',' ("" if unnamed)
  std::uint64_t inode = 0;   ///< nsfs inode, net:[INODE]
  std::vector<Link> links;
  std::vector<Address> addresses;
  std::vector<Route> routes;
  std::vector<Neighbour> neighbours;
  Sysctls sysctls;

  /// The link with this ifindex / name, or nullptr.
  const Link* link(std::int32_t ifindex) const;
  const Link* link(std::string_view name) const;
  bool operator==(const NetnsSnapshot&) const = default;
};

/// Inspects the namespace behind ns_fd (ns_fd < 0: the calling thread's own). `name` is recorded as is.
Result<NetnsSnapshot> inspect(int ns_fd, std::string name = {});
/// Opens ref and inspects it; the snapshot's name is every /run/netns name bound to it.
Result<NetnsSnapshot> inspect(const NetnsRef& ref);

void to_json(nlohmann::json& j, const NetnsSnapshot& s);
void from_json(const nlohmann::json& j, NetnsSnapshot& s);

}  // namespace sw::netprobe
