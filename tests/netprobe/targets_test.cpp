// --targets files and HOST:PORT: text in, values or "FILE:LINE: what" out.
#include <gtest/gtest.h>

#include "netprobe/targets.h"

namespace sw::netprobe {
namespace {

TEST(ParseTargets, AddressesCommentsBlanksAndDuplicates) {
  auto t = parse_targets("hosts.txt",
                         "# the lab\n"
                         "10.15.0.2\n"
                         "\n"
                         "  10.15.0.8   # compute2\n"
                         "fd00::1\r\n"
                         "10.15.0.2\n");
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0].to_string(), "10.15.0.2");
  EXPECT_EQ((*t)[1].to_string(), "10.15.0.8");
  EXPECT_EQ((*t)[2].to_string(), "fd00::1");
}

TEST(ParseTargets, EmptyFileIsEmpty) {
  auto t = parse_targets("f", "");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->empty());
}

TEST(ParseTargets, ErrorsNameFileAndLine) {
  auto bad = parse_targets("targets.txt", "10.0.0.1\n10.0.0.300\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "targets.txt:2: '10.0.0.300' is not an IPv4 or IPv6 address");
  EXPECT_EQ(bad.error().exit_code(), 2);

  auto two = parse_targets("t", "\n\n10.0.0.1 10.0.0.2\n");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().message(), "t:3: one address per line, got '10.0.0.1 10.0.0.2'");

  auto cidr = parse_targets("t", "10.0.0.0/24\n");
  ASSERT_FALSE(cidr);
  EXPECT_NE(cidr.error().message().find("t:1: "), std::string::npos);
  EXPECT_NE(cidr.error().message().find("prefixes are not expanded"), std::string::npos);

  auto name = parse_targets("t", "controller\n");
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().message(), "t:1: 'controller' is not an IPv4 or IPv6 address");

  auto binary = parse_targets("t", std::string_view("10.0.0.1\n\0\1", 11));
  ASSERT_FALSE(binary);
  EXPECT_EQ(binary.error().message(), "t:2: binary data, not a list of addresses");
}

TEST(MergeTargets, KeepsOrderAndDropsDuplicates) {
  std::vector<IpAddress> a{*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.0.2")};
  merge_targets(a, {*IpAddress::parse("10.0.0.2"), *IpAddress::parse("10.0.0.3")});
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[2].to_string(), "10.0.0.3");
}

TEST(ParseHostPort, Ipv4AndBracketedIpv6) {
  auto a = parse_host_port("10.0.0.3:22");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host.to_string(), "10.0.0.3");
  EXPECT_EQ(a->port, 22);
  auto b = parse_host_port("[fd00::3]:8080");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host.to_string(), "fd00::3");
  EXPECT_EQ(b->port, 8080);
}

TEST(ParseHostPort, Malformed) {
  for (const char* bad : {"10.0.0.3", "10.0.0.3:", "10.0.0.3:0", "10.0.0.3:65536", "10.0.0.3:http", "fd00::3:22",
                          "[fd00::3]", "[fd00::3]22", "controller:22", ":22", "10.0.0.3:-1"}) {
    auto r = parse_host_port(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::input) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace sw::netprobe
