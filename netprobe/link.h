// Links (network interfaces) of one namespace, as RTM_NEWLINK describes them (model: iproute2
// ip/ipaddress.c print_linkinfo, `ip -d link`).
//
// decode_link() is pure: one RTM_NEWLINK message in, one Link out. dump_links() asks the kernel for all
// of them through a NetlinkSocket (which fixes the namespace) and fills in the names of masters and
// same-namespace link peers, which the kernel only gives as indexes.
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

/// Tunnel endpoint settings of a vxlan, gre/gretap (and ip6 variants) link.
struct TunnelInfo {
  std::optional<std::uint32_t> id;        ///< VXLAN VNI
  IpAddress local;                        ///< local endpoint (invalid when unset)
  IpAddress remote;                       ///< remote endpoint or VXLAN group
  std::optional<std::uint16_t> port;      ///< VXLAN UDP destination port
  std::optional<std::uint32_t> ikey;      ///< GRE input key (host order)
  std::optional<std::uint32_t> okey;      ///< GRE output key
  std::optional<std::uint8_t> ttl;
  std::optional<std::uint32_t> underlay;  ///< ifindex of the underlay device (IFLA_*_LINK)
  bool operator==(const TunnelInfo&) const = default;
};

struct Link {
  std::int32_t ifindex = 0;
  std::string name;
  std::string kind;        ///< IFLA_INFO_KIND: "veth", "bridge", "openvswitch", "tun", "vxlan", "gre", …; "" for none
  std::string slave_kind;  ///< IFLA_INFO_SLAVE_KIND: "bridge" for a bridge port, "openvswitch" for an OVS port
  std::string tun_type;    ///< "tun" or "tap" when kind is "tun"
  std::uint16_t link_type = 0;  ///< ARPHRD_* ("ether", "loopback", "none", …)
  std::uint32_t flags = 0;      ///< IFF_* including IFF_LOWER_UP
  std::uint8_t operstate = 0;   ///< IF_OPER_*
  std::uint32_t mtu = 0;
  std::optional<std::uint32_t> txqlen;
  std::string mac;              ///< IFLA_ADDRESS, lowercase colon hex; "" when none
  std::string broadcast;        ///< IFLA_BROADCAST
  std::optional<std::int32_t> master;  ///< ifindex of the bridge/bond this link is enslaved to
  std::string master_name;             ///< filled by dump_links()
  std::optional<std::int32_t> link;    ///< IFLA_LINK: the veth peer's (or lower device's) ifindex
  std::optional<std::int32_t> link_netnsid;  ///< the peer's namespace, as an nsid of this namespace
  std::string link_name;               ///< peer name when it is in this namespace (dump_links())
  std::string alias;                   ///< IFLA_IFALIAS
  std::optional<TunnelInfo> tunnel;

  bool up() const;        ///< IFF_UP
  bool lower_up() const;  ///< IFF_LOWER_UP (carrier)
  bool operator==(const Link&) const = default;
};

/// Decodes one RTM_NEWLINK message (nlmsghdr included).
Result<Link> decode_link(std::span<const std::byte> message);
/// All links of the socket's namespace, sorted by ifindex, with master_name/link_name resolved.
Result<std::vector<Link>> dump_links(NetlinkSocket& sock);
/// Fills master_name and link_name from the other links of the same namespace.
void resolve_link_names(std::vector<Link>& links);

void to_json(nlohmann::json& j, const TunnelInfo& t);
void from_json(const nlohmann::json& j, TunnelInfo& t);
void to_json(nlohmann::json& j, const Link& l);
void from_json(const nlohmann::json& j, Link& l);

}  // namespace sw::netprobe
