// The topology file: reader (good and bad input, every error as file:line), writer round trips,
// and the observed topology read from recorded Neutron responses.
#include "installer/topology.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "installer/http.h"
#include "installer/neutron_client.h"

namespace sw::installer {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string testdata(const std::string& name) {
  return read(std::string(STACKWIRE_SOURCE_DIR) + "/tests/installer/testdata/api/" + name);
}

// The hangout's topology, one key per line so that line numbers are easy to name.
constexpr const char* kGood = R"({
  "networks": [
    {
      "name": "external",
      "external": true,
      "provider": {"network_type": "flat", "physical_network": "external"},
      "subnets": [
        {
          "name": "external-subnet",
          "cidr": "172.16.13.0/24",
          "gateway_ip": "172.16.13.1",
          "enable_dhcp": false,
          "allocation_pools": [{"start": "172.16.13.2", "end": "172.16.13.200"}]
        }
      ]
    },
    {
      "name": "net0",
      "subnets": [
        {
          "name": "net0-subnet",
          "cidr": "10.0.0.0/24",
          "gateway_ip": "10.0.0.1",
          "enable_dhcp": true,
          "dns_nameservers": []
        }
      ]
    }
  ],
  "routers": [
    {"name": "extrouter", "external_gateway": "external", "interfaces": ["net0-subnet"]}
  ],
  "security_group_rules": [
    {"protocol": "icmp"},
    {"protocol": "tcp", "port": 22}
  ],
  "instances": [
    {"name": "test0", "network": "net0", "host": "compute1", "floating_ip": "172.16.13.3"}
  ],
  "project": "demo",
  "user": "demo"
}
)";

// kGood with one line replaced (1-based), to make a bad file whose fault is on that line.
std::string with_line(int n, const std::string& replacement) {
  std::istringstream in(kGood);
  std::string line, out;
  for (int i = 1; std::getline(in, line); ++i) out += (i == n ? replacement : line) + "\n";
  return out;
}

std::string error_of(const std::string& text) {
  auto t = parse_topology("t.json", text);
  return t ? std::string("(parsed)") : t.error().message();
}

TEST(TopologyFile, ParsesTheHangoutTopology) {
  std::vector<std::string> warnings;
  auto t = parse_topology("t.json", kGood, &warnings);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(t->project, "demo");
  ASSERT_EQ(t->networks.size(), 2u);
  const auto& ext = t->networks[0];
  EXPECT_TRUE(ext.external);
  EXPECT_FALSE(ext.shared);
  EXPECT_EQ(ext.provider.network_type, "flat");
  EXPECT_EQ(ext.provider.physical_network, "external");
  EXPECT_EQ(ext.line, 3);
  const auto& es = ext.subnets.at(0);
  EXPECT_EQ(es.cidr, "172.16.13.0/24");
  EXPECT_EQ(es.gateway_ip, "172.16.13.1");
  EXPECT_FALSE(es.enable_dhcp);
  ASSERT_EQ(es.allocation_pools.size(), 1u);
  EXPECT_EQ(es.allocation_pools[0].end, "172.16.13.200");
  EXPECT_EQ(es.line, 8);
  EXPECT_TRUE(t->networks[1].subnets.at(0).enable_dhcp);
  const auto* r = t->router("extrouter");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->external_gateway, "external");
  EXPECT_EQ(r->interfaces, std::vector<std::string>{"net0-subnet"});
  ASSERT_EQ(t->security_group_rules.size(), 2u);
  EXPECT_EQ(t->security_group_rules[0].protocol, "icmp");
  EXPECT_FALSE(t->security_group_rules[0].port);
  EXPECT_EQ(t->security_group_rules[1].port, 22);
  EXPECT_EQ(t->security_group_rules[1].direction, "ingress");
  const auto* i = t->instance("test0");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->host, "compute1");
  EXPECT_EQ(i->floating_ip, "172.16.13.3");
  EXPECT_EQ(i->line, 38);
  EXPECT_EQ(t->network_of_subnet("net0-subnet")->name, "net0");
  EXPECT_EQ(t->external_network_for("172.16.13.3")->name, "external");
}

TEST(TopologyFile, TheShippedFilesParseWithoutWarnings) {
  for (const std::string rel : {"tests/installer/testdata/api/hangout_topology.json", "lab/topology.json"}) {
    const std::string path = std::string(STACKWIRE_SOURCE_DIR) + "/" + rel;
    if (!std::filesystem::exists(path)) continue;  // lab/ lands separately
    std::vector<std::string> warnings;
    auto t = read_topology_file(path, &warnings);
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_TRUE(warnings.empty()) << rel << ": " << warnings.front();
    EXPECT_EQ(t->instances.at(0).floating_ip, "172.16.13.3");
  }
}

TEST(TopologyFile, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(error_of(with_line(22, R"(          "cidr": "10.0.0.0/24")")),
            "t.json:23: JSON syntax error while parsing object - unexpected string literal; expected '}'");
  EXPECT_EQ(error_of("{\n  \"networks\": [\n"), "t.json:3: JSON syntax error while parsing value - unexpected end of input; "
                                                 "expected '[', '{', or a literal");
  EXPECT_EQ(error_of(with_line(34, R"(    {"protocol": "icmp", "protocol": "tcp"},)")), "t.json:34: duplicate key 'protocol'");
}

TEST(TopologyFile, WrongTypesAreErrorsWithLineAndPath) {
  EXPECT_EQ(error_of(with_line(22, R"(          "cidr": 24,)")),
            "t.json:22: networks[1].subnets[0].cidr: expected a string, got an integer");
  EXPECT_EQ(error_of(with_line(12, R"(          "enable_dhcp": "no",)")),
            "t.json:12: networks[0].subnets[0].enable_dhcp: expected true or false, got a string");
  EXPECT_EQ(error_of(with_line(35, R"(    {"protocol": "tcp", "port": 70000})")),
            "t.json:35: security_group_rules[1].port: must be between 1 and 65535");
  EXPECT_EQ(error_of(with_line(38, R"(    {"network": "net0", "host": "compute1"})")), "t.json:38: instances[0]: missing 'name'");
  EXPECT_EQ(error_of(with_line(31, R"(    {"name": "extrouter", "external_gateway": "external", "interfaces": "net0-subnet"})")),
            "t.json:31: routers[0].interfaces: expected an array of strings, got a string");
  EXPECT_EQ(error_of("[1, 2]"), "t.json:1: expected an object, got an array");
}

TEST(TopologyFile, UnknownKeysAreWarningsWithLine) {
  std::vector<std::string> warnings;
  auto t = parse_topology("t.json", with_line(18, R"(      "name": "net0", "segmentation": 7,)"), &warnings);
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "t.json:18: networks[1].segmentation: unknown key 'segmentation', ignored");
}

TEST(TopologyFile, ReferencesAndAddressesAreChecked) {
  EXPECT_EQ(error_of(with_line(31, R"(    {"name": "extrouter", "external_gateway": "external", "interfaces": ["net1-subnet"]})")),
            "t.json:31: router 'extrouter': interface subnet 'net1-subnet' is not defined");
  EXPECT_EQ(error_of(with_line(31, R"(    {"name": "extrouter", "external_gateway": "net0", "interfaces": ["net0-subnet"]})")),
            "t.json:31: router 'extrouter': external_gateway 'net0' is not an external network (\"external\": true)");
  EXPECT_EQ(error_of(with_line(38, R"(    {"name": "test0", "network": "net9", "host": "compute1", "floating_ip": "172.16.13.3"})")),
            "t.json:38: instance 'test0': network 'net9' is not defined");
  EXPECT_EQ(error_of(with_line(38, R"(    {"name": "test0", "network": "net0", "host": "compute1", "floating_ip": "172.16.14.3"})")),
            "t.json:38: instance 'test0': floating IP 172.16.14.3 is outside every external subnet (172.16.13.0/24)");
  EXPECT_EQ(error_of(with_line(38, R"(    {"name": "test0", "network": "net0", "fixed_ip": "10.0.1.5"})")),
            "t.json:38: instance 'test0': fixed_ip 10.0.1.5 is outside every subnet of network 'net0'");
  EXPECT_EQ(error_of(with_line(22, R"(          "cidr": "10.0.0.0/33",)")),
            "t.json:22: subnet 'net0-subnet': cidr '10.0.0.0/33' is not a valid CIDR");
  EXPECT_EQ(error_of(with_line(22, R"(          "cidr": "10.0.0.7/24",)")),
            "t.json:22: subnet 'net0-subnet': cidr '10.0.0.7/24' has host bits set (did you mean 10.0.0.0/24?)");
  EXPECT_EQ(error_of(with_line(23, R"(          "gateway_ip": "10.0.1.1",)")),
            "t.json:23: subnet 'net0-subnet': gateway_ip 10.0.1.1 is outside 10.0.0.0/24");
  EXPECT_EQ(error_of(with_line(11, R"(          "gateway_ip": "172.16.13.100",)")),
            "t.json:13: subnet 'external-subnet': the gateway 172.16.13.100 lies inside allocation pool "
            "172.16.13.2-172.16.13.200");
  // No router joins net0 to the external network: the floating IP could not be associated.
  EXPECT_EQ(error_of(with_line(31, R"(    {"name": "extrouter", "interfaces": ["net0-subnet"]})")),
            "t.json:38: instance 'test0': no router has its gateway on 'external' and an interface on 'net0', so "
            "floating IP 172.16.13.3 cannot be associated");
}

TEST(TopologyFile, OverlappingTenantCidrsAreAnError) {
  const std::string text = R"({
  "networks": [
    {"name": "net0", "subnets": [{"name": "a", "cidr": "10.0.0.0/16"}]},
    {"name": "net1", "subnets": [
      {"name": "b", "cidr": "192.168.0.0/24"},
      {"name": "c", "cidr": "10.0.3.0/24"}
    ]}
  ]
})";
  EXPECT_EQ(error_of(text), "t.json:6: subnet 'c' (10.0.3.0/24) overlaps subnet 'a' (10.0.0.0/16)");
  const std::string dup = R"({"networks": [{"name": "n", "subnets": [{"name": "s", "cidr": "10.0.0.0/24"}]},
                                           {"name": "n", "subnets": []}]})";
  EXPECT_EQ(error_of(dup), "t.json:2: network 'n' is defined twice");
}

TEST(TopologyFile, WriterRoundTrips) {
  auto t = parse_topology("t.json", kGood);
  ASSERT_TRUE(t);
  const std::string written = write_topology(*t);
  auto back = parse_topology("written.json", written);
  ASSERT_TRUE(back) << back.error().message() << "\n" << written;
  EXPECT_EQ(write_topology(*back), written);
  EXPECT_EQ(back->networks[0].subnets[0].allocation_pools, t->networks[0].subnets[0].allocation_pools);
  EXPECT_EQ(back->security_group_rules[1].port, 22);
  // No gateway is written as null and read back as "no gateway", not as "Neutron's default".
  Topology nogw = *t;
  nogw.networks[0].subnets[0].gateway_ip = "";
  nogw.routers.clear();
  nogw.instances.clear();
  const std::string w2 = write_topology(nogw);
  EXPECT_NE(w2.find("\"gateway_ip\": null"), std::string::npos) << w2;
  auto back2 = parse_topology("w2.json", w2);
  ASSERT_TRUE(back2) << back2.error().message();
  EXPECT_EQ(back2->networks[0].subnets[0].gateway_ip, std::optional<std::string>(""));
}

// The deployed hangout cloud as Neutron's API returns it (admin token).
void on_deployed_cloud(ReplayHttpClient& http) {
  http.on("GET /v2.0/networks", 200, testdata("neutron_networks.json"));
  http.on("GET /v2.0/subnets", 200, testdata("neutron_subnets.json"));
  http.on("GET /v2.0/routers", 200, testdata("neutron_routers_extrouter.json"));
  http.on("GET /v2.0/ports", 200, testdata("neutron_ports.json"));
  http.on("GET /v2.0/floatingips", 200, testdata("neutron_floatingips_test0.json"));
  http.on("GET /v2.0/agents", 200, testdata("neutron_agents.json"));
  http.on("GET /v2.0/routers/19de0c7a-3b5e-4f21-9d8c-2a6b4e1f3c57/l3-agents", 200, testdata("neutron_router_l3_agents.json"));
  http.on("GET /v2.0/networks/c5573a9e-2f4b-4b7e-9a3c-6d1e8f0b2a44/dhcp-agents", 200,
          testdata("neutron_network_dhcp_agents.json"));
  http.on("GET /v2.0/security-group-rules?direction=ingress", 200, testdata("neutron_sg_rules_ingress.json"));
}

TEST(TopologyFromApi, ReadsIdsHostsAgentsAndInstances) {
  ReplayHttpClient http;
  on_deployed_cloud(http);
  NeutronClient neutron(http, "http://10.15.0.4:9696", "tok");
  auto t = read_topology_from_api(neutron);
  ASSERT_TRUE(t) << t.error().message();
  const auto* net0 = t->network("net0");
  ASSERT_NE(net0, nullptr);
  EXPECT_EQ(net0->id, "c5573a9e-2f4b-4b7e-9a3c-6d1e8f0b2a44");
  EXPECT_EQ(net0->provider.network_type, "gre");
  EXPECT_EQ(net0->provider.segmentation_id, 1001);
  EXPECT_EQ(net0->mtu, 1458);
  EXPECT_EQ(net0->dhcp_agent_hosts, std::vector<std::string>{"network"});
  EXPECT_TRUE(t->network("external")->dhcp_agent_hosts.empty());
  const auto* r = t->router("extrouter");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->gateway_ip, "172.16.13.124");
  EXPECT_EQ(r->external_gateway, "external");
  EXPECT_EQ(r->interfaces, std::vector<std::string>{"net0-subnet"});
  EXPECT_EQ(r->l3_agent_hosts, std::vector<std::string>{"network"});
  ASSERT_EQ(t->instances.size(), 1u);
  const auto& i = t->instances[0];
  EXPECT_EQ(i.name, "test0");
  EXPECT_EQ(i.host, "compute1");
  EXPECT_EQ(i.fixed_ip, "10.0.0.10");
  EXPECT_EQ(i.mac, "fa:16:3e:5c:81:0a");
  EXPECT_EQ(i.floating_ip, "172.16.13.3");
  EXPECT_EQ(i.status, "ACTIVE");
  ASSERT_EQ(t->ports.size(), 5u);
  auto router_ports = t->ports_of_device(r->id);
  ASSERT_EQ(router_ports.size(), 2u);
  EXPECT_EQ(router_ports[0]->device_owner, "network:router_gateway");
  EXPECT_EQ(router_ports[0]->host, "network");
  EXPECT_EQ(router_ports[1]->fixed_ips.at(0).subnet, "net0-subnet");
  ASSERT_EQ(t->security_group_rules.size(), 2u);  // the group's remote-group rules do not count
  EXPECT_EQ(t->security_group_rules[0].protocol, "icmp");
  EXPECT_EQ(t->security_group_rules[1].port, 22);
  EXPECT_EQ(t->agents.size(), 5u);

  // verify --topology FILE accepts what the writer makes of it.
  const std::string written = write_topology(*t);
  std::vector<std::string> warnings;
  auto back = parse_topology("observed.json", written, &warnings);
  ASSERT_TRUE(back) << back.error().message() << "\n" << written;
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(write_topology(*back), written);
  EXPECT_EQ(back->router("extrouter")->l3_agent_hosts, std::vector<std::string>{"network"});
  EXPECT_EQ(back->network("net0")->provider.segmentation_id, 1001);
  EXPECT_EQ(http.count("POST") + http.count("PUT") + http.count("DELETE"), 0u);
}

TEST(TopologyFromApi, DuplicateAndEmptyNamesBecomeUnique) {
  ReplayHttpClient http;
  auto nets = nlohmann::json::parse(testdata("neutron_networks.json"));
  nets["networks"][0]["name"] = "";
  http.on("GET /v2.0/networks", 200, nets.dump());  // served before the one on_deployed_cloud adds
  on_deployed_cloud(http);
  auto t = read_topology_from_api(NeutronClient(http, "http://10.15.0.4:9696", "tok"));
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->networks[0].name, "@1b2c3d4e");
  EXPECT_EQ(t->router("extrouter")->external_gateway, "@1b2c3d4e");
}

TEST(TopologyFromApi, AProjectMemberReadsItWithoutTheAgents) {
  ReplayHttpClient http;
  const std::string forbidden =
      R"({"NeutronError":{"type":"HTTPForbidden","message":"rule:get_agent is disallowed by policy","detail":""}})";
  http.on("GET /v2.0/agents", 403, forbidden);
  http.on("GET /v2.0/routers/19de0c7a-3b5e-4f21-9d8c-2a6b4e1f3c57/l3-agents", 403, forbidden);
  http.on("GET /v2.0/networks/c5573a9e-2f4b-4b7e-9a3c-6d1e8f0b2a44/dhcp-agents", 403, forbidden);
  on_deployed_cloud(http);
  testing::internal::CaptureStderr();
  auto t = read_topology_from_api(NeutronClient(http, "http://10.15.0.4:9696", "tok"));
  const std::string warned = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_TRUE(t->agents.empty());
  EXPECT_TRUE(t->router("extrouter")->l3_agent_hosts.empty());
  EXPECT_EQ(t->instance("test0")->host, "compute1");
  EXPECT_NE(warned.find("Neutron agents are not visible with these credentials (admin only)"), std::string::npos);
  // A server error is not a permission matter: it stays an error.
  ReplayHttpClient broken;
  broken.on("GET /v2.0/agents", 500, R"({"NeutronError":{"type":"Internal","message":"boom","detail":""}})");
  on_deployed_cloud(broken);
  auto e = read_topology_from_api(NeutronClient(broken, "http://10.15.0.4:9696", "tok"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "GET http://10.15.0.4:9696/v2.0/agents: 500 Internal Server Error: boom");
}

TEST(Cidr, ContainsAndPrefix) {
  EXPECT_TRUE(cidr_contains("10.0.0.0/24", "10.0.0.255"));
  EXPECT_FALSE(cidr_contains("10.0.0.0/24", "10.0.1.0"));
  EXPECT_TRUE(cidr_contains("fd00::/64", "fd00::5"));
  EXPECT_FALSE(cidr_contains("10.0.0.0/24", "fd00::5"));
  EXPECT_EQ(cidr_prefix_len("172.16.13.0/24"), 24);
  EXPECT_FALSE(cidr_prefix_len("172.16.13.0"));
}

}  // namespace
}  // namespace sw::installer
