// Value grammars: every validator's good and bad values, and what its message says is allowed.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "installer/validators.h"

namespace sw::installer {
namespace {

template <class R>
std::string error_of(const R& r) {
  return r ? std::string("(no error)") : r.error().message();
}

TEST(ValidatorsTest, Ipv4AndIpv6) {
  for (auto good : {"10.15.0.4", "0.0.0.0", "255.255.255.255", "127.0.0.1"}) EXPECT_TRUE(is_ipv4(good)) << good;
  for (auto bad : {"", "10.15.0", "10.15.0.256", "10.15.0.4/24", "010.15.0.4", " 10.15.0.4", "10.15.0.4;", "a.b.c.d"})
    EXPECT_FALSE(is_ipv4(bad)) << bad;
  for (auto good : {"::1", "fe80::1", "2001:db8::10:1", "::ffff:10.15.0.4"}) EXPECT_TRUE(is_ipv6(good)) << good;
  for (auto bad : {"", "fe80::1%eth0", "[fe80::1]", "2001:db8:::1", "10.15.0.4", "fe80::g"})
    EXPECT_FALSE(is_ipv6(bad)) << bad;
}

TEST(ValidatorsTest, HostsAcceptAddressesAndNamesOnly) {
  for (auto good : {"10.15.0.4", "fe80::1", "network", "network.example.org", "compute-1", "a.b.c."})
    EXPECT_TRUE(parse_host(good)) << good;
  EXPECT_EQ(error_of(parse_host("10.15.0.300")), "'10.15.0.300' is not a valid IPv4 address");
  EXPECT_EQ(error_of(parse_host("fe80::1::2")), "'fe80::1::2' is not a valid IPv6 address");
  EXPECT_EQ(error_of(parse_host("host;reboot")),
            "'host;reboot' is not a host (allowed: an IPv4 or IPv6 address, or a host name of letters, "
            "digits, '-' and '.')");
  for (auto bad : {"-host", "host-", "ho st", "$(id)", "`id`", "a..b", "host_name"}) EXPECT_FALSE(parse_host(bad)) << bad;
  EXPECT_FALSE(parse_host(std::string(64, 'a')));  // a label of 64
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("10.15.0.4"));
}

TEST(ValidatorsTest, HostLists) {
  EXPECT_EQ(*parse_host_list("10.15.0.2, 10.15.0.8", false), (std::vector<std::string>{"10.15.0.2", "10.15.0.8"}));
  EXPECT_TRUE(parse_host_list("", true)->empty());
  EXPECT_EQ(error_of(parse_host_list("", false)), "no host given (allowed: one or more hosts separated by commas)");
  EXPECT_EQ(error_of(parse_host_list("10.15.0.2,,10.15.0.8", false)),
            "empty item in host list '10.15.0.2,,10.15.0.8' (allowed: hosts separated by commas)");
  EXPECT_EQ(error_of(parse_host_list("a,b,a", false)), "'a' is listed twice");
  EXPECT_NE(error_of(parse_host_list("10.15.0.2 10.15.0.8", false)).find("'10.15.0.2 10.15.0.8' is not a host ("), std::string::npos);
}

TEST(ValidatorsTest, Cidrs) {
  auto c = parse_cidr("172.24.4.224/28");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prefix, 28u);
  EXPECT_TRUE(c->host_bits_zero);
  EXPECT_FALSE(c->v6);
  auto h = parse_cidr("10.0.0.1/24");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->host_bits_zero);
  EXPECT_EQ(h->network(), "10.0.0.0/24");
  auto v6 = parse_cidr("2001:db8::1/64");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->v6);
  EXPECT_FALSE(v6->host_bits_zero);
  EXPECT_EQ(v6->network(), "2001:db8::/64");
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->host_bits_zero);
  EXPECT_EQ(error_of(parse_cidr("10.0.0.0")), "'10.0.0.0' is not a CIDR (allowed: ADDRESS/PREFIX, e.g. 172.24.4.224/28)");
  EXPECT_EQ(error_of(parse_cidr("10.0.0.0/33")), "'10.0.0.0/33' is not a CIDR: the prefix length must be 0..32");
  EXPECT_EQ(error_of(parse_cidr("::/129")), "'::/129' is not a CIDR: the prefix length must be 0..128");
  EXPECT_EQ(error_of(parse_cidr("10.0.0/24")), "'10.0.0/24' is not a CIDR: '10.0.0' is not an IPv4 or IPv6 address");
  EXPECT_FALSE(parse_cidr("10.0.0.0/-1"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/2 4"));
  EXPECT_EQ(parse_cidr_list("10.19.0.0/24, 10.20.0.0/24", false)->size(), 2u);
  EXPECT_TRUE(parse_cidr_list("", true)->empty());
  EXPECT_FALSE(parse_cidr_list("", false));
}

TEST(ValidatorsTest, InterfaceNamesFollowTheKernel) {
  for (auto good : {"eth2", "ens3", "br-ex", "bond0.100", "veth_a-1", "a", "123456789012345"})
    EXPECT_TRUE(parse_iface_name(good)) << good;
  EXPECT_NE(error_of(parse_iface_name("1234567890123456")).find("'1234567890123456' is not an interface name: 16 bytes, the kernel allows 15 (kernel rules: 1..15 bytes"),
            std::string::npos);
  EXPECT_NE(error_of(parse_iface_name("eth/2")).find("'eth/2' is not an interface name: it contains '/' (kernel rules"), std::string::npos);
  EXPECT_NE(error_of(parse_iface_name("eth 2")).find("'eth 2' is not an interface name: it contains a blank ("), std::string::npos);
  EXPECT_NE(error_of(parse_iface_name("eth:2")).find("'eth:2' is not an interface name: it contains ':' ("), std::string::npos);
  EXPECT_FALSE(parse_iface_name("."));
  EXPECT_FALSE(parse_iface_name(".."));
  EXPECT_FALSE(parse_iface_name(""));
  EXPECT_FALSE(parse_iface_name("eth2;id"));
  EXPECT_FALSE(parse_iface_name("eth$x"));
}

TEST(ValidatorsTest, Ports) {
  EXPECT_EQ(*parse_port("4789"), 4789);
  EXPECT_EQ(*parse_port("1"), 1);
  EXPECT_EQ(*parse_port("65535"), 65535);
  for (auto bad : {"0", "65536", "-1", "+5", "47 89", "0x10", ""})
    EXPECT_EQ(error_of(parse_port(bad)), "'" + std::string(bad) + "' is not a port (allowed: 1..65535)") << bad;
}

TEST(ValidatorsTest, GreRangesAreOrderedAndInsideTheKeySpace) {
  EXPECT_EQ(*parse_gre_ranges("1000:3000"), (std::vector<IdRange>{{1000, 3000}}));
  EXPECT_EQ(*parse_gre_ranges("1:1000, 2000:4294967295"), (std::vector<IdRange>{{1, 1000}, {2000, 4294967295u}}));
  EXPECT_TRUE(parse_gre_ranges("")->empty());
  EXPECT_EQ(error_of(parse_gre_ranges("3000:1000")),
            "'3000:1000': the range is reversed (3000 > 1000; allowed: MIN:MAX with MIN <= MAX)");
  EXPECT_EQ(error_of(parse_gre_ranges("0:10")), "'0:10': 0 is outside the GRE key space 1..4294967295");
  EXPECT_EQ(error_of(parse_gre_ranges("1:4294967296")), "'1:4294967296': 4294967296 is outside the GRE key space 1..4294967295");
  EXPECT_EQ(error_of(parse_gre_ranges("1000")),
            "'1000' is not a range (allowed: MIN:MAX within the GRE key space 1..4294967295, e.g. 1000:3000)");
  EXPECT_EQ(error_of(parse_gre_ranges("a:b")), "'a:b' is not a range: 'a' is not a number (allowed: MIN:MAX, e.g. 1000:3000)");
  EXPECT_FALSE(parse_gre_ranges("1:2:3"));
  EXPECT_FALSE(parse_gre_ranges("1:10,,20:30"));
  EXPECT_TRUE(ranges_overlap(*parse_gre_ranges("1:100,50:60")));
  EXPECT_FALSE(ranges_overlap(*parse_gre_ranges("1:100,101:200")));
}

TEST(ValidatorsTest, VniRanges) {
  EXPECT_TRUE(parse_vni_ranges("10:100"));
  EXPECT_TRUE(parse_vni_ranges("1:16777215"));
  EXPECT_EQ(error_of(parse_vni_ranges("1:16777216")), "'1:16777216': 16777216 is outside the VXLAN VNI space 1..16777215");
}

TEST(ValidatorsTest, VlanRanges) {
  const auto r = parse_vlan_ranges("physnet1:1:4094, physnet2, physnet3:3000:3999");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].physnet, "physnet1");
  EXPECT_EQ(*(*r)[0].range, (IdRange{1, 4094}));
  EXPECT_FALSE((*r)[1].range);
  EXPECT_EQ(error_of(parse_vlan_ranges("physnet1:0:10")), "'physnet1:0:10': '0:10': 0 is outside the VLAN id space 1..4094");
  EXPECT_EQ(error_of(parse_vlan_ranges("physnet1:100:4095")).find("4095 is outside the VLAN id space 1..4094") != std::string::npos, true);
  EXPECT_FALSE(parse_vlan_ranges("physnet1:10"));
  EXPECT_FALSE(parse_vlan_ranges("phys net:1:10"));
  EXPECT_FALSE(parse_vlan_ranges("physnet1:20:10"));
  EXPECT_EQ(error_of(parse_vlan_ranges("p,p:1:10")), "'p' is listed twice, once without a range");
}

TEST(ValidatorsTest, BridgeIfacePairs) {
  EXPECT_EQ(*parse_bridge_ifaces("br-ex:eth3", false), (std::vector<BridgeIface>{{"br-ex", "eth3"}}));
  EXPECT_EQ(parse_bridge_ifaces("br-ex:eth3, br-eth1:eth1", false)->size(), 2u);
  EXPECT_EQ(error_of(parse_bridge_ifaces("br-ex", false)), "'br-ex' is not a BRIDGE:INTERFACE pair (e.g. br-ex:eth3)");
  EXPECT_EQ(error_of(parse_bridge_ifaces("br-ex:eth3:x", false)), "'br-ex:eth3:x' is not a BRIDGE:INTERFACE pair (e.g. br-ex:eth3)");
  EXPECT_EQ(error_of(parse_bridge_ifaces("br-ex:eth3,br-x:eth3", false)),
            "interface 'eth3' is given to both 'br-ex' and 'br-x' (an interface can be in one bridge only)");
  EXPECT_NE(error_of(parse_bridge_ifaces("br ex:eth3", false)).find("bridge 'br ex' is not an interface name"), std::string::npos);
  // With CONFIG_USE_SUBNETS=y the interface is named by its subnet.
  EXPECT_EQ(*parse_bridge_ifaces("br-ex:172.16.13.0/24", true), (std::vector<BridgeIface>{{"br-ex", "172.16.13.0/24"}}));
  EXPECT_FALSE(parse_bridge_ifaces("br-ex:eth3", true));
}

TEST(ValidatorsTest, BridgeMappings) {
  EXPECT_EQ(*parse_bridge_mappings("extnet:br-ex,physnet1:br-eth1"),
            (std::vector<BridgeMapping>{{"extnet", "br-ex"}, {"physnet1", "br-eth1"}}));
  EXPECT_TRUE(parse_bridge_mappings("")->empty());
  EXPECT_EQ(error_of(parse_bridge_mappings("extnet")), "'extnet' is not a PHYSNET:BRIDGE mapping (e.g. extnet:br-ex)");
  EXPECT_EQ(error_of(parse_bridge_mappings("a:br-x,a:br-y")), "physical network 'a' is mapped twice");
  EXPECT_EQ(error_of(parse_bridge_mappings("a:br-x,b:br-x")), "bridge 'br-x' is mapped to both 'a' and 'b'");
  EXPECT_FALSE(parse_bridge_mappings("ext$:br-ex"));
}

TEST(ValidatorsTest, SshPublicKeyText) {
  EXPECT_TRUE(check_ssh_public_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB root@controller\n"));
  EXPECT_TRUE(check_ssh_public_key("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user"));
  EXPECT_TRUE(check_ssh_public_key("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY="));
  EXPECT_EQ(error_of(check_ssh_public_key("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n")),
            "is a private key, not a public key (give the .pub file)");
  EXPECT_EQ(error_of(check_ssh_public_key("-----BEGIN RSA PRIVATE KEY-----\n")), "is a private key, not a public key (give the .pub file)");
  EXPECT_EQ(error_of(check_ssh_public_key("")), "is empty, not an ssh public key");
  EXPECT_NE(error_of(check_ssh_public_key("hello world")).find("is not an ssh public key"), std::string::npos);
}

TEST(ValidatorsTest, EditDistance) {
  EXPECT_EQ(edit_distance("CONFIG_NEUTRON_OVS_TUNEL_IF", "CONFIG_NEUTRON_OVS_TUNNEL_IF"), 1u);
  EXPECT_EQ(edit_distance("abcd", "abdc"), 1u);  // a transposition is one edit
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  // Bounded: the distance when within the bound, else bound + 1 — the same answer as unbounded.
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
           {"CONFIG_NEUTRON_OVS_TUNEL_IF", "CONFIG_NEUTRON_OVS_TUNNEL_IF"}, {"abcd", "abdc"}, {"", "abc"},
           {"kitten", "sitting"}, {"CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_MARIADB_PW"}, {"ab", "ba"}, {"abcdef", "badcfe"}})
    for (std::size_t bound = 0; bound < 12; ++bound)
      EXPECT_EQ(edit_distance(a, b, bound), std::min(edit_distance(a, b), bound + 1)) << a << " " << b << " " << bound;
}

TEST(ValidatorsTest, SplitList) {
  EXPECT_EQ(split_list(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
}

TEST(ValidatorsTest, QuotedShowsControlBytes) { EXPECT_EQ(quoted_value(std::string("a\x01" "b")), "'a\\x01b'"); }

}  // namespace
}  // namespace sw::installer
