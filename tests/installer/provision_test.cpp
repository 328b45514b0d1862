// provision() against recorded Keystone/Neutron responses: a first run on an empty cloud creates
// everything with the right attributes, a second run on the provisioned cloud reuses everything and
// writes nothing; failures name the resource; the namespace instance steps are rendered as expected.
#include "installer/provision.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "common/log.h"
#include "installer/http.h"

namespace sw::installer {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string testdata(const std::string& name) {
  std::ifstream in(std::string(STACKWIRE_SOURCE_DIR) + "/tests/installer/testdata/api/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kAdminProject = "4ad1b6e2f0c94b4c9d0e2a7f3c6b1a01";
constexpr const char* kDemoProject = "9b1f4c2e7d3a4e6f8a0b1c2d3e4f5a6b";
constexpr const char* kDemoUser = "e1f2a3b4c5d64e7f8091a2b3c4d5e6f7";
constexpr const char* kRole = "a9a8b7c6d5e44f3a9b2c1d0e9f8a7b6c";
constexpr const char* kExt = "1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b";
constexpr const char* kNet0 = "c5573a9e-2f4b-4b7e-9a3c-6d1e8f0b2a44";
constexpr const char* kRouter = "19de0c7a-3b5e-4f21-9d8c-2a6b4e1f3c57";
constexpr const char* kGroup = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
constexpr const char* kPort = "5f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8";
constexpr const char* kDemoPassword = "Demo-Pw-provision-7719";

std::string s(const char* a, const std::string& b) { return std::string(a) + b; }

void on_logins(ReplayHttpClient& http) {
  http.on("POST /v3/auth/tokens", 201, testdata("keystone_token_admin.json"), {{"X-Subject-Token", "gAAAA-admin-prov-1"}});
  http.on("POST /v3/auth/tokens", 201, testdata("keystone_token_demo.json"), {{"X-Subject-Token", "gAAAA-demo-prov-2"}});
}

// The reads every run makes, with the answers of an empty cloud (first) or the provisioned one.
void on_reads(ReplayHttpClient& http, bool provisioned) {
  auto pick = [&](const char* empty, const char* full) { return testdata(provisioned ? full : empty); };
  http.on("GET /v3/projects?name=demo&domain_id=default", 200,
          pick("keystone_projects_empty.json", "keystone_projects_demo.json"));
  http.on("GET /v3/users?name=demo&domain_id=default", 200, pick("keystone_users_empty.json", "keystone_users_demo.json"));
  http.on("GET /v3/roles?name=member", 200, testdata("keystone_roles_member.json"));
  http.on(s("GET /v3/role_assignments?user.id=", kDemoUser) + "&scope.project.id=" + kDemoProject + "&role.id=" + kRole,
          200, pick("keystone_role_assignments_empty.json", "keystone_role_assignments_demo.json"));
  http.on(s("GET /v2.0/networks?name=external&project_id=", kAdminProject), 200,
          pick("neutron_empty_networks.json", "neutron_networks_external.json"));
  http.on(s("GET /v2.0/subnets?name=external-subnet&network_id=", kExt), 200,
          pick("neutron_empty_subnets.json", "neutron_subnets_external.json"));
  http.on(s("GET /v2.0/networks?name=net0&project_id=", kDemoProject), 200,
          pick("neutron_empty_networks.json", "neutron_networks_net0.json"));
  http.on(s("GET /v2.0/subnets?name=net0-subnet&network_id=", kNet0), 200,
          pick("neutron_empty_subnets.json", "neutron_subnets_net0.json"));
  http.on(s("GET /v2.0/routers?name=extrouter&project_id=", kDemoProject), 200,
          pick("neutron_empty_routers.json", "neutron_routers_extrouter.json"));
  http.on(s("GET /v2.0/ports?device_id=", kRouter), 200, pick("neutron_empty_ports.json", "neutron_ports_router.json"));
  http.on(s("GET /v2.0/security-groups?name=default&project_id=", kDemoProject), 200,
          testdata("neutron_security_groups_default.json"));
  http.on(s("GET /v2.0/security-group-rules?security_group_id=", kGroup), 200,
          pick("neutron_sg_rules_default.json", "neutron_sg_rules_provisioned.json"));
  http.on(s("GET /v2.0/ports?name=test0&network_id=", kNet0) + "&project_id=" + kDemoProject, 200,
          pick("neutron_empty_ports.json", "neutron_ports_test0.json"));
  http.on("GET /v2.0/floatingips?floating_ip_address=172.16.13.3", 200,
          pick("neutron_empty_floatingips.json", "neutron_floatingips_test0.json"));
}

void on_creates(ReplayHttpClient& http) {
  http.on("POST /v3/projects", 201, testdata("keystone_project_created.json"));
  http.on("POST /v3/users", 201, testdata("keystone_user_created.json"));
  http.on(s("PUT /v3/projects/", kDemoProject) + "/users/" + kDemoUser + "/roles/" + kRole, 204, "");
  http.on("POST /v2.0/networks", 201, testdata("neutron_network_external.json"));
  http.on("POST /v2.0/networks", 201, testdata("neutron_network_net0.json"));
  http.on("POST /v2.0/subnets", 201, testdata("neutron_subnet_external.json"));
  http.on("POST /v2.0/subnets", 201, testdata("neutron_subnet_net0.json"));
  http.on("POST /v2.0/routers", 201, testdata("neutron_router_created.json"));
  http.on(s("PUT /v2.0/routers/", kRouter) + "/add_router_interface", 200, testdata("neutron_router_interface_added.json"));
  http.on("POST /v2.0/security-group-rules", 201, testdata("neutron_sg_rule_icmp_created.json"));
  http.on("POST /v2.0/security-group-rules", 409, testdata("neutron_sg_rule_exists_409.json"));
  http.on("POST /v2.0/ports", 201, testdata("neutron_port_test0_created.json"));
  http.on("POST /v2.0/floatingips", 201, testdata("neutron_floatingip_created.json"));
}

void on_port_status(ReplayHttpClient& http, bool goes_active) {
  http.on(s("GET /v2.0/ports/", kPort), 200, testdata("neutron_port_test0_down.json"));
  if (goes_active) http.on(s("GET /v2.0/ports/", kPort), 200, testdata("neutron_port_test0_active.json"));
}

class RecordingPlugger final : public InstancePlugger {
 public:
  std::string_view kind() const override { return "recording"; }
  Result<void> plug(const InstancePort& port) override {
    plugged.push_back(port);
    return {};
  }
  std::vector<InstancePort> plugged;
};

class MemoryFiles final : public FileWriter {
 public:
  Result<bool> write_file(const std::string& path, const std::string& content, unsigned mode) override {
    auto& f = files[path];
    const bool changed = f.first != content || f.second != mode;
    f = {content, mode};
    return changed;
  }
  std::map<std::string, std::pair<std::string, unsigned>> files;
};

Topology hangout() {
  auto t = read_topology_file(std::string(STACKWIRE_SOURCE_DIR) + "/tests/installer/testdata/api/hangout_topology.json");
  EXPECT_TRUE(t) << t.error().message();
  return *t;
}

Credentials admin() {
  Credentials c;
  c.auth_url = "http://10.15.0.4:5000/v3";
  c.username = "admin";
  c.password = "Adm1n-provision-3302";
  c.project_name = "admin";
  c.region_name = "RegionOne";
  return c;
}

ProvisionOptions options() {
  ProvisionOptions o;
  o.demo_password = kDemoPassword;
  o.port_active = {2s, 1ms};
  return o;
}

json body_of(const ReplayHttpClient& http, const std::string& route, int nth = 0) {
  for (const auto& r : http.requests())
    if (ReplayHttpClient::route_of(r) == route && nth-- == 0) return json::parse(r.body);
  ADD_FAILURE() << "no request " << route;
  return {};
}

const ProvisionedResource* find(const ProvisionReport& r, std::string_view kind, std::string_view name) {
  for (const auto& x : r.resources)
    if (x.kind == kind && x.name == name) return &x;
  return nullptr;
}

TEST(Provision, FirstRunCreatesTheHangoutsPostInstall) {
  ReplayHttpClient http;
  on_logins(http);
  on_reads(http, false);
  on_creates(http);
  on_port_status(http, true);
  auto clients = Clients::login(http, admin());
  ASSERT_TRUE(clients) << clients.error().message();
  RecordingPlugger plugger;
  MemoryFiles files;
  auto rep = provision(hangout(), *clients, plugger, &files, options());
  ASSERT_TRUE(rep) << rep.error().message();

  // Keystone: project, user with its password and default project, member role.
  EXPECT_EQ(body_of(http, "POST /v3/projects")["project"]["name"], "demo");
  const json user = body_of(http, "POST /v3/users")["user"];
  EXPECT_EQ(user["name"], "demo");
  EXPECT_EQ(user["password"], kDemoPassword);
  EXPECT_EQ(user["default_project_id"], kDemoProject);
  EXPECT_EQ(find(*rep, "role assignment", "demo@demo")->action, Action::created);
  // keystonerc_demo: 0600, and it logs in as demo.
  const auto& [rc, mode] = files.files.at("/root/keystonerc_demo");
  EXPECT_EQ(mode, 0600u);
  auto demo = parse_keystonerc("keystonerc_demo", rc);
  ASSERT_TRUE(demo) << demo.error().message();
  EXPECT_EQ(demo->username, "demo");
  EXPECT_EQ(demo->password, kDemoPassword);
  EXPECT_EQ(demo->project_name, "demo");
  EXPECT_EQ(demo->auth_url, "http://10.15.0.4:5000/v3");
  const json demo_login = body_of(http, "POST /v3/auth/tokens", 1);
  EXPECT_EQ(demo_login["auth"]["identity"]["password"]["user"]["name"], "demo");

  // The external network: admin's, router:external, flat on physnet external; its subnet without DHCP.
  const json ext = body_of(http, "POST /v2.0/networks", 0)["network"];
  EXPECT_EQ(ext["name"], "external");
  EXPECT_EQ(ext["router:external"], true);
  EXPECT_EQ(ext["provider:network_type"], "flat");
  EXPECT_EQ(ext["provider:physical_network"], "external");
  EXPECT_EQ(ext["project_id"], kAdminProject);
  const json ext_sub = body_of(http, "POST /v2.0/subnets", 0)["subnet"];
  EXPECT_EQ(ext_sub["enable_dhcp"], false);
  EXPECT_EQ(ext_sub["network_id"], kExt);
  EXPECT_EQ(ext_sub["gateway_ip"], "172.16.13.1");
  EXPECT_EQ(ext_sub["allocation_pools"], json::parse(R"([{"start":"172.16.13.2","end":"172.16.13.200"}])"));
  // The tenant network in the demo project.
  const json net0 = body_of(http, "POST /v2.0/networks", 1)["network"];
  EXPECT_EQ(net0["project_id"], kDemoProject);
  EXPECT_FALSE(net0.contains("router:external"));
  EXPECT_FALSE(net0.contains("provider:network_type"));
  const json net0_sub = body_of(http, "POST /v2.0/subnets", 1)["subnet"];
  EXPECT_EQ(net0_sub["cidr"], "10.0.0.0/24");
  EXPECT_EQ(net0_sub["enable_dhcp"], true);
  // Router with its gateway, interface on net0-subnet.
  EXPECT_EQ(body_of(http, "POST /v2.0/routers")["router"]["external_gateway_info"]["network_id"], kExt);
  EXPECT_EQ(body_of(http, s("PUT /v2.0/routers/", kRouter) + "/add_router_interface")["subnet_id"],
            "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b");
  // Rules in the demo project's default group (made as demo); tcp/22 was there already (409).
  EXPECT_EQ(body_of(http, "POST /v2.0/security-group-rules", 0)["security_group_rule"]["protocol"], "icmp");
  EXPECT_EQ(body_of(http, "POST /v2.0/security-group-rules", 1)["security_group_rule"]["security_group_id"], kGroup);
  for (const auto& r : http.requests())
    if (r.url.find("/security-group") != std::string::npos) {
      EXPECT_EQ(r.headers.at(1).second, "gAAAA-demo-prov-2");
    }
  EXPECT_EQ(find(*rep, "security group rule", "icmp")->action, Action::created);
  EXPECT_EQ(find(*rep, "security group rule", "tcp/22")->action, Action::reused);
  EXPECT_EQ(find(*rep, "security group rule", "tcp/22")->id, "66f70819-2a3b-44c5-d6e7-f8091a2b3c4d");
  // The instance port: bound to compute1 as Nova would bind it.
  const json port = body_of(http, "POST /v2.0/ports")["port"];
  EXPECT_EQ(port["name"], "test0");
  EXPECT_EQ(port["device_owner"], "compute:nova");
  EXPECT_EQ(port["binding:host_id"], "compute1");
  EXPECT_EQ(port["network_id"], kNet0);
  EXPECT_EQ(port["project_id"], kDemoProject);
  EXPECT_EQ(port["device_id"].get<std::string>().size(), 36u);
  const json fip = body_of(http, "POST /v2.0/floatingips")["floatingip"];
  EXPECT_EQ(fip["floating_ip_address"], "172.16.13.3");
  EXPECT_EQ(fip["floating_network_id"], kExt);
  EXPECT_EQ(fip["port_id"], kPort);

  // The plugger got everything an instance needs.
  ASSERT_EQ(plugger.plugged.size(), 1u);
  const InstancePort& p = plugger.plugged[0];
  EXPECT_EQ(p.instance, "test0");
  EXPECT_EQ(p.host, "compute1");
  EXPECT_EQ(p.port_id, kPort);
  EXPECT_EQ(p.device_id, "3e7a9c1b-5d2f-4a8e-b6c4-1f0d9e8a7b6c");
  EXPECT_EQ(p.mac, "fa:16:3e:5c:81:0a");
  EXPECT_EQ(p.fixed_ip, "10.0.0.10");
  EXPECT_EQ(p.prefix_len, 24);
  EXPECT_EQ(p.gateway_ip, "10.0.0.1");
  EXPECT_EQ(p.mtu, 1458);

  // The report: every resource with its id and what was done.
  EXPECT_EQ(rep->count(Action::reused), 1);  // tcp/22
  EXPECT_EQ(rep->count(Action::created), 13);
  EXPECT_EQ(find(*rep, "network", "net0")->id, kNet0);
  EXPECT_EQ(find(*rep, "floating ip", "172.16.13.3")->detail, "172.16.13.3 -> test0 (10.0.0.10)");
  ASSERT_EQ(rep->instances.size(), 1u);
  EXPECT_EQ(rep->instances[0].status, "ACTIVE");
  const json j = rep->to_json();
  EXPECT_EQ(j["summary"]["created"], 13);
  EXPECT_EQ(j["resources"].size(), 14u);
  EXPECT_NE(rep->render().find("13 created, 0 updated, 1 reused"), std::string::npos) << rep->render();
}

TEST(Provision, SecondRunReusesEverythingAndWritesNothing) {
  ReplayHttpClient http;
  on_logins(http);
  on_reads(http, true);
  on_port_status(http, true);
  auto clients = Clients::login(http, admin());
  ASSERT_TRUE(clients);
  RecordingPlugger plugger;
  MemoryFiles files;
  Credentials demo = admin();
  demo.username = demo.project_name = "demo";
  demo.password = kDemoPassword;
  ASSERT_TRUE(files.write_file("/root/keystonerc_demo", render_keystonerc(demo, "keystone_demo"), 0600));
  auto rep = provision(hangout(), *clients, plugger, &files, options());
  ASSERT_TRUE(rep) << rep.error().message();
  for (const auto& r : http.requests())
    EXPECT_TRUE(r.method == "GET" || ReplayHttpClient::route_of(r) == "POST /v3/auth/tokens")
        << "a re-run wrote: " << ReplayHttpClient::route_of(r);
  EXPECT_EQ(rep->count(Action::created), 0) << rep->render();
  EXPECT_EQ(rep->count(Action::updated), 0) << rep->render();
  EXPECT_EQ(rep->count(Action::reused), 14) << rep->render();
  EXPECT_EQ(find(*rep, "router interface", "extrouter:net0-subnet")->id, "c6d72451-e1b3-4a8d-9c2e-7f5a1b3d6e80");
  EXPECT_EQ(find(*rep, "floating ip", "172.16.13.3")->id, "8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d");
  // The instance is still handed to the plugger: its steps are idempotent and repair what is gone.
  ASSERT_EQ(plugger.plugged.size(), 1u);
  EXPECT_EQ(plugger.plugged[0].port_id, kPort);
}

TEST(Provision, AnExistingUserWithAnotherPasswordGetsTheAnswerFilesOne) {
  ReplayHttpClient http;
  http.on("POST /v3/auth/tokens", 201, testdata("keystone_token_admin.json"), {{"X-Subject-Token", "gAAAA-admin-prov-3"}});
  http.on("POST /v3/auth/tokens", 401, testdata("keystone_error_401.json"));
  http.on("POST /v3/auth/tokens", 201, testdata("keystone_token_demo.json"), {{"X-Subject-Token", "gAAAA-demo-prov-4"}});
  on_reads(http, true);
  on_port_status(http, true);
  http.on(s("PATCH /v3/users/", kDemoUser), 200, testdata("keystone_user_created.json"));
  auto clients = Clients::login(http, admin());
  ASSERT_TRUE(clients);
  RecordingPlugger plugger;
  auto rep = provision(hangout(), *clients, plugger, nullptr, options());
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_EQ(find(*rep, "user", "demo")->action, Action::updated);
  EXPECT_EQ(body_of(http, s("PATCH /v3/users/", kDemoUser))["user"]["password"], kDemoPassword);
  EXPECT_EQ(find(*rep, "file", "keystonerc_demo"), nullptr);  // no writer: nothing written
}

TEST(Provision, AFailureNamesTheResourceAndTheApisMessage) {
  ReplayHttpClient http;
  on_logins(http);
  on_reads(http, false);
  http.on("POST /v2.0/floatingips", 404, testdata("neutron_error_404_extnet.json"));  // served first
  on_creates(http);
  auto clients = Clients::login(http, admin());
  ASSERT_TRUE(clients);
  RecordingPlugger plugger;
  auto rep = provision(hangout(), *clients, plugger, nullptr, options());
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error().kind(), ErrorKind::not_found);
  EXPECT_TRUE(rep.error().message().starts_with(
      "provision: instance 'test0': POST http://10.15.0.4:9696/v2.0/floatingips: 404 Not Found: External network "))
      << rep.error().message();
  EXPECT_TRUE(plugger.plugged.empty());
}

TEST(Provision, APortThatNeverGoesActiveIsATimeoutNamingTheInstance) {
  ReplayHttpClient http;
  on_logins(http);
  on_reads(http, true);
  on_port_status(http, false);
  auto clients = Clients::login(http, admin());
  ASSERT_TRUE(clients);
  RecordingPlugger plugger;
  ProvisionOptions o = options();
  o.port_active = {40ms, 5ms};
  auto rep = provision(hangout(), *clients, plugger, nullptr, o);
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(rep.error().message(), s("provision: instance 'test0': port ", kPort) +
                                       " ('test0') on host 'compute1' is still DOWN, not ACTIVE, after 40 ms "
                                       "(binding:vif_type ovs)");
}

TEST(Provision, BadInputIsRefusedBeforeAnyRequest) {
  ReplayHttpClient http;
  on_logins(http);
  auto clients = Clients::login(http, admin());
  ASSERT_TRUE(clients);
  const size_t before = http.requests().size();
  RecordingPlugger plugger;
  ProvisionOptions o = options();
  o.demo_password.clear();
  auto nopw = provision(hangout(), *clients, plugger, nullptr, o);
  ASSERT_FALSE(nopw);
  EXPECT_EQ(nopw.error().kind(), ErrorKind::input);
  EXPECT_EQ(nopw.error().message(), "provision: no password for user 'demo' (CONFIG_KEYSTONE_DEMO_PW)");
  Topology bad = hangout();
  bad.instances[0].network = "net7";
  auto badnet = provision(bad, *clients, plugger, nullptr, options());
  ASSERT_FALSE(badnet);
  EXPECT_TRUE(badnet.error().message().ends_with("/hangout_topology.json:29: instance 'test0': network 'net7' is not defined"))
      << badnet.error().message();
  EXPECT_EQ(http.requests().size(), before);
}

TEST(Provision, TheDemoPasswordAndTokensNeverReachTheLogOrTheReport) {
  ReplayHttpClient http;
  on_logins(http);
  on_reads(http, false);
  on_creates(http);
  on_port_status(http, true);
  const auto saved = sw::log::level();
  sw::log::set_level(sw::log::Level::debug);
  testing::internal::CaptureStderr();
  auto clients = Clients::login(http, admin());
  RecordingPlugger plugger;
  MemoryFiles files;
  auto rep = clients ? provision(hangout(), *clients, plugger, &files, options()) : fail(clients.error());
  const std::string logged = testing::internal::GetCapturedStderr();
  sw::log::set_level(saved);
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_NE(logged.find("provision: created network 'net0'"), std::string::npos) << logged;
  const std::string report = rep->render() + rep->to_json().dump();
  for (const std::string& secret : {std::string(kDemoPassword), std::string("gAAAA-admin-prov-1"),
                                   std::string("gAAAA-demo-prov-2"), std::string("Adm1n-provision-3302")}) {
    EXPECT_EQ(logged.find(secret), std::string::npos) << secret << " in:\n" << logged;
    EXPECT_EQ(report.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(files.files.at("/root/keystonerc_demo").first.find(kDemoPassword), std::string::npos);
}

// ------------------------------------------------------------------------------------------------
// Namespace instances

InstancePort test0() {
  return {"test0", "compute1", kPort, "3e7a9c1b-5d2f-4a8e-b6c4-1f0d9e8a7b6c", "fa:16:3e:5c:81:0a", "10.0.0.10", 24,
          "10.0.0.1", 1458, kNet0};
}

TEST(NamespaceInstance, NamesFollowNovaAndStayApartFromTheAgents) {
  EXPECT_EQ(instance_netns_name("test0"), "swvm-test0");
  EXPECT_EQ(instance_netns_name("web server/1"), "swvm-web-server-1");
  EXPECT_EQ(instance_tap_name(kPort), "tap5f3e2d1c-0b");
  EXPECT_EQ(instance_tap_name(kPort).size(), 14u);
  EXPECT_EQ(instance_listener_pidfile("test0"), "/run/stackwire/instances/swvm-test0.listener.pid");
}

TEST(NamespaceInstance, StepsPlugThePortTheWayTheOvsAgentExpects) {
  const auto steps = namespace_instance_steps(test0());
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].title, "instance test0: namespace swvm-test0");
  EXPECT_EQ(steps[0].check, "ip netns exec 'swvm-test0' true");
  EXPECT_EQ(steps[1].apply,
            "ovs-vsctl --timeout=10 --may-exist add-port 'br-int' 'tap5f3e2d1c-0b' -- set Interface 'tap5f3e2d1c-0b' "
            "type=internal 'external_ids:iface-id=\"5f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8\"' "
            "external_ids:iface-status=active 'external_ids:attached-mac=\"fa:16:3e:5c:81:0a\"' "
            "'external_ids:vm-uuid=\"3e7a9c1b-5d2f-4a8e-b6c4-1f0d9e8a7b6c\"'");
  EXPECT_NE(steps[2].apply.find("ip link set dev 'tap5f3e2d1c-0b' netns 'swvm-test0'"), std::string::npos);
  EXPECT_NE(steps[2].apply.find("ip link set dev 'tap5f3e2d1c-0b' address fa:16:3e:5c:81:0a mtu 1458"), std::string::npos);
  EXPECT_NE(steps[2].apply.find("ethtool -K 'tap5f3e2d1c-0b' tx off"), std::string::npos);
  EXPECT_NE(steps[3].apply.find("busybox udhcpc -q -n -f -i 'tap5f3e2d1c-0b' -t 5 -T 2 -r 10.0.0.10"), std::string::npos);
  EXPECT_NE(steps[3].apply.find("ip addr add 10.0.0.10/24 dev 'tap5f3e2d1c-0b'"), std::string::npos);
  EXPECT_NE(steps[3].apply.find("ip route replace default via 10.0.0.1 dev 'tap5f3e2d1c-0b'"), std::string::npos);
  EXPECT_NE(steps[3].check.find("grep -qF ' 10.0.0.10/24 '"), std::string::npos);
  EXPECT_NE(steps[4].apply.find("setsid busybox nc -ll -p 22 -e /bin/cat"), std::string::npos);
  EXPECT_NE(steps[4].apply.find("> '/run/stackwire/instances/swvm-test0.listener.pid'"), std::string::npos);
  // Rendered as a manifest, the script is valid POSIX shell.
  Manifest m{"compute1", "instance-test0", steps};
  EXPECT_EQ(m.file_name(), "compute1_instance-test0.sh");
  const std::string script = "/tmp/swt-api-" + std::to_string(::getpid()) + ".sh";
  std::ofstream(script) << m.render();
  EXPECT_EQ(std::system(("sh -n " + script).c_str()), 0) << m.render();
  std::remove(script.c_str());
}

TEST(NamespaceInstance, PluggerRunsOneManifestPerInstanceOnItsHost) {
  std::vector<Manifest> ran;
  NamespaceInstancePlugger plugger([&](const Manifest& m) -> Result<void> {
    ran.push_back(m);
    return {};
  });
  ASSERT_TRUE(plugger.plug(test0()));
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].host, "compute1");
  EXPECT_EQ(ran[0].plugin, "instance-test0");
  EXPECT_EQ(ran[0].steps.size(), 5u);
  InstancePort nohost = test0();
  nohost.host.clear();
  auto e = plugger.plug(nohost);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind(), ErrorKind::input);
  EXPECT_EQ(ran.size(), 1u);
  NamespaceInstancePlugger failing([](const Manifest&) -> Result<void> { return fail(Error::failed("step 4 failed")); });
  EXPECT_EQ(failing.plug(test0()).error().message(), "step 4 failed");
}

}  // namespace
}  // namespace sw::installer
