#include "lab/lab_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/strings.h"

namespace sw::lab {
namespace {

std::map<std::string, std::string> keys(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split(text, '\n')) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto eq = line.find('=');
    EXPECT_NE(eq, std::string_view::npos) << line;
    EXPECT_FALSE(out.contains(std::string(line.substr(0, eq)))) << "duplicate " << line;
    out[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return out;
}

std::string read_source(const char* rel) {
  std::ifstream in(std::string(STACKWIRE_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LabFiles, EmbeddedFilesAreTheShippedOnes) {
  EXPECT_EQ(shipped_answer_file(), read_source("lab/answers.txt"));
  EXPECT_EQ(shipped_topology(), read_source("lab/topology.json"));
}

TEST(LabFiles, AnswerFileHasTheHangoutsValues) {
  const auto k = keys(shipped_answer_file());
  EXPECT_EQ(k.at("CONFIG_NOVA_COMPUTE_HOSTS"), "10.15.0.2,10.15.0.8");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_SERVER_HOST"), "10.15.0.4");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_L3_HOSTS"), "10.15.0.7");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_DHCP_HOSTS"), "10.15.0.7");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_METADATA_HOSTS"), "10.15.0.7");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_OVS_TENANT_NETWORK_TYPE"), "gre");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_OVS_TUNNEL_RANGES"), "1000:3000");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_OVS_TUNNEL_IF"), "eth2");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_L3_EXT_BRIDGE"), "br-ex");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_OVS_BRIDGE_IFACES"), "br-ex:eth3");
  EXPECT_EQ(k.at("CONFIG_NEUTRON_OVS_DATAPATH_TYPE"), "netdev");
  EXPECT_EQ(k.at("CONFIG_CEILOMETER_INSTALL"), "n");
  EXPECT_EQ(k.at("CONFIG_PROVISION_DEMO"), "n");
  EXPECT_EQ(k.at("CONFIG_KEYSTONE_HOST"), "10.15.0.4");
  EXPECT_EQ(k.at("CONFIG_MYSQL_HOST"), "10.15.0.4");
  // Every password is marked as the lab's throwaway value in its usage comment.
  const std::string text(shipped_answer_file());
  for (const auto& [key, value] : k) {
    if (!key.ends_with("_PW") && !key.ends_with("_TOKEN")) continue;
    const auto at = text.find("\n" + key + "=");
    ASSERT_NE(at, std::string::npos);
    const auto comment_start = text.rfind("\n\n", at);
    EXPECT_NE(text.substr(comment_start, at - comment_start).find("throwaway"), std::string::npos) << key;
    EXPECT_FALSE(value.empty()) << key;
  }
}

TEST(LabFiles, RenderListsEveryComputeHostAndTheLabsKey) {
  const auto l = make_layout("t9", "/srv/x/t9", 4);
  ASSERT_TRUE(l);
  const std::string out = render_answer_file(shipped_answer_file(), *l);
  const auto k = keys(out);
  EXPECT_EQ(k.at("CONFIG_NOVA_COMPUTE_HOSTS"), "10.15.0.2,10.15.0.8,10.15.0.20,10.15.0.21");
  EXPECT_EQ(k.at("CONFIG_SSH_KEY"), "/srv/x/t9/ssh/id_ed25519.pub");
  // Nothing else changes.
  auto a = keys(shipped_answer_file());
  auto b = k;
  a.erase("CONFIG_NOVA_COMPUTE_HOSTS");
  a.erase("CONFIG_SSH_KEY");
  b.erase("CONFIG_NOVA_COMPUTE_HOSTS");
  b.erase("CONFIG_SSH_KEY");
  EXPECT_EQ(a, b);
  EXPECT_TRUE(out.ends_with("\n"));
  EXPECT_FALSE(out.ends_with("\n\n"));
}

TEST(LabFiles, DefaultRenderIsTheShippedFile) {
  const auto l = make_layout("swlab", "/srv/stackwire/swlab", 2);
  ASSERT_TRUE(l);
  EXPECT_EQ(render_answer_file(shipped_answer_file(), *l), shipped_answer_file());
}

TEST(LabFiles, TopologyHasTheContractSchema) {
  const auto j = nlohmann::json::parse(shipped_topology());
  ASSERT_EQ(j.at("networks").size(), 2u);
  const auto& ext = j["networks"][0];
  EXPECT_EQ(ext["name"], "external");
  EXPECT_EQ(ext["external"], true);
  EXPECT_EQ(ext["shared"], false);
  EXPECT_EQ(ext["provider"]["network_type"], "flat");
  EXPECT_EQ(ext["provider"]["physical_network"], "external");
  EXPECT_EQ(ext["subnets"][0]["cidr"], "172.16.13.0/24");
  EXPECT_EQ(ext["subnets"][0]["gateway_ip"], "172.16.13.1");
  EXPECT_EQ(ext["subnets"][0]["enable_dhcp"], false);
  EXPECT_EQ(ext["subnets"][0]["allocation_pools"][0]["start"], "172.16.13.2");
  EXPECT_EQ(ext["subnets"][0]["allocation_pools"][0]["end"], "172.16.13.200");
  const auto& net0 = j["networks"][1];
  EXPECT_EQ(net0["name"], "net0");
  EXPECT_EQ(net0["subnets"][0]["name"], "net0-subnet");
  EXPECT_EQ(net0["subnets"][0]["cidr"], "10.0.0.0/24");
  EXPECT_EQ(net0["subnets"][0]["gateway_ip"], "10.0.0.1");
  EXPECT_EQ(net0["subnets"][0]["enable_dhcp"], true);
  EXPECT_TRUE(net0["subnets"][0]["dns_nameservers"].empty());
  EXPECT_EQ(j["routers"][0]["name"], "extrouter");
  EXPECT_EQ(j["routers"][0]["external_gateway"], "external");
  EXPECT_EQ(j["routers"][0]["interfaces"][0], "net0-subnet");
  EXPECT_EQ(j["security_group_rules"][0]["protocol"], "icmp");
  EXPECT_EQ(j["security_group_rules"][1]["protocol"], "tcp");
  EXPECT_EQ(j["security_group_rules"][1]["port"], 22);
  EXPECT_EQ(j["instances"][0]["name"], "test0");
  EXPECT_EQ(j["instances"][0]["network"], "net0");
  EXPECT_EQ(j["instances"][0]["host"], "compute1");
  EXPECT_EQ(j["instances"][0]["floating_ip"], "172.16.13.3");
  EXPECT_EQ(j["project"], "demo");
  EXPECT_EQ(j["user"], "demo");
}

}  // namespace
}  // namespace sw::lab
