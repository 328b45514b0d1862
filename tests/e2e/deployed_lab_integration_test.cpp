// End to end, as an operator runs it: a lab of its own (prefix swe2e), `stackwire deploy` of the
// hangout's cloud from the lab's controller with the real services, a re-run that changes nothing,
// `stackwire verify` that passes and changes nothing, the installer's failure paths (a host's sshd
// killed, an unknown host key), and every fault of `lab fault --list` failing exactly its checks with
// a printed fix that heals it. The lab is built once for the suite and removed afterwards, even when
// a test fails; a crashed run's lab is cleaned by the next `lab up` of the same prefix.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "tests/support/system.h"

namespace {

using nlohmann::json;
using sw::test::CmdResult;
using sw::test::sh;
using sw::test::shq;

constexpr const char* kPrefix = "swe2e";
const std::string kState = std::string("/srv/stackwire/") + kPrefix;

std::string lab_cmd(const std::string& args) {
  return std::string("STACKWIRE_LAB_PREFIX=") + kPrefix + " " + STACKWIRE_BINARY + " " + args;
}

class DeployedLabE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    const auto t0 = std::chrono::steady_clock::now();
    up_ = sh(lab_cmd("lab up") + " 2>&1");
    if (up_.status != 0) return;
    // The hosts' /tmp is their own: run a copy of the binary from the lab's state dir.
    std::filesystem::create_directories(kState + "/bin");
    std::filesystem::copy_file(STACKWIRE_BINARY, kState + "/bin/stackwire", std::filesystem::copy_options::overwrite_existing);
    deploy_ = on_controller_raw(bin() + " deploy --answer-file " + kState + "/answers.txt --topology " + kState +
                                "/topology.json 2>&1");
    deploy_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ timing ] lab up + deploy: %.1f s\n", deploy_seconds_);
  }
  static void TearDownTestSuite() {
    if (::geteuid() != 0) return;
    // STACKWIRE_E2E_KEEP=1 leaves the lab up (a later run re-deploys onto it in seconds).
    if (const char* keep = std::getenv("STACKWIRE_E2E_KEEP"); keep && std::string(keep) == "1") return;
    sh(lab_cmd("lab heal") + " >/dev/null 2>&1");
    const auto down = sh(lab_cmd("lab down") + " 2>&1");
    EXPECT_EQ(down.status, 0) << down.out;
  }
  void SetUp() override {
    SW_REQUIRE_ROOT();
    ASSERT_EQ(up_.status, 0) << up_.out;
    ASSERT_EQ(deploy_.status, 0) << deploy_.out;
  }

  static std::string bin() { return kState + "/bin/stackwire"; }
  static CmdResult on_controller_raw(const std::string& cmd) {
    return sh(lab_cmd("lab exec controller -- sh -c " + shq(cmd)));
  }
  static CmdResult on(const std::string& host, const std::string& cmd) {
    return sh(lab_cmd("lab exec " + host + " -- sh -c " + shq(cmd)));
  }
  static CmdResult verify(const std::string& extra = "") {
    return on_controller_raw(bin() + " verify --answer-file " + kState + "/answers.txt --format json " + extra);
  }
  static json verify_ok(int expect_exit) {
    auto r = verify();
    EXPECT_EQ(r.status, expect_exit) << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  static std::string failures_text(const json& j) {
    std::string s;
    for (const auto& r : j["results"])
      if (r["status"] != "pass" && r["status"] != "skip")
        s += r["status"].get<std::string>() + " " + r["id"].get<std::string>() + " @" + r["host"].get<std::string>() +
             " " + r["object"].get<std::string>() + ": " + r["seen"].get<std::string>() + "\n";
    return s;
  }

  static inline CmdResult up_, deploy_;
  static inline double deploy_seconds_ = 0;
};

TEST_F(DeployedLabE2E, DeployCompletesAndTheFloatingIpAnswersFromOutside) {
  EXPECT_NE(deploy_.out.find("Installation completed successfully"), std::string::npos) << deploy_.out;
  for (const char* line : {"10.15.0.4_mariadb.sh", "10.15.0.4_keystone.sh", "10.15.0.7_neutron.sh", "10.15.0.2_fabric.sh"})
    EXPECT_NE(deploy_.out.find(line), std::string::npos) << line;
  // The L3 agent may still be wiring the floating IP when the API reports the port ACTIVE: give it
  // up to 30 s, and say how long it took.
  const auto t0 = std::chrono::steady_clock::now();
  CmdResult ping;
  for (int i = 0; i < 15; ++i) {
    ping = sh(lab_cmd("lab exec outside -- ping -c1 -W2 172.16.13.3"));
    if (ping.status == 0) break;
  }
  std::printf("[ timing ] floating IP answered from outside %.1f s after deploy returned\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  EXPECT_EQ(ping.status, 0) << ping.out;
  // The fabric's external gateway on the network host's br-ex answers from outside too.
  EXPECT_EQ(sh(lab_cmd("lab exec outside -- ping -c1 -W3 172.16.13.1")).status, 0);
  // "ssh" to test0 through its floating IP from outside: the instance's listener on port 22 answers.
  const auto tcp = sh(lab_cmd("lab exec outside -- " + bin() + " netns tcp /proc/self/ns/net 172.16.13.3:22 --timeout 3"));
  EXPECT_EQ(tcp.status, 0) << tcp.out << tcp.err;
  // test0 took its address from Neutron's dnsmasq: provisioning says so (setup.log), and dnsmasq's
  // lease file on the network host holds test0's MAC.
  const std::string log_says = "The installation log file is available at: ";
  const auto log_at = deploy_.out.find(log_says);
  ASSERT_NE(log_at, std::string::npos) << deploy_.out;
  const auto from = log_at + log_says.size();
  const auto log_path = deploy_.out.substr(from, deploy_.out.find('\n', from) - from);
  const auto leased = on("controller", "grep -F 'instance test0: ' " + shq(log_path));
  EXPECT_NE(leased.out.find("leased by DHCP"), std::string::npos) << leased.out;
  EXPECT_EQ(leased.out.find("configured statically"), std::string::npos) << leased.out;
  // (`ip netns exec` mounts the namespace's own /sys.)
  const auto test0_mac = on("compute1", "ip netns exec swvm-test0 sh -c 'cat /sys/class/net/tap*/address'").out.substr(0, 17);
  ASSERT_EQ(test0_mac.size(), 17u);
  const auto leases = on("network", "cat /var/lib/neutron/dhcp/*/leases");
  EXPECT_NE(leases.out.find(test0_mac), std::string::npos) << "no lease for " << test0_mac << " in\n" << leases.out;
  // keystonerc_admin as packstack writes it: 0600 on the controller.
  EXPECT_EQ(on("controller", "stat -c %a /root/keystonerc_admin").out, "600\n");
  // Secrets never reach the console.
  const auto answers = on("controller", "sed -n 's/^CONFIG_KEYSTONE_ADMIN_PW=//p' " + kState + "/answers.txt").out;
  ASSERT_FALSE(answers.empty());
  EXPECT_EQ(deploy_.out.find(answers.substr(0, answers.size() - 1)), std::string::npos) << "the admin password was printed";
}

TEST_F(DeployedLabE2E, ReRunChangesNothing) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = on_controller_raw(bin() + " deploy --answer-file " + kState + "/answers.txt --topology " + kState +
                                   "/topology.json 2>&1");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] idempotent re-run: %.1f s\n", s);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("0 changed (the cloud was already as the answer file says)"), std::string::npos) << r.out;
}

/// A host's snapshot with what traffic changes by itself taken out: counters, durations, ARP/ND
/// entries, flows learnt from packets (hard/idle timeouts), and the processes (ssh sessions come
/// and go).
json stable(json j) {
  static const std::set<std::string> drop = {"n_packets", "n_bytes", "duration_sec", "duration_nsec", "packets", "bytes",
                                             "idle_age",  "hard_age", "statistics", "taken_at_ms", "neighbours",
                                             "processes", "text", "status", "link_state"};
  std::function<void(json&)> walk = [&](json& x) {
    if (x.is_object()) {
      for (auto it = x.begin(); it != x.end();) {
        if (drop.count(it.key())) it = x.erase(it);
        else walk(*it++);
      }
      if (x.contains("flows") && x["flows"].is_array()) {
        auto& fl = x["flows"];
        fl.erase(std::remove_if(fl.begin(), fl.end(),
                                [](const json& f) { return f.value("hard_timeout", 0) > 0 || f.value("idle_timeout", 0) > 0; }),
                 fl.end());
      }
    } else if (x.is_array()) {
      for (auto& e : x) walk(e);
    }
  };
  walk(j);
  return j;
}

TEST_F(DeployedLabE2E, VerifyPassesWithoutWarningsQuicklyAndChangesNothing) {
  std::map<std::string, json> before;
  for (const char* h : {"controller", "network", "compute1", "compute2"}) {
    auto r = on(h, bin() + " snapshot --json");
    ASSERT_EQ(r.status, 0) << r.err;
    before[h] = stable(json::parse(r.out));
  }
  // The first run puts the binary on the hosts (and waits for the agents to converge); time the next.
  EXPECT_EQ(verify("--wait 120").status, 0);
  const auto t0 = std::chrono::steady_clock::now();
  const json j = verify_ok(0);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] verify (reachability included): %.2f s\n", s);
  EXPECT_EQ(j["summary"]["fail"], 0) << failures_text(j);
  EXPECT_EQ(j["summary"]["warn"], 0) << failures_text(j);
  EXPECT_EQ(j["summary"]["error"], 0) << failures_text(j);
  EXPECT_EQ(j["summary"]["skip"], 0) << failures_text(j);
  EXPECT_GT(j["summary"]["pass"].get<int>(), 40);
  for (const char* h : {"controller", "network", "compute1", "compute2"}) {
    auto r = on(h, bin() + " snapshot --json");
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(stable(json::parse(r.out)), before[h]) << h << " changed while verify ran";
  }
  // The text report for people, and JUnit for CI.
  auto text = on_controller_raw(bin() + " verify --answer-file " + kState + "/answers.txt --junit-file " + kState + "/j.xml");
  EXPECT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("OK: "), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("\033["), std::string::npos) << "colour on a pipe";
  auto junit = sh("/usr/bin/python3 -c " + shq("import junitparser,sys\nx=junitparser.JUnitXml.fromfile(sys.argv[1])\n"
                                      "t=f=e=0\nfor s in x:\n  t+=s.tests; f+=s.failures; e+=s.errors\nprint(t,f,e)") +
                  " " + kState + "/j.xml");
  ASSERT_EQ(junit.status, 0) << junit.err;  // python3-junitparser comes with tools/deps
  EXPECT_EQ(junit.out, std::to_string(j["summary"]["pass"].get<int>()) + " 0 0\n");
}

// Every password and token of the answer file: nowhere in what stackwire prints or writes — the
// console of deploy, re-run, verify and trace, setup.log and the manifests of every run, every host's
// snapshot, the JSON and JUnit reports — and the files that do hold them are 0600.
TEST_F(DeployedLabE2E, NoSecretAppearsInOutputLogsManifestsSnapshotsOrReports) {
  const auto secrets_out =
      on("controller", "sed -En 's/^CONFIG_[A-Z0-9_]*(_PW|_PASSWORD|_TOKEN|_SECRET)=//p' " + kState + "/answers.txt | sort -u");
  ASSERT_EQ(secrets_out.status, 0);
  std::vector<std::string> secrets;
  for (const auto l : sw::split(secrets_out.out, '\n'))
    if (!l.empty()) secrets.emplace_back(l);
  ASSERT_GE(secrets.size(), 10u) << secrets_out.out;

  std::vector<std::pair<std::string, std::string>> texts = {{"first deploy's console", deploy_.out + deploy_.err}};
  auto add = [&](const std::string& what, const CmdResult& r) { texts.emplace_back(what, r.out + r.err); };
  add("re-run's console", on_controller_raw(bin() + " deploy --answer-file " + kState + "/answers.txt --topology " + kState +
                                            "/topology.json 2>&1"));
  add("verify (text)", on_controller_raw(bin() + " verify --answer-file " + kState + "/answers.txt --junit-file " + kState +
                                         "/secrets-junit.xml 2>&1"));
  add("verify (JSON)", verify());
  add("verify's JUnit file", on("controller", "cat " + kState + "/secrets-junit.xml"));
  add("trace", on_controller_raw(bin() + " trace floating-ip 172.16.13.3 --answer-file " + kState + "/answers.txt 2>&1"));
  add("setup.log and manifests of every run", on("controller", "cat /var/tmp/stackwire/*/setup.log /var/tmp/stackwire/*/manifests/*"));
  for (const char* h : {"controller", "network", "compute1", "compute2"}) {
    add(std::string("snapshot of ") + h, on(h, bin() + " snapshot --json"));
    add(std::string("manifests kept on ") + h, on(h, "cat /var/lib/stackwire/manifests/* 2>/dev/null; true"));
  }
  // The control: the same search finds every one of them in the answer file itself.
  const auto answers = on("controller", "cat " + kState + "/answers.txt").out;
  for (const auto& s : secrets) EXPECT_NE(answers.find(s), std::string::npos) << "the search cannot find a secret";
  for (const auto& [what, text] : texts) {
    EXPECT_GT(text.size(), 0u) << what << " is empty: nothing was searched";
    for (const auto& s : secrets)
      EXPECT_EQ(text.find(s), std::string::npos) << "a password of the answer file appears in " << what;
  }
  // Where secrets must live, only root reads them.
  const auto modes = on("controller", "stat -c '%a %n' " + kState + "/answers.txt /root/keystonerc_admin /root/keystonerc_demo "
                                      "/var/lib/stackwire/answers.env /var/tmp/stackwire/*/setup.log");
  ASSERT_EQ(modes.status, 0) << modes.err;
  for (const auto l : sw::split(modes.out, '\n'))
    if (!l.empty()) {
      EXPECT_EQ(l.substr(0, 4), "600 ") << l;
    }
}

TEST_F(DeployedLabE2E, KilledSshdIsNamedAndARerunAfterRestartWorks) {
  // compute2's sshd dies: deploy names the host and the step and changes nothing on the others.
  auto st = json::parse(sh(lab_cmd("lab status --json")).out);
  pid_t sshd = 0;
  for (const auto& h : st["hosts"])
    if (h["name"] == "compute2")
      for (const auto& d : h["daemons"])
        if (d["name"] == "sshd") sshd = d["pid"].get<pid_t>();
  ASSERT_GT(sshd, 0);
  ASSERT_EQ(::kill(sshd, SIGKILL), 0);
  ::usleep(200000);
  const auto r = on_controller_raw(bin() + " deploy --answer-file " + kState + "/answers.txt --topology " + kState +
                                   "/topology.json 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("10.15.0.8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Connection refused"), std::string::npos) << r.out;
  // `lab up` restarts the dead sshd; the re-run then completes and changes nothing.
  EXPECT_EQ(sh(lab_cmd("lab up")).status, 0);
  const auto again = on_controller_raw(bin() + " deploy --answer-file " + kState + "/answers.txt --topology " + kState +
                                       "/topology.json 2>&1");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find(" 0 changed"), std::string::npos) << again.out;
}

TEST_F(DeployedLabE2E, UnknownHostKeyIsRefusedBeforeAnythingIsApplied) {
  on("controller", ": > " + kState + "/empty_known_hosts");
  const auto r = on_controller_raw(bin() + " deploy --answer-file " + kState + "/answers.txt --known-hosts " + kState +
                                   "/empty_known_hosts 2>&1");
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("10.15.0.7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("known_hosts"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Applying"), std::string::npos) << "a manifest was applied: " << r.out;
  // --accept-new-host-keys records them (the default known_hosts is untouched).
  EXPECT_EQ(on("controller", "wc -l < " + kState + "/empty_known_hosts").out, "0\n");
}

// Every fault of the catalogue: exactly its checks fail (plus the reachability it cuts), on the right
// host, each with a fix; running the printed fixes heals the cloud (verify passes again); `lab heal`
// then finds nothing left to undo that breaks anything.
struct FaultExpectation {
  std::string name;
  std::string host;                 ///< where the primary checks fail
  std::set<std::string> must;       ///< check ids that must fail there
  std::set<std::string> may;        ///< consequences that may fail too (anywhere)
};

const std::vector<FaultExpectation>& fault_table() {
  static const std::set<std::string> reach_fip = {"reach.fip_icmp", "reach.fip_tcp"};
  static const std::set<std::string> reach_all = {"reach.instance", "reach.mtu", "reach.fip_icmp", "reach.fip_tcp"};
  static const std::vector<FaultExpectation> t = {
      {"br-ex-down", "network", {"brex.up"}, reach_fip},
      {"br-ex-no-address", "network", {"brex.gateway"}, reach_fip},
      {"masquerade-missing", "network", {"brex.masquerade"}, {}},
      {"gre-port-missing", "network", {"ovs.tunnel_port"}, reach_all},
      {"gre-remote-wrong", "network", {"ovs.tunnel_port"}, reach_all},
      {"tunnel-mtu-small", "network", {"tunnel.mtu"}, {"reach.mtu"}},
      {"qrouter-missing", "network", {"ns.qrouter"}, reach_fip},
      {"qg-unplugged", "network", {"router.qg"}, {"router.default_route", "router.fip_addr", "reach.fip_icmp", "reach.fip_tcp"}},
      {"fip-dnat-missing", "network", {"nat.fip_dnat"}, {"reach.fip_tcp", "reach.fip_icmp"}},
      {"fip-snat-missing", "network", {"nat.fip_snat"}, {}},
      {"router-forwarding-off", "network", {"router.ip_forward"}, reach_fip},
      {"dnsmasq-dead", "network", {"dhcp.dnsmasq"}, {"agent.alive"}},
      {"dhcp-files-unreadable", "network", {"dhcp.hosts"}, {}},
      {"instance-vlan-wrong", "compute1", {"ovs.port_tag"}, reach_all},
      {"tunnel-flow-missing", "network", {"ovs.tunnel_flow_in"}, reach_all},
  };
  return t;
}

TEST_F(DeployedLabE2E, EveryFaultFailsExactlyItsChecksAndThePrintedFixHealsIt) {
  // The catalogue the lab offers is the one this table covers.
  const auto list = sh(lab_cmd("lab fault --list --json"));
  ASSERT_EQ(list.status, 0) << list.err;
  std::set<std::string> offered;
  const json lj = json::parse(list.out, nullptr, false);
  ASSERT_TRUE(lj.is_object() && lj.contains("faults")) << list.out;
  for (const auto& f : lj["faults"]) offered.insert(f.value("name", ""));
  std::set<std::string> covered;
  for (const auto& f : fault_table()) covered.insert(f.name);
  EXPECT_EQ(offered, covered) << "lab fault --list and this table differ";

  // Start from a healthy cloud: the L3 agent may still be wiring the floating IP after deploy.
  const auto healthy = verify("--wait 120");
  ASSERT_EQ(healthy.status, 0) << failures_text(json::parse(healthy.out, nullptr, false));
  for (const auto& f : fault_table()) {
    SCOPED_TRACE("fault " + f.name);
    if (!offered.count(f.name)) continue;
    const auto applied = sh(lab_cmd("lab fault " + f.name) + " 2>&1");
    ASSERT_EQ(applied.status, 0) << applied.out;
    // Verify sees it: the primary checks fail on the right host, nothing outside must ∪ may fails.
    const json j = verify_ok(1);
    std::set<std::string> failed_primary;
    std::vector<std::string> fixes;
    for (const auto& r : j["results"]) {
      const std::string st = r["status"], id = r["id"];
      if (st == "pass" || st == "skip") continue;
      if (f.must.count(id) && r["host"] == f.host) failed_primary.insert(id);
      EXPECT_TRUE(f.must.count(id) || f.may.count(id)) << "unexpected " << st << " " << id << " @" << r["host"] << " "
                                                       << r["object"] << ": " << r["seen"];
      const std::string fix = r["fix"];
      if (!fix.empty() && fix.rfind("stackwire trace", 0) != 0 &&
          std::find(fixes.begin(), fixes.end(), fix) == fixes.end())
        fixes.push_back(fix);
    }
    EXPECT_EQ(failed_primary, f.must) << failures_text(j);
    EXPECT_FALSE(fixes.empty()) << failures_text(j);
    // The printed fixes, run where verify runs, heal it (agents rebuilding take up to a minute).
    for (const auto& fix : fixes) {
      const auto r = on_controller_raw(fix + " 2>&1");
      EXPECT_EQ(r.status, 0) << fix << "\n" << r.out;
    }
    json after;
    const auto t0 = std::chrono::steady_clock::now();
    for (;;) {
      const auto r = verify();
      after = json::parse(r.out, nullptr, false);
      if (r.status == 0) break;
      if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(120)) break;
      ::sleep(3);
    }
    EXPECT_FALSE(after.is_discarded());
    if (!after.is_discarded()) {
      EXPECT_EQ(after["summary"]["fail"], 0) << "the printed fixes did not heal " << f.name << ":\n" << failures_text(after);
    }
    std::printf("[ fault ] %-22s healed by its printed fix in %.0f s\n", f.name.c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    // The lab forgets the fault (restarts what it stopped); the cloud stays healthy.
    const auto healed = sh(lab_cmd("lab heal") + " 2>&1");
    EXPECT_EQ(healed.status, 0) << healed.out;
    for (int i = 0; i < 40; ++i) {
      if (verify().status == 0) break;
      ::sleep(3);
    }
  }
}

}  // namespace
