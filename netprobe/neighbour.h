// Neighbour (ARP and NDP) entries of one namespace, from RTM_NEWNEIGH (model: iproute2
// ip/ipneigh.c, `ip neigh show nud all`).
//
// decode_neighbour() is pure; dump_neighbours() runs one AF_UNSPEC dump, which covers the ARP and
// NDP tables (bridge FDB entries are a different dump and are not included). Unlike a plain
// `ip neigh`, NOARP entries (multicast, point-to-point) are kept: callers filter.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/ip_address.h"

namespace sw::netprobe {

class NetlinkSocket;

struct Neighbour {
  std::int32_t ifindex = 0;
  std::string ifname;        ///< filled from the links by the caller
  IpAddress dst;
  std::string lladdr;        ///< "" when unresolved (INCOMPLETE/FAILED)
  std::uint16_t state = 0;   ///< NUD_*: "REACHABLE", "STALE", "PERMANENT", "FAILED", …
  std::uint8_t flags = 0;    ///< NTF_*: "router", "proxy", "extern_learn"

  int family() const { return dst.family; }
  bool operator==(const Neighbour&) const = default;
};

/// Decodes one RTM_NEWNEIGH message (nlmsghdr included).
Result<Neighbour> decode_neighbour(std::span<const std::byte> message);
/// Every IPv4/IPv6 neighbour entry of the socket's namespace, in kernel order.
Result<std::vector<Neighbour>> dump_neighbours(NetlinkSocket& sock);

void to_json(nlohmann::json& j, const Neighbour& n);
void from_json(const nlohmann::json& j, Neighbour& n);

}  // namespace sw::netprobe
