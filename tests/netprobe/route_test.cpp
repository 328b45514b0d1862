// decode_route() on hand-built RTM_NEWROUTE messages, every table and type.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/icmpv6.h>
#include <linux/rtnetlink.h>

#include "netprobe/route.h"
#include "netprobe/rt_names.h"
#include "tests/netprobe/nl_builder.h"

namespace sw::netprobe {
namespace {

using test::NlBuilder;

rtmsg rtm(int family, int dst_len, int table, int proto, int scope, int type) {
  rtmsg h{};
  h.rtm_family = static_cast<unsigned char>(family);
  h.rtm_dst_len = static_cast<unsigned char>(dst_len);
  h.rtm_table = static_cast<unsigned char>(table);
  h.rtm_protocol = static_cast<unsigned char>(proto);
  h.rtm_scope = static_cast<unsigned char>(scope);
  h.rtm_type = static_cast<unsigned char>(type);
  return h;
}

TEST(DecodeRoute, DefaultRouteViaGateway) {
  const auto msg = NlBuilder(RTM_NEWROUTE)
                       .header(rtm(AF_INET, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST))
                       .u32(RTA_TABLE, RT_TABLE_MAIN)
                       .ip(RTA_GATEWAY, "172.16.13.1")
                       .s32(RTA_OIF, 4)
                       .finish();
  auto r = decode_route(msg);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->is_default());
  EXPECT_EQ(r->dst_string(), "default");
  EXPECT_EQ(r->gateway.to_string(), "172.16.13.1");
  EXPECT_EQ(r->oif, 4);
  EXPECT_EQ(route_protocol_name(r->protocol), "boot");
  EXPECT_FALSE(r->metric);
}

TEST(DecodeRoute, CustomTableAboveTheByteUsesRtaTable) {
  const auto msg = NlBuilder(RTM_NEWROUTE)
                       .header(rtm(AF_INET, 16, RT_TABLE_COMPAT, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST))
                       .u32(RTA_TABLE, 1000)
                       .ip(RTA_DST, "10.99.0.0")
                       .ip(RTA_GATEWAY, "10.77.0.2")
                       .u32(RTA_PRIORITY, 20)
                       .finish();
  auto r = decode_route(msg);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->table, 1000u);
  EXPECT_EQ(r->dst_string(), "10.99.0.0/16");
  EXPECT_EQ(r->metric, 20u);
  EXPECT_FALSE(r->is_default());
}

TEST(DecodeRoute, LocalHostRouteAndBlackhole) {
  auto local = decode_route(NlBuilder(RTM_NEWROUTE)
                                .header(rtm(AF_INET, 32, RT_TABLE_LOCAL, RTPROT_KERNEL, RT_SCOPE_HOST, RTN_LOCAL))
                                .ip(RTA_DST, "10.77.0.1")
                                .ip(RTA_PREFSRC, "10.77.0.1")
                                .s32(RTA_OIF, 2)
                                .finish());
  ASSERT_TRUE(local);
  EXPECT_EQ(local->dst_string(), "10.77.0.1");  // host routes print without /32
  EXPECT_EQ(route_table_name(local->table), "local");
  EXPECT_EQ(route_type_name(local->type), "local");
  EXPECT_EQ(route_scope_name(local->scope), "host");
  EXPECT_EQ(local->prefsrc.to_string(), "10.77.0.1");

  auto bh = decode_route(NlBuilder(RTM_NEWROUTE)
                             .header(rtm(AF_INET, 16, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_BLACKHOLE))
                             .ip(RTA_DST, "10.66.0.0")
                             .finish());
  ASSERT_TRUE(bh);
  EXPECT_EQ(route_type_name(bh->type), "blackhole");
  EXPECT_FALSE(bh->oif);
  EXPECT_FALSE(bh->is_default());
}

TEST(DecodeRoute, Ipv6WithPrefMetricAndMtu) {
  const auto msg = NlBuilder(RTM_NEWROUTE)
                       .header(rtm(AF_INET6, 64, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, RTN_UNICAST))
                       .ip(RTA_DST, "fd77::")
                       .s32(RTA_OIF, 2)
                       .u32(RTA_PRIORITY, 256)
                       .u8(RTA_PREF, ICMPV6_ROUTER_PREF_MEDIUM)
                       .begin_nest(RTA_METRICS)
                       .u32(RTAX_MTU, 1400)
                       .end_nest()
                       .finish();
  auto r = decode_route(msg);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->family, AF_INET6);
  EXPECT_EQ(r->dst_string(), "fd77::/64");
  EXPECT_EQ(r->metric, 256u);
  EXPECT_EQ(r->pref, ICMPV6_ROUTER_PREF_MEDIUM);
  EXPECT_EQ(r->mtu, 1400u);
}

TEST(DecodeRoute, Multipath) {
  std::vector<std::byte> hops;
  auto add_hop = [&](int oif, int hops_field, const char* gw) {
    NlBuilder attrs(0);
    attrs.ip(RTA_GATEWAY, gw);
    auto a = attrs.finish();
    a.erase(a.begin(), a.begin() + NLMSG_HDRLEN);
    rtnexthop nh{};
    nh.rtnh_len = static_cast<unsigned short>(sizeof nh + a.size());
    nh.rtnh_hops = static_cast<unsigned char>(hops_field);
    nh.rtnh_ifindex = oif;
    const auto* p = reinterpret_cast<const std::byte*>(&nh);
    hops.insert(hops.end(), p, p + sizeof nh);
    hops.insert(hops.end(), a.begin(), a.end());
  };
  add_hop(2, 0, "10.0.0.1");
  add_hop(3, 1, "10.0.1.1");
  const auto msg = NlBuilder(RTM_NEWROUTE)
                       .header(rtm(AF_INET, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST))
                       .attr(RTA_MULTIPATH, hops.data(), hops.size())
                       .finish();
  auto r = decode_route(msg);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->nexthops.size(), 2u);
  EXPECT_EQ(r->nexthops[0].oif, 2);
  EXPECT_EQ(r->nexthops[0].weight, 1);
  EXPECT_EQ(r->nexthops[1].gateway.to_string(), "10.0.1.1");
  EXPECT_EQ(r->nexthops[1].weight, 2);
}

// Found by fuzz_netlink_route: a last nexthop of 9 bytes (not a multiple of 4) aligned the offset past
// the end of RTA_MULTIPATH, and the unsigned remaining-bytes check wrapped: a heap read overflow.
TEST(DecodeRoute, MultipathWithAnUnalignedLastNexthopStopsAtTheEnd) {
  std::vector<std::byte> hops;
  rtnexthop nh{};
  nh.rtnh_len = sizeof nh + 1;  // 9 bytes: aligns to 12, past the 9 there are
  nh.rtnh_ifindex = 2;
  const auto* p = reinterpret_cast<const std::byte*>(&nh);
  hops.insert(hops.end(), p, p + sizeof nh);
  hops.push_back(std::byte{0});
  const auto msg = NlBuilder(RTM_NEWROUTE)
                       .header(rtm(AF_INET, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST))
                       .attr(RTA_MULTIPATH, hops.data(), hops.size())
                       .finish();
  auto r = decode_route(msg);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->nexthops.size(), 1u);
  EXPECT_EQ(r->nexthops[0].oif, 2);

  // The fuzzer's own input, as it found it.
  const unsigned char crash[] = {
      0x50, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa5, 0x55, 0x00, 0x00,
      0x02, 0x18, 0x00, 0x3f, 0x00, 0x00, 0x03, 0xfe, 0x00, 0x00, 0xff, 0xfa, 0x08, 0x00, 0x0f, 0x00,
      0xfe, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x00, 0x1a, 0x00, 0x09, 0x00,
      0x0a, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x02,
      0x10, 0x00, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x03};
  const std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(crash),
                                     reinterpret_cast<const std::byte*>(crash) + sizeof crash);
  (void)decode_route(bytes);  // any answer but a read past the buffer (the ASan build checks)
}

TEST(RtNames, RoundTripIncludingUnnamedNumbers) {
  for (unsigned p : {0u, 2u, 3u, 4u, 16u, 42u, 77u, 186u, 255u})
    EXPECT_EQ(route_protocol_from(route_protocol_name(static_cast<std::uint8_t>(p))), p) << p;
  for (std::uint32_t t : {0u, 100u, 253u, 254u, 255u, 1000u, 0xffffffffu}) EXPECT_EQ(route_table_from(route_table_name(t)), t);
  EXPECT_EQ(route_table_name(100), "100");
  EXPECT_EQ(link_flag_from(link_flag_names(0x1234567u)), 0x1234567u);
  EXPECT_FALSE(route_type_from("nonsense"));
  EXPECT_FALSE(link_flag_from({"UP", "BOGUS"}));
}

}  // namespace
}  // namespace sw::netprobe
