// ICMP/ICMPv6 echo packets and the errors that quote them, as bytes.
#include <netinet/in.h>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>

#include <cstring>

#include "netprobe/icmp_packet.h"
#include "netprobe/icmp_probe.h"

namespace sw::netprobe {
namespace {

std::vector<std::byte> ipv4(const char* src, const char* dst, std::uint8_t ttl, const std::vector<std::byte>& payload) {
  ip h{};
  h.ip_v = 4;
  h.ip_hl = 5;
  h.ip_ttl = ttl;
  h.ip_p = IPPROTO_ICMP;
  h.ip_len = htons(static_cast<std::uint16_t>(sizeof h + payload.size()));
  inet_pton(AF_INET, src, &h.ip_src);
  inet_pton(AF_INET, dst, &h.ip_dst);
  std::vector<std::byte> out(sizeof h);
  std::memcpy(out.data(), &h, sizeof h);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

TEST(IcmpChecksum, KnownVectorsAndSelfCheck) {
  // RFC 1071's example bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2; the checksum is its complement.
  const std::vector<std::byte> v{std::byte{0x00}, std::byte{0x01}, std::byte{0xf2}, std::byte{0x03},
                                 std::byte{0xf4}, std::byte{0xf5}, std::byte{0xf6}, std::byte{0xf7}};
  EXPECT_EQ(icmp::checksum(v), static_cast<std::uint16_t>(~0xddf2));
  // A packet carrying its own checksum sums to zero.
  const auto echo = icmp::build_echo(AF_INET, 0x1234, 7, 0xdeadbeefcafef00dULL, 56);
  EXPECT_EQ(icmp::checksum(echo), 0);
}

TEST(IcmpEcho, LayoutLikePing) {
  const auto e = icmp::build_echo(AF_INET, 0xabcd, 0x0102, 42, 56);
  ASSERT_EQ(e.size(), 64u);  // ping's default: 56 data bytes + 8 header
  EXPECT_EQ(static_cast<int>(e[0]), ICMP_ECHO);
  EXPECT_EQ(static_cast<int>(e[4]), 0xab);
  EXPECT_EQ(static_cast<int>(e[5]), 0xcd);
  EXPECT_EQ(static_cast<int>(e[6]), 0x01);
  EXPECT_EQ(static_cast<int>(e[7]), 0x02);
  std::uint64_t cookie;
  std::memcpy(&cookie, e.data() + 8, 8);
  EXPECT_EQ(cookie, 42u);
  const auto v6 = icmp::build_echo(AF_INET6, 1, 2, 3, 0);
  ASSERT_EQ(v6.size(), 8u);
  EXPECT_EQ(static_cast<int>(v6[0]), ICMP6_ECHO_REQUEST);
  EXPECT_EQ(static_cast<int>(v6[2]), 0);  // the kernel fills ICMPv6 checksums
}

TEST(IcmpParseV4, EchoReply) {
  auto reply = icmp::build_echo(AF_INET, 0x1111, 9, 0x55, 56);
  reply[0] = std::byte{ICMP_ECHOREPLY};
  const auto pkt = ipv4("10.0.0.3", "10.0.0.1", 63, reply);
  auto ev = icmp::parse_v4(pkt);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->kind, icmp::Event::Kind::echo_reply);
  EXPECT_EQ(ev->from.to_string(), "10.0.0.3");
  EXPECT_EQ(ev->id, 0x1111);
  EXPECT_EQ(ev->seq, 9);
  EXPECT_EQ(ev->cookie, 0x55u);
  EXPECT_EQ(ev->ttl, 63);
}

TEST(IcmpParseV4, FragNeededQuotesOurEcho) {
  const auto echo = icmp::build_echo(AF_INET, 0x2222, 300, 1, 1400);
  const auto quoted_ip = ipv4("10.0.0.1", "10.0.2.9", 64, std::vector<std::byte>(echo.begin(), echo.begin() + 8));
  std::vector<std::byte> err(8);
  err[0] = std::byte{ICMP_DEST_UNREACH};
  err[1] = std::byte{ICMP_FRAG_NEEDED};
  const std::uint16_t mtu = htons(1280);
  std::memcpy(err.data() + 6, &mtu, 2);
  err.insert(err.end(), quoted_ip.begin(), quoted_ip.end());
  const auto pkt = ipv4("10.0.1.254", "10.0.0.1", 64, err);
  auto ev = icmp::parse_v4(pkt);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->kind, icmp::Event::Kind::error);
  EXPECT_EQ(ev->from.to_string(), "10.0.1.254");
  EXPECT_EQ(ev->echo_dst.to_string(), "10.0.2.9");
  EXPECT_EQ(ev->id, 0x2222);
  EXPECT_EQ(ev->seq, 300);
  EXPECT_EQ(ev->mtu, 1280u);
  EXPECT_TRUE(icmp::is_too_big(AF_INET, ev->type, ev->code));
  EXPECT_EQ(icmp::describe(AF_INET, ev->type, ev->code), "frag needed and DF set");
}

TEST(IcmpParseV4, IgnoresWhatIsNotOurs) {
  // An echo request (someone pinging us) and a truncated packet.
  const auto req = ipv4("10.0.0.9", "10.0.0.1", 64, icmp::build_echo(AF_INET, 1, 1, 1, 8));
  EXPECT_FALSE(icmp::parse_v4(req));
  EXPECT_FALSE(icmp::parse_v4(std::span(req).first(10)));
  // An error quoting a UDP packet.
  auto udp = ipv4("10.0.0.1", "10.0.0.9", 64, std::vector<std::byte>(8));
  udp[9] = std::byte{IPPROTO_UDP};
  std::vector<std::byte> err(8);
  err[0] = std::byte{ICMP_DEST_UNREACH};
  err[1] = std::byte{ICMP_PORT_UNREACH};
  err.insert(err.end(), udp.begin(), udp.end());
  EXPECT_FALSE(icmp::parse_v4(ipv4("10.0.0.9", "10.0.0.1", 64, err)));
}

TEST(IcmpParseV6, ReplyAndPacketTooBig) {
  IpAddress from = *IpAddress::parse("fd00::9");
  auto reply = icmp::build_echo(AF_INET6, 7, 8, 99, 16);
  reply[0] = std::byte{ICMP6_ECHO_REPLY};
  auto ev = icmp::parse_v6(reply, from);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->kind, icmp::Event::Kind::echo_reply);
  EXPECT_EQ(ev->cookie, 99u);

  ip6_hdr inner{};
  inner.ip6_vfc = 0x60;
  inner.ip6_nxt = IPPROTO_ICMPV6;
  inet_pton(AF_INET6, "fd00::1", &inner.ip6_src);
  inet_pton(AF_INET6, "fd00:2::5", &inner.ip6_dst);
  std::vector<std::byte> ptb(8 + sizeof inner);
  ptb[0] = std::byte{ICMP6_PACKET_TOO_BIG};
  const std::uint32_t mtu = htonl(1280);
  std::memcpy(ptb.data() + 4, &mtu, 4);
  std::memcpy(ptb.data() + 8, &inner, sizeof inner);
  const auto echo = icmp::build_echo(AF_INET6, 7, 8, 99, 1400);
  ptb.insert(ptb.end(), echo.begin(), echo.begin() + 8);
  auto err = icmp::parse_v6(ptb, from);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, icmp::Event::Kind::error);
  EXPECT_EQ(err->echo_dst.to_string(), "fd00:2::5");
  EXPECT_EQ(err->mtu, 1280u);
  EXPECT_EQ(err->seq, 8);
  EXPECT_TRUE(icmp::is_too_big(AF_INET6, err->type, err->code));
}

TEST(PingOptions, BadOptionsAreInputErrors) {
  const std::vector<IpAddress> one{*IpAddress::parse("127.0.0.1")};
  PingOptions o;
  o.count = 0;
  EXPECT_EQ(ping(-1, one, o).error().kind(), ErrorKind::input);
  o = {};
  o.size = 70000;
  EXPECT_EQ(ping(-1, one, o).error().kind(), ErrorKind::input);
  o = {};
  o.timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(ping(-1, one, o).error().kind(), ErrorKind::input);
  EXPECT_EQ(ping(-1, {}, PingOptions{}).error().kind(), ErrorKind::input);
}

}  // namespace
}  // namespace sw::netprobe
