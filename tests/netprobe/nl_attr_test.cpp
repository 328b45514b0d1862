// The netlink byte reader underneath every decoder: lengths are checked, never trusted.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include "netprobe/nl_attr.h"
#include "tests/netprobe/nl_builder.h"

namespace sw::netprobe {
namespace {

TEST(NlSplit, SeveralMessagesInOneBuffer) {
  auto a = test::NlBuilder(RTM_NEWLINK).header(ifinfomsg{}).str(IFLA_IFNAME, "a").finish();
  auto b = test::NlBuilder(NLMSG_DONE).header(0).finish();
  std::vector<std::byte> buf = a;
  buf.insert(buf.end(), b.begin(), b.end());
  auto msgs = nl::split(buf);
  ASSERT_TRUE(msgs);
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].type, RTM_NEWLINK);
  EXPECT_EQ((*msgs)[1].type, NLMSG_DONE);
  EXPECT_FALSE(nl::single(buf));  // two messages where one was expected
}

TEST(NlSplit, LyingLengthIsAnError) {
  auto a = test::NlBuilder(RTM_NEWLINK).header(ifinfomsg{}).finish();
  const std::uint32_t huge = 4096;
  std::memcpy(a.data(), &huge, 4);
  EXPECT_FALSE(nl::split(a));
  const std::uint32_t tiny = 4;
  std::memcpy(a.data(), &tiny, 4);
  EXPECT_FALSE(nl::split(a));
}

TEST(NlAttrs, GettersCheckSizes) {
  auto m = test::NlBuilder(RTM_NEWLINK)
               .header(ifinfomsg{})
               .u32(IFLA_MTU, 1500)
               .u8(IFLA_OPERSTATE, 6)
               .str(IFLA_IFNAME, "eth0")
               .attr(IFLA_ADDRESS, "\x01\x02\x03", 3)
               .finish();
  auto msg = nl::single(m);
  ASSERT_TRUE(msg);
  auto a = nl::Attrs::after_header(msg->payload, sizeof(ifinfomsg));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->u32(IFLA_MTU), 1500u);
  EXPECT_FALSE(a->u64(IFLA_MTU));     // 4 bytes cannot be a u64
  EXPECT_EQ(a->u8(IFLA_OPERSTATE), 6);
  EXPECT_EQ(a->str(IFLA_IFNAME), "eth0");
  EXPECT_FALSE(a->ip(IFLA_ADDRESS));  // 3 bytes is no address
  EXPECT_FALSE(a->has(IFLA_MASTER));
  EXPECT_EQ(a->raw(IFLA_MASTER).size(), 0u);
  EXPECT_FALSE(nl::Attrs::after_header(msg->payload.first(4), sizeof(ifinfomsg)));  // shorter than its header
}

}  // namespace
}  // namespace sw::netprobe
