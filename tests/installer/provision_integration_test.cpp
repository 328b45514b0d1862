// The namespace instance steps, run for real: a private Open vSwitch (userspace datapath, its own
// ovsdb and run dir) in a throwaway "host" namespace, a dnsmasq serving the ports' addresses as
// Neutron's DHCP agent would, and two instances plugged by namespace_instance_steps(). Proves the
// steps work end to end: the DHCP lease, the port's MAC and MTU, TCP to the port-22 listener from
// the other instance across br-int, a re-run that changes nothing, and removal.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "installer/http.h"
#include "installer/manifest.h"
#include "installer/provision.h"
#include "tests/support/system.h"

namespace sw::installer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool have(const char* tool) { return test::sh(std::string("command -v ") + tool + " >/dev/null").status == 0; }

class NamespaceInstanceIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    for (const char* tool : {"ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl", "busybox", "ethtool", "dnsmasq",
                             "nsenter"})
      if (!have(tool)) GTEST_SKIP() << tool << " is not installed";
    dir_ = fs::temp_directory_path() / test::unique_name("api-ovs");
    fs::create_directories(dir_);
    host_ = std::make_unique<test::TempNetns>("apihost");
    host_->exec_ok("ip link set lo up");
    const std::string d = dir_.string();
    test::sh_ok("ovsdb-tool create " + d + "/conf.db /usr/share/openvswitch/vswitch.ovsschema");
    ovsdb_ = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{"ovsdb-server", d + "/conf.db", "--remote=punix:" + d + "/db.sock",
                                 "--unixctl=" + d + "/ovsdb-server.ctl", "--no-chdir",
                                 "--log-file=" + d + "/ovsdb-server.log", "-vconsole:off"},
        host_->name());
    for (int i = 0; i < 100 && !fs::exists(dir_ / "db.sock"); ++i) std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(fs::exists(dir_ / "db.sock"));
    vsctl("--no-wait init");
    vswitchd_ = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{"env", "OVS_RUNDIR=" + d, "ovs-vswitchd", "unix:" + d + "/db.sock",
                                 "--unixctl=" + d + "/ovs-vswitchd.ctl", "--no-chdir",
                                 "--log-file=" + d + "/ovs-vswitchd.log", "-vconsole:off"},
        host_->name());
    vsctl("--timeout=20 add-br br-int -- set Bridge br-int datapath_type=netdev");

    opts_.bind_wait_seconds = 0;  // no OVS agent here to tag the ports
    opts_.dhcp_attempts = 5;
    opts_.state_dir = d + "/state";
    opts_.run_dir = d + "/run";

    // Neutron's DHCP agent, in miniature: an internal port in its own namespace, dnsmasq serving
    // static leases from a host file in the agent's format.
    dhcp_ns_ = std::make_unique<test::TempNetns>("apidhcp");
    const std::string dtap = "swtdhcp" + std::to_string(::getpid() % 100000);
    vsctl("--timeout=20 add-port br-int " + dtap + " -- set Interface " + dtap + " type=internal");
    in_host("ip link set dev " + dtap + " netns " + dhcp_ns_->name());
    dhcp_ns_->exec_ok("ip link set lo up && ip link set dev " + dtap + " address fa:16:3e:00:00:02 mtu 1450 && ethtool -K " +
                      dtap + " tx off >/dev/null && ip addr add 10.77.0.2/24 dev " + dtap + " && ip link set dev " + dtap +
                      " up");
    a_ = port("a", "aaaaaaaa-1111-4222-8333-444444444444", "fa:16:3e:00:00:0a", "10.77.0.10");
    b_ = port("b", "bbbbbbbb-1111-4222-8333-444444444444", "fa:16:3e:00:00:0b", "10.77.0.11");
    std::ofstream(dir_ / "host") << a_.mac << ",host-10-77-0-10.openstacklocal,10.77.0.10\n"
                                 << b_.mac << ",host-10-77-0-11.openstacklocal,10.77.0.11\n";
    dnsmasq_ = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-hosts", "--no-resolv",
                                 "--port=0", "--bind-interfaces", "--interface=" + dtap, "--except-interface=lo",
                                 "--dhcp-range=set:tag0,10.77.0.0,static,255.255.255.0,86400s",
                                 "--dhcp-hostsfile=" + d + "/host", "--dhcp-option=tag:tag0,option:router,10.77.0.1",
                                 "--dhcp-option=tag:tag0,option:mtu,1450", "--leasefile-ro", "--user=root",
                                 "--pid-file=" + d + "/dnsmasq.pid"},
        dhcp_ns_->name());
  }

  void TearDown() override {
    // Instances first (their namespaces are global names), whatever the test did.
    for (const auto* p : {&a_, &b_}) {
      if (p->instance.empty()) continue;
      run(Manifest{"host", "remove-" + p->instance, namespace_instance_removal_steps(*p, opts_)});
      const std::string ns = instance_netns_name(p->instance);
      if (fs::exists("/run/netns/" + ns)) test::sh("ip netns delete " + test::shq(ns));
    }
    dnsmasq_.reset();
    dhcp_ns_.reset();
    // ovs-vswitchd takes seconds to act on SIGTERM; asked to exit, it is quick.
    if (vswitchd_) test::sh("ovs-appctl -t " + dir_.string() + "/ovs-vswitchd.ctl exit >/dev/null 2>&1");
    vswitchd_.reset();
    ovsdb_.reset();
    host_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  InstancePort port(const std::string& tag, const std::string& id, const std::string& mac, const std::string& ip) {
    return {test::unique_name(tag), "host", id, id, mac, ip, 24, "10.77.0.1", 1450, "net"};
  }
  std::string vsctl(const std::string& args) {
    return test::sh_ok("ovs-vsctl --db=unix:" + dir_.string() + "/db.sock " + args);
  }
  std::string in_host(const std::string& cmd) {
    return test::sh_ok("nsenter --net=" + host_->path() + " sh -c " + test::shq(cmd));
  }
  // Runs a manifest "on the host": in its network namespace, but in our mount namespace (as sshd on a
  // lab host runs it), so the instance namespaces it makes are usable from outside.
  test::CmdResult run(const Manifest& m) {
    const fs::path script = dir_ / m.file_name();
    std::ofstream(script) << m.render();
    return test::sh("nsenter --net=" + host_->path() + " env OVS_RUNDIR=" + dir_.string() + " sh " +
                    test::shq(script.string()) + " 2>&1");
  }
  test::CmdResult in_instance(const InstancePort& p, const std::string& cmd) {
    return test::sh("ip netns exec " + test::shq(instance_netns_name(p.instance)) + " sh -c " + test::shq(cmd));
  }

  fs::path dir_;
  std::unique_ptr<test::TempNetns> host_;
  std::unique_ptr<test::TempNetns> dhcp_ns_;
  std::unique_ptr<test::BackgroundProcess> ovsdb_, vswitchd_, dnsmasq_;
  NamespaceInstanceOptions opts_;
  InstancePort a_, b_;
};

TEST_F(NamespaceInstanceIntegration, PlugsTwoInstancesThatTalkOverBrIntAndReRunsChangeNothing) {
  for (const auto* p : {&a_, &b_}) {
    Manifest m{"host", "instance-" + p->instance, namespace_instance_steps(*p, opts_)};
    auto r = run(m);
    ASSERT_EQ(r.status, 0) << r.out << "\n" << r.err;
    auto outcome = parse_manifest_output(r.out, m.steps.size());
    EXPECT_EQ(outcome.changed(), 5) << r.out;
    EXPECT_NE(r.out.find(p->fixed_ip + "/24 leased by DHCP"), std::string::npos) << r.out;
  }

  // The OVS port carries what the Neutron OVS agent binds by.
  const std::string tap = instance_tap_name(a_.port_id);
  const std::string ids = vsctl("get Interface " + tap + " external_ids");
  EXPECT_NE(ids.find("iface-id=\"" + a_.port_id + "\""), std::string::npos) << ids;
  EXPECT_NE(ids.find("attached-mac=\"fa:16:3e:00:00:0a\""), std::string::npos) << ids;
  EXPECT_NE(ids.find("iface-status=active"), std::string::npos) << ids;
  EXPECT_NE(ids.find("vm-uuid=\"" + a_.device_id + "\""), std::string::npos) << ids;

  // Inside: the port's MAC and MTU, the fixed IP, the default route via the router.
  const auto link = in_instance(a_, "ip -o link show dev " + tap);
  EXPECT_NE(link.out.find("mtu 1450 "), std::string::npos) << link.out;
  EXPECT_NE(link.out.find("link/ether fa:16:3e:00:00:0a "), std::string::npos) << link.out;
  EXPECT_NE(in_instance(a_, "ip -o addr show dev " + tap).out.find(" 10.77.0.10/24 "), std::string::npos);
  EXPECT_NE(in_instance(a_, "ip route show default").out.find("default via 10.77.0.1 dev " + tap), std::string::npos);

  // "ssh" reachability: TCP to port 22 of a, from b, across br-int (the listener echoes).
  const auto tcp = in_instance(b_, "echo hello-from-b | busybox nc -w 3 10.77.0.10 22");
  EXPECT_EQ(tcp.status, 0) << tcp.err;
  EXPECT_EQ(tcp.out, "hello-from-b\n");
  EXPECT_EQ(in_instance(b_, "ping -c 1 -W 2 10.77.0.10").status, 0);

  // A re-run finds everything in place.
  Manifest again{"host", "instance-" + a_.instance, namespace_instance_steps(a_, opts_)};
  auto r2 = run(again);
  ASSERT_EQ(r2.status, 0) << r2.out;
  EXPECT_EQ(parse_manifest_output(r2.out, again.steps.size()).changed(), 0) << r2.out;

  // A killed listener is what a re-run repairs, and only that.
  std::ifstream pidfile(instance_listener_pidfile(a_.instance, opts_));
  pid_t pid = 0;
  pidfile >> pid;
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  for (int i = 0; i < 50 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(20ms);
  auto r3 = run(again);
  ASSERT_EQ(r3.status, 0) << r3.out;
  auto o3 = parse_manifest_output(r3.out, again.steps.size());
  EXPECT_EQ(o3.changed(), 1) << r3.out;
  EXPECT_EQ(o3.steps.at(4).state, StepOutcome::State::changed);
  EXPECT_EQ(in_instance(b_, "echo again | busybox nc -w 3 10.77.0.10 22").out, "again\n");

  // Removal leaves nothing: no namespace, no OVS port, no listener.
  auto gone = run(Manifest{"host", "remove", namespace_instance_removal_steps(a_, opts_)});
  ASSERT_EQ(gone.status, 0) << gone.out;
  EXPECT_FALSE(fs::exists("/run/netns/" + instance_netns_name(a_.instance)));
  EXPECT_EQ(test::sh("ovs-vsctl --db=unix:" + dir_.string() + "/db.sock port-to-br " + tap).status, 1);
  EXPECT_FALSE(fs::exists(instance_listener_pidfile(a_.instance, opts_)));
}

TEST_F(NamespaceInstanceIntegration, WithoutADhcpServerTheAddressIsConfiguredStatically) {
  dnsmasq_.reset();
  opts_.dhcp_attempts = 1;
  Manifest m{"host", "instance-" + a_.instance, namespace_instance_steps(a_, opts_)};
  auto r = run(m);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("no DHCP lease for 10.77.0.10 within 2 s, configured statically"), std::string::npos) << r.out;
  EXPECT_NE(in_instance(a_, "ip -o addr show").out.find(" 10.77.0.10/24 "), std::string::npos);
  EXPECT_NE(in_instance(a_, "ip route show default").out.find("via 10.77.0.1"), std::string::npos);
}


// ------------------------------------------------------------------------------------------------
// The real services on a deployed lab.

class DeployedLab : public ::testing::Test {
 public:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    auto st = test::sh(std::string(STACKWIRE_BINARY) + " lab status --json 2>/dev/null");
    if (st.status != 0 && st.out.empty()) GTEST_SKIP() << "no lab (stackwire lab status failed)";
    status_ = nlohmann::json::parse(st.out, nullptr, false);
    if (status_.is_discarded() || !status_.value("up", false)) GTEST_SKIP() << "the lab is not up";
    for (const auto& h : status_["hosts"]) {
      hosts_[h.value("name", "")] = h.value("mgmt_ip", "");
      if (h.value("name", "") == "controller") controller_netns_ = h.value("netns", "");
    }
    ssh_config_ = status_.value("ssh_config", "");
    auto rc = on_host("controller", "cat /root/keystonerc_admin");
    if (rc.status != 0) GTEST_SKIP() << "the lab is not deployed (no /root/keystonerc_admin on the controller)";
    auto demo = on_host("controller", "cat /root/keystonerc_demo");
    if (demo.status != 0) GTEST_SKIP() << "the lab is not provisioned (no /root/keystonerc_demo)";
    auto admin = parse_keystonerc("keystonerc_admin", rc.out);
    ASSERT_TRUE(admin) << admin.error().message();
    admin_ = *admin;
    auto d = parse_keystonerc("keystonerc_demo", demo.out);
    ASSERT_TRUE(d) << d.error().message();
    demo_password_ = d->password;
    HttpOptions o;
    o.netns = controller_netns_;
    auto http = CurlHttpClient::create(o);
    ASSERT_TRUE(http) << http.error().message();
    http_ = std::move(*http);
  }

  test::CmdResult on_host(const std::string& host, const std::string& cmd, const std::string& input_file = {}) {
    return test::sh("ip netns exec " + test::shq(controller_netns_) + " ssh -F " + test::shq(ssh_config_) +
                    " -o BatchMode=yes root@" + hosts_[host] + " " + test::shq(cmd) +
                    (input_file.empty() ? std::string(" </dev/null") : " <" + test::shq(input_file)));
  }

  nlohmann::json status_;
  std::map<std::string, std::string> hosts_;  // name → mgmt ip
  std::string controller_netns_, ssh_config_, demo_password_;
  Credentials admin_;
  std::unique_ptr<CurlHttpClient> http_;
};

// Compares keystonerc_demo with what is on the controller; never writes.
class CompareOnController final : public FileWriter {
 public:
  explicit CompareOnController(DeployedLab* lab) : lab_(lab) {}
  Result<bool> write_file(const std::string& path, const std::string& content, unsigned) override {
    auto cur = lab_->on_host("controller", "cat " + test::shq(path));
    return cur.status != 0 || cur.out != content;
  }
 private:
  DeployedLab* lab_;
};

TEST_F(DeployedLab, ProvisionReRunReusesEverythingAndTheApiShowsTheLabsTopology) {
  auto clients = Clients::login(*http_, admin_);
  ASSERT_TRUE(clients) << clients.error().message();
  auto wanted = read_topology_file(status_.value("topology", ""));
  ASSERT_TRUE(wanted) << wanted.error().message();
  int plugged_changed = 0;
  const fs::path dir = fs::temp_directory_path() / test::unique_name("api-lab");
  fs::create_directories(dir);
  NamespaceInstancePlugger plugger([&](const Manifest& m) -> Result<void> {
    const fs::path script = dir / m.file_name();
    std::ofstream(script) << m.render();
    auto r = on_host(m.host, "sh -s", script.string());
    plugged_changed += parse_manifest_output(r.out, m.steps.size()).changed();
    if (r.status != 0) return fail(Error::failed("instance manifest failed on " + m.host + ":\n" + r.out));
    return {};
  });
  CompareOnController files(this);
  ProvisionOptions opts;
  opts.demo_password = demo_password_;
  auto rep = provision(*wanted, *clients, plugger, &files, opts);
  fs::remove_all(dir);
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_EQ(rep->count(Action::created), 0) << rep->render();
  EXPECT_EQ(rep->count(Action::updated), 0) << rep->render();
  EXPECT_EQ(plugged_changed, 0);

  auto seen = read_topology_from_api(clients->neutron());
  ASSERT_TRUE(seen) << seen.error().message();
  for (const auto& x : wanted->instances) {
    const auto* i = seen->instance(x.name);
    ASSERT_NE(i, nullptr) << x.name;
    EXPECT_EQ(i->host, x.host);
    EXPECT_EQ(i->floating_ip, x.floating_ip);
    EXPECT_EQ(i->status, "ACTIVE");
  }
  for (const auto& r : wanted->routers) {
    const auto* o = seen->router(r.name);
    ASSERT_NE(o, nullptr) << r.name;
    EXPECT_EQ(o->external_gateway, r.external_gateway);
    EXPECT_FALSE(o->gateway_ip.empty());
    EXPECT_EQ(o->l3_agent_hosts.size(), 1u);
  }
  for (const auto& a : seen->agents) EXPECT_TRUE(a.alive) << a.binary << " on " << a.host;
}

}  // namespace
}  // namespace sw::installer
