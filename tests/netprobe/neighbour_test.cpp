// decode_neighbour() on hand-built RTM_NEWNEIGH messages.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "netprobe/neighbour.h"
#include "netprobe/rt_names.h"
#include "tests/netprobe/nl_builder.h"

namespace sw::netprobe {
namespace {

using test::NlBuilder;

ndmsg nd(int family, int index, int state, int flags) {
  ndmsg h{};
  h.ndm_family = static_cast<unsigned char>(family);
  h.ndm_ifindex = index;
  h.ndm_state = static_cast<unsigned short>(state);
  h.ndm_flags = static_cast<unsigned char>(flags);
  return h;
}

TEST(DecodeNeighbour, ReachableIpv4) {
  auto n = decode_neighbour(NlBuilder(RTM_NEWNEIGH)
                                .header(nd(AF_INET, 3, NUD_REACHABLE, 0))
                                .ip(NDA_DST, "10.0.0.3")
                                .bytes(NDA_LLADDR, {0xfa, 0x16, 0x3e, 0xaa, 0xbb, 0xcc})
                                .finish());
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(n->family(), AF_INET);
  EXPECT_EQ(n->ifindex, 3);
  EXPECT_EQ(n->dst.to_string(), "10.0.0.3");
  EXPECT_EQ(n->lladdr, "fa:16:3e:aa:bb:cc");
  EXPECT_EQ(neigh_state_names(n->state), std::vector<std::string>{"REACHABLE"});
}

TEST(DecodeNeighbour, UnresolvedIpv6RouterHasNoLladdr) {
  auto n = decode_neighbour(
      NlBuilder(RTM_NEWNEIGH).header(nd(AF_INET6, 2, NUD_FAILED, NTF_ROUTER)).ip(NDA_DST, "fd00::1").finish());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->lladdr, "");
  EXPECT_EQ(neigh_state_names(n->state), std::vector<std::string>{"FAILED"});
  EXPECT_EQ(neigh_flag_names(n->flags), std::vector<std::string>{"router"});
  EXPECT_EQ(neigh_state_names(0), std::vector<std::string>{"NONE"});
  EXPECT_EQ(neigh_state_from({"NONE"}), 0);
}

TEST(DecodeNeighbour, RejectsEntryWithoutDestination) {
  EXPECT_FALSE(decode_neighbour(NlBuilder(RTM_NEWNEIGH).header(nd(AF_INET, 2, NUD_STALE, 0)).finish()));
}

}  // namespace
}  // namespace sw::netprobe
