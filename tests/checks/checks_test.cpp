// The checks on recorded snapshots: the lab's deployed cloud as today's agents build it
// (tests/checks/testdata/lab_current: `stackwire snapshot --json` of network, compute1 and compute2,
// the topology verify read from Neutron's API, and the lab's answer file), then the same cloud as
// Havana-era agents lay it out (OpenFlow 1.0 flows in Havana's tables, gre-N port names, no
// other_config on ports). Each fault below is made in the data and must fail exactly its own check,
// on the right host and object, with a fix.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "checks/checks.h"
#include "checks/processes.h"
#include "installer/answer_file_io.h"
#include "ovs/flow.h"

namespace sw::checks {
namespace {

const std::string kData = std::string(STACKWIRE_SOURCE_DIR) + "/tests/checks/testdata/lab_current/";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Lab {
  Expected expected;
  std::vector<HostObservation> hosts;

  HostSnapshot& snap(std::string_view name) {
    for (auto& h : hosts)
      if (h.snapshot && h.snapshot->hostname == name) return *h.snapshot;
    throw std::runtime_error("no host " + std::string(name));
  }
  NamespaceView& ns_with_prefix(std::string_view host, std::string_view prefix) {
    for (auto& n : snap(host).namespaces)
      if (n.net.name.rfind(prefix, 0) == 0) return n;
    throw std::runtime_error("no namespace " + std::string(prefix));
  }
  ovs::Bridge& bridge(std::string_view host, std::string_view name) {
    for (auto& b : snap(host).ovs->bridges)
      if (b.name == name) return b;
    throw std::runtime_error("no bridge");
  }
  ovs::FlowDump& flows(std::string_view host, std::string_view bridge) {
    for (auto& f : snap(host).flows)
      if (f.bridge == bridge) return f.dump;
    throw std::runtime_error("no flows");
  }
};

Lab load_lab() {
  Lab lab;
  auto answers = installer::load_answer_file(kData + "answers.txt");
  EXPECT_TRUE(answers) << answers.error().message();
  auto topo = installer::read_topology_file(kData + "topology.json");
  EXPECT_TRUE(topo) << topo.error().message();
  auto e = make_expected(*answers, &*topo);
  EXPECT_TRUE(e) << e.error().message();
  lab.expected = std::move(*e);
  for (const auto& [name, addr] : std::vector<std::pair<std::string, std::string>>{
           {"network", "10.15.0.7"}, {"compute1", "10.15.0.2"}, {"compute2", "10.15.0.8"}}) {
    HostObservation o;
    o.address = addr;
    auto s = parse_host_snapshot(name, slurp(kData + name + ".json"));
    EXPECT_TRUE(s) << s.error().message();
    o.snapshot = std::move(*s);
    lab.hosts.push_back(std::move(o));
    for (auto& h : lab.expected.hosts)
      if (h.address == addr) h.name = name;
  }
  // The controller runs no agent: verify has its snapshot too, and checks nothing there.
  return lab;
}

std::vector<CheckResult> run(const Lab& lab) { return run_checks(lab.expected, lab.hosts, nullptr); }

std::vector<CheckResult> not_passing(const std::vector<CheckResult>& rs) {
  std::vector<CheckResult> out;
  for (const auto& r : rs)
    if (r.status != Status::pass && r.status != Status::skip) out.push_back(r);
  return out;
}

std::string describe(const std::vector<CheckResult>& rs) {
  std::string s;
  for (const auto& r : rs)
    s += std::string(status_name(r.status)) + " " + r.id + " @" + r.host + " " + r.object + ": " + r.seen + " | fix: " + r.fix + "\n";
  return s;
}

/// Exactly one result is not passing: this id on this host, and it has a fix.
const CheckResult& only_failure(const std::vector<CheckResult>& rs, std::string_view id, std::string_view host,
                                Status st = Status::fail) {
  const auto bad = not_passing(rs);
  static CheckResult none;
  EXPECT_EQ(bad.size(), 1u) << describe(bad);
  if (bad.empty()) return none;
  static CheckResult keep;
  keep = bad.front();
  EXPECT_EQ(keep.id, id) << describe(bad);
  EXPECT_EQ(keep.host, host) << describe(bad);
  EXPECT_EQ(keep.status, st) << describe(bad);
  EXPECT_FALSE(keep.fix.empty()) << describe(bad);
  return keep;
}

TEST(ChecksOnRecordedLab, HealthyCloudPassesEveryCheckWithoutWarnings) {
  const Lab lab = load_lab();
  const auto rs = run(lab);
  EXPECT_TRUE(not_passing(rs).empty()) << describe(not_passing(rs));
  std::set<std::string> ids;
  for (const auto& r : rs) ids.insert(r.id);
  for (const char* want : {"brex.bridge", "brex.up", "brex.gateway", "brex.uplink", "brex.masquerade", "tunnel.iface",
                           "tunnel.mtu", "ovs.bridge", "ovs.patch", "ovs.tunnel_port", "ovs.tunnel_flow_in",
                           "ovs.tunnel_flow_flood", "ovs.port_tag", "ns.qrouter", "router.qg", "router.qr",
                           "router.fip_addr", "nat.fip_dnat", "nat.fip_snat", "nat.snat", "router.default_route",
                           "router.ip_forward", "ns.qdhcp", "dhcp.tap", "dhcp.dnsmasq", "reach"})
    EXPECT_TRUE(ids.count(want)) << "no result for " << want;
  // Three tunnel hosts: each has a GRE port to each of the two others.
  int tunnel_ports = 0;
  for (const auto& r : rs) tunnel_ports += r.id == "ovs.tunnel_port";
  EXPECT_EQ(tunnel_ports, 6);
}

TEST(ChecksOnRecordedLab, BrExGatewayRemoved) {
  Lab lab = load_lab();
  auto& root = lab.snap("network").root.net;
  std::erase_if(root.addresses, [](const auto& a) { return a.ifname == "br-ex" && a.local.to_string() == "172.16.13.1"; });
  const auto& r = only_failure(run(lab), "brex.gateway", "network");
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 'ip addr replace 172.16.13.1/24 dev br-ex'");
}

TEST(ChecksOnRecordedLab, BrExDown) {
  Lab lab = load_lab();
  for (auto& l : lab.snap("network").root.net.links)
    if (l.name == "br-ex") l.flags &= ~1u;  // IFF_UP
  const auto& r = only_failure(run(lab), "brex.up", "network");
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 'ip link set dev br-ex up'");
}

TEST(ChecksOnRecordedLab, MasqueradeRemoved) {
  Lab lab = load_lab();
  for (auto& t : lab.snap("network").root.nat.tables)
    for (auto& c : t.chains)
      std::erase_if(c.rules, [](const netprobe::NatRule& x) { return x.target.kind == netprobe::NatTargetKind::masquerade; });
  const auto& r = only_failure(run(lab), "brex.masquerade", "network");
  EXPECT_NE(r.fix.find("iptables -t nat -I POSTROUTING 1 -s 172.16.13.0/24 -j MASQUERADE"), std::string::npos);
}

TEST(ChecksOnRecordedLab, FloatingIpDnatRemovedNamesTheRuleToAdd) {
  Lab lab = load_lab();
  auto& q = lab.ns_with_prefix("network", "qrouter-");
  for (auto& t : q.nat.tables)
    for (auto& c : t.chains)
      if (c.name == "neutron-l3-agent-PREROUTING")
        std::erase_if(c.rules, [](const netprobe::NatRule& x) { return x.target.kind == netprobe::NatTargetKind::dnat; });
  const auto& r = only_failure(run(lab), "nat.fip_dnat", "network");
  EXPECT_EQ(r.object.rfind("172.16.13.3 → ", 0), 0u) << r.object;
  // Idempotent: the rule is added only when it is not there (the agent may have put it back).
  EXPECT_NE(r.fix.find("ip netns exec " + q.net.name + " sh -c "), std::string::npos) << r.fix;
  EXPECT_NE(r.fix.find("iptables -t nat -C neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination "),
            std::string::npos)
      << r.fix;
  EXPECT_NE(r.fix.find("|| iptables -t nat -A neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination "),
            std::string::npos)
      << r.fix;
}

TEST(ChecksOnRecordedLab, SnatInAnUnreferencedChainDoesNotCount) {
  Lab lab = load_lab();
  auto& q = lab.ns_with_prefix("network", "qrouter-");
  // Cut the jump into neutron-l3-agent-float-snat: the rule is there but no packet reaches it.
  for (auto& t : q.nat.tables)
    for (auto& c : t.chains)
      std::erase_if(c.rules, [](const netprobe::NatRule& x) { return x.target.chain == "neutron-l3-agent-float-snat"; });
  const auto& r = only_failure(run(lab), "nat.fip_snat", "network");
  EXPECT_NE(r.seen.find("not reached"), std::string::npos) << r.seen;
}

TEST(ChecksOnRecordedLab, IpForwardOffInTheRouter) {
  Lab lab = load_lab();
  auto& q = lab.ns_with_prefix("network", "qrouter-");
  q.net.sysctls.values["net.ipv4.ip_forward"] = 0;
  const auto& r = only_failure(run(lab), "router.ip_forward", "network");
  EXPECT_NE(r.fix.find("sysctl -w net.ipv4.ip_forward=1"), std::string::npos);
}

TEST(ChecksOnRecordedLab, GrePortToOneComputeDeleted) {
  Lab lab = load_lab();
  auto& brtun = lab.bridge("network", "br-tun");
  std::erase_if(brtun.ports, [](const ovs::Port& p) {
    return !p.interfaces.empty() && p.interfaces[0].option("remote_ip").value_or("") == "10.19.0.2";
  });
  const auto& r = only_failure(run(lab), "ovs.tunnel_port", "network");
  EXPECT_NE(r.object.find("compute1"), std::string::npos) << r.object;
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 '/var/lib/stackwire/bin/sw-service restart neutron-openvswitch-agent'");
}

TEST(ChecksOnRecordedLab, GrePortWithAWrongRemoteIp) {
  Lab lab = load_lab();
  for (auto& p : lab.bridge("network", "br-tun").ports)
    for (auto& i : p.interfaces)
      if (i.option("remote_ip").value_or("") == "10.19.0.8") i.options["remote_ip"] = "10.19.0.99";
  const auto& r = only_failure(run(lab), "ovs.tunnel_port", "network");
  EXPECT_NE(r.object.find("compute2"), std::string::npos);
  EXPECT_NE(r.seen.find("10.19.0.99"), std::string::npos) << r.seen;
}

TEST(ChecksOnRecordedLab, TunnelFlowForTheTenantDeleted) {
  Lab lab = load_lab();
  std::erase_if(lab.flows("network", "br-tun").flows, [](const ovs::Flow& f) { return f.match_field("tun_id") != nullptr; });
  const auto& r = only_failure(run(lab), "ovs.tunnel_flow_in", "network");
  EXPECT_NE(r.object.find("0xa3d"), std::string::npos) << r.object;
}

TEST(ChecksOnRecordedLab, InstancePortWithTheWrongVlanTag) {
  Lab lab = load_lab();
  std::string dev;
  for (auto& p : lab.bridge("compute1", "br-int").ports)
    if (p.name.rfind("tap", 0) == 0) {
      p.tag = 7;
      dev = p.name;
    }
  const auto& r = only_failure(run(lab), "ovs.port_tag", "compute1");
  EXPECT_EQ(r.object, dev);
  EXPECT_EQ(r.fix, "ssh root@10.15.0.2 'ovs-vsctl set Port " + dev + " tag=1'");
}

TEST(ChecksOnRecordedLab, TunnelMtuTooSmall) {
  Lab lab = load_lab();
  for (auto& l : lab.snap("compute2").root.net.links)
    if (l.name == "eth2") l.mtu = 1400;
  const auto& r = only_failure(run(lab), "tunnel.mtu", "compute2");
  EXPECT_EQ(r.expected.rfind("MTU >= 1500", 0), 0u) << r.expected;  // 1458 + GRE 42
  EXPECT_EQ(r.fix, "ssh root@10.15.0.8 'ip link set dev eth2 mtu 1500'");
}

TEST(ChecksOnRecordedLab, QrouterNamespaceDeleted) {
  Lab lab = load_lab();
  std::erase_if(lab.snap("network").namespaces, [](const NamespaceView& n) { return n.net.name.rfind("qrouter-", 0) == 0; });
  const auto& r = only_failure(run(lab), "ns.qrouter", "network");
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 '/var/lib/stackwire/bin/sw-service restart neutron-l3-agent'");
}

TEST(ChecksOnRecordedLab, DnsmasqKilled) {
  Lab lab = load_lab();
  auto& d = lab.ns_with_prefix("network", "qdhcp-");
  d.processes.clear();
  only_failure(run(lab), "dhcp.dnsmasq", "network");
}

// dnsmasq's hosts file as the DHCP agent writes it for the recorded lab: the router interface and test0.
DhcpHostsFile& give_hostsfile(Lab& lab, std::string text_lines = "") {
  auto& d = lab.ns_with_prefix("network", "qdhcp-");
  auto& p = d.processes.at(0);
  EXPECT_EQ(p.comm, "dnsmasq");
  const std::string net = d.net.name.substr(6);
  DhcpHostsFile f;
  f.path = "/var/lib/neutron/dhcp/" + net + "/host";
  f.hosts = parse_dhcp_hostsfile(text_lines.empty() ? "fa:16:3e:a5:99:e6,host-10-0-0-1.openstacklocal,10.0.0.1\n"
                                                      "fa:16:3e:a4:91:94,host-10-0-0-229.openstacklocal,10.0.0.229\n"
                                                    : text_lines);
  p.dhcp_hosts = f;
  return *p.dhcp_hosts;
}

TEST(ChecksOnRecordedLab, DhcpHostsFileHoldsEveryPort) {
  Lab lab = load_lab();
  give_hostsfile(lab);
  const auto rs = run(lab);
  EXPECT_TRUE(not_passing(rs).empty()) << describe(not_passing(rs));
  int seen = 0;
  for (const auto& r : rs)
    if (r.id == "dhcp.hosts") {
      ++seen;
      EXPECT_EQ(r.status, Status::pass);
      EXPECT_EQ(r.host, "network");
      EXPECT_NE(r.expected.find("each of 2 port(s)"), std::string::npos) << r.expected;  // not the DHCP port itself
    }
  EXPECT_EQ(seen, 1);
}

TEST(ChecksOnRecordedLab, DhcpHostsFileWithoutAnInstance) {
  Lab lab = load_lab();
  give_hostsfile(lab, "fa:16:3e:a5:99:e6,host-10-0-0-1.openstacklocal,10.0.0.1\n");
  const auto& r = only_failure(run(lab), "dhcp.hosts", "network");
  EXPECT_NE(r.seen.find("(test0): no line for fa:16:3e:a4:91:94 10.0.0.229"), std::string::npos) << r.seen;
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 '/var/lib/stackwire/bin/sw-service restart neutron-dhcp-agent'");
}

TEST(ChecksOnRecordedLab, DhcpHostsFileGivesAnotherAddress) {
  Lab lab = load_lab();
  give_hostsfile(lab, "fa:16:3e:a5:99:e6,host-10-0-0-1.openstacklocal,10.0.0.1\nFA:16:3E:A4:91:94,h,10.0.0.99\n");
  const auto& r = only_failure(run(lab), "dhcp.hosts", "network");
  EXPECT_NE(r.seen.find("fa:16:3e:a4:91:94 gets 10.0.0.99 (line 2), not 10.0.0.229"), std::string::npos) << r.seen;
}

// The lab's own bug, found by this check's predecessor by hand: /var/lib/neutron at 0750, so dnsmasq
// (nobody) could not read the hosts file and answered every DISCOVER with "no address available".
TEST(ChecksOnRecordedLab, DhcpHostsFileUnreadableByDnsmasq) {
  Lab lab = load_lab();
  auto& f = give_hostsfile(lab);
  f.denied = "/var/lib/neutron: mode 0750 neutron:neutron, no search permission for uid 65534 (nobody)";
  const auto& r = only_failure(run(lab), "dhcp.hosts", "network");
  const std::string net = lab.ns_with_prefix("network", "qdhcp-").net.name.substr(6);
  EXPECT_NE(r.seen.find("no search permission for uid 65534"), std::string::npos) << r.seen;
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 'chmod o+rx /var/lib/neutron && kill -HUP $(cat /var/lib/neutron/dhcp/" + net +
                       "/pid)'");
}

TEST(ChecksOnRecordedLab, DhcpHostsFileThatCannotBeReadFails) {
  Lab lab = load_lab();
  auto& f = give_hostsfile(lab);
  f.hosts.clear();
  f.error = "cannot read /var/lib/neutron/dhcp/x/host: No such file or directory";
  only_failure(run(lab), "dhcp.hosts", "network");
}

TEST(ChecksOnRecordedLab, StaleNamespaceIsAWarning) {
  Lab lab = load_lab();
  NamespaceView stale;
  stale.net.name = "qrouter-00000000-0000-0000-0000-000000000000";
  lab.snap("network").namespaces.push_back(stale);
  const auto& r = only_failure(run(lab), "ns.stale", "network", Status::warn);
  EXPECT_EQ(r.fix, "ssh root@10.15.0.7 'ip netns delete qrouter-00000000-0000-0000-0000-000000000000'");
}

TEST(ChecksOnRecordedLab, HostWithoutSnapshotIsAnErrorNamingWhy) {
  Lab lab = load_lab();
  lab.hosts[2].snapshot.reset();
  lab.hosts[2].error = "host 10.15.0.8: connect: Connection refused";
  const auto rs = run(lab);
  bool found = false;
  for (const auto& r : rs)
    if (r.id == "host.snapshot") {
      found = true;
      EXPECT_EQ(r.status, Status::error);
      EXPECT_EQ(r.seen, "host 10.15.0.8: connect: Connection refused");
    }
  EXPECT_TRUE(found);
  EXPECT_EQ(exit_code_for(summarize(rs)), 1);
}

// ovsdb-server stopped on the network host: errors naming OVSDB there, and no check fails for
// what only OVSDB could tell (on netdev the tunnel address sits on the bridge holding eth2).
TEST(ChecksOnRecordedLab, OvsdbUnreadableIsAnErrorNotAFailure) {
  Lab lab = load_lab();
  auto& s = lab.snap("network");
  s.ovs.reset();
  s.flows.clear();
  s.ovs_error = "unix:/var/run/openvswitch/db.sock: ovsdb-server did not answer within 10000 ms";
  const auto rs = run(lab);
  std::set<std::string> errors;
  for (const auto& r : not_passing(rs)) {
    EXPECT_EQ(r.host, "network") << describe(not_passing(rs));
    EXPECT_EQ(r.status, Status::error) << describe(not_passing(rs));
    EXPECT_NE(r.seen.find("ovsdb-server did not answer"), std::string::npos) << r.seen;
    errors.insert(r.id);
  }
  EXPECT_TRUE(errors.count("ovs.db")) << describe(not_passing(rs));
  EXPECT_TRUE(errors.count("tunnel.iface")) << describe(not_passing(rs));
  EXPECT_EQ(exit_code_for(summarize(rs)), 1);
}

TEST(ChecksOnRecordedLab, ReachabilityResultsBecomeChecks) {
  Lab lab = load_lab();
  auto plan = plan_probes(lab.expected, lab.hosts, 22);
  ASSERT_EQ(plan.size(), 4u);  // instance ICMP, instance DF at MTU, FIP ICMP, FIP TCP 22
  std::vector<ProbeResult> results;
  for (const auto& p : plan) results.push_back({p, p.id != "reach.fip_tcp", p.id != "reach.fip_tcp" ? "answered" : "timeout", ""});
  const auto rs = run_checks(lab.expected, lab.hosts, &results);
  const auto& r = only_failure(rs, "reach.fip_tcp", "network");
  EXPECT_EQ(r.fix, "stackwire trace floating-ip 172.16.13.3");
  for (const auto& p : plan)
    if (p.id == "reach.mtu") {
      EXPECT_TRUE(p.dont_fragment);
      EXPECT_EQ(p.size, 1458 - 28);
      EXPECT_EQ(p.netns.rfind("qdhcp-", 0), 0u);
    }
}

// ---- Havana: the same cloud as Havana's agents laid it out.
void make_havana(Lab& lab) {
  for (const char* host : {"network", "compute1", "compute2"}) {
    int n = 1;
    for (auto& p : lab.bridge(host, "br-tun").ports)
      if (p.name.rfind("gre-", 0) == 0) {
        p.name = "gre-" + std::to_string(n++);
        for (auto& i : p.interfaces) i.name = p.name;
      }
    for (auto& p : lab.bridge(host, "br-int").ports) p.other_config.clear();
    // Havana's br-tun (OpenFlow 1.0): table 2 = GRE_TUN_TO_LV, 21 = FLOOD_TO_TUN.
    auto& dump = lab.flows(host, "br-tun");
    std::vector<std::string> tunnel_ofports;
    for (auto& p : lab.bridge(host, "br-tun").ports)
      for (auto& i : p.interfaces)
        if (i.type == "gre" && i.ofport) tunnel_ofports.push_back(std::to_string(*i.ofport));
    std::string outs;
    for (const auto& o : tunnel_ofports) outs += ",output:" + o;
    dump.flows.clear();
    const std::vector<std::string> lines = {std::string("table=0, n_packets=0, n_bytes=0, priority=1,in_port=1 actions=resubmit(,1)"),
                                   "table=2, n_packets=0, n_bytes=0, priority=1,tun_id=0xa3d actions=mod_vlan_vid:1,resubmit(,10)",
                                   "table=21, n_packets=0, n_bytes=0, priority=1,dl_vlan=1 actions=strip_vlan,set_tunnel:0xa3d" + outs,
                                   "table=21, n_packets=0, n_bytes=0, priority=0 actions=drop"};
    for (const auto& line : lines) {
      auto f = ovs::parse_flow(line);
      ASSERT_TRUE(f) << line << ": " << f.error().message();
      dump.flows.push_back(*f);
    }
  }
}

TEST(ChecksOnHavanaLayout, OpenFlow10TablesAndGreNNamesPass) {
  Lab lab = load_lab();
  make_havana(lab);
  const auto rs = run(lab);
  EXPECT_TRUE(not_passing(rs).empty()) << describe(not_passing(rs));
  int flows_checked = 0;
  for (const auto& r : rs) flows_checked += r.id == "ovs.tunnel_flow_in" || r.id == "ovs.tunnel_flow_flood";
  EXPECT_EQ(flows_checked, 4);  // network and compute1 carry net0
}

TEST(ChecksOnHavanaLayout, MissingFloodToOneTunnelIsSeen) {
  Lab lab = load_lab();
  make_havana(lab);
  auto& dump = lab.flows("network", "br-tun");
  for (auto& f : dump.flows)
    if (f.table == 21 && f.priority == 1) {
      auto g = ovs::parse_flow("table=21, priority=1,dl_vlan=1 actions=strip_vlan,set_tunnel:0xa3d,output:2");
      ASSERT_TRUE(g);
      f = *g;
    }
  const auto& r = only_failure(run(lab), "ovs.tunnel_flow_flood", "network");
  EXPECT_NE(r.seen.find("does not reach"), std::string::npos) << r.seen;
}

TEST(FilterResults, OnlyAndSkipByIdPrefixAndHost) {
  std::vector<CheckResult> rs(4);
  rs[0].id = "nat.fip_dnat";
  rs[0].host = "network";
  rs[1].id = "nat.snat";
  rs[1].host = "network";
  rs[2].id = "ovs.bridge";
  rs[2].host = "compute1";
  rs[3].id = "natural";
  rs[3].host = "network";
  EXPECT_EQ(filter_results(rs, {"nat"}, {}).size(), 2u);
  EXPECT_EQ(filter_results(rs, {"compute1"}, {}).size(), 1u);
  EXPECT_EQ(filter_results(rs, {}, {"nat.snat", "compute1"}).size(), 2u);
  EXPECT_EQ(filter_results(rs, {"network"}, {"nat"}).size(), 1u);
}

}  // namespace
}  // namespace sw::checks
