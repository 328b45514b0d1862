#include <netinet/in.h>

#include "netprobe/icmp_packet.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>

#include <cstring>

namespace sw::netprobe::icmp {
namespace {

constexpr std::size_t kIcmpHdr = 8;

std::uint16_t get16(std::span<const std::byte> p, std::size_t off) {
  std::uint16_t v;
  std::memcpy(&v, p.data() + off, 2);
  return ntohs(v);
}

std::uint32_t get32(std::span<const std::byte> p, std::size_t off) {
  std::uint32_t v;
  std::memcpy(&v, p.data() + off, 4);
  return ntohl(v);
}

}  // namespace

std::uint16_t checksum(std::span<const std::byte> data) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2)
    sum += (static_cast<std::uint32_t>(data[i]) << 8) | static_cast<std::uint32_t>(data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::byte> build_echo(int family, std::uint16_t id, std::uint16_t seq, std::uint64_t cookie,
                                  std::size_t payload_size) {
  std::vector<std::byte> p(kIcmpHdr + payload_size);
  p[0] = static_cast<std::byte>(family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO);
  p[1] = std::byte{0};
  const std::uint16_t nid = htons(id), nseq = htons(seq);
  std::memcpy(&p[4], &nid, 2);
  std::memcpy(&p[6], &nseq, 2);
  for (std::size_t i = 0; i < payload_size; ++i) p[kIcmpHdr + i] = static_cast<std::byte>(0x10 + i % 0x30);
  if (payload_size >= sizeof cookie) std::memcpy(&p[kIcmpHdr], &cookie, sizeof cookie);
  if (family != AF_INET6) {
    const std::uint16_t c = htons(checksum(p));
    std::memcpy(&p[2], &c, 2);
  }
  return p;
}

std::optional<Event> parse_v4(std::span<const std::byte> packet) {
  if (packet.size() < sizeof(ip)) return std::nullopt;
  ip outer;
  std::memcpy(&outer, packet.data(), sizeof outer);
  const std::size_t ihl = outer.ip_hl * 4u;
  if (outer.ip_v != 4 || ihl < sizeof(ip) || packet.size() < ihl + kIcmpHdr || outer.ip_p != IPPROTO_ICMP)
    return std::nullopt;
  const auto msg = packet.subspan(ihl);
  Event e;
  e.type = static_cast<std::uint8_t>(msg[0]);
  e.code = static_cast<std::uint8_t>(msg[1]);
  e.from = *IpAddress::from_bytes(std::as_bytes(std::span(&outer.ip_src, 1)));
  if (e.type == ICMP_ECHOREPLY) {
    e.kind = Event::Kind::echo_reply;
    e.id = get16(msg, 4);
    e.seq = get16(msg, 6);
    e.ttl = outer.ip_ttl;
    if (msg.size() >= kIcmpHdr + 8) {
      std::uint64_t c;
      std::memcpy(&c, msg.data() + kIcmpHdr, 8);
      e.cookie = c;
    }
    return e;
  }
  if (e.type != ICMP_DEST_UNREACH && e.type != ICMP_TIME_EXCEEDED && e.type != ICMP_PARAMETERPROB &&
      e.type != ICMP_SOURCE_QUENCH)
    return std::nullopt;
  // The error quotes our packet: its IP header, then (at least) the 8-byte ICMP echo header.
  const auto quoted = msg.subspan(kIcmpHdr);
  if (quoted.size() < sizeof(ip)) return std::nullopt;
  ip inner;
  std::memcpy(&inner, quoted.data(), sizeof inner);
  const std::size_t inner_ihl = inner.ip_hl * 4u;
  if (inner.ip_v != 4 || inner_ihl < sizeof(ip) || quoted.size() < inner_ihl + kIcmpHdr || inner.ip_p != IPPROTO_ICMP)
    return std::nullopt;
  const auto echo = quoted.subspan(inner_ihl);
  if (static_cast<std::uint8_t>(echo[0]) != ICMP_ECHO) return std::nullopt;
  e.kind = Event::Kind::error;
  e.echo_dst = *IpAddress::from_bytes(std::as_bytes(std::span(&inner.ip_dst, 1)));
  e.id = get16(echo, 4);
  e.seq = get16(echo, 6);
  if (e.type == ICMP_DEST_UNREACH && e.code == ICMP_FRAG_NEEDED) e.mtu = get16(msg, 6);
  return e;
}

std::optional<Event> parse_v6(std::span<const std::byte> packet, const IpAddress& from) {
  if (packet.size() < kIcmpHdr) return std::nullopt;
  Event e;
  e.type = static_cast<std::uint8_t>(packet[0]);
  e.code = static_cast<std::uint8_t>(packet[1]);
  e.from = from;
  if (e.type == ICMP6_ECHO_REPLY) {
    e.kind = Event::Kind::echo_reply;
    e.id = get16(packet, 4);
    e.seq = get16(packet, 6);
    if (packet.size() >= kIcmpHdr + 8) {
      std::uint64_t c;
      std::memcpy(&c, packet.data() + kIcmpHdr, 8);
      e.cookie = c;
    }
    return e;
  }
  if (e.type != ICMP6_DST_UNREACH && e.type != ICMP6_PACKET_TOO_BIG && e.type != ICMP6_TIME_EXCEEDED &&
      e.type != ICMP6_PARAM_PROB)
    return std::nullopt;
  const auto quoted = packet.subspan(kIcmpHdr);
  if (quoted.size() < sizeof(ip6_hdr) + kIcmpHdr) return std::nullopt;
  ip6_hdr inner;
  std::memcpy(&inner, quoted.data(), sizeof inner);
  // Only echoes sent without extension headers are ours to match.
  if (inner.ip6_nxt != IPPROTO_ICMPV6) return std::nullopt;
  const auto echo = quoted.subspan(sizeof(ip6_hdr));
  if (static_cast<std::uint8_t>(echo[0]) != ICMP6_ECHO_REQUEST) return std::nullopt;
  e.kind = Event::Kind::error;
  e.echo_dst = *IpAddress::from_bytes(std::as_bytes(std::span(&inner.ip6_dst, 1)));
  e.id = get16(echo, 4);
  e.seq = get16(echo, 6);
  if (e.type == ICMP6_PACKET_TOO_BIG) e.mtu = get32(packet, 4);
  return e;
}

bool is_too_big(int family, std::uint8_t type, std::uint8_t code) {
  if (family == AF_INET6) return type == ICMP6_PACKET_TOO_BIG;
  return type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED;
}

bool is_ttl_exceeded(int family, std::uint8_t type) {
  return family == AF_INET6 ? type == ICMP6_TIME_EXCEEDED : type == ICMP_TIME_EXCEEDED;
}

std::string describe(int family, std::uint8_t type, std::uint8_t code) {
  if (family == AF_INET6) {
    switch (type) {
      case ICMP6_DST_UNREACH:
        switch (code) {
          case ICMP6_DST_UNREACH_NOROUTE: return "destination unreachable: no route";
          case ICMP6_DST_UNREACH_ADMIN: return "destination unreachable: administratively prohibited";
          case ICMP6_DST_UNREACH_BEYONDSCOPE: return "destination unreachable: beyond scope";
          case ICMP6_DST_UNREACH_ADDR: return "destination unreachable: address unreachable";
          case ICMP6_DST_UNREACH_NOPORT: return "destination unreachable: port unreachable";
          default: return "destination unreachable: code " + std::to_string(code);
        }
      case ICMP6_PACKET_TOO_BIG: return "packet too big";
      case ICMP6_TIME_EXCEEDED: return code == 0 ? "hop limit exceeded" : "fragment reassembly time exceeded";
      case ICMP6_PARAM_PROB: return "parameter problem: code " + std::to_string(code);
      default: return "ICMPv6 type " + std::to_string(type) + " code " + std::to_string(code);
    }
  }
  switch (type) {
    case ICMP_DEST_UNREACH:
      switch (code) {
        case ICMP_NET_UNREACH: return "destination net unreachable";
        case ICMP_HOST_UNREACH: return "destination host unreachable";
        case ICMP_PROT_UNREACH: return "destination protocol unreachable";
        case ICMP_PORT_UNREACH: return "destination port unreachable";
        case ICMP_FRAG_NEEDED: return "frag needed and DF set";
        case ICMP_SR_FAILED: return "source route failed";
        case ICMP_NET_ANO: return "destination net prohibited";
        case ICMP_HOST_ANO: return "destination host prohibited";
        case ICMP_PKT_FILTERED: return "packet filtered";
        default: return "destination unreachable, code " + std::to_string(code);
      }
    case ICMP_TIME_EXCEEDED: return code == 0 ? "time to live exceeded" : "frag reassembly time exceeded";
    case ICMP_PARAMETERPROB: return "parameter problem";
    case ICMP_SOURCE_QUENCH: return "source quench";
    default: return "ICMP type " + std::to_string(type) + " code " + std::to_string(code);
  }
}

}  // namespace sw::netprobe::icmp
