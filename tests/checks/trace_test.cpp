// The path trace over recorded snapshots of the lab (tests/checks/testdata/trace: `stackwire
// snapshot --json` of the network host and compute1, trimmed, and the topology Neutron's API gave):
// the healthy path is ok hop by hop, and one fault — a DNAT rule removed, a tunnel port gone, a
// namespace missing, a host unreachable — breaks exactly the hop it belongs to while every other hop
// keeps its own state.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/trace.h"
#include "installer/topology.h"

namespace sw::checks {
namespace {

using installer::Topology;

const std::string kDir = std::string(STACKWIRE_SOURCE_DIR) + "/tests/checks/testdata/trace/";
const std::string kRouterNs = "qrouter-7dde0aa6-ca26-4947-9cad-5c582468b52e";
const std::string kDhcpNs = "qdhcp-f89baed9-a462-4ae4-be3e-31395fbde735";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto topo = installer::parse_topology("topology.json", slurp(kDir + "topology.json"));
    ASSERT_TRUE(topo) << topo.error().message();
    e.tunnel_type = "gre";
    e.tunnel_iface = "eth2";
    e.ext_bridge = "br-ex";
    e.uplink = "eth3";
    e.datapath_type = "netdev";
    e.ext_gateway_cidr = "172.16.13.1/24";
    e.ext_subnet = "172.16.13.0/24";
    ExpectedHost network;
    network.address = "10.15.0.7";
    network.name = "network";
    network.network = true;
    network.tunnel = true;
    ExpectedHost compute;
    compute.address = "10.15.0.2";
    compute.name = "compute1";
    compute.compute = true;
    compute.tunnel = true;
    e.hosts = {network, compute};
    e.topology = *topo;
    e.have_topology = true;
    for (const auto& [addr, file] : {std::pair{"10.15.0.7", "network.json"}, std::pair{"10.15.0.2", "compute1.json"}}) {
      auto snap = parse_host_snapshot(file, slurp(kDir + file));
      ASSERT_TRUE(snap) << snap.error().message();
      HostObservation o;
      o.address = addr;
      o.snapshot = std::move(*snap);
      hosts.push_back(std::move(o));
    }
  }

  HostSnapshot& snap(std::size_t i) { return *hosts[i].snapshot; }
  NamespaceView& ns(const std::string& name) {
    for (auto& n : snap(0).namespaces)
      if (n.net.name == name) return n;
    throw std::runtime_error("no namespace " + name);
  }
  ovs::Bridge& bridge(std::size_t host, const std::string& name) {
    for (auto& b : snap(host).ovs->bridges)
      if (b.name == name) return b;
    throw std::runtime_error("no bridge " + name);
  }

  /// Every probe the trace plans, answered (or not).
  std::vector<ProbeResult> answer(const TraceTarget& t, bool ok = true) {
    std::vector<ProbeResult> out;
    for (const auto& r : plan_trace_probes(e, hosts, t)) out.push_back({r, ok, ok ? "3/3 answered" : "timeout after 1000 ms", ""});
    return out;
  }

  Trace run(const TraceTarget& t, const std::vector<ProbeResult>* probes = nullptr) {
    auto tr = trace_path(e, hosts, t, probes);
    EXPECT_TRUE(tr) << tr.error().message();
    return tr ? *tr : Trace{};
  }

  static std::vector<std::string> whats(const Trace& t) {
    std::vector<std::string> out;
    for (const auto& h : t.hops) out.push_back(h.what);
    return out;
  }
  /// "what@host" of every hop not ok, with its state.
  static std::vector<std::string> not_ok(const Trace& t) {
    std::vector<std::string> out;
    for (const auto& h : t.hops)
      if (h.state != TraceHop::ok) out.push_back(std::string(state_name(h.state)) + " " + h.what + "@" + h.host);
    return out;
  }
  static const TraceHop& hop(const Trace& t, const std::string& what, const std::string& host) {
    for (const auto& h : t.hops)
      if (h.what == what && h.host == host) return h;
    throw std::runtime_error("no hop " + what + "@" + host);
  }

  Expected e;
  std::vector<HostObservation> hosts;
  const TraceTarget fip{TraceTarget::floating_ip, "172.16.13.3"};
  const TraceTarget inst{TraceTarget::instance, "test0"};
};

TEST_F(TraceTest, HealthyFloatingIpPathIsOkHopByHop) {
  const auto probes = answer(fip);
  const Trace t = run(fip, &probes);
  EXPECT_EQ(t.target, "floating-ip 172.16.13.3");
  EXPECT_EQ(whats(t), (std::vector<std::string>{"external bridge", "external bridge → br-int", "router gateway port", "DNAT",
                                                "router route", "router interface port", "br-int local VLAN", "into the tunnel",
                                                "tunnel port", "tunnel port", "out of the tunnel", "instance port", "probe", "probe"}));
  EXPECT_TRUE(not_ok(t).empty()) << ::testing::PrintToString(not_ok(t));
  EXPECT_TRUE(t.ok());
  EXPECT_EQ(t.hops[3].object, "172.16.13.3 → 10.0.0.229");
  EXPECT_NE(t.hops[3].detail.find("reached via PREROUTING → neutron-l3-agent-PREROUTING"), std::string::npos) << t.hops[3].detail;
  EXPECT_EQ(t.hops[8].host, "network");
  EXPECT_EQ(t.hops[8].object, "gre-0a130002 → 10.19.0.2 (compute1)");
  EXPECT_EQ(t.hops[9].host, "compute1");
  EXPECT_EQ(t.hops[9].object, "gre-0a130007 → 10.19.0.7 (network)");
  EXPECT_EQ(t.hops[11].object, "br-int/tapf716e77d-96 (test0)");
  EXPECT_NE(t.hops[11].detail.find("up in swvm-test0"), std::string::npos) << t.hops[11].detail;
  for (const auto& h : t.hops) EXPECT_TRUE(h.fix.empty()) << h.what;
}

TEST_F(TraceTest, WithoutProbesTheTraceEndsAtTheInstancePort) {
  const Trace t = run(fip);
  ASSERT_EQ(t.hops.size(), 12u);
  EXPECT_EQ(t.hops.back().what, "instance port");
  EXPECT_TRUE(t.ok());
}

TEST_F(TraceTest, RemovedDnatRuleBreaksExactlyTheDnatHop) {
  for (auto& table : ns(kRouterNs).nat.tables)
    for (auto& chain : table.chains)
      if (chain.name == "neutron-l3-agent-PREROUTING")
        std::erase_if(chain.rules, [](const netprobe::NatRule& r) { return r.target.kind == netprobe::NatTargetKind::dnat; });
  const auto probes = answer(fip, false);
  const Trace t = run(fip, &probes);
  EXPECT_EQ(not_ok(t), (std::vector<std::string>{"broken DNAT@network", "broken probe@network", "broken probe@network"}));
  const auto& d = hop(t, "DNAT", "network");
  EXPECT_NE(d.detail.find("no rule -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.229"), std::string::npos) << d.detail;
  EXPECT_EQ(d.fix, "ssh root@10.15.0.7 'ip netns exec " + kRouterNs +
                       " sh -c '\\''iptables -t nat -C neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination "
                       "10.0.0.229 2>/dev/null || iptables -t nat -A neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT "
                       "--to-destination 10.0.0.229'\\'''");
  EXPECT_EQ(t.hops.back().fix, "fix hop 4 (DNAT on network) first");
  EXPECT_FALSE(t.ok());
}

TEST_F(TraceTest, DnatRuleInAChainNothingJumpsToIsBroken) {
  for (auto& table : ns(kRouterNs).nat.tables)
    for (auto& chain : table.chains)
      std::erase_if(chain.rules, [](const netprobe::NatRule& r) {
        return r.target.kind == netprobe::NatTargetKind::jump && r.target.chain == "neutron-l3-agent-PREROUTING";
      });
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), std::vector<std::string>{"broken DNAT@network"});
  EXPECT_NE(hop(t, "DNAT", "network").detail.find("not reached from PREROUTING"), std::string::npos);
}

TEST_F(TraceTest, MissingTunnelPortBreaksThatHop) {
  std::erase_if(bridge(0, "br-tun").ports, [](const ovs::Port& p) { return p.name == "gre-0a130002"; });
  const Trace t = run(fip);
  // The tunnel port is broken; the flow into it cannot be judged without it; nothing else moves.
  EXPECT_EQ(not_ok(t), (std::vector<std::string>{"unknown into the tunnel@network", "broken tunnel port@network"}));
  const auto& h = t.hops[8];
  EXPECT_EQ(h.what, "tunnel port");
  EXPECT_EQ(h.detail, "no gre port with remote_ip=10.19.0.2 on br-tun (only gre-0a130008 → 10.19.0.8)");
  EXPECT_EQ(h.fix, "ssh root@10.15.0.7 '/var/lib/stackwire/bin/sw-service restart neutron-openvswitch-agent'");
}

TEST_F(TraceTest, MissingTunnelPortOnTheComputeHostBreaksTheWayBack) {
  std::erase_if(bridge(1, "br-tun").ports, [](const ovs::Port& p) { return p.name == "gre-0a130007"; });
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), (std::vector<std::string>{"broken tunnel port@compute1", "unknown out of the tunnel@compute1"}));
}

TEST_F(TraceTest, FloodFlowThatSkipsTheComputeHostIsBroken) {
  for (auto& bf : snap(0).flows)
    if (bf.bridge == "br-tun")
      for (auto& f : bf.dump.flows)
        if (f.table == 22)
          std::erase_if(f.actions, [](const ovs::Action& a) { return a.name == "output" && a.argument == "3"; });
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), std::vector<std::string>{"broken into the tunnel@network"});
  EXPECT_NE(t.hops[7].detail.find("does not output to gre-0a130002 (ofport 3)"), std::string::npos) << t.hops[7].detail;
}

TEST_F(TraceTest, MissingRouterNamespaceBreaksTheGatewayPortAndLeavesItsDependentsUnknown) {
  std::erase_if(snap(0).namespaces, [](const NamespaceView& n) { return n.net.name == kRouterNs; });
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), (std::vector<std::string>{"broken router gateway port@network", "unknown DNAT@network",
                                                 "unknown router route@network", "unknown router interface port@network"}));
  EXPECT_EQ(t.hops[2].fix, "ssh root@10.15.0.7 '/var/lib/stackwire/bin/sw-service restart neutron-l3-agent'");
}

TEST_F(TraceTest, FloatingIpMissingOnQgAndForwardingOff) {
  auto& r = ns(kRouterNs);
  std::erase_if(r.net.addresses, [](const netprobe::Address& a) { return a.local.to_string() == "172.16.13.3"; });
  r.net.sysctls.values["net.ipv4.ip_forward"] = 0;
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), (std::vector<std::string>{"broken router gateway port@network", "broken router route@network"}));
  EXPECT_NE(t.hops[2].detail.find("qg-98eef37b-58 lacks 172.16.13.3/32"), std::string::npos) << t.hops[2].detail;
  EXPECT_NE(t.hops[4].fix.find("sysctl -w net.ipv4.ip_forward=1"), std::string::npos) << t.hops[4].fix;
}

TEST_F(TraceTest, WrongTagOnTheInstancePort) {
  for (auto& p : bridge(1, "br-int").ports)
    if (p.name == "tapf716e77d-96") p.tag = 7;
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), std::vector<std::string>{"broken instance port@compute1"});
  EXPECT_EQ(t.hops[11].fix, "ssh root@10.15.0.2 'ovs-vsctl set Port tapf716e77d-96 tag=1'");
}

TEST_F(TraceTest, UnreachableComputeHostLeavesItsHopsUnknown) {
  hosts[1].snapshot.reset();
  hosts[1].error = "ssh: connection refused";
  const Trace t = run(fip);
  EXPECT_EQ(not_ok(t), (std::vector<std::string>{"unknown into the tunnel@network", "unknown tunnel port@network",
                                                 "unknown tunnel port@10.15.0.2", "unknown out of the tunnel@10.15.0.2",
                                                 "unknown instance port@10.15.0.2"}));
  EXPECT_EQ(t.hops.back().detail, "no snapshot of 10.15.0.2: ssh: connection refused");
  EXPECT_FALSE(t.ok());
}

TEST_F(TraceTest, InstanceWithoutFloatingIpHasNoFloatingIpHops) {
  for (auto& i : e.topology.instances) i.floating_ip.clear();
  const auto probes = answer(inst);
  ASSERT_EQ(probes.size(), 2u);
  const Trace t = run(inst, &probes);
  EXPECT_EQ(whats(t), (std::vector<std::string>{"DHCP port", "router route", "router interface port", "br-int local VLAN",
                                                "into the tunnel", "tunnel port", "tunnel port", "out of the tunnel",
                                                "instance port", "probe", "probe"}));
  EXPECT_TRUE(t.ok()) << ::testing::PrintToString(not_ok(t));
  EXPECT_EQ(t.hops[0].object, kDhcpNs + "/tap8a2bc325-c9");
}

TEST_F(TraceTest, InstanceWithFloatingIpAddsItsHops) {
  const Trace t = run(inst);
  EXPECT_EQ(t.target, "instance test0");
  EXPECT_EQ(whats(t).size(), 13u);
  EXPECT_EQ(t.hops[0].what, "DHCP port");
  EXPECT_EQ(t.hops[3].what, "router gateway port");
  EXPECT_TRUE(t.ok());
}

TEST_F(TraceTest, ProbePlan) {
  auto p = plan_trace_probes(e, hosts, fip);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].id, "trace.router");
  EXPECT_EQ(p[0].host, "10.15.0.7");
  EXPECT_EQ(p[0].netns, kRouterNs);
  EXPECT_EQ(p[0].kind, "icmp");
  EXPECT_EQ(p[0].target, "10.0.0.229");
  EXPECT_EQ(p[1].id, "trace.fip");
  EXPECT_EQ(p[1].host, "10.15.0.7");
  EXPECT_EQ(p[1].netns, "");
  EXPECT_EQ(p[1].target, "172.16.13.3");
  p = plan_trace_probes(e, hosts, inst);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].id, "trace.dhcp");
  EXPECT_EQ(p[0].netns, kDhcpNs);
  EXPECT_TRUE(plan_trace_probes(e, hosts, {TraceTarget::instance, "nope"}).empty());
}

TEST_F(TraceTest, ProbeThatCouldNotRunIsUnknown) {
  auto probes = answer(fip);
  probes[0].ok = false;
  probes[0].error = "no namespace " + kRouterNs;
  const Trace t = run(fip, &probes);
  EXPECT_EQ(not_ok(t), std::vector<std::string>{"unknown probe@network"});
  EXPECT_EQ(t.hops[12].detail, "could not probe: no namespace " + kRouterNs);
}

TEST_F(TraceTest, UnknownTargetsNameThoseThatExist) {
  auto r = trace_path(e, hosts, {TraceTarget::floating_ip, "172.16.13.9"}, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().exit_code(), 2);
  EXPECT_EQ(r.error().message(), "trace: no floating IP 172.16.13.9; floating IPs: 172.16.13.3 (test0)");
  r = trace_path(e, hosts, {TraceTarget::instance, "test9"}, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "trace: no instance 'test9'; instances: test0");
  // A floating IP Neutron has but no instance holds.
  e.topology.instances.front().floating_ip.clear();
  r = trace_path(e, hosts, fip, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "trace: floating IP 172.16.13.3 is not associated with any instance");
}

TEST_F(TraceTest, TextReportNumbersHopsAndShowsTheFix) {
  for (auto& table : ns(kRouterNs).nat.tables)
    for (auto& chain : table.chains)
      if (chain.name == "neutron-l3-agent-PREROUTING")
        std::erase_if(chain.rules, [](const netprobe::NatRule& r) { return r.target.kind == netprobe::NatTargetKind::dnat; });
  const Trace t = run(fip);
  const std::string text = report_trace_text(t, false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("\n  1  ok       network   external bridge "), std::string::npos) << text;
  EXPECT_NE(text.find("\n  4  BROKEN   network   DNAT "), std::string::npos) << text;
  EXPECT_NE(text.find("\n     fix: ssh root@10.15.0.7 'ip netns exec " + kRouterNs), std::string::npos) << text;
  EXPECT_NE(text.find("\nBROKEN at hop 4 (DNAT on network); 12 hops: 11 ok, 1 broken, 0 unknown\n"), std::string::npos) << text;
  EXPECT_NE(report_trace_text(t, true).find("\033[1;31mBROKEN"), std::string::npos);
}

TEST_F(TraceTest, JsonCarriesTargetHopsAndOk) {
  const nlohmann::json j = run(fip);
  EXPECT_EQ(j["target"], "floating-ip 172.16.13.3");
  EXPECT_EQ(j["ok"], true);
  ASSERT_EQ(j["hops"].size(), 12u);
  const auto& h = j["hops"][3];
  for (const char* k : {"host", "what", "object", "state", "detail", "fix"}) EXPECT_TRUE(h.contains(k)) << k;
  EXPECT_EQ(h["state"], "ok");
  EXPECT_EQ(h["what"], "DNAT");
}

}  // namespace
}  // namespace sw::checks
