// ARP who-has requests and replies as bytes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>

#include <cstring>

#include "netprobe/arp_probe.h"

namespace sw::netprobe {
namespace {

TEST(ArpPacket, RequestLayout) {
  const auto req = build_arp_request({0x02, 0, 0, 0, 0, 0x01}, *IpAddress::parse("10.15.0.7"), *IpAddress::parse("10.15.0.2"));
  ASSERT_EQ(req.size(), 28u);
  arphdr h;
  std::memcpy(&h, req.data(), sizeof h);
  EXPECT_EQ(ntohs(h.ar_hrd), ARPHRD_ETHER);
  EXPECT_EQ(ntohs(h.ar_pro), ETH_P_IP);
  EXPECT_EQ(ntohs(h.ar_op), ARPOP_REQUEST);
  EXPECT_EQ(static_cast<int>(req[8]), 0x02);           // sender MAC
  EXPECT_EQ(static_cast<int>(req[14]), 10);            // sender IP 10.15.0.7
  EXPECT_EQ(static_cast<int>(req[17]), 7);
  for (int i = 18; i < 24; ++i) EXPECT_EQ(static_cast<int>(req[static_cast<std::size_t>(i)]), 0);  // unknown target MAC
  EXPECT_EQ(static_cast<int>(req[27]), 2);             // target IP 10.15.0.2
}

TEST(ArpPacket, ReplyParsesAndRequestDoesNot) {
  auto pkt = build_arp_request({0xfa, 0x16, 0x3e, 1, 2, 3}, *IpAddress::parse("10.15.0.2"), *IpAddress::parse("10.15.0.7"));
  EXPECT_FALSE(parse_arp_reply(pkt));
  const std::uint16_t reply = htons(ARPOP_REPLY);
  std::memcpy(pkt.data() + 6, &reply, 2);
  auto r = parse_arp_reply(pkt);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sender_ip.to_string(), "10.15.0.2");
  EXPECT_EQ(format_lladdr(std::as_bytes(std::span(r->sender_mac))), "fa:16:3e:01:02:03");
  EXPECT_FALSE(parse_arp_reply(std::span(pkt).first(20)));
}

TEST(ArpProbe, RejectsIpv6Target) {
  auto r = arp_probe(-1, "lo", *IpAddress::parse("fd00::1"), std::chrono::milliseconds(100));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::input);
}

TEST(MacAddress, ParseAndFormat) {
  auto m = parse_mac("FA:16:3e:0:2:ff");
  ASSERT_TRUE(m);
  EXPECT_EQ(format_lladdr(std::as_bytes(std::span(*m))), "fa:16:3e:00:02:ff");
  for (const char* bad : {"", "fa:16:3e:00:02", "fa:16:3e:00:02:ff:00", "fa:16:3e:00:02:fg", "fa::3e:00:02:ff", "fa:16:3e:00:02:"})
    EXPECT_FALSE(parse_mac(bad)) << bad;
}

}  // namespace
}  // namespace sw::netprobe
