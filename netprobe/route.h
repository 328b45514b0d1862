// Routes of one namespace, every table (local, main, default and custom ones), from RTM_NEWROUTE
// (model: iproute2 ip/iproute.c print_route, `ip route show table all`).
//
// decode_route() is pure; dump_routes() runs one AF_UNSPEC dump (IPv4 and IPv6, all tables) and
// drops the route cache (RTM_F_CLONED) and non-IP families (multicast routing, MPLS).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/ip_address.h"

namespace sw::netprobe {

class NetlinkSocket;

/// One path of a multipath route (RTA_MULTIPATH).
struct Nexthop {
  IpAddress gateway;
  std::int32_t oif = 0;
  std::string oif_name;      ///< filled from the links by the caller
  std::uint16_t weight = 1;  ///< rtnh_hops + 1, as `ip route` prints it
  std::uint8_t flags = 0;    ///< RTNH_F_*
  bool operator==(const Nexthop&) const = default;
};

struct Route {
  int family = 0;                 ///< AF_INET or AF_INET6
  std::uint32_t table = 0;        ///< RT_TABLE_MAIN (254), RT_TABLE_LOCAL (255), or a custom number
  IpAddress dst;                  ///< invalid for the default route (dst_len 0)
  std::uint8_t dst_len = 0;
  IpAddress src;                  ///< source-specific routing (RTA_SRC, IPv6 "from")
  std::uint8_t src_len = 0;
  IpAddress prefsrc;              ///< RTA_PREFSRC ("src" in `ip route`)
  IpAddress gateway;              ///< RTA_GATEWAY or RTA_VIA
  std::optional<std::int32_t> oif;
  std::string oif_name;           ///< filled from the links by the caller
  std::uint8_t protocol = 0;      ///< RTPROT_*: "kernel", "boot", "static", …
  std::uint8_t scope = 0;         ///< RT_SCOPE_*: "global", "link", "host"
  std::uint8_t type = 0;          ///< RTN_*: "unicast", "local", "broadcast", "blackhole", "unreachable", …
  std::optional<std::uint32_t> metric;  ///< RTA_PRIORITY
  std::uint32_t flags = 0;        ///< rtm_flags: RTNH_F_ONLINK, RTNH_F_LINKDOWN, …
  std::optional<std::uint32_t> mtu;     ///< RTAX_MTU from RTA_METRICS
  std::optional<std::uint8_t> pref;     ///< IPv6 router preference (RTA_PREF)
  std::vector<Nexthop> nexthops;  ///< multipath routes only

  /// A unicast route with dst_len 0 in the main table ("default via …").
  bool is_default() const;
  /// "default", "10.0.0.0/24", "10.0.0.1" (host routes print without /32, as `ip route` does).
  std::string dst_string() const;
  bool operator==(const Route&) const = default;
};

/// Decodes one RTM_NEWROUTE message (nlmsghdr included).
Result<Route> decode_route(std::span<const std::byte> message);
/// Every IPv4 and IPv6 route in every table of the socket's namespace, in kernel order.
Result<std::vector<Route>> dump_routes(NetlinkSocket& sock);

void to_json(nlohmann::json& j, const Nexthop& n);
void from_json(const nlohmann::json& j, Nexthop& n);
void to_json(nlohmann::json& j, const Route& r);
void from_json(const nlohmann::json& j, Route& r);

}  // namespace sw::netprobe
