#include "installer/facts.h"

#include <gtest/gtest.h>

#include "tests/support/system.h"

namespace sw::installer {
namespace {

constexpr const char* kNetworkHost = R"(os_id debian
os_version 12
os_like 
pkg apt
svc none
hostname network
link lo 65536 1
link eth0 1500 1
link eth2 1500 1
link eth3 1500 1
link br-phy 1500 1
addr lo inet 127.0.0.1/8
addr eth0 inet 10.15.0.7/24
addr br-phy inet 10.19.0.7/24
addr eth0 inet6 fe80::1/64
ovsport eth2 br-phy
ovsport eth3 br-ex
end
)";

TEST(FactsTest, ParsesTheNetworkHost) {
  auto f = parse_facts("10.15.0.7", kNetworkHost);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->os_family, "debian");
  EXPECT_EQ(f->pkg_manager, "apt");
  EXPECT_EQ(f->service_manager, "none");
  EXPECT_EQ(f->hostname, "network");
  EXPECT_EQ(f->ipaddress("eth0"), "10.15.0.7");
  EXPECT_EQ(f->ipaddress("eth2"), std::nullopt);  // moved to br-phy on netdev
  EXPECT_EQ(f->ipaddress("br-phy"), "10.19.0.7");
  EXPECT_EQ(f->interfaces.at("eth3").mtu, 1500);
  EXPECT_EQ(f->interface_with("10.15.0.7"), "eth0");
  EXPECT_EQ(f->ovs_port_bridge.at("eth2"), "br-phy");
  EXPECT_EQ(f->interfaces.at("eth0").ipv6.size(), 1u);
}

TEST(FactsTest, RedHatFamilyFromIdLike) {
  auto f = parse_facts("h", "os_id centos\nos_version 9\nos_like rhel fedora\npkg dnf\nsvc systemd\nend\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->os_family, "redhat");
}

TEST(FactsTest, TruncatedOutputIsAnErrorNamingTheHost) {
  auto f = parse_facts("10.15.0.8", "os_id debian\nlink eth0 1500 1\n");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(), "host 10.15.0.8: fact discovery output is incomplete");
  auto g = parse_facts("10.15.0.8", "link eth0\nend\n");
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("facts line 1"), std::string::npos);
}

TEST(FactsTest, ScriptRunsHereAndParses) {
  // The discovery script on this machine (whatever namespace the test runs in) must parse.
  auto r = test::sh("sh -c " + test::shq(discovery_script()));
  ASSERT_EQ(r.status, 0) << r.err;
  auto f = parse_facts("local", r.out);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_FALSE(f->os_id.empty());
  EXPECT_TRUE(f->interfaces.count("lo"));
  EXPECT_EQ(f->ipaddress("lo"), "127.0.0.1");
}

}  // namespace
}  // namespace sw::installer
