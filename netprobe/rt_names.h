// Names for the numbers netlink carries — route protocol, scope, type and table, neighbour states,
// link and address flags, operstate, ARPHRD link types — spelled as iproute2 prints them
// (model: iproute2 lib/rt_names.c, ip/ipaddress.c print_link_flags).
//
// Every mapping is reversible so JSON round-trips losslessly: a number without a name prints as
// its decimal ("42"), and bits without a name in a flag set as hex ("0x40000").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sw::netprobe {

std::string route_protocol_name(std::uint8_t proto);   ///< "kernel", "boot", "static", …
std::optional<std::uint8_t> route_protocol_from(std::string_view name);
std::string route_scope_name(std::uint8_t scope);      ///< "global", "link", "host", "site", "nowhere"
std::optional<std::uint8_t> route_scope_from(std::string_view name);
std::string route_type_name(std::uint8_t type);        ///< "unicast", "local", "blackhole", …
std::optional<std::uint8_t> route_type_from(std::string_view name);
std::string route_table_name(std::uint32_t table);     ///< "main", "local", "default", else the number
std::optional<std::uint32_t> route_table_from(std::string_view name);
/// IPv6 router preference (RTA_PREF): "low", "medium", "high".
std::string route_pref_name(std::uint8_t pref);
std::optional<std::uint8_t> route_pref_from(std::string_view name);

/// NUD_* bits as iproute2 prints them: {"REACHABLE"}, {"STALE"}, {"PERMANENT"}; {"NONE"} for 0.
std::vector<std::string> neigh_state_names(std::uint16_t state);
std::optional<std::uint16_t> neigh_state_from(const std::vector<std::string>& names);
/// NTF_* bits: "router", "proxy", "extern_learn", "use", "self", "master", "offload".
std::vector<std::string> neigh_flag_names(std::uint8_t flags);
std::optional<std::uint8_t> neigh_flag_from(const std::vector<std::string>& names);

/// IFF_* bits as in `ip link`: "BROADCAST", "MULTICAST", "UP", "LOWER_UP", …
std::vector<std::string> link_flag_names(std::uint32_t flags);
std::optional<std::uint32_t> link_flag_from(const std::vector<std::string>& names);
/// IF_OPER_*: "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP".
std::string operstate_name(std::uint8_t state);
std::optional<std::uint8_t> operstate_from(std::string_view name);
/// ARPHRD_*: "ether", "loopback", "none", "gre", "ipip", "sit", "void", … else the number.
std::string link_type_name(std::uint16_t type);
std::optional<std::uint16_t> link_type_from(std::string_view name);

/// IFA_F_* bits as `ip addr` prints them: "secondary", "nodad", "tentative", "permanent", …
std::vector<std::string> addr_flag_names(std::uint32_t flags);
std::optional<std::uint32_t> addr_flag_from(const std::vector<std::string>& names);

/// RTNH_F_* / RTM_F_* bits on routes: "dead", "pervasive", "onlink", "offload", "linkdown", …
std::vector<std::string> route_flag_names(std::uint32_t flags);
std::optional<std::uint32_t> route_flag_from(const std::vector<std::string>& names);

}  // namespace sw::netprobe
