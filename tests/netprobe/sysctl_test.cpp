// decode_netconf() on hand-built RTM_NEWNETCONF messages, and the sysctl names they become.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "netprobe/sysctl.h"
#include "tests/netprobe/nl_builder.h"

namespace sw::netprobe {
namespace {

using test::NlBuilder;

std::vector<std::byte> netconf(int family, std::int32_t ifindex, std::optional<int> fwd, std::optional<int> rp) {
  netconfmsg h{};
  h.ncm_family = static_cast<unsigned char>(family);
  NlBuilder b(RTM_NEWNETCONF);
  b.header(h).s32(NETCONFA_IFINDEX, ifindex);
  if (fwd) b.s32(NETCONFA_FORWARDING, *fwd);
  if (rp) b.s32(NETCONFA_RP_FILTER, *rp);
  b.s32(NETCONFA_PROXY_NEIGH, 0);
  return b.finish();
}

TEST(DecodeNetconf, AllDefaultAndInterfaces) {
  auto all = decode_netconf(netconf(AF_INET, NETCONFA_IFINDEX_ALL, 1, 0));
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->ifindex, NetconfEntry::kAll);
  EXPECT_EQ(all->forwarding, 1);
  EXPECT_EQ(all->rp_filter, 0);
  EXPECT_FALSE(all->mc_forwarding);

  auto dev = decode_netconf(netconf(AF_INET, 7, 1, 2));
  auto dflt = decode_netconf(netconf(AF_INET, NETCONFA_IFINDEX_DEFAULT, 1, 1));
  auto dotted = decode_netconf(netconf(AF_INET, 8, 0, 1));
  auto v6 = decode_netconf(netconf(AF_INET6, NETCONFA_IFINDEX_ALL, 0, std::nullopt));
  ASSERT_TRUE(dev && dflt && dotted && v6);

  const Sysctls s = sysctls_from_netconf({*all, *dev, *dflt, *dotted, *v6}, [](std::int32_t i) -> std::string {
    if (i == 7) return "qg-1234";
    if (i == 8) return "eth0.5";
    return "";
  });
  EXPECT_EQ(s.ip_forward(), 1);
  EXPECT_EQ(s.get("net.ipv4.conf.all.forwarding"), 1);
  EXPECT_EQ(s.get("net.ipv4.conf.qg-1234.rp_filter"), 2);
  EXPECT_EQ(s.get("net.ipv4.conf.default.rp_filter"), 1);
  EXPECT_EQ(s.get("net.ipv4.conf.eth0/5.rp_filter"), 1);  // sysctl(8) writes '.' in names as '/'
  EXPECT_EQ(s.get("net.ipv4.conf.qg-1234.proxy_arp"), 0);
  EXPECT_EQ(s.get("net.ipv6.conf.all.forwarding"), 0);
  EXPECT_EQ(s.get("net.ipv6.conf.all.proxy_ndp"), 0);
  EXPECT_FALSE(s.get("net.ipv6.conf.all.rp_filter"));
  EXPECT_EQ(s.effective_rp_filter("qg-1234"), 2);
  EXPECT_EQ(s.effective_rp_filter("eth0.5"), 1);
  EXPECT_EQ(s.effective_rp_filter("nosuch"), 0);  // only "all" applies
}

TEST(DecodeNetconf, EffectiveRpFilterIsTheMaximumOfAllAndTheInterface) {
  Sysctls s;
  s.values["net.ipv4.conf.all.rp_filter"] = 1;
  s.values["net.ipv4.conf.eth0.rp_filter"] = 0;
  EXPECT_EQ(s.effective_rp_filter("eth0"), 1);
  s.values["net.ipv4.conf.eth0.rp_filter"] = 2;
  EXPECT_EQ(s.effective_rp_filter("eth0"), 2);
}

TEST(DecodeNetconf, RejectsEntryWithoutIfindex) {
  netconfmsg h{};
  h.ncm_family = AF_INET;
  EXPECT_FALSE(decode_netconf(NlBuilder(RTM_NEWNETCONF).header(h).s32(NETCONFA_FORWARDING, 1).finish()));
}

}  // namespace
}  // namespace sw::netprobe
