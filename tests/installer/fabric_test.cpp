#include "installer/fabric.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sw::installer {
namespace {

FabricParams network_host(const std::string& family, const std::string& datapath) {
  FabricParams p;
  p.os_family = family;
  p.service_manager = family == "redhat" ? "systemd" : "none";
  p.network = true;
  p.datapath_type = datapath;
  p.bridge_ifaces = {{"br-ex", "eth3"}};
  p.ext_gateway_cidr = "172.16.13.1/24";
  p.ext_subnet = "172.16.13.0/24";
  p.tunnel_type = "gre";
  p.tunnel_if = "eth2";
  p.local_ip = "10.19.0.7";
  p.tunnel_peers = {"10.19.0.2", "10.19.0.8"};
  return p;
}

std::string render(const FabricParams& p, const std::string& host) {
  Manifest m{host, "prescript", prescript_steps(p)};
  Manifest f{host, "fabric", fabric_steps(p)};
  return m.render() + f.render();
}

// Golden manifests: set STACKWIRE_UPDATE_GOLDEN=1 to rewrite them after an intended change,
// then read the diff.
void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = std::string(STACKWIRE_SOURCE_DIR) + "/tests/installer/testdata/golden/" + name;
  if (std::getenv("STACKWIRE_UPDATE_GOLDEN")) std::ofstream(path) << text;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << " (run with STACKWIRE_UPDATE_GOLDEN=1)";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), text) << "golden file " << path << " differs";
}

TEST(FabricGolden, DebianNetworkHostNetdev) {
  expect_golden("debian_network_fabric.sh", render(network_host("debian", "netdev"), "10.15.0.7"));
}

TEST(FabricGolden, RedHatNetworkHostSystemDatapath) {
  expect_golden("redhat_network_fabric.sh", render(network_host("redhat", "system"), "10.15.0.7"));
}

TEST(FabricGolden, DebianController) {
  FabricParams p;
  p.controller = true;
  p.mgmt_cidr = "10.15.0.0/24";
  expect_golden("debian_controller_fabric.sh", render(p, "10.15.0.4"));
}

TEST(FabricTest, ComputeHostHasNoBrExButATunnelEndpoint) {
  FabricParams p = network_host("debian", "netdev");
  p.network = false;
  p.compute = true;
  p.local_ip = "10.19.0.2";
  const std::string s = Manifest{"10.15.0.2", "fabric", fabric_steps(p)}.render();
  EXPECT_EQ(s.find("br-ex "), std::string::npos) << s;  // (br-exists is fine)
  EXPECT_EQ(s.find("eth3"), std::string::npos);
  EXPECT_NE(s.find("br-phy holds the tunnel endpoint 10.19.0.2/24"), std::string::npos);
  EXPECT_NE(s.find("-s 10.19.0.8/32 -p gre -j ACCEPT"), std::string::npos);
}

TEST(FabricTest, VxlanOpensTheUdpPortInsteadOfGre) {
  FabricParams p = network_host("debian", "system");
  p.tunnel_type = "vxlan";
  const std::string s = Manifest{"h", "fabric", fabric_steps(p)}.render();
  EXPECT_EQ(s.find("-p gre"), std::string::npos);
  EXPECT_NE(s.find("-p udp --dport 4789 -j ACCEPT"), std::string::npos);
}

TEST(FabricTest, HostileInterfaceNameStaysOneWord) {
  FabricParams p = network_host("debian", "netdev");
  p.bridge_ifaces = {{"br-ex", "eth3;touch /tmp/pwned"}};
  const std::string s = Manifest{"h", "fabric", fabric_steps(p)}.render();
  EXPECT_NE(s.find("add-port br-ex 'eth3;touch /tmp/pwned'"), std::string::npos);
}

}  // namespace
}  // namespace sw::installer
