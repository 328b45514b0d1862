// Interface addresses (IPv4 and IPv6) of one namespace, from RTM_NEWADDR (model: iproute2
// ip/ipaddress.c print_addrinfo, `ip -o addr`).
//
// decode_address() is pure; dump_addresses() runs one AF_UNSPEC dump, which returns both families.
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

struct Address {
  std::int32_t ifindex = 0;
  std::string ifname;            ///< filled from the links by the caller (inspect() does)
  IpAddress local;               ///< the interface's own address (family is local.family)
  IpAddress peer;                ///< point-to-point peer when it differs from local; invalid otherwise
  std::uint8_t prefixlen = 0;
  std::uint8_t scope = 0;        ///< RT_SCOPE_*: "global", "link", "host"
  std::string label;             ///< IFA_LABEL (IPv4 only; "eth0:1")
  std::uint32_t flags = 0;       ///< IFA_F_*: "secondary", "permanent", "nodad", "tentative", …
  IpAddress broadcast;           ///< IFA_BROADCAST (IPv4), invalid when none
  std::optional<std::uint32_t> valid_lft;      ///< seconds; 0xffffffff is "forever"
  std::optional<std::uint32_t> preferred_lft;

  int family() const { return local.family; }
  bool operator==(const Address&) const = default;
};

/// Decodes one RTM_NEWADDR message (nlmsghdr included).
Result<Address> decode_address(std::span<const std::byte> message);
/// Every IPv4 and IPv6 address of the socket's namespace, ordered by ifindex then as the kernel lists them.
Result<std::vector<Address>> dump_addresses(NetlinkSocket& sock);

void to_json(nlohmann::json& j, const Address& a);
void from_json(const nlohmann::json& j, Address& a);

}  // namespace sw::netprobe
