// `stackwire lab fault NAME` / `lab heal` on a deployed lab, through the binary: for every fault of
// the catalogue, apply it, check with the ground-truth tools inside the lab hosts (ip, ovs-vsctl,
// ovs-ofctl, iptables, sysctl, pgrep, ping from "outside") that the thing is broken, heal, and check
// it works again (the floating IP answers from the instance: ttl 63, one router hop; the router
// itself answers with ttl 64).
//
// Needs a lab with a deployed cloud, named by STACKWIRE_DEPLOYED_LAB=<prefix> (skipped without it):
//   export STACKWIRE_LAB_PREFIX=swfault; stackwire lab up
//   stackwire lab exec controller -- stackwire deploy --answer-file /srv/stackwire/swfault/answers.txt
//       --topology /srv/stackwire/swfault/topology.json
//   STACKWIRE_DEPLOYED_LAB=swfault lab_integration_tests --gtest_filter='*Fault*'
// STACKWIRE_FAULT_LINGER=<s> re-checks every fault after s seconds, to show that no running agent
// repairs it (the DHCP agent fault always lingers 60 s: its agent respawned dnsmasq within 40 s).
// The checks know the shipped lab topology: instance test0 on compute1 (tunnel 10.19.0.2), floating
// IP 172.16.13.3, external subnet 172.16.13.0/24 with gateway 172.16.13.1 on br-ex.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/system.h"

namespace sw::test {
namespace {

const char* deployed_lab() {
  const char* p = std::getenv("STACKWIRE_DEPLOYED_LAB");
  return p && *p ? p : nullptr;
}

int linger_seconds() {
  const char* s = std::getenv("STACKWIRE_FAULT_LINGER");
  return s && *s ? std::atoi(s) : 0;
}

constexpr const char* kRouter = "R=$(ip netns list | grep -o '^qrouter-[^ ]*' | head -n1); ";
constexpr const char* kTap = "$(ip netns exec swvm-test0 ls /sys/class/net | grep '^tap')";
constexpr const char* kFipFromInstance = "ping -c1 -W2 172.16.13.3 | grep -q ttl=63";

/// One fault and how the ground truth sees it.
struct FaultCase {
  std::string name;
  std::string host;            ///< where the checks run
  std::string broken;          ///< exits 0 while the fault is in effect
  std::string healed;          ///< exits 0 once it is healed
  bool fip_works = false;      ///< the floating IP still reaches the instance while broken
  std::string outside_broken;  ///< instead of the fip check, run on "outside" while broken
  int linger = 0;              ///< re-check broken after this many seconds
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name << " on " << c.host; }

// Scripts use `test`, not `[ … ]`: CLI11 (2.1) takes a `lab exec` argument that starts with '[' and
// ends with ']' for a bracketed list and splits it.
std::vector<FaultCase> cases() {
  const std::string r = kRouter;
  const std::string gre_to_compute1 = "ovs-vsctl --bare --columns=name find Interface options:remote_ip=10.19.0.2";
  const std::string tun_flow = "ovs-ofctl -O OpenFlow13 dump-flows br-tun | grep -q 'priority=[0-9]*,tun_id='";
  std::vector<FaultCase> v = {
      {"br-ex-down", "network",
       r + "! ip -o link show dev br-ex | grep -q '[<,]UP[,>]' && ! ip netns exec $R ping -c1 -W1 172.16.13.1",
       r + "ip -o link show dev br-ex | grep -q '[<,]UP[,>]' && ip netns exec $R ping -c1 -W2 172.16.13.1", true, "", 0},
      {"br-ex-no-address", "network",
       r + "! ip -o -4 addr show dev br-ex | grep -q ' 172.16.13.1/24 ' && ! ip netns exec $R ping -c1 -W1 172.16.13.1",
       r + "ip -o -4 addr show dev br-ex | grep -q ' 172.16.13.1/24 ' && ip netns exec $R ping -c1 -W2 172.16.13.1",
       true, "", 0},
      // Without MASQUERADE, the router's traffic to the management network keeps a source the
      // controller has no route back to.
      {"masquerade-missing", "network",
       r + "! iptables -t nat -S POSTROUTING | grep -q -- '-s 172.16.13.0/24 -j MASQUERADE' && "
           "! ip netns exec $R ping -c1 -W1 10.15.0.4",
       r + "iptables -t nat -S POSTROUTING | grep -q -- '-s 172.16.13.0/24 -j MASQUERADE' && "
           "ip netns exec $R ping -c1 -W2 10.15.0.4",
       true, "", 0},
      {"gre-port-missing", "network", "test -z \"$(" + gre_to_compute1 + ")\" && ! ovs-vsctl list-ports br-tun | grep -q gre-0a130002",
       "test -n \"$(" + gre_to_compute1 + ")\"", false, "", 0},
      {"gre-remote-wrong", "network", "test -z \"$(" + gre_to_compute1 + ")\" && ovs-vsctl list-ports br-tun | grep -q gre-0a130002",
       "test -n \"$(" + gre_to_compute1 + ")\"", false, "", 0},
      // Small packets pass, a full-size tenant packet (1458 bytes: 1430 of ICMP payload) does not.
      {"tunnel-mtu-small", "network", "test \"$(cat /sys/class/net/eth2/mtu)\" -lt 1500",
       "test \"$(cat /sys/class/net/eth2/mtu)\" -eq 1500", false,
       std::string(kFipFromInstance) + " && ! ping -c1 -W2 -s 1430 -M do 172.16.13.3", 0},
      {"qrouter-missing", "network", "! ip netns list | grep -q '^qrouter-'", "ip netns list | grep -q '^qrouter-'",
       false, "", 0},
      {"qg-unplugged", "network", r + "! ovs-vsctl list-ports br-int | grep -q '^qg-' && ! ip netns exec $R ip -o link | grep -q ' qg-'",
       r + "ovs-vsctl list-ports br-int | grep -q '^qg-' && ip netns exec $R ip -o -4 addr | grep -q ' 172.16.13.3/32 '",
       false, "", 0},
      // Without DNAT the router answers for the floating IP itself (ttl 64) and nothing reaches the instance.
      {"fip-dnat-missing", "network",
       r + "! ip netns exec $R iptables -t nat -S | grep -q -- '-d 172.16.13.3/32 -j DNAT'",
       r + "test \"$(ip netns exec $R iptables -t nat -S | grep -c -- '-d 172.16.13.3/32 -j DNAT')\" -eq 2", false,
       "ping -c1 -W2 172.16.13.3 | grep -q ttl=64", 0},
      {"fip-snat-missing", "network",
       r + "! ip netns exec $R iptables -t nat -S neutron-l3-agent-float-snat | grep -q -- '--to-source 172.16.13.3'",
       r + "ip netns exec $R iptables -t nat -S neutron-l3-agent-float-snat | grep -q -- '--to-source 172.16.13.3'",
       true, "", 0},
      {"router-forwarding-off", "network", r + "test \"$(ip netns exec $R sysctl -n net.ipv4.ip_forward)\" = 0",
       r + "test \"$(ip netns exec $R sysctl -n net.ipv4.ip_forward)\" = 1", false, "", 0},
      {"dnsmasq-dead", "network",
       "! pgrep -x dnsmasq >/dev/null && ! /var/lib/stackwire/bin/sw-service status neutron-dhcp-agent >/dev/null",
       "D=$(ip netns list | grep -o '^qdhcp-[^ ]*' | head -n1); pgrep -x dnsmasq >/dev/null && "
       "/var/lib/stackwire/bin/sw-service status neutron-dhcp-agent >/dev/null && ip netns exec $D ss -lun | grep -q ':67 '",
       true, "", 60},
      {"instance-vlan-wrong", "compute1", std::string("test \"$(ovs-vsctl get Port ") + kTap + " tag)\" -ge 100",
       std::string("test \"$(ovs-vsctl get Port ") + kTap + " tag)\" -lt 100", false, "", 0},
      {"tunnel-flow-missing", "network", "! " + tun_flow, tun_flow, false, "", 0},
  };
  return v;
}

class LabFaultBase : public ::testing::Test {
 protected:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    if (!deployed_lab()) GTEST_SKIP() << "set STACKWIRE_DEPLOYED_LAB=<prefix> to a lab with a deployed cloud";
    prefix_ = deployed_lab();
  }
  void TearDown() override {
    if (prefix_.empty()) return;
    const auto r = lab("heal");  // whatever happened, leave the lab whole
    EXPECT_EQ(r.status, 0) << r.out << r.err;
  }

  CmdResult lab(const std::string& args) const {
    return sh("STACKWIRE_LAB_PREFIX=" + prefix_ + " " + STACKWIRE_BINARY + " lab " + args);
  }
  CmdResult on(const std::string& host, const std::string& script) const {
    return lab("exec " + host + " -- sh -c " + shq(script));
  }
  // Polls script on host until it exits 0 (limit s); true if it did.
  bool eventually(const std::string& host, const std::string& script, int limit) const {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(limit);
    for (;;) {
      if (on(host, script).status == 0) return true;
      if (std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }
  void expect_lab_whole(const std::string& why) const {
    EXPECT_TRUE(eventually("outside", kFipFromInstance, 60)) << why << ": 172.16.13.3 does not answer from the instance";
  }

  std::string prefix_;
};

class LabFaultTest : public LabFaultBase, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(LabFaultTest, BreaksWhatItSaysAndHealPutsItBack) {
  const auto& c = GetParam();
  ASSERT_EQ(on(c.host, c.healed).status, 0) << "the lab is not whole before " << c.name << " (" << c.healed << ")";
  expect_lab_whole("before " + c.name);

  const auto a = lab("fault " + c.name);
  ASSERT_EQ(a.status, 0) << a.out << a.err;
  EXPECT_NE(a.out.find("fault " + c.name + " applied on " + c.host), std::string::npos) << a.out;
  const auto again = lab("fault " + c.name);
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("already active"), std::string::npos) << again.out;

  EXPECT_EQ(on(c.host, c.broken).status, 0) << c.name << " is not broken: " << c.broken;
  if (!c.outside_broken.empty()) {
    EXPECT_EQ(on("outside", c.outside_broken).status, 0)
        << c.name << ": " << c.outside_broken << "\n" << on("outside", "ping -c1 -W2 172.16.13.3").out;
  } else {
    EXPECT_EQ(on("outside", kFipFromInstance).status == 0, c.fip_works)
        << c.name << ": the floating IP " << (c.fip_works ? "should still" : "should not") << " reach the instance";
  }
  const int linger = std::max(c.linger, linger_seconds());
  if (linger > 0) {
    std::this_thread::sleep_for(std::chrono::seconds(linger));
    EXPECT_EQ(on(c.host, c.broken).status, 0) << c.name << " repaired itself within " << linger << " s";
  }

  const auto h = lab("heal");
  ASSERT_EQ(h.status, 0) << h.out << h.err;
  EXPECT_NE(h.out.find("healed " + c.name + " on " + c.host), std::string::npos) << h.out;
  EXPECT_TRUE(eventually(c.host, c.healed, 30)) << c.name << " is not healed: " << c.healed;
  expect_lab_whole("after healing " + c.name);
  const auto none = lab("heal");
  EXPECT_EQ(none.status, 0);
  EXPECT_NE(none.out.find("no active faults"), std::string::npos) << none.out;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, LabFaultTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<FaultCase>& i) {
                           std::string n;
                           for (char ch : i.param.name) n += ch == '-' ? '_' : ch;
                           return n;
                         });

class LabFaultCliTest : public LabFaultBase {};

TEST_F(LabFaultCliTest, ListNamesEveryFaultThisTestChecks) {
  const auto r = lab("fault --list --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::set<std::string> listed, tested;
  for (const auto& f : j["faults"]) {
    listed.insert(f["name"].get<std::string>());
    if (f["name"] == "instance-vlan-wrong") {
      EXPECT_EQ(f["host"], "compute1");
    }
  }
  for (const auto& c : cases()) tested.insert(c.name);
  EXPECT_EQ(listed, tested);
  const auto text = lab("fault --list");
  EXPECT_NE(text.out.find("(stops neutron-dhcp-agent while active"), std::string::npos) << text.out;
}

TEST_F(LabFaultCliTest, UnknownNameIsExit2WithTheNames) {
  const auto r = lab("fault no-such-fault");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("br-ex-down"), std::string::npos) << r.err;
  const auto h = lab("heal no-such-fault");
  EXPECT_EQ(h.status, 2);
}

// Several faults at once, `lab up` re-run in between (idempotent: the lab is already up), then one
// `lab heal` from another process puts everything back, newest first.
TEST_F(LabFaultCliTest, HealAllAfterLabUpReRun) {
  const std::vector<std::string> names = {"router-forwarding-off", "tunnel-mtu-small", "fip-dnat-missing",
                                          "instance-vlan-wrong", "dnsmasq-dead"};
  for (const auto& n : names) {
    const auto a = lab("fault " + n);
    ASSERT_EQ(a.status, 0) << n << ": " << a.out << a.err;
  }
  EXPECT_NE(on("outside", kFipFromInstance).status, 0);
  const auto up = lab("up");
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("already up"), std::string::npos) << up.out;
  const auto list = nlohmann::json::parse(lab("fault --list --json").out);
  EXPECT_EQ(list["active"].size(), names.size());
  const auto h = lab("heal");
  ASSERT_EQ(h.status, 0) << h.out << h.err;
  size_t last = 0;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    const auto at = h.out.find("healed " + *it);
    ASSERT_NE(at, std::string::npos) << h.out;
    EXPECT_GE(at, last) << "heal order: " << h.out;
    last = at;
  }
  for (const auto& c : cases()) {
    if (std::find(names.begin(), names.end(), c.name) != names.end()) {
      EXPECT_TRUE(eventually(c.host, c.healed, 30)) << c.name << " is not healed";
    }
  }
  expect_lab_whole("after healing everything");
}

}  // namespace
}  // namespace sw::test
