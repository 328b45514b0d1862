#include "netprobe/rt_names.h"

// net/if.h before the linux/ headers: glibc's and the kernel's if.h only coexist in that order.
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/icmpv6.h>
#include <linux/rtnetlink.h>

#include <cstdio>
#include <utility>

#include "common/strings.h"

namespace sw::netprobe {
namespace {

template <class T>
struct Named {
  T value;
  std::string_view name;
};

template <class T, std::size_t N>
std::string name_or_number(const Named<T> (&table)[N], T value) {
  for (const auto& e : table)
    if (e.value == value) return std::string(e.name);
  return std::to_string(value);
}

template <class T, std::size_t N>
std::optional<T> number_from(const Named<T> (&table)[N], std::string_view name, unsigned long long max) {
  for (const auto& e : table)
    if (e.name == name) return e.value;
  if (auto n = parse_uint(name, 0, max)) return static_cast<T>(*n);
  return std::nullopt;
}

template <class T, std::size_t N>
std::vector<std::string> bit_names(const Named<T> (&table)[N], T bits) {
  std::vector<std::string> out;
  for (const auto& e : table) {
    if (bits & e.value) {
      out.emplace_back(e.name);
      bits = static_cast<T>(bits & ~e.value);
    }
  }
  if (bits) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(bits));
    out.emplace_back(buf);
  }
  return out;
}

template <class T, std::size_t N>
std::optional<T> bits_from(const Named<T> (&table)[N], const std::vector<std::string>& names) {
  T bits = 0;
  for (const auto& n : names) {
    bool found = false;
    for (const auto& e : table) {
      if (e.name == n) {
        bits = static_cast<T>(bits | e.value);
        found = true;
        break;
      }
    }
    if (found) continue;
    if (!starts_with(n, "0x")) return std::nullopt;
    unsigned long long v = 0;
    if (std::sscanf(n.c_str() + 2, "%llx", &v) != 1) return std::nullopt;
    bits = static_cast<T>(bits | static_cast<T>(v));
  }
  return bits;
}

const Named<std::uint8_t> kProtocols[] = {
    {RTPROT_UNSPEC, "unspec"},   {RTPROT_REDIRECT, "redirect"}, {RTPROT_KERNEL, "kernel"},
    {RTPROT_BOOT, "boot"},       {RTPROT_STATIC, "static"},     {RTPROT_GATED, "gated"},
    {RTPROT_RA, "ra"},           {RTPROT_MRT, "mrt"},           {RTPROT_ZEBRA, "zebra"},
    {RTPROT_BIRD, "bird"},       {RTPROT_DNROUTED, "dnrouted"}, {RTPROT_XORP, "xorp"},
    {RTPROT_NTK, "ntk"},         {RTPROT_DHCP, "dhcp"},         {RTPROT_MROUTED, "mrouted"},
    {RTPROT_KEEPALIVED, "keepalived"}, {RTPROT_BABEL, "babel"}, {RTPROT_OPENR, "openr"},
    {RTPROT_BGP, "bgp"},         {RTPROT_ISIS, "isis"},         {RTPROT_OSPF, "ospf"},
    {RTPROT_RIP, "rip"},         {RTPROT_EIGRP, "eigrp"},
};

const Named<std::uint8_t> kScopes[] = {
    {RT_SCOPE_UNIVERSE, "global"}, {RT_SCOPE_SITE, "site"}, {RT_SCOPE_LINK, "link"},
    {RT_SCOPE_HOST, "host"},       {RT_SCOPE_NOWHERE, "nowhere"},
};

const Named<std::uint8_t> kTypes[] = {
    {RTN_UNSPEC, "none"},          {RTN_UNICAST, "unicast"},     {RTN_LOCAL, "local"},
    {RTN_BROADCAST, "broadcast"},  {RTN_ANYCAST, "anycast"},     {RTN_MULTICAST, "multicast"},
    {RTN_BLACKHOLE, "blackhole"},  {RTN_UNREACHABLE, "unreachable"}, {RTN_PROHIBIT, "prohibit"},
    {RTN_THROW, "throw"},          {RTN_NAT, "nat"},             {RTN_XRESOLVE, "xresolve"},
};

const Named<std::uint32_t> kTables[] = {
    {RT_TABLE_UNSPEC, "unspec"}, {RT_TABLE_DEFAULT, "default"},
    {RT_TABLE_MAIN, "main"},     {RT_TABLE_LOCAL, "local"},
};

const Named<std::uint16_t> kNudStates[] = {
    {NUD_INCOMPLETE, "INCOMPLETE"}, {NUD_REACHABLE, "REACHABLE"}, {NUD_STALE, "STALE"},
    {NUD_DELAY, "DELAY"},           {NUD_PROBE, "PROBE"},         {NUD_FAILED, "FAILED"},
    {NUD_NOARP, "NOARP"},           {NUD_PERMANENT, "PERMANENT"},
};

const Named<std::uint8_t> kNeighFlags[] = {
    {NTF_USE, "use"},       {NTF_SELF, "self"},   {NTF_MASTER, "master"},
    {NTF_PROXY, "proxy"},   {NTF_EXT_LEARNED, "extern_learn"}, {NTF_OFFLOADED, "offload"},
    {NTF_STICKY, "sticky"}, {NTF_ROUTER, "router"},
};

// In the order `ip link` prints them.
const Named<std::uint32_t> kLinkFlags[] = {
    {IFF_LOOPBACK, "LOOPBACK"},    {IFF_BROADCAST, "BROADCAST"}, {IFF_POINTOPOINT, "POINTOPOINT"},
    {IFF_MULTICAST, "MULTICAST"},  {IFF_NOARP, "NOARP"},         {IFF_ALLMULTI, "ALLMULTI"},
    {IFF_PROMISC, "PROMISC"},      {IFF_MASTER, "MASTER"},       {IFF_SLAVE, "SLAVE"},
    {IFF_DEBUG, "DEBUG"},          {IFF_DYNAMIC, "DYNAMIC"},     {IFF_AUTOMEDIA, "AUTOMEDIA"},
    {IFF_PORTSEL, "PORTSEL"},      {IFF_NOTRAILERS, "NOTRAILERS"}, {IFF_UP, "UP"},
    {0x10000 /* IFF_LOWER_UP */, "LOWER_UP"}, {0x20000 /* IFF_DORMANT */, "DORMANT"},
    {0x40000 /* IFF_ECHO */, "ECHO"},
    // RUNNING is derived by the kernel and `ip` hides it; keep it so round trips are exact.
    {IFF_RUNNING, "RUNNING"},
};

const Named<std::uint8_t> kOperStates[] = {
    {IF_OPER_UNKNOWN, "UNKNOWN"}, {IF_OPER_NOTPRESENT, "NOTPRESENT"}, {IF_OPER_DOWN, "DOWN"},
    {IF_OPER_LOWERLAYERDOWN, "LOWERLAYERDOWN"}, {IF_OPER_TESTING, "TESTING"},
    {IF_OPER_DORMANT, "DORMANT"}, {IF_OPER_UP, "UP"},
};

const Named<std::uint16_t> kLinkTypes[] = {
    {ARPHRD_NETROM, "netrom"},   {ARPHRD_ETHER, "ether"},     {ARPHRD_IEEE802, "ieee802"},
    {ARPHRD_INFINIBAND, "infiniband"}, {ARPHRD_NONE, "none"}, {ARPHRD_VOID, "void"},
    {ARPHRD_LOOPBACK, "loopback"}, {ARPHRD_TUNNEL, "ipip"},   {ARPHRD_TUNNEL6, "tunnel6"},
    {ARPHRD_SIT, "sit"},         {ARPHRD_IPGRE, "gre"},       {ARPHRD_IP6GRE, "gre6"},
    {ARPHRD_PPP, "ppp"},         {ARPHRD_IEEE80211, "ieee802.11"},
};

const Named<std::uint32_t> kAddrFlags[] = {
    {IFA_F_SECONDARY, "secondary"},     {IFA_F_NODAD, "nodad"},
    {IFA_F_OPTIMISTIC, "optimistic"},   {IFA_F_DADFAILED, "dadfailed"},
    {IFA_F_HOMEADDRESS, "home"},        {IFA_F_DEPRECATED, "deprecated"},
    {IFA_F_TENTATIVE, "tentative"},     {IFA_F_PERMANENT, "permanent"},
    {IFA_F_MANAGETEMPADDR, "mngtmpaddr"}, {IFA_F_NOPREFIXROUTE, "noprefixroute"},
    {IFA_F_MCAUTOJOIN, "autojoin"},     {IFA_F_STABLE_PRIVACY, "stable-privacy"},
};

const Named<std::uint32_t> kRouteFlags[] = {
    {RTNH_F_DEAD, "dead"},         {RTNH_F_PERVASIVE, "pervasive"}, {RTNH_F_ONLINK, "onlink"},
    {RTNH_F_OFFLOAD, "offload"},   {RTNH_F_LINKDOWN, "linkdown"},   {RTNH_F_UNRESOLVED, "unresolved"},
    {RTNH_F_TRAP, "trap"},         {RTM_F_NOTIFY, "notify"},        {RTM_F_CLONED, "cloned"},
    {RTM_F_EQUALIZE, "equalize"},  {RTM_F_PREFIX, "prefix"},        {RTM_F_OFFLOAD, "rt_offload"},
    {RTM_F_TRAP, "rt_trap"},
};

}  // namespace

std::string route_protocol_name(std::uint8_t v) { return name_or_number(kProtocols, v); }
std::optional<std::uint8_t> route_protocol_from(std::string_view n) { return number_from(kProtocols, n, 255); }
std::string route_scope_name(std::uint8_t v) { return name_or_number(kScopes, v); }
std::optional<std::uint8_t> route_scope_from(std::string_view n) { return number_from(kScopes, n, 255); }
std::string route_type_name(std::uint8_t v) { return name_or_number(kTypes, v); }
std::optional<std::uint8_t> route_type_from(std::string_view n) { return number_from(kTypes, n, 255); }
std::string route_table_name(std::uint32_t v) { return name_or_number(kTables, v); }
std::optional<std::uint32_t> route_table_from(std::string_view n) { return number_from(kTables, n, 0xffffffffULL); }

std::vector<std::string> neigh_state_names(std::uint16_t state) {
  if (state == NUD_NONE) return {"NONE"};
  return bit_names(kNudStates, state);
}
std::optional<std::uint16_t> neigh_state_from(const std::vector<std::string>& names) {
  if (names.size() == 1 && names[0] == "NONE") return std::uint16_t{0};
  return bits_from(kNudStates, names);
}
std::vector<std::string> neigh_flag_names(std::uint8_t f) { return bit_names(kNeighFlags, f); }
std::optional<std::uint8_t> neigh_flag_from(const std::vector<std::string>& n) { return bits_from(kNeighFlags, n); }

std::vector<std::string> link_flag_names(std::uint32_t f) { return bit_names(kLinkFlags, f); }
std::optional<std::uint32_t> link_flag_from(const std::vector<std::string>& n) { return bits_from(kLinkFlags, n); }
std::string operstate_name(std::uint8_t v) { return name_or_number(kOperStates, v); }
std::optional<std::uint8_t> operstate_from(std::string_view n) { return number_from(kOperStates, n, 255); }
std::string link_type_name(std::uint16_t v) { return name_or_number(kLinkTypes, v); }
std::optional<std::uint16_t> link_type_from(std::string_view n) { return number_from(kLinkTypes, n, 0xffff); }

std::string route_pref_name(std::uint8_t p) {
  switch (p) {
    case ICMPV6_ROUTER_PREF_LOW: return "low";
    case ICMPV6_ROUTER_PREF_MEDIUM: return "medium";
    case ICMPV6_ROUTER_PREF_HIGH: return "high";
    default: return std::to_string(p);
  }
}

std::optional<std::uint8_t> route_pref_from(std::string_view s) {
  if (s == "low") return ICMPV6_ROUTER_PREF_LOW;
  if (s == "medium") return ICMPV6_ROUTER_PREF_MEDIUM;
  if (s == "high") return ICMPV6_ROUTER_PREF_HIGH;
  if (auto n = parse_uint(s, 0, 255)) return static_cast<std::uint8_t>(*n);
  return std::nullopt;
}

std::vector<std::string> addr_flag_names(std::uint32_t f) { return bit_names(kAddrFlags, f); }
std::optional<std::uint32_t> addr_flag_from(const std::vector<std::string>& n) { return bits_from(kAddrFlags, n); }

std::vector<std::string> route_flag_names(std::uint32_t f) { return bit_names(kRouteFlags, f); }
std::optional<std::uint32_t> route_flag_from(const std::vector<std::string>& n) { return bits_from(kRouteFlags, n); }

}  // namespace sw::netprobe
