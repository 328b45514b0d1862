// The OpenStack API client against recorded Keystone v3 / Neutron v2.0 responses (testdata/api/),
// plus the libcurl client against a tiny HTTP server on loopback in this process.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "installer/http.h"
#include "installer/keystone_client.h"
#include "installer/neutron_client.h"
#include "installer/openstack_client.h"

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

// g++ 12 warns (-Wmissing-field-initializers) on designated initializers that skip members: build
// the option structs field by field.
HttpOptions timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds total) {
  HttpOptions o;
  o.connect_timeout = connect;
  o.total_timeout = total;
  return o;
}

SecurityGroupRuleSpec rule(std::string protocol, std::optional<int> port = {}, std::string direction = "ingress") {
  SecurityGroupRuleSpec s;
  s.protocol = std::move(protocol);
  s.port_range_min = port;
  s.direction = std::move(direction);
  return s;
}

NetworkSpec network_spec(std::string name, std::string project, bool external = false) {
  NetworkSpec s;
  s.name = std::move(name);
  s.project_id = std::move(project);
  s.external = external;
  return s;
}

constexpr const char* kKeystone = "http://10.15.0.4:5000/v3";
constexpr const char* kNeutron = "http://10.15.0.4:9696";

Credentials admin_creds(std::string password = "Adm1nSecretPw") {
  Credentials c;
  c.auth_url = kKeystone;
  c.username = "admin";
  c.password = std::move(password);
  c.project_name = "admin";
  c.region_name = "RegionOne";
  return c;
}

void on_admin_login(ReplayHttpClient& http, const std::string& token = "gAAAAABmQ-admin-token-0001") {
  http.on("POST /v3/auth/tokens", 201, testdata("keystone_token_admin.json"), {{"X-Subject-Token", token}});
}

// ------------------------------------------------------------------------------------------------
// HTTP layer

TEST(Http, RedactionMasksTokensAndPasswordsWithoutRegisteredSecrets) {
  HttpRequest r{"POST", "http://10.15.0.4:5000/v3/auth/tokens",
                {{"X-Auth-Token", "tok-unregistered-7731"}, {"Content-Type", "application/json"}},
                R"({"auth":{"identity":{"password":{"user":{"name":"admin","password":"pw-unregistered-5512"}}}}})"};
  const std::string line = redact_request(r);
  EXPECT_EQ(line.find("tok-unregistered-7731"), std::string::npos) << line;
  EXPECT_EQ(line.find("pw-unregistered-5512"), std::string::npos) << line;
  EXPECT_NE(line.find("[X-Auth-Token: ********]"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("password":"********")"), std::string::npos) << line;
  EXPECT_NE(line.find("POST http://10.15.0.4:5000/v3/auth/tokens"), std::string::npos);
  EXPECT_EQ(redact_body("not json"), "not json");
}

TEST(Http, ReplayServesRoutesInOrderAndNamesUnknownOnes) {
  ReplayHttpClient http;
  http.on("GET /v2.0/ports/p1", 200, R"({"port":{"status":"DOWN"}})");
  http.on("GET /v2.0/ports/p1", 200, R"({"port":{"status":"ACTIVE"}})");
  HttpRequest get{"GET", "http://10.15.0.4:9696/v2.0/ports/p1", {}, ""};
  EXPECT_NE(http.send(get)->body.find("DOWN"), std::string::npos);
  EXPECT_NE(http.send(get)->body.find("ACTIVE"), std::string::npos);
  EXPECT_NE(http.send(get)->body.find("ACTIVE"), std::string::npos);  // the last one repeats
  auto missing = http.send({"DELETE", "http://10.15.0.4:9696/v2.0/ports/p1", {}, ""});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("no recorded response for 'DELETE /v2.0/ports/p1'"), std::string::npos);
  EXPECT_EQ(http.count("GET"), 3u);
  EXPECT_EQ(http.sent_routes().back(), "DELETE /v2.0/ports/p1");
}

// A one-connection-at-a-time HTTP server on 127.0.0.1 for the libcurl client.
class LoopbackServer {
 public:
  enum class Mode { respond, silent };
  explicit LoopbackServer(Mode mode, std::string response = {}) : mode_(mode), response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    EXPECT_EQ(::listen(fd_, 4), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  std::string request() {
    std::lock_guard l(m_);
    return request_;
  }

 private:
  void serve() {
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    std::string req;
    char buf[4096];
    size_t want = std::string::npos;
    while (!stop_) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
      auto end = req.find("\r\n\r\n");
      if (end != std::string::npos && want == std::string::npos) {
        size_t cl = 0;
        if (auto p = req.find("Content-Length: "); p != std::string::npos && p < end) cl = std::stoul(req.substr(p + 16));
        want = end + 4 + cl;
      }
      if (want != std::string::npos && req.size() >= want) break;
    }
    {
      std::lock_guard l(m_);
      request_ = req;
    }
    if (mode_ == Mode::respond) {
      ::send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
    } else {
      while (!stop_) std::this_thread::sleep_for(10ms);  // never answer
    }
    ::close(c);
  }

  Mode mode_;
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex m_;
  std::string request_;
};

TEST(CurlHttpClient, SendsMethodHeadersBodyAndReadsTheResponse) {
  const std::string body = R"({"network":{"id":"n1","name":"net0"}})";
  LoopbackServer server(LoopbackServer::Mode::respond,
                        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Openstack-Request-Id: req-1\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  auto http = CurlHttpClient::create();
  ASSERT_TRUE(http) << http.error().message();
  HttpRequest req{"POST", "http://127.0.0.1:" + std::to_string(server.port()) + "/v2.0/networks",
                  {{"X-Auth-Token", "tok"}, {"Content-Type", "application/json"}}, R"({"network":{"name":"net0"}})"};
  auto resp = (*http)->send(req);
  ASSERT_TRUE(resp) << resp.error().message();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body, body);
  EXPECT_EQ(resp->header("x-openstack-request-id"), "req-1");
  const std::string seen = server.request();
  EXPECT_TRUE(seen.starts_with("POST /v2.0/networks HTTP/1.1\r\n")) << seen;
  EXPECT_NE(seen.find("X-Auth-Token: tok\r\n"), std::string::npos) << seen;
  EXPECT_TRUE(seen.ends_with(R"({"network":{"name":"net0"}})")) << seen;
  EXPECT_EQ(seen.find("Expect:"), std::string::npos) << seen;
}

TEST(CurlHttpClient, TotalTimeoutIsATimeoutErrorNamingMethodAndUrl) {
  LoopbackServer server(LoopbackServer::Mode::silent);
  auto http = CurlHttpClient::create(timeouts(1000ms, 300ms));
  ASSERT_TRUE(http);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v2.0/networks";
  const auto start = std::chrono::steady_clock::now();
  auto resp = (*http)->send({"GET", url, {}, ""});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().kind(), ErrorKind::timeout);
  EXPECT_NE(resp.error().message().find("GET " + url + ": "), std::string::npos) << resp.error().message();
  EXPECT_NE(resp.error().message().find("total 300 ms"), std::string::npos) << resp.error().message();
  EXPECT_LT(took, 3s);
}

TEST(CurlHttpClient, RefusedConnectionNamesTheUrl) {
  int port;
  {
    LoopbackServer gone(LoopbackServer::Mode::respond, "HTTP/1.1 204 No Content\r\n\r\n");
    port = gone.port();
    auto http = CurlHttpClient::create();
    (void)(*http)->send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  }
  auto http = CurlHttpClient::create(timeouts(1000ms, 2000ms));
  auto resp = (*http)->send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/v3", {}, ""});
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().kind(), ErrorKind::system);
  EXPECT_NE(resp.error().message().find("GET http://127.0.0.1:" + std::to_string(port) + "/v3: "), std::string::npos)
      << resp.error().message();
}

TEST(CurlHttpClient, UnknownNetnsFailsAtCreation) {
  HttpOptions o;
  o.netns = "swt-no-such-netns-for-api-test";
  auto http = CurlHttpClient::create(o);
  ASSERT_FALSE(http);
  EXPECT_NE(http.error().message().find("/run/netns/swt-no-such-netns-for-api-test"), std::string::npos);
}

// ------------------------------------------------------------------------------------------------
// Error bodies

TEST(ApiErrors, MessagesComeFromKeystoneAndNeutronBodies) {
  EXPECT_EQ(api_error_message(testdata("keystone_error_401.json")), "The request you have made requires authentication.");
  EXPECT_EQ(api_error_type(testdata("keystone_error_401.json")), "Unauthorized");
  EXPECT_EQ(api_error_type(testdata("neutron_sg_rule_exists_409.json")), "SecurityGroupRuleExists");
  EXPECT_EQ(api_error_message(R"({"NeutronError": "Network 42 could not be found"})"), "Network 42 could not be found");
  EXPECT_EQ(api_error_message(R"({"badRequest": {"code": 400, "message": "Invalid flavor"}})"), "Invalid flavor");
  EXPECT_EQ(api_error_message("<html><body>502 Bad Gateway</body></html>\nmore"), "<html><body>502 Bad Gateway</body></html>");
}

TEST(ApiErrors, StatusMapsToKindAndTheMessageNamesMethodUrlStatusAndApiMessage) {
  ReplayHttpClient http;
  http.on("POST /v2.0/floatingips", 404, testdata("neutron_error_404_extnet.json"));
  http.on("GET /v2.0/networks", 503, "");
  http.on("PUT /v2.0/routers/r1", 400, R"({"NeutronError":{"type":"BadRequest","message":"Bad router request","detail":""}})");
  ApiSession s(http, std::string(kNeutron) + "/v2.0", "tok");
  auto e = s.call("POST", "/floatingips", json{{"floatingip", {{"floating_network_id", "x"}}}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind(), ErrorKind::not_found);
  EXPECT_TRUE(e.error().message().starts_with(
      "POST http://10.15.0.4:9696/v2.0/floatingips: 404 Not Found: External network 1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b "
      "is not reachable from subnet"))
      << e.error().message();
  auto u = s.call("GET", "/networks");
  EXPECT_EQ(u.error().kind(), ErrorKind::system);
  EXPECT_EQ(u.error().message(), "GET http://10.15.0.4:9696/v2.0/networks: 503 Service Unavailable");
  auto b = s.call("PUT", "/routers/r1", json::object());
  EXPECT_EQ(b.error().kind(), ErrorKind::input);
  EXPECT_EQ(b.error().message(), "PUT http://10.15.0.4:9696/v2.0/routers/r1: 400 Bad Request: Bad router request");
}

// ------------------------------------------------------------------------------------------------
// Credentials

constexpr const char* kPackstackRc = R"(unset OS_SERVICE_TOKEN
    export OS_USERNAME=admin
    export OS_PASSWORD='0a1b2c3d4e5f6a7b'
    export OS_REGION_NAME=RegionOne
    export OS_AUTH_URL=http://10.15.0.4:5000/v3
    export PS1='[\u@\h \W(keystone_admin)]\$ '

export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_IDENTITY_API_VERSION=3
)";

TEST(Keystonerc, ParsesPackstacksFile) {
  auto c = parse_keystonerc("keystonerc_admin", kPackstackRc);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth_url, "http://10.15.0.4:5000/v3");
  EXPECT_EQ(c->username, "admin");
  EXPECT_EQ(c->password, "0a1b2c3d4e5f6a7b");
  EXPECT_EQ(c->project_name, "admin");
  EXPECT_EQ(c->user_domain_name, "Default");
  EXPECT_EQ(c->project_domain_name, "Default");
  EXPECT_EQ(c->region_name, "RegionOne");
  EXPECT_EQ(c->interface, "public");
}

TEST(Keystonerc, HavanaEraTenantNameAndV2UrlAreAccepted) {
  auto c = parse_keystonerc("keystonerc_admin",
                            "export OS_USERNAME=admin\nexport OS_TENANT_NAME=admin\nexport OS_PASSWORD=\"pa\\\"ss\"\n"
                            "export OS_AUTH_URL=http://10.15.0.4:35357/v2.0/\nexport OS_ENDPOINT_TYPE=internalURL\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->project_name, "admin");
  EXPECT_EQ(c->password, "pa\"ss");
  EXPECT_EQ(c->interface, "internal");
  EXPECT_EQ(identity_v3_url(c->auth_url), "http://10.15.0.4:35357/v3");
  EXPECT_EQ(identity_v3_url("http://h:5000"), "http://h:5000/v3");
  EXPECT_EQ(identity_v3_url("http://h:5000/v3/"), "http://h:5000/v3");
}

TEST(Keystonerc, ErrorsNameFileAndLine) {
  auto e1 = parse_keystonerc("rc", "export OS_USERNAME=admin\nexport OS_PASSWORD=$(cat /root/pw)\n");
  ASSERT_FALSE(e1);
  EXPECT_EQ(e1.error().message(), "rc:2: OS_PASSWORD: shell expansion ($...) is not supported");
  EXPECT_EQ(e1.error().kind(), ErrorKind::input);
  auto e2 = parse_keystonerc("rc", "# admin\n\nexport OS_PASSWORD='abc\n");
  ASSERT_FALSE(e2);
  EXPECT_EQ(e2.error().message(), "rc:3: OS_PASSWORD: unterminated single quote");
  auto e3 = parse_keystonerc("rc", "export OS_USERNAME=admin\nexport OS_AUTH_URL=http://h:5000/v3\nexport OS_PROJECT_NAME=admin\n");
  ASSERT_FALSE(e3);
  EXPECT_EQ(e3.error().message(), "rc: OS_PASSWORD is not set");
  auto e4 = parse_keystonerc("rc", "export OS_USERNAME=admin extra\n");
  ASSERT_FALSE(e4);
  EXPECT_EQ(e4.error().message(), "rc:1: OS_USERNAME: unexpected text after the value: extra");
}

TEST(Keystonerc, RenderedFileParsesBackToTheSameCredentials) {
  Credentials c = admin_creds("it's $ecret \"quoted\"");
  c.username = "demo";
  c.project_name = "demo";
  const std::string rc = render_keystonerc(c, "keystone_demo");
  EXPECT_NE(rc.find("export PS1='[\\u@\\h \\W(keystone_demo)]\\$ '"), std::string::npos) << rc;
  EXPECT_NE(rc.find("export OS_IDENTITY_API_VERSION=3"), std::string::npos);
  auto back = parse_keystonerc("keystonerc_demo", rc);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->password, c.password);
  EXPECT_EQ(back->username, "demo");
  EXPECT_EQ(back->project_name, "demo");
  EXPECT_EQ(back->auth_url, kKeystone);
  EXPECT_EQ(back->region_name, "RegionOne");
}

TEST(Credentials, EnvironmentVariablesAndOverlay) {
  auto c = credentials_from_vars({{"OS_AUTH_URL", "http://10.15.0.4:5000/v3"}, {"OS_USERNAME", "admin"},
                                  {"OS_PASSWORD", "pw-env-1234"}, {"OS_PROJECT_NAME", "admin"},
                                  {"OS_INTERFACE", "internal"}, {"OS_INSECURE", "true"}},
                                 "environment");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->interface, "internal");
  EXPECT_TRUE(c->insecure);
  Credentials flags;
  flags.username = "demo";
  flags.password = "pw-flag-5678";
  Credentials merged = overlay(*c, flags);
  EXPECT_EQ(merged.username, "demo");
  EXPECT_EQ(merged.password, "pw-flag-5678");
  EXPECT_EQ(merged.auth_url, "http://10.15.0.4:5000/v3");
  EXPECT_EQ(merged.interface, "internal");
  auto cloud = credentials_from_vars({{"OS_CLOUD", "mycloud"}}, "environment");
  ASSERT_FALSE(cloud);
  EXPECT_NE(cloud.error().message().find("OS_CLOUD (clouds.yaml) is not supported"), std::string::npos);
  auto bad = credentials_from_vars({{"OS_AUTH_URL", "10.15.0.4:5000"}, {"OS_USERNAME", "a"}, {"OS_PASSWORD", "b"},
                                    {"OS_PROJECT_NAME", "c"}},
                                   "environment");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "environment: OS_AUTH_URL '10.15.0.4:5000' is not an http(s) URL");
}

// ------------------------------------------------------------------------------------------------
// Keystone

TEST(Keystone, LoginScopesToTheProjectAndFindsNeutronInTheCatalog) {
  ReplayHttpClient http;
  on_admin_login(http);
  auto ks = KeystoneClient::login(http, admin_creds());
  ASSERT_TRUE(ks) << ks.error().message();
  EXPECT_EQ(ks->token().id, "gAAAAABmQ-admin-token-0001");
  EXPECT_EQ(ks->token().project_id, "4ad1b6e2f0c94b4c9d0e2a7f3c6b1a01");
  EXPECT_EQ(ks->token().project_domain_id, "default");
  EXPECT_EQ(ks->token().roles.size(), 3u);
  EXPECT_EQ(*ks->endpoint("network"), "http://10.15.0.4:9696");
  EXPECT_EQ(*find_endpoint(ks->token().catalog, "identity", "internal", "RegionOne"), "http://10.15.0.4:5000/v3/");
  auto none = find_endpoint(ks->token().catalog, "network", "public", "RegionTwo");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "Keystone catalog has no 'network' endpoint with interface 'public' in region 'RegionTwo' (catalog: "
            "identity[public RegionOne], identity[internal RegionOne], identity[admin RegionOne], network[public "
            "RegionOne], network[internal RegionOne], network[admin RegionOne])");

  const json sent = json::parse(http.requests().at(0).body);
  EXPECT_EQ(sent["auth"]["identity"]["methods"], json::array({"password"}));
  EXPECT_EQ(sent["auth"]["identity"]["password"]["user"]["name"], "admin");
  EXPECT_EQ(sent["auth"]["identity"]["password"]["user"]["domain"]["name"], "Default");
  EXPECT_EQ(sent["auth"]["scope"]["project"]["name"], "admin");
  EXPECT_EQ(sent["auth"]["scope"]["project"]["domain"]["name"], "Default");

  auto nc = NeutronClient::from_keystone(*ks);
  ASSERT_TRUE(nc);
  EXPECT_EQ(nc->session().base_url(), "http://10.15.0.4:9696/v2.0");
}

TEST(Keystone, WrongPasswordIsAPermissionErrorWithKeystonesMessage) {
  ReplayHttpClient http;
  http.on("POST /v3/auth/tokens", 401, testdata("keystone_error_401.json"));
  auto ks = KeystoneClient::login(http, admin_creds("Wr0ngPassw0rd-991"));
  ASSERT_FALSE(ks);
  EXPECT_EQ(ks.error().kind(), ErrorKind::permission);
  EXPECT_EQ(ks.error().message(),
            "Keystone login as 'admin' (project 'admin'): POST http://10.15.0.4:5000/v3/auth/tokens: 401 Unauthorized: "
            "The request you have made requires authentication.");
}

TEST(Keystone, IdentityObjectsAreFoundByNameOrCreated) {
  ReplayHttpClient http;
  on_admin_login(http);
  http.on("GET /v3/projects?name=demo&domain_id=default", 200, testdata("keystone_projects_empty.json"));
  http.on("POST /v3/projects", 201, testdata("keystone_project_created.json"));
  http.on("GET /v3/users?name=demo&domain_id=default", 200, testdata("keystone_users_demo.json"));
  http.on("GET /v3/roles?name=member", 200, R"({"roles":[]})");
  http.on("GET /v3/roles?name=_member_", 200, R"({"roles":[{"id":"9fe2ff9ee4384b1894a90878d3e92bab","name":"_member_"}]})");
  auto ks = KeystoneClient::login(http, admin_creds());
  ASSERT_TRUE(ks);
  auto p = ks->ensure_project("demo", "default", "stackwire demo project");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->action, Action::created);
  EXPECT_EQ(p->value.id, "9b1f4c2e7d3a4e6f8a0b1c2d3e4f5a6b");
  const json body = json::parse(http.requests().back().body);
  EXPECT_EQ(body["project"]["name"], "demo");
  EXPECT_EQ(body["project"]["domain_id"], "default");
  auto u = ks->ensure_user("demo", "default", "DemoPw-1234", p->value.id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->action, Action::reused);
  EXPECT_EQ(http.count("POST"), 2u);  // login + project
  auto role = ks->find_first_role({"member", "_member_"});
  ASSERT_TRUE(role);
  EXPECT_EQ(role->name, "_member_");
}

// ------------------------------------------------------------------------------------------------
// Neutron

TEST(Neutron, DecodersReadRecordedObjects) {
  const json nets = json::parse(testdata("neutron_networks.json"));
  Network ext = decode_network(nets["networks"][0]);
  EXPECT_TRUE(ext.external);
  EXPECT_EQ(ext.network_type, "flat");
  EXPECT_EQ(ext.physical_network, "external");
  EXPECT_FALSE(ext.segmentation_id);
  Network net0 = decode_network(nets["networks"][1]);
  EXPECT_EQ(net0.network_type, "gre");
  EXPECT_EQ(net0.segmentation_id, 1001);
  EXPECT_EQ(net0.mtu, 1458);
  EXPECT_EQ(net0.project_id, "9b1f4c2e7d3a4e6f8a0b1c2d3e4f5a6b");

  const json ports = json::parse(testdata("neutron_ports.json"));
  Port gw = decode_port(ports["ports"][0]);
  EXPECT_EQ(gw.device_owner, "network:router_gateway");
  EXPECT_EQ(gw.host_id, "network");
  Port vm = decode_port(ports["ports"][3]);
  EXPECT_EQ(vm.name, "test0");
  EXPECT_EQ(vm.host_id, "compute1");
  EXPECT_EQ(vm.mac_address, "fa:16:3e:5c:81:0a");
  ASSERT_EQ(vm.fixed_ips.size(), 1u);
  EXPECT_EQ(vm.fixed_ips[0].ip_address, "10.0.0.10");
  EXPECT_EQ(vm.status, "ACTIVE");

  Router r = decode_router(json::parse(testdata("neutron_routers_extrouter.json"))["routers"][0]);
  ASSERT_TRUE(r.gateway);
  EXPECT_EQ(r.gateway->external_fixed_ips.at(0).ip_address, "172.16.13.124");

  const json rules = json::parse(testdata("neutron_sg_rules_provisioned.json"))["security_group_rules"];
  SecurityGroupRule any = decode_security_group_rule(rules[0]);
  EXPECT_EQ(any.protocol, "");
  EXPECT_FALSE(any.port_range_min);
  SecurityGroupRule ssh = decode_security_group_rule(rules[5]);
  EXPECT_EQ(ssh.protocol, "tcp");
  EXPECT_EQ(ssh.port_range_min, 22);

  Agent a = decode_agent(json::parse(testdata("neutron_agents.json"))["agents"][2]);
  EXPECT_EQ(a.binary, "neutron-l3-agent");
  EXPECT_EQ(a.host, "network");
  EXPECT_TRUE(a.alive);
}

TEST(Neutron, RuleMatchingComparesMeaning) {
  SecurityGroupRule r;
  r.protocol = "6";
  r.port_range_min = 22;
  r.port_range_max = 22;
  r.remote_ip_prefix = "0.0.0.0/0";
  EXPECT_TRUE(rule_matches(r, rule("tcp", 22)));
  EXPECT_FALSE(rule_matches(r, rule("tcp", 23)));
  EXPECT_FALSE(rule_matches(r, rule("tcp", 22, "egress")));
  r.remote_group_id = "g";
  EXPECT_FALSE(rule_matches(r, rule("tcp", 22)));
}

NeutronClient neutron(ReplayHttpClient& http) { return NeutronClient(http, kNeutron, "tok-neutron-test-4411"); }

TEST(Neutron, EnsureNetworkReusesByNameAndRefusesDuplicates) {
  ReplayHttpClient http;
  http.on("GET /v2.0/networks?name=net0&project_id=p", 200, testdata("neutron_networks_net0.json"));
  NeutronClient n = neutron(http);
  auto net = n.ensure_network(network_spec("net0", "p"));
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ(net->action, Action::reused);
  EXPECT_EQ(net->value.id, "c5573a9e-2f4b-4b7e-9a3c-6d1e8f0b2a44");
  EXPECT_EQ(http.count("POST"), 0u);

  json two = json::parse(testdata("neutron_networks_net0.json"));
  json copy = two["networks"][0];
  copy["id"] = "0000aaaa-2f4b-4b7e-9a3c-6d1e8f0b2a44";
  two["networks"].push_back(copy);
  http.on("GET /v2.0/networks?name=net0&project_id=q", 200, two.dump());
  auto dup = n.ensure_network(network_spec("net0", "q"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message(),
            "network 'net0': 2 networks have this name in the project (c5573a9e-2f4b-4b7e-9a3c-6d1e8f0b2a44, "
            "0000aaaa-2f4b-4b7e-9a3c-6d1e8f0b2a44); delete the extra ones");

  http.on("GET /v2.0/networks?name=net0&project_id=r", 200, testdata("neutron_networks_net0.json"));
  auto ext = n.ensure_network(network_spec("net0", "r", true));
  ASSERT_FALSE(ext);
  EXPECT_NE(ext.error().message().find("router:external is false, wanted true"), std::string::npos);
}

TEST(Neutron, EnsureSubnetCreatesWithEveryAttributeAndRefusesAnotherCidr) {
  ReplayHttpClient http;
  http.on("GET /v2.0/subnets?name=external-subnet&network_id=e", 200, testdata("neutron_empty_subnets.json"));
  http.on("POST /v2.0/subnets", 201, testdata("neutron_subnet_external.json"));
  http.on("GET /v2.0/subnets?name=net0-subnet&network_id=n", 200, testdata("neutron_subnets_net0.json"));
  http.on("PUT /v2.0/subnets/7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b", 200, testdata("neutron_subnet_net0.json"));
  NeutronClient n = neutron(http);
  SubnetSpec ext;
  ext.name = "external-subnet";
  ext.network_id = "e";
  ext.project_id = "a";
  ext.cidr = "172.16.13.0/24";
  ext.gateway_ip = "172.16.13.1";
  ext.enable_dhcp = false;
  ext.allocation_pools = {{"172.16.13.2", "172.16.13.200"}};
  auto s = n.ensure_subnet(ext);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->action, Action::created);
  const json body = json::parse(http.requests().back().body)["subnet"];
  EXPECT_EQ(body["cidr"], "172.16.13.0/24");
  EXPECT_EQ(body["enable_dhcp"], false);
  EXPECT_EQ(body["gateway_ip"], "172.16.13.1");
  EXPECT_EQ(body["ip_version"], 4);
  EXPECT_EQ(body["allocation_pools"], json::parse(R"([{"start":"172.16.13.2","end":"172.16.13.200"}])"));

  SubnetSpec net0;
  net0.name = "net0-subnet";
  net0.network_id = "n";
  net0.cidr = "10.1.0.0/24";
  auto other = n.ensure_subnet(net0);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message(),
            "subnet 'net0-subnet' (7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b) exists with cidr 10.0.0.0/24, wanted "
            "10.1.0.0/24 (Neutron cannot change it: delete the subnet)");
  net0.cidr = "10.0.0.0/24";
  net0.enable_dhcp = false;
  auto nodhcp = n.ensure_subnet(net0);
  ASSERT_TRUE(nodhcp);
  EXPECT_EQ(nodhcp->action, Action::updated);
  EXPECT_EQ(json::parse(http.requests().back().body), json::parse(R"({"subnet":{"enable_dhcp":false}})"));
}

TEST(Neutron, SecurityGroupRuleConflictCountsAsPresent) {
  ReplayHttpClient http;
  http.on("GET /v2.0/security-group-rules?security_group_id=g", 200, testdata("neutron_sg_rules_default.json"));
  http.on("POST /v2.0/security-group-rules", 409, testdata("neutron_sg_rule_exists_409.json"));
  NeutronClient n = neutron(http);
  auto r = n.ensure_security_group_rule("g", rule("tcp", 22));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->action, Action::reused);
  EXPECT_EQ(r->value.id, "66f70819-2a3b-44c5-d6e7-f8091a2b3c4d");
  const json body = json::parse(http.requests().back().body)["security_group_rule"];
  EXPECT_EQ(body["protocol"], "tcp");
  EXPECT_EQ(body["port_range_min"], 22);
  EXPECT_EQ(body["port_range_max"], 22);
  EXPECT_EQ(body["direction"], "ingress");
  EXPECT_FALSE(body.contains("remote_ip_prefix"));

  // Another 409 (not "already exists") stays an error.
  ReplayHttpClient http2;
  http2.on("POST /v2.0/security-group-rules", 409,
           R"({"NeutronError":{"type":"OverQuota","message":"Quota exceeded for resources: ['security_group_rule'].","detail":""}})");
  auto q = neutron(http2).create_security_group_rule("g", rule("icmp"));
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message().find("409 Conflict: Quota exceeded"), std::string::npos);
}

TEST(Neutron, FloatingIpHeldByAnotherPortIsAnError) {
  ReplayHttpClient http;
  http.on("GET /v2.0/floatingips?floating_ip_address=172.16.13.3", 200, testdata("neutron_floatingips_test0.json"));
  NeutronClient n = neutron(http);
  auto mine = n.ensure_floating_ip({"1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b", "172.16.13.3",
                                    "5f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8", ""});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->action, Action::reused);
  auto theirs = n.ensure_floating_ip({"1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b", "172.16.13.3", "other-port", ""});
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().message(),
            "floating IP 172.16.13.3 (8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d) is associated with port "
            "5f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8 (fixed 10.0.0.10), not port other-port; disassociate it first");
}

TEST(Neutron, WaitForPortActivePollsAndTimesOutNamingPortAndHost) {
  ReplayHttpClient http;
  const std::string port = "5f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8";
  http.on("GET /v2.0/ports/" + port, 200, testdata("neutron_port_test0_down.json"));
  http.on("GET /v2.0/ports/" + port, 200, testdata("neutron_port_test0_down.json"));
  http.on("GET /v2.0/ports/" + port, 200, testdata("neutron_port_test0_active.json"));
  NeutronClient n = neutron(http);
  auto p = n.wait_port_status(port, "ACTIVE", {.timeout = 2s, .interval = 1ms});
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(http.count("GET"), 3u);

  ReplayHttpClient stuck;
  stuck.on("GET /v2.0/ports/" + port, 200, testdata("neutron_port_test0_down.json"));
  const auto start = std::chrono::steady_clock::now();
  auto t = neutron(stuck).wait_port_status(port, "ACTIVE", {.timeout = 50ms, .interval = 5ms});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(t.error().message(), "port " + port + " ('test0') on host 'compute1' is still DOWN, not ACTIVE, after 50 ms "
                                                  "(binding:vif_type ovs)");

  ReplayHttpClient failed;
  json bf = json::parse(testdata("neutron_port_test0_down.json"));
  bf["port"]["binding:vif_type"] = "binding_failed";
  failed.on("GET /v2.0/ports/" + port, 200, bf.dump());
  auto f = neutron(failed).wait_port_status(port, "ACTIVE", {.timeout = 10s, .interval = 1ms});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind(), ErrorKind::failed);
  EXPECT_NE(f.error().message().find("binding failed on host 'compute1'"), std::string::npos);
}

TEST(Neutron, WaitForAgentsNamesEveryAgentThatIsNotAlive) {
  ReplayHttpClient http;
  http.on("GET /v2.0/agents", 200, testdata("neutron_agents_l3_down.json"));
  NeutronClient n = neutron(http);
  const std::vector<AgentKey> want = {{"neutron-openvswitch-agent", "network"},
                                      {"neutron-openvswitch-agent", "compute1"},
                                      {"neutron-l3-agent", "network"},
                                      {"neutron-dhcp-agent", "network"}};
  auto r = n.wait_agents_alive(want, {.timeout = 30ms, .interval = 10ms});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(r.error().message(),
            "Neutron agents not alive after 30 ms: neutron-openvswitch-agent on compute1: not registered; "
            "neutron-l3-agent on network: not alive (last heartbeat 2024-05-14 09:19:31)");
  ReplayHttpClient ok;
  ok.on("GET /v2.0/agents", 200, testdata("neutron_agents.json"));
  auto all = neutron(ok).wait_agents_alive(want, {.timeout = 1s, .interval = 1ms});
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->size(), 5u);
}

TEST(Neutron, ATimeoutOnTheWireNamesTheRequest) {
  ReplayHttpClient http;
  http.time_out("GET /v2.0/networks?name=net0");
  auto r = neutron(http).list_networks({{"name", "net0"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::timeout);
  EXPECT_TRUE(r.error().message().starts_with("GET http://10.15.0.4:9696/v2.0/networks?name=net0: ")) << r.error().message();
}

// ------------------------------------------------------------------------------------------------
// Secrets never reach a log line or an error.

TEST(Secrets, TokensAndPasswordsAreAbsentFromEveryLoggedLineAndError) {
  const std::string password = "S3cret-Pw-for-log-test-8842";
  const std::string token = "gAAAAABmQ-token-for-log-test-5531";
  ReplayHttpClient http;
  on_admin_login(http, token);
  http.on("GET /v2.0/networks?name=net0", 401, testdata("keystone_error_401.json"));
  const auto saved = sw::log::level();
  sw::log::set_level(sw::log::Level::debug);
  testing::internal::CaptureStderr();
  auto ks = KeystoneClient::login(http, admin_creds(password));
  std::string errors;
  if (ks) {
    auto nc = NeutronClient::from_keystone(*ks);
    auto r = nc->list_networks({{"name", "net0"}});
    if (!r) errors += r.error().message() + "\n";
  }
  ReplayHttpClient bad;
  bad.on("POST /v3/auth/tokens", 401, testdata("keystone_error_401.json"));
  auto denied = KeystoneClient::login(bad, admin_creds(password));
  if (!denied) errors += denied.error().message() + "\n";
  const std::string logged = testing::internal::GetCapturedStderr();
  sw::log::set_level(saved);
  ASSERT_TRUE(ks);
  EXPECT_NE(logged.find("POST http://10.15.0.4:5000/v3/auth/tokens"), std::string::npos) << logged;
  EXPECT_NE(logged.find("GET http://10.15.0.4:9696/v2.0/networks?name=net0 [Accept: application/json] [X-Auth-Token: ********]"),
            std::string::npos)
      << logged;
  EXPECT_NE(errors.find("GET http://10.15.0.4:9696/v2.0/networks?name=net0: 401 Unauthorized: "), std::string::npos) << errors;
  EXPECT_NE(errors.find("Keystone login as 'admin' (project 'admin'): "), std::string::npos) << errors;
  for (const std::string& secret : {password, token}) {
    EXPECT_EQ(logged.find(secret), std::string::npos) << "secret in log:\n" << logged;
    EXPECT_EQ(errors.find(secret), std::string::npos) << "secret in errors:\n" << errors;
  }
  // The request that carried them did carry them: the masking is not an accident of the fake.
  EXPECT_NE(http.requests().at(0).body.find(password), std::string::npos);
  EXPECT_EQ(http.requests().at(1).headers.at(1).second, token);
}

}  // namespace
}  // namespace sw::installer
