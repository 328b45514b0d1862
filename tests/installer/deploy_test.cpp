#include "installer/deploy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sw::installer {
namespace {

std::string lab_answers() {
  std::ifstream in(std::string(STACKWIRE_SOURCE_DIR) + "/lab/answers.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HostFacts facts_for(const std::string& addr, const std::string& name, const std::string& tunnel) {
  std::string out = "os_id debian\nos_version 12\npkg apt\nsvc none\nhostname " + name + "\n";
  out += "link lo 65536 1\nlink eth0 1500 1\naddr eth0 inet " + addr + "/24\n";
  if (!tunnel.empty()) out += "link eth2 1500 1\naddr eth2 inet " + tunnel + "/24\n";
  if (name == "network") out += "link eth3 1500 1\n";
  out += "end\n";
  return *parse_facts(addr, out);
}

struct LabPlan {
  AnswerFile answers;
  Inventory inv;
  std::map<std::string, HostFacts> facts;
};

LabPlan lab_plan() {
  auto a = parse_answer_file("answers.txt", lab_answers());
  EXPECT_TRUE(a) << (a ? "" : a.error().message());
  auto inv = make_inventory(*a);
  EXPECT_TRUE(inv);
  std::map<std::string, HostFacts> f;
  f["10.15.0.4"] = facts_for("10.15.0.4", "controller", "");
  f["10.15.0.7"] = facts_for("10.15.0.7", "network", "10.19.0.7");
  f["10.15.0.2"] = facts_for("10.15.0.2", "compute1", "10.19.0.2");
  f["10.15.0.8"] = facts_for("10.15.0.8", "compute2", "10.19.0.8");
  return {*a, *inv, f};
}

const PluginPlan& plugin(const Plan& p, const std::string& name) {
  for (const auto& pp : p.plugins)
    if (pp.name == name) return pp;
  static PluginPlan none;
  ADD_FAILURE() << "no plugin " << name;
  return none;
}

TEST(DeployPlan, LabPlanPutsEachPluginOnItsHosts) {
  auto lp = lab_plan();
  Topology topo;
  Topology::Network ext;
  ext.name = "external";
  ext.external = true;
  Topology::Subnet sub;
  sub.cidr = "172.16.13.0/24";
  sub.gateway_ip = "172.16.13.1";
  ext.subnets.push_back(sub);
  topo.networks.push_back(ext);
  auto plan = make_plan(lp.answers, lp.inv, lp.facts, &topo);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->ext_gateway_cidr, "172.16.13.1/24");
  std::vector<std::string> order;
  for (const auto& p : plan->plugins) order.push_back(p.name);
  EXPECT_EQ(order, (std::vector<std::string>{"prescript", "fabric", "mariadb", "amqp", "keystone", "neutron"}));
  ASSERT_EQ(plugin(*plan, "mariadb").manifests.size(), 1u);
  EXPECT_EQ(plugin(*plan, "mariadb").manifests[0].host, "10.15.0.4");
  // neutron: server on the controller, agents on network and both computes.
  EXPECT_EQ(plugin(*plan, "neutron").manifests.size(), 4u);
  // The fabric on the network host: br-ex with eth3, the gateway, br-phy with the tunnel address.
  std::string net_fabric;
  for (const auto& m : plugin(*plan, "fabric").manifests)
    if (m.host == "10.15.0.7") net_fabric = m.render();
  EXPECT_NE(net_fabric.find("br-ex holds 172.16.13.1/24"), std::string::npos);
  EXPECT_NE(net_fabric.find("br-phy holds the tunnel endpoint 10.19.0.7/24"), std::string::npos);
  EXPECT_NE(net_fabric.find("GRE from tunnel peer 10.19.0.2 accepted"), std::string::npos);
  EXPECT_NE(net_fabric.find("GRE from tunnel peer 10.19.0.8 accepted"), std::string::npos);
  for (const auto& h : plan->hosts)
    if (h.address == "10.15.0.2") {
      EXPECT_EQ(h.tunnel_ip, "10.19.0.2");
    }
}

TEST(DeployPlan, NoSecretReachesAnyManifest) {
  auto lp = lab_plan();
  auto plan = make_plan(lp.answers, lp.inv, lp.facts, nullptr);
  ASSERT_TRUE(plan) << plan.error().message();
  for (const auto& p : plan->plugins)
    for (const auto& m : p.manifests) {
      const std::string text = m.render();
      for (const auto& secret : lp.answers.secrets())
        EXPECT_EQ(text.find(secret), std::string::npos) << m.file_name() << " holds a secret";
    }
}

TEST(DeployPlan, RerunFindsTheTunnelAddressOnBrPhy) {
  auto lp = lab_plan();
  // After a first run on netdev the address sits on br-phy, which holds eth2.
  lp.facts["10.15.0.2"] = *parse_facts("10.15.0.2",
      "os_id debian\npkg apt\nsvc none\nhostname compute1\nlink eth0 1500 1\naddr eth0 inet 10.15.0.2/24\n"
      "link eth2 1500 1\nlink br-phy 1500 1\naddr br-phy inet 10.19.0.2/24\novsport eth2 br-phy\nend\n");
  auto plan = make_plan(lp.answers, lp.inv, lp.facts, nullptr);
  ASSERT_TRUE(plan) << plan.error().message();
  for (const auto& h : plan->hosts)
    if (h.address == "10.15.0.2") {
      EXPECT_EQ(h.tunnel_ip, "10.19.0.2");
    }
}

TEST(DeployPlan, MissingTunnelInterfaceNamesHostAndKey) {
  auto lp = lab_plan();
  lp.facts["10.15.0.8"] = facts_for("10.15.0.8", "compute2", "");
  auto plan = make_plan(lp.answers, lp.inv, lp.facts, nullptr);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("host 10.15.0.8 has no interface eth2 (CONFIG_NEUTRON_OVS_TUNNEL_IF)"),
            std::string::npos)
      << plan.error().message();
  EXPECT_EQ(plan.error().exit_code(), 2);
}

TEST(DeployPlan, AnswersEnvQuotesEveryValue) {
  auto a = parse_answer_file("a.txt", "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_KEYSTONE_ADMIN_PW=it's $(x)\n");
  ASSERT_TRUE(a) << a.error().message();
  const std::string env = render_answers_env(*a);
  EXPECT_NE(env.find("CONFIG_KEYSTONE_ADMIN_PW='it'\\''s $(x)'\n"), std::string::npos) << env;
}

}  // namespace
}  // namespace sw::installer
