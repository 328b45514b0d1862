// ARP who-has on one interface of a namespace: does anyone answer for this IPv4 address, with which
// MAC, and how fast? (model: iputils arping).
//
// An AF_PACKET socket bound to the interface is created inside the namespace (packet sockets and
// interface indexes belong to a namespace) and used after leaving it. A request is broadcast at the
// start and once a second after that, until a reply from the target arrives or `timeout` runs out.
// The sender address is the interface's primary IPv4 address, or 0.0.0.0 (an RFC 5227 probe) when it
// has none. build_arp_request()/parse_arp_reply() are the pure halves, tested on bytes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/ip_address.h"

namespace sw::netprobe {

struct ArpProbeResult {
  std::string ifname;
  IpAddress target;
  IpAddress source;        ///< the sender protocol address we used (0.0.0.0 when the interface has none)
  bool answered = false;
  std::string mac;         ///< the target's MAC from the reply; "" when unanswered
  double elapsed_ms = 0;   ///< first request to reply (or to the timeout)
  int requests = 0;        ///< who-has requests sent
  bool operator==(const ArpProbeResult&) const = default;
};

/// Asks who-has `target` on `ifname` inside ns_fd (ns_fd < 0: the calling thread's namespace).
/// An unknown interface is not_found ("interface 'x' does not exist"); an interface that cannot do ARP
/// (loopback, NOARP) or a non-IPv4 target is an input error; a down interface is `failed`.
Result<ArpProbeResult> arp_probe(int ns_fd, std::string_view ifname, const IpAddress& target,
                                 std::chrono::milliseconds timeout);

/// The 28-byte ARP request payload (Ethernet/IPv4, op 1) — what goes after the Ethernet header.
std::vector<std::byte> build_arp_request(const std::array<std::uint8_t, 6>& sender_mac, const IpAddress& sender_ip,
                                         const IpAddress& target_ip);
struct ArpReply {
  IpAddress sender_ip;
  std::array<std::uint8_t, 6> sender_mac{};
};
/// An ARP reply (op 2, Ethernet/IPv4) from the payload bytes; nullopt for anything else.
std::optional<ArpReply> parse_arp_reply(std::span<const std::byte> payload);

void to_json(nlohmann::json& j, const ArpProbeResult& r);
void from_json(const nlohmann::json& j, ArpProbeResult& r);

}  // namespace sw::netprobe
