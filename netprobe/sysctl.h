// The sysctls that matter to a router — forwarding and reverse-path filtering, for "all", "default"
// and every interface — read in the namespace itself.
//
// The kernel keeps these per namespace and reports them all in one RTM_GETNETCONF dump per family
// (NETCONFA_FORWARDING, NETCONFA_RP_FILTER, …), which is what read_sysctls() uses: two dumps instead
// of hundreds of /proc/sys reads. decode_netconf() is pure. The values are keyed by their sysctl
// names exactly as `sysctl -a` prints them ("net.ipv4.conf.eth0.rp_filter"; a '.' inside an
// interface name becomes '/', "net.ipv4.conf.eth0/5.rp_filter"), plus "net.ipv4.ip_forward", which is
// the kernel's alias of net.ipv4.conf.all.forwarding.
//
// read_proc_sysctl() reads one value from /proc/sys inside a NetnsGuard: /proc/sys/net resolves
// against the namespace of the thread that opens the file, so it must be opened inside the guard.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"

namespace sw::netprobe {

class NetlinkSocket;

/// One RTM_NEWNETCONF entry: one family's settings for one interface, "all" or "default".
struct NetconfEntry {
  static constexpr std::int32_t kAll = -1;      ///< NETCONFA_IFINDEX_ALL
  static constexpr std::int32_t kDefault = -2;  ///< NETCONFA_IFINDEX_DEFAULT
  int family = 0;                               ///< AF_INET or AF_INET6
  std::int32_t ifindex = 0;
  std::optional<std::int32_t> forwarding;
  std::optional<std::int32_t> rp_filter;
  std::optional<std::int32_t> mc_forwarding;
  std::optional<std::int32_t> proxy_neigh;      ///< proxy_arp (IPv4) / proxy_ndp (IPv6)
  std::optional<std::int32_t> ignore_routes_with_linkdown;
  std::optional<std::int32_t> bc_forwarding;
};

/// Decodes one RTM_NEWNETCONF message (nlmsghdr included).
Result<NetconfEntry> decode_netconf(std::span<const std::byte> message);

/// Sysctl values of one namespace by sysctl name.
struct Sysctls {
  std::map<std::string, std::int64_t> values;

  std::optional<std::int64_t> get(std::string_view name) const;
  /// net.ipv4.ip_forward
  std::optional<std::int64_t> ip_forward() const;
  /// The rp_filter the kernel applies on ifname: max(conf.all.rp_filter, conf.<ifname>.rp_filter).
  std::optional<std::int64_t> effective_rp_filter(std::string_view ifname) const;
  bool operator==(const Sysctls&) const = default;
};

/// "net.ipv4.conf.<ifname>.<key>" with '.' in ifname written as '/', as sysctl(8) does.
std::string conf_sysctl_name(int family, std::string_view ifname, std::string_view key);
/// Turns netconf entries into sysctl values; ifname_of maps an ifindex to its name ("" = unknown,
/// the entry is skipped).
Sysctls sysctls_from_netconf(const std::vector<NetconfEntry>& entries,
                             const std::function<std::string(std::int32_t)>& ifname_of);

/// Both families' RTM_GETNETCONF dumps of the socket's namespace.
Result<std::vector<NetconfEntry>> dump_netconf(NetlinkSocket& sock);

/// Reads /proc/sys/<name with dots as slashes> inside ns_fd (ns_fd < 0: the calling thread's own),
/// trimmed. For values netconf does not carry.
Result<std::string> read_proc_sysctl(int ns_fd, std::string_view name);

void to_json(nlohmann::json& j, const Sysctls& s);
void from_json(const nlohmann::json& j, Sysctls& s);

}  // namespace sw::netprobe
