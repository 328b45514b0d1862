// ICMP and ICMPv6 echo packets as bytes: building echo requests and reading what a raw socket
// receives — echo replies and the errors routers send back about our echoes (unreachable,
// fragmentation needed / packet too big, time exceeded), which quote our echo's id and sequence.
//
// Pure functions, tested on hand-made packets; icmp_probe.cpp does the sockets.
// An IPv4 raw socket delivers the IP header too; an IPv6 one delivers only the ICMPv6 message, the
// sender coming from recvfrom().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netprobe/ip_address.h"

namespace sw::netprobe::icmp {

/// RFC 1071 Internet checksum.
std::uint16_t checksum(std::span<const std::byte> data);

/// An echo request: 8-byte ICMP header, then payload_size bytes whose first 8 (when there is room)
/// are `cookie`, the rest a fixed pattern. IPv4 gets its checksum; for IPv6 the kernel computes it.
std::vector<std::byte> build_echo(int family, std::uint16_t id, std::uint16_t seq, std::uint64_t cookie,
                                  std::size_t payload_size);

/// Something a raw ICMP socket received that concerns an echo.
struct Event {
  enum class Kind { echo_reply, error };
  Kind kind = Kind::echo_reply;
  IpAddress from;                    ///< the replier, or the router/host reporting the error
  IpAddress echo_dst;                ///< errors: where our echo was going (from the quoted header)
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
  std::optional<std::uint64_t> cookie;   ///< replies: the first 8 payload bytes, when present
  std::uint8_t type = 0;             ///< the ICMP type/code of the error (or of the reply)
  std::uint8_t code = 0;
  std::optional<std::uint32_t> mtu;  ///< fragmentation needed / packet too big
  std::optional<std::uint8_t> ttl;   ///< IPv4 replies: the TTL of the reply
};

/// What an IPv4 raw socket received (IP header + ICMP). nullopt for anything that is not an echo
/// reply or an error quoting an echo request (e.g. other people's traffic, malformed packets).
std::optional<Event> parse_v4(std::span<const std::byte> packet);
/// What an IPv6 raw socket received (ICMPv6 message only), sent by `from`.
std::optional<Event> parse_v6(std::span<const std::byte> packet, const IpAddress& from);

/// Is this error "the packet is too big" (frag needed / packet too big)?
bool is_too_big(int family, std::uint8_t type, std::uint8_t code);
/// Is this error "time exceeded"?
bool is_ttl_exceeded(int family, std::uint8_t type);
/// How ping words it: "destination host unreachable", "frag needed and DF set", "time to live exceeded".
std::string describe(int family, std::uint8_t type, std::uint8_t code);

}  // namespace sw::netprobe::icmp
