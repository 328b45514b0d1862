// decode_link() on hand-built RTM_NEWLINK messages: what `ip -d link` would show, no kernel involved.
#include <net/if.h>
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>

#include <nlohmann/json.hpp>

#include "netprobe/link.h"
#include "netprobe/rt_names.h"
#include "tests/netprobe/nl_builder.h"

namespace sw::netprobe {
namespace {

using test::NlBuilder;

ifinfomsg ifi(int index, unsigned type, unsigned flags) {
  ifinfomsg h{};
  h.ifi_family = AF_UNSPEC;
  h.ifi_index = index;
  h.ifi_type = static_cast<unsigned short>(type);
  h.ifi_flags = flags;
  return h;
}

TEST(DecodeLink, VethPeerInAnotherNamespaceEnslavedToABridge) {
  const auto msg = NlBuilder(RTM_NEWLINK)
                       .header(ifi(7, ARPHRD_ETHER, IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING | 0x10000))
                       .str(IFLA_IFNAME, "qr-1a2b3c4d-5e")
                       .u32(IFLA_MTU, 1450)
                       .u32(IFLA_TXQLEN, 1000)
                       .u8(IFLA_OPERSTATE, IF_OPER_UP)
                       .bytes(IFLA_ADDRESS, {0xfa, 0x16, 0x3e, 0x01, 0x02, 0x03})
                       .bytes(IFLA_BROADCAST, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
                       .u32(IFLA_MASTER, 3)
                       .s32(IFLA_LINK, 12)
                       .s32(IFLA_LINK_NETNSID, 0)
                       .begin_nest(IFLA_LINKINFO)
                       .str(IFLA_INFO_KIND, "veth")
                       .str(IFLA_INFO_SLAVE_KIND, "bridge")
                       .end_nest()
                       .finish();
  auto l = decode_link(msg);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->ifindex, 7);
  EXPECT_EQ(l->name, "qr-1a2b3c4d-5e");
  EXPECT_EQ(l->kind, "veth");
  EXPECT_EQ(l->slave_kind, "bridge");
  EXPECT_EQ(l->mtu, 1450u);
  EXPECT_EQ(l->txqlen, 1000u);
  EXPECT_EQ(operstate_name(l->operstate), "UP");
  EXPECT_TRUE(l->up());
  EXPECT_TRUE(l->lower_up());
  EXPECT_EQ(l->mac, "fa:16:3e:01:02:03");
  EXPECT_EQ(l->broadcast, "ff:ff:ff:ff:ff:ff");
  EXPECT_EQ(l->master, 3);
  EXPECT_EQ(l->link, 12);
  EXPECT_EQ(l->link_netnsid, 0);
  EXPECT_EQ(link_type_name(l->link_type), "ether");
  EXPECT_EQ(link_flag_names(l->flags),
            (std::vector<std::string>{"BROADCAST", "MULTICAST", "UP", "LOWER_UP", "RUNNING"}));
  EXPECT_FALSE(l->tunnel);
}

TEST(DecodeLink, LoopbackWithoutLinkinfo) {
  const auto msg = NlBuilder(RTM_NEWLINK)
                       .header(ifi(1, ARPHRD_LOOPBACK, IFF_LOOPBACK))
                       .str(IFLA_IFNAME, "lo")
                       .u32(IFLA_MTU, 65536)
                       .u8(IFLA_OPERSTATE, IF_OPER_DOWN)
                       .bytes(IFLA_ADDRESS, {0, 0, 0, 0, 0, 0})
                       .finish();
  auto l = decode_link(msg);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kind, "");
  EXPECT_FALSE(l->up());
  EXPECT_FALSE(l->master);
  EXPECT_FALSE(l->link);
  EXPECT_EQ(link_type_name(l->link_type), "loopback");
  EXPECT_EQ(operstate_name(l->operstate), "DOWN");
}

TEST(DecodeLink, TapDevice) {
  const auto msg = NlBuilder(RTM_NEWLINK)
                       .header(ifi(4, ARPHRD_ETHER, 0))
                       .str(IFLA_IFNAME, "tap0")
                       .begin_nest(IFLA_LINKINFO)
                       .str(IFLA_INFO_KIND, "tun")
                       .begin_nest(IFLA_INFO_DATA)
                       .u8(IFLA_TUN_TYPE, IFF_TAP)
                       .end_nest()
                       .end_nest()
                       .finish();
  auto l = decode_link(msg);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kind, "tun");
  EXPECT_EQ(l->tun_type, "tap");
}

TEST(DecodeLink, VxlanEndpoints) {
  const auto msg = NlBuilder(RTM_NEWLINK)
                       .header(ifi(9, ARPHRD_ETHER, 0))
                       .str(IFLA_IFNAME, "vxlan-42")
                       .begin_nest(IFLA_LINKINFO)
                       .str(IFLA_INFO_KIND, "vxlan")
                       .begin_nest(IFLA_INFO_DATA)
                       .u32(IFLA_VXLAN_ID, 42)
                       .ip(IFLA_VXLAN_LOCAL, "10.19.0.7")
                       .ip(IFLA_VXLAN_GROUP, "10.19.0.2")
                       .be16(IFLA_VXLAN_PORT, 4789)
                       .u32(IFLA_VXLAN_LINK, 3)
                       .u8(IFLA_VXLAN_TTL, 64)
                       .end_nest()
                       .end_nest()
                       .finish();
  auto l = decode_link(msg);
  ASSERT_TRUE(l) << l.error().message();
  ASSERT_TRUE(l->tunnel);
  EXPECT_EQ(l->tunnel->id, 42u);
  EXPECT_EQ(l->tunnel->local.to_string(), "10.19.0.7");
  EXPECT_EQ(l->tunnel->remote.to_string(), "10.19.0.2");
  EXPECT_EQ(l->tunnel->port, 4789);
  EXPECT_EQ(l->tunnel->underlay, 3u);
  EXPECT_EQ(l->tunnel->ttl, 64);
}

TEST(DecodeLink, GreKeysOnlyWhenTheKeyFlagIsSet) {
  const auto msg = NlBuilder(RTM_NEWLINK)
                       .header(ifi(10, ARPHRD_IPGRE, IFF_POINTOPOINT | IFF_NOARP))
                       .str(IFLA_IFNAME, "gre1")
                       .begin_nest(IFLA_LINKINFO)
                       .str(IFLA_INFO_KIND, "gre")
                       .begin_nest(IFLA_INFO_DATA)
                       .ip(IFLA_GRE_LOCAL, "10.19.0.7")
                       .ip(IFLA_GRE_REMOTE, "10.19.0.8")
                       .u16(IFLA_GRE_IFLAGS, GRE_KEY)
                       .u16(IFLA_GRE_OFLAGS, 0)
                       .be32(IFLA_GRE_IKEY, 1001)
                       .be32(IFLA_GRE_OKEY, 2002)
                       .end_nest()
                       .end_nest()
                       .finish();
  auto l = decode_link(msg);
  ASSERT_TRUE(l) << l.error().message();
  ASSERT_TRUE(l->tunnel);
  EXPECT_EQ(l->tunnel->ikey, 1001u);
  EXPECT_FALSE(l->tunnel->okey);
  EXPECT_EQ(l->tunnel->remote.to_string(), "10.19.0.8");
  EXPECT_EQ(link_type_name(l->link_type), "gre");
}

TEST(DecodeLink, RejectsOtherMessagesAndTruncation) {
  auto other = NlBuilder(RTM_NEWADDR).header(ifi(1, 0, 0)).finish();
  EXPECT_FALSE(decode_link(other));

  auto nameless = NlBuilder(RTM_NEWLINK).header(ifi(1, 0, 0)).u32(IFLA_MTU, 1500).finish();
  auto r = decode_link(nameless);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("IFLA_IFNAME"), std::string::npos);

  auto msg = NlBuilder(RTM_NEWLINK).header(ifi(1, 0, 0)).str(IFLA_IFNAME, "eth0").finish();
  msg.resize(msg.size() - 3);  // nlmsg_len now claims more than there is
  EXPECT_FALSE(decode_link(msg));

  auto lying_attr = NlBuilder(RTM_NEWLINK).header(ifi(1, 0, 0)).str(IFLA_IFNAME, "eth0").finish();
  const std::uint16_t bogus = 200;  // the IFLA_IFNAME attribute claims 200 bytes
  std::memcpy(lying_attr.data() + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)), &bogus, 2);
  EXPECT_FALSE(decode_link(lying_attr));
}

TEST(DecodeLink, WrongSizedAttributeReadsAsAbsent) {
  const auto msg = NlBuilder(RTM_NEWLINK).header(ifi(2, ARPHRD_ETHER, 0)).str(IFLA_IFNAME, "eth0").u16(IFLA_MTU, 9000).finish();
  auto l = decode_link(msg);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->mtu, 0u);
}

TEST(ResolveLinkNames, MasterAndSameNamespacePeer) {
  std::vector<Link> links(3);
  links[0].ifindex = 3;
  links[0].name = "br0";
  links[1].ifindex = 4;
  links[1].name = "va";
  links[1].master = 3;
  links[1].link = 5;
  links[2].ifindex = 5;
  links[2].name = "vb";
  links[2].link = 4;
  links[2].link_netnsid = 1;  // same number, other namespace: must not resolve
  resolve_link_names(links);
  EXPECT_EQ(links[1].master_name, "br0");
  EXPECT_EQ(links[1].link_name, "vb");
  EXPECT_EQ(links[2].link_name, "");
}

}  // namespace
}  // namespace sw::netprobe
