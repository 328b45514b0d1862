// decode_address() on hand-built RTM_NEWADDR messages.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netprobe/address.h"
#include "netprobe/rt_names.h"
#include "tests/netprobe/nl_builder.h"

namespace sw::netprobe {
namespace {

using test::NlBuilder;

ifaddrmsg ifa(int family, int prefix, int scope, int flags, int index) {
  ifaddrmsg h{};
  h.ifa_family = static_cast<unsigned char>(family);
  h.ifa_prefixlen = static_cast<unsigned char>(prefix);
  h.ifa_scope = static_cast<unsigned char>(scope);
  h.ifa_flags = static_cast<unsigned char>(flags);
  h.ifa_index = static_cast<unsigned>(index);
  return h;
}

TEST(DecodeAddress, Ipv4WithLabelBroadcastAndLifetimes) {
  ifa_cacheinfo ci{};
  ci.ifa_valid = 0xffffffff;
  ci.ifa_prefered = 0xffffffff;
  const auto msg = NlBuilder(RTM_NEWADDR)
                       .header(ifa(AF_INET, 24, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 2))
                       .ip(IFA_ADDRESS, "172.16.13.2")
                       .ip(IFA_LOCAL, "172.16.13.2")
                       .ip(IFA_BROADCAST, "172.16.13.255")
                       .str(IFA_LABEL, "qg-1234:1")
                       .u32(IFA_FLAGS, IFA_F_PERMANENT | IFA_F_SECONDARY)
                       .attr(IFA_CACHEINFO, &ci, sizeof ci)
                       .finish();
  auto a = decode_address(msg);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->family(), AF_INET);
  EXPECT_EQ(a->ifindex, 2);
  EXPECT_EQ(a->local.to_string(), "172.16.13.2");
  EXPECT_FALSE(a->peer.valid());
  EXPECT_EQ(a->prefixlen, 24);
  EXPECT_EQ(route_scope_name(a->scope), "global");
  EXPECT_EQ(a->label, "qg-1234:1");
  EXPECT_EQ(a->broadcast.to_string(), "172.16.13.255");
  // IFA_FLAGS (32 bit) wins over the 8-bit ifa_flags.
  EXPECT_EQ(addr_flag_names(a->flags), (std::vector<std::string>{"secondary", "permanent"}));
  EXPECT_EQ(a->valid_lft, 0xffffffffu);
}

TEST(DecodeAddress, Ipv6SendsOnlyIfaAddress) {
  const auto msg = NlBuilder(RTM_NEWADDR)
                       .header(ifa(AF_INET6, 64, RT_SCOPE_LINK, IFA_F_PERMANENT | IFA_F_NODAD, 5))
                       .ip(IFA_ADDRESS, "fe80::f816:3eff:fe01:203")
                       .finish();
  auto a = decode_address(msg);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family(), AF_INET6);
  EXPECT_EQ(a->local.to_string(), "fe80::f816:3eff:fe01:203");
  EXPECT_EQ(route_scope_name(a->scope), "link");
  EXPECT_EQ(addr_flag_names(a->flags), (std::vector<std::string>{"nodad", "permanent"}));
}

TEST(DecodeAddress, PointToPointPeer) {
  const auto msg = NlBuilder(RTM_NEWADDR)
                       .header(ifa(AF_INET, 32, RT_SCOPE_UNIVERSE, 0, 6))
                       .ip(IFA_LOCAL, "10.0.0.1")
                       .ip(IFA_ADDRESS, "10.0.0.2")
                       .finish();
  auto a = decode_address(msg);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->local.to_string(), "10.0.0.1");
  EXPECT_EQ(a->peer.to_string(), "10.0.0.2");
}

TEST(DecodeAddress, RejectsMissingAddressAndFamilyMismatch) {
  EXPECT_FALSE(decode_address(NlBuilder(RTM_NEWADDR).header(ifa(AF_INET, 24, 0, 0, 2)).finish()));
  EXPECT_FALSE(decode_address(NlBuilder(RTM_NEWADDR).header(ifa(AF_INET6, 64, 0, 0, 2)).ip(IFA_ADDRESS, "10.0.0.1").finish()));
  EXPECT_FALSE(decode_address(NlBuilder(RTM_NEWLINK).header(ifa(AF_INET, 24, 0, 0, 2)).ip(IFA_ADDRESS, "10.0.0.1").finish()));
}

}  // namespace
}  // namespace sw::netprobe
