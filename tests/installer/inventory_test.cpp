// Hosts × roles and the typed settings, from the RDO hangout's Havana file (keeping its truth:
// neutron-server on the network host), a packstack-master-style file, an all-in-one and
// EXCLUDE_SERVERS.
#include "installer/inventory.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "installer/answer_file_gen.h"

namespace sw::installer {
namespace {

// Test data lives in the source tree; the parser itself only ever sees text.
std::string testdata(const std::string& name) {
  std::ifstream in(std::string(STACKWIRE_SOURCE_DIR) + "/tests/installer/testdata/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string findings(const AnswerFile& f) {
  std::string out;
  for (const auto& d : f.diagnostics()) out += d.str() + "\n";
  return out;
}

std::vector<std::string> roles_of(const Inventory& inv, std::string_view address) {
  std::vector<std::string> out;
  if (const auto* h = inv.find(address))
    for (auto r : h->roles) out.emplace_back(role_name(r));
  return out;
}

using Roles = std::vector<std::string>;

TEST(InventoryTest, HangoutHavanaFile) {
  const auto text = testdata("hangout-havana.txt");
  ASSERT_GT(text.size(), 10000u);
  const auto f = read_answer_file("hangout-havana.txt", text);
  ASSERT_FALSE(f.has_errors()) << findings(f);

  const auto inv = make_inventory(f);
  ASSERT_TRUE(inv) << inv.error().message();
  EXPECT_EQ(inv->describe(),
            "10.15.0.4  controller mariadb amqp keystone client\n"
            "10.15.0.7  network neutron-server neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent "
            "neutron-ovs-agent\n"
            "10.15.0.2  compute neutron-ovs-agent\n"
            "10.15.0.8  compute neutron-ovs-agent\n");
  EXPECT_EQ(inv->controller, "10.15.0.4");
  EXPECT_EQ(inv->neutron_server_host, "10.15.0.7");  // CONFIG_NEUTRON_SERVER_HOST, the file's truth
  EXPECT_EQ(inv->keystone_host, "10.15.0.4");
  EXPECT_EQ(inv->mariadb_host, "10.15.0.4");  // CONFIG_MYSQL_HOST
  EXPECT_EQ(inv->amqp_host, "10.15.0.4");     // CONFIG_QPID_HOST
  EXPECT_EQ(inv->amqp_backend, "rabbitmq");
  EXPECT_EQ(inv->hosts_with(HostRole::neutron_ovs_agent), (std::vector<std::string>{"10.15.0.7", "10.15.0.2", "10.15.0.8"}));
  EXPECT_EQ(inv->hosts_with(HostRole::neutron_l3_agent), (std::vector<std::string>{"10.15.0.7"}));

  const auto& n = inv->neutron;
  EXPECT_EQ(n.tenant_network_type(), NetworkType::gre);
  EXPECT_EQ(n.tunnel_type(), NetworkType::gre);
  EXPECT_EQ(n.type_drivers, (std::vector<NetworkType>{NetworkType::gre}));
  EXPECT_EQ(n.mechanism_drivers, (std::vector<std::string>{"openvswitch"}));
  EXPECT_EQ(n.tunnel_id_ranges, (std::vector<IdRange>{{1000, 3000}}));
  EXPECT_EQ(n.tunnel_iface, "eth2");
  EXPECT_EQ(n.ext_bridge, "br-ex");
  EXPECT_TRUE(n.bridge_ifaces.empty());
  EXPECT_EQ(n.datapath_type, OvsDatapath::system);
  EXPECT_FALSE(inv->provision.demo);

  // What a Havana user is told: the old names, each once, and the services left out, once.
  const std::string all = findings(f);
  EXPECT_NE(all.find("hangout-havana.txt:71: CONFIG_MYSQL_HOST is deprecated, read as CONFIG_MARIADB_HOST"), std::string::npos) << all;
  EXPECT_NE(all.find("CONFIG_NOVA_COMPUTE_HOSTS is deprecated, read as CONFIG_COMPUTE_HOSTS"), std::string::npos) << all;
  EXPECT_NE(all.find("CONFIG_NEUTRON_SERVER_HOST is deprecated (newer packstack: CONFIG_CONTROLLER_HOST); kept: it places "
                     "neutron-server on 10.15.0.7"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("CONFIG_NEUTRON_L3_HOSTS is deprecated, read as CONFIG_NETWORK_HOSTS"), std::string::npos) << all;
  EXPECT_NE(all.find("CONFIG_NEUTRON_L2_PLUGIN=openvswitch is deprecated, read as ML2"), std::string::npos) << all;
  EXPECT_NE(all.find("CONFIG_NEUTRON_OVS_TUNNEL_RANGES is deprecated, read as CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("hangout-havana.txt: not deployed by stackwire ("), std::string::npos) << all;
  EXPECT_NE(all.find("keys kept, not used): glance, cinder, nova, horizon, swift, nagios, neutron-lbaas, serverprep\n"),
            std::string::npos)
      << all;
  std::size_t summaries = 0;
  for (const auto& d : f.diagnostics()) summaries += d.message.find("not deployed by stackwire") != std::string::npos;
  EXPECT_EQ(summaries, 1u);
  EXPECT_EQ(all.find("unknown key"), std::string::npos) << all;

  const auto c = credentials(f);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->mariadb_user, "root");
  EXPECT_EQ(c->mariadb_password, "8f2c1d6b4e0a4c77");
  EXPECT_EQ(c->amqp_user, "qpid_user");
  EXPECT_EQ(c->neutron_ks_password, "c4e8a2d6f0b13579");
  EXPECT_EQ(c->neutron_metadata_password, "8a3d1f7c5e0b2964");
  EXPECT_EQ(c->keystone_admin_user, "admin");
}

TEST(InventoryTest, MasterStyleMultinodeFile) {
  const auto f = read_answer_file("multinode-master.txt", testdata("multinode-master.txt"));
  ASSERT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.count(Severity::warning), 0u) << findings(f);
  const auto inv = make_inventory(f);
  ASSERT_TRUE(inv) << inv.error().message();
  EXPECT_EQ(roles_of(*inv, "10.15.0.4"), (Roles{"controller", "mariadb", "amqp", "keystone", "client", "neutron-server"}));
  EXPECT_EQ(roles_of(*inv, "10.15.0.7"), (Roles{"network", "neutron-l3-agent", "neutron-dhcp-agent",
                                                "neutron-metadata-agent", "neutron-ovs-agent"}));
  EXPECT_EQ(roles_of(*inv, "10.15.0.8"), (Roles{"compute", "neutron-ovs-agent"}));
  const auto& n = inv->neutron;
  EXPECT_EQ(n.datapath_type, OvsDatapath::netdev);
  EXPECT_EQ(n.bridge_ifaces, (std::vector<BridgeIface>{{"br-ex", "eth3"}}));
  EXPECT_EQ(n.uplink_of("br-ex"), "eth3");
  EXPECT_EQ(n.bridge_mappings, (std::vector<BridgeMapping>{{"extnet", "br-ex"}}));
  EXPECT_EQ(n.type_drivers, (std::vector<NetworkType>{NetworkType::gre, NetworkType::flat}));
  ASSERT_EQ(n.tunnel_subnets.size(), 1u);
  EXPECT_EQ(n.tunnel_subnets[0].network(), "10.19.0.0/24");
  EXPECT_TRUE(inv->provision.demo);
  ASSERT_TRUE(inv->provision.float_range);
  EXPECT_EQ(inv->provision.float_range->network(), "172.16.13.0/24");
  const auto c = credentials(f);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->neutron_db_password, "Hangout2014");  // PW_PLACEHOLDER → CONFIG_DEFAULT_PASSWORD
  EXPECT_EQ(c->mariadb_password, "4f1d9c6e2b7a3580");
}

TEST(InventoryTest, AllInOne) {
  GenerateOptions o;
  o.allinone = true;
  o.local_address = "192.0.2.2";
  const auto f = generate_answer_file(o);
  ASSERT_TRUE(f) << f.error().message();
  const auto inv = make_inventory(*f);
  ASSERT_TRUE(inv);
  ASSERT_EQ(inv->hosts.size(), 1u);
  EXPECT_EQ(inv->hosts[0].roles_text(),
            "controller network compute mariadb amqp keystone client neutron-server neutron-l3-agent "
            "neutron-dhcp-agent neutron-metadata-agent neutron-ovs-agent");
  EXPECT_TRUE(inv->provision.demo);
  EXPECT_TRUE(inv->provision.ovs_bridge);
  EXPECT_EQ(inv->provision.float_range->network(), "172.24.4.224/28");
}

TEST(InventoryTest, ExcludedHostsStayAsPeers) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\n"
                                  "CONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\nEXCLUDE_SERVERS=10.15.0.8\n"
                                  "CONFIG_DEFAULT_PASSWORD=x1234\nCONFIG_MARIADB_INSTALL=n\nCONFIG_MARIADB_HOST=10.15.0.50\n");
  ASSERT_FALSE(f.has_errors()) << findings(f);
  const auto inv = make_inventory(f);
  ASSERT_TRUE(inv);
  EXPECT_TRUE(inv->find("10.15.0.8")->excluded);
  EXPECT_EQ(inv->deploy_hosts(), (std::vector<std::string>{"10.15.0.4", "10.15.0.7", "10.15.0.2"}));
  EXPECT_EQ(inv->hosts_with(HostRole::neutron_ovs_agent), (std::vector<std::string>{"10.15.0.7", "10.15.0.2"}));
  EXPECT_EQ(inv->hosts_with(HostRole::neutron_ovs_agent, true),
            (std::vector<std::string>{"10.15.0.7", "10.15.0.2", "10.15.0.8"}));
  EXPECT_NE(inv->describe().find("10.15.0.8  compute neutron-ovs-agent (excluded)"), std::string::npos);
  // An existing database server is no host stackwire deploys to.
  EXPECT_EQ(inv->mariadb_host, "10.15.0.50");
  EXPECT_FALSE(inv->mariadb_install);
  EXPECT_EQ(inv->find("10.15.0.50"), nullptr);
}

TEST(InventoryTest, RoleNamesRoundTrip) {
  for (std::size_t i = 0; i < kHostRoleCount; ++i) {
    const auto r = static_cast<HostRole>(i);
    EXPECT_EQ(role_from_name(role_name(r)), r);
  }
  EXPECT_EQ(role_from_name("nova-compute"), std::nullopt);
}

TEST(InventoryTest, RefusesFilesWithErrorsAndUnfilledPasswords) {
  const auto bad = read_answer_file("a.txt", "[general]\nCONFIG_CONTROLLER_HOST=not a host\n");
  const auto inv = make_inventory(bad);
  ASSERT_FALSE(inv);
  EXPECT_NE(inv.error().message().find("a.txt:2: CONFIG_CONTROLLER_HOST: 'not a host' is not a host"), std::string::npos);
  auto open = read_answer_file("b.txt", "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.4\n"
                                        "CONFIG_COMPUTE_HOSTS=10.15.0.4\n");
  ASSERT_TRUE(make_inventory(open));  // no secrets in an Inventory
  const auto c = credentials(open);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("passwords still read PW_PLACEHOLDER"), std::string::npos);
  fill_placeholder_passwords(open, [] { return std::string("0123456789abcdef"); });
  EXPECT_TRUE(credentials(open));
}

}  // namespace
}  // namespace sw::installer
