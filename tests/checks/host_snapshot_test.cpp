// A host snapshot travels from a remote host to verify as JSON: the round trip must be lossless,
// and parse_host_snapshot() must turn anything else — wrong types, missing keys, truncated text,
// another version — into an input error naming where, never an exception or a crash.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checks/host_snapshot.h"
#include "ovs/flow.h"

namespace sw::checks {
namespace {

using nlohmann::json;

netprobe::IpAddress ip(const char* s) { return *netprobe::IpAddress::parse(s); }

netprobe::NetnsSnapshot qrouter_net() {
  netprobe::NetnsSnapshot s;
  s.name = "qrouter-5a1b";
  s.inode = 4026532301;
  netprobe::Link lo;
  lo.ifindex = 1;
  lo.name = "lo";
  lo.link_type = 772;
  lo.flags = 0x49 | 0x10000;
  lo.mtu = 65536;
  lo.mac = "00:00:00:00:00:00";
  netprobe::Link qg;
  qg.ifindex = 14;
  qg.name = "qg-1a2b3c4d-5e";
  qg.kind = "veth";
  qg.link_type = 1;
  qg.flags = 0x1003 | 0x10000;
  qg.operstate = 6;
  qg.mtu = 1500;
  qg.txqlen = 1000;
  qg.mac = "fa:16:3e:00:00:01";
  qg.link = 15;
  qg.link_netnsid = 0;
  s.links = {lo, qg};
  netprobe::Address a;
  a.ifindex = 14;
  a.ifname = "qg-1a2b3c4d-5e";
  a.local = ip("172.16.13.2");
  a.prefixlen = 24;
  a.label = "qg-1a2b3c4d-5e";
  a.flags = 0x80;
  a.broadcast = ip("172.16.13.255");
  a.valid_lft = 0xffffffff;
  s.addresses = {a};
  netprobe::Route def;
  def.family = AF_INET;
  def.table = RT_TABLE_MAIN;
  def.gateway = ip("172.16.13.1");
  def.oif = 14;
  def.oif_name = "qg-1a2b3c4d-5e";
  def.protocol = RTPROT_BOOT;
  def.type = RTN_UNICAST;
  s.routes = {def};
  return s;
}

netprobe::NatView floating_ip_nat() {
  netprobe::NatRule dnat;
  dnat.table = "nat";
  dnat.chain = "neutron-l3-agent-PREROUTING";
  dnat.dst = netprobe::NatAddrMatch{"172.16.13.3", 32, "", false};
  dnat.target.kind = netprobe::NatTargetKind::dnat;
  dnat.target.name = "DNAT";
  dnat.target.to_destination = "10.0.0.3";
  dnat.packets = 7;
  dnat.bytes = 588;
  dnat.handle = 12;
  netprobe::NatRule masq;
  masq.table = "nat";
  masq.chain = "POSTROUTING";
  masq.out_iface = netprobe::NatIfaceMatch{"qg-", true, false};
  masq.modules = {"comment"};
  masq.comment = "snat";
  masq.target.kind = netprobe::NatTargetKind::masquerade;
  masq.target.name = "MASQUERADE";
  netprobe::NatChain pre;
  pre.name = "neutron-l3-agent-PREROUTING";
  pre.rules = {dnat};
  netprobe::NatChain post;
  post.name = "POSTROUTING";
  post.builtin = true;
  post.hook = "postrouting";
  post.priority = 100;
  post.type = "nat";
  post.policy = "ACCEPT";
  post.rules = {masq};
  netprobe::NatTable t;
  t.name = "nat";
  t.backend = netprobe::NatBackend::nftables;
  t.chains = {post, pre};
  netprobe::NatView v;
  v.tables = {t};
  return v;
}

ovs::OvsSnapshot network_ovs() {
  ovs::OvsSnapshot o;
  o.uuid = "2b1f0c3e-0000-4000-8000-000000000001";
  o.ovs_version = "3.1.0";
  o.external_ids = {{"hostname", "network"}, {"system-id", "abc"}};
  for (const char* name : {"br-int", "br-tun"}) {
    ovs::Bridge b;
    b.uuid = std::string("uuid-") + name;
    b.name = name;
    b.datapath_type = "netdev";
    b.fail_mode = "secure";
    b.protocols = {"OpenFlow10", "OpenFlow13"};
    ovs::Port p;
    p.uuid = std::string("port-") + name;
    p.name = std::string("patch-") + name;
    p.tag = 4095;
    ovs::Interface i;
    i.uuid = std::string("iface-") + name;
    i.name = p.name;
    i.type = "patch";
    i.options = {{"peer", "patch-x"}};
    i.ofport = 1;
    i.statistics = {{"rx_packets", 12}};
    p.interfaces = {i};
    b.ports = {p};
    o.bridges.push_back(b);
  }
  return o;
}

HostSnapshot full_snapshot() {
  HostSnapshot s;
  s.hostname = "network";
  s.taken_at_ms = 1764031200123;
  s.root.net = qrouter_net();
  s.root.net.name = "";
  s.root.net.inode = 4026531840;
  s.root.processes = {{1, "stackwire-init", {"stackwire-init"}, std::nullopt},
                      {812, "ovs-vswitchd", {"ovs-vswitchd", "unix:/run/openvswitch/db.sock", "--pidfile"}, std::nullopt}};
  NamespaceView qr;
  qr.net = qrouter_net();
  qr.nat = floating_ip_nat();
  qr.processes = {{1201, "haproxy", {"haproxy", "-f", "/var/lib/neutron/ns-metadata-proxy/5a1b.conf", ""}, std::nullopt}};
  NamespaceView dhcp;
  dhcp.net.name = "qdhcp-77aa";
  dhcp.net.inode = 4026532400;
  dhcp.processes = {{1300, "dnsmasq", {"dnsmasq", "--no-hosts", "--pid-file=/var/lib/neutron/dhcp/77aa/pid",
                                       "--dhcp-hostsfile=/var/lib/neutron/dhcp/77aa/host"}, std::nullopt}};
  dhcp.processes[0].dhcp_hosts = DhcpHostsFile{
      "/var/lib/neutron/dhcp/77aa/host",
      {{{"fa:16:3e:d1:0f:75"}, "host-10-0-0-163.openstacklocal", {"10.0.0.163"}, 1},
       {{"fa:16:3e:aa:bb:cc", "fa:16:3e:*:*:*"}, "", {"10.0.0.7", "2001:db8::5"}, 3}},
      "",
      "/var/lib/neutron: mode 0750 neutron:neutron, no search permission for uid 65534 (nobody)"};
  NamespaceView gone;
  gone.net.name = "qrouter-dead";
  gone.error = "namespace qrouter-dead vanished while being read";
  s.namespaces = {dhcp, qr, gone};
  s.ovs = network_ovs();
  BridgeFlows tun;
  tun.bridge = "br-tun";
  tun.dump.bridge = "br-tun";
  tun.dump.socket = "unix:/var/run/openvswitch/br-tun.mgmt";
  tun.dump.openflow_version = "OpenFlow13";
  auto flows = ovs::parse_flows(
      " cookie=0x5c3a1b, duration=1.2s, table=0, n_packets=3, n_bytes=180, priority=1,in_port=1 "
      "actions=resubmit(,2)\n"
      " cookie=0x5c3a1b, duration=1.2s, table=2, n_packets=0, n_bytes=0, priority=0,dl_dst=00:00:00:00:00:00/"
      "01:00:00:00:00:00 actions=resubmit(,20)\n"
      " cookie=0x5c3a1b, duration=1.2s, table=3, n_packets=0, n_bytes=0, priority=1,tun_id=0x3e9 "
      "actions=mod_vlan_vid:1,resubmit(,10)\n");
  EXPECT_TRUE(flows) << flows.error().message();
  if (flows) tun.dump.flows = *flows;
  BridgeFlows intb;
  intb.bridge = "br-int";
  intb.error = "unix:/var/run/openvswitch/br-int.mgmt: connection failed: No such file or directory";
  s.flows = {intb, tun};
  return s;
}

std::string text_of(const HostSnapshot& s) { return json(s).dump(); }

TEST(HostSnapshotJson, RoundTripIsLossless) {
  const HostSnapshot s = full_snapshot();
  ASSERT_EQ(s.flows[1].dump.flows.size(), 3u);
  auto back = parse_host_snapshot("network", text_of(s));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  // Field by field too, so a failure says which part was lost.
  EXPECT_EQ(back->root, s.root);
  EXPECT_EQ(back->namespaces, s.namespaces);
  EXPECT_EQ(back->ovs, s.ovs);
  EXPECT_EQ(back->flows, s.flows);
  // Indented (what the CLI prints) reads back the same.
  auto indented = parse_host_snapshot("network", json(s).dump(2));
  ASSERT_TRUE(indented);
  EXPECT_EQ(*indented, s);
}

// What the CLI prints: written straight to text, the same document as the nlohmann one.
TEST(HostSnapshotJson, TextIsTheSameDocument) {
  HostSnapshot s = full_snapshot();
  s.hostname = "net\"work\\1";
  s.namespaces[0].processes[0].cmdline.push_back("tab\there");
  const std::string text = host_snapshot_json_text(s);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(json::parse(text), json(s));
  auto back = parse_host_snapshot("network", text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  HostSnapshot empty;
  EXPECT_EQ(json::parse(host_snapshot_json_text(empty)), json(empty));
  s.ovs.reset();
  s.flows.clear();
  EXPECT_EQ(json::parse(host_snapshot_json_text(s)), json(s));
}

TEST(HostSnapshotJson, OvsUnreadableIsNull) {
  HostSnapshot s = full_snapshot();
  s.ovs.reset();
  s.ovs_error = "unix:/var/run/openvswitch/db.sock: ovsdb-server is not running (No such file or directory)";
  s.flows.clear();
  const json j = s;
  EXPECT_TRUE(j.at("ovs").is_null());
  EXPECT_EQ(j.at("ovs_error"), s.ovs_error);
  auto back = parse_host_snapshot("h", j.dump());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
}

TEST(HostSnapshotJson, EmptySnapshotRoundTrips) {
  HostSnapshot s;
  auto back = parse_host_snapshot("h", text_of(s));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
}

TEST(HostSnapshotJson, DocumentShape) {
  const json j = full_snapshot();
  for (const char* key : {"version", "hostname", "taken_at_ms", "root", "namespaces", "ovs", "ovs_error", "flows"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(j.at("namespaces").size(), 3u);
  const json& qr = j.at("namespaces").at(1);
  EXPECT_EQ(qr.at("net").at("name"), "qrouter-5a1b");
  EXPECT_EQ(qr.at("processes").at(0).at("comm"), "haproxy");
  EXPECT_EQ(qr.at("processes").at(0).at("cmdline").at(1), "-f");
  EXPECT_EQ(j.at("flows").at(0).at("bridge"), "br-int");
  EXPECT_FALSE(j.at("flows").at(0).at("error").get<std::string>().empty());
}

TEST(HostSnapshotLookup, FindNamespaceAndBridgeFlows) {
  const HostSnapshot s = full_snapshot();
  ASSERT_NE(s.find_namespace("qdhcp-77aa"), nullptr);
  EXPECT_EQ(s.find_namespace("qdhcp-77aa")->processes.at(0).comm, "dnsmasq");
  EXPECT_EQ(s.find_namespace(""), nullptr) << "the root namespace is not a named one";
  EXPECT_EQ(s.find_namespace("qrouter-none"), nullptr);
  ASSERT_NE(s.bridge_flows("br-tun"), nullptr);
  EXPECT_EQ(s.bridge_flows("br-tun")->flows.size(), 3u);
  EXPECT_EQ(s.bridge_flows("br-int"), nullptr) << "unreadable flows";
  EXPECT_EQ(s.bridge_flows("br-ex"), nullptr);
}

// ---- hostile input --------------------------------------------------------------------------------

std::string error_of(std::string_view text) {
  auto r = parse_host_snapshot("10.15.0.7", text);
  if (r) return "";
  EXPECT_EQ(r.error().kind(), ErrorKind::input);
  return r.error().message();
}

TEST(HostSnapshotJson, ErrorsNameTheHostAndThePlace) {
  json j = full_snapshot();
  j["namespaces"][1]["processes"][0]["pid"] = "1201";
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: namespaces[1].processes[0].pid: expected an integer, got string");

  j = full_snapshot();
  j["namespaces"][0]["processes"][0]["dhcp_hostsfile"]["hosts"][1]["addresses"][0] = 7;
  EXPECT_EQ(error_of(j.dump()),
            "10.15.0.7: snapshot: namespaces[0].processes[0].dhcp_hostsfile.hosts[1].addresses[0]: expected a string, got number");
  j = full_snapshot();
  j["namespaces"][0]["processes"][0]["dhcp_hostsfile"] = "host";
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: namespaces[0].processes[0].dhcp_hostsfile: expected an object, got string");
  // A snapshot from before the hosts file was read: the key is absent, the process has none.
  j = full_snapshot();
  j["namespaces"][0]["processes"][0].erase("dhcp_hostsfile");
  {
    const auto s = parse_host_snapshot("10.15.0.7", j.dump());
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_FALSE(s->namespaces[0].processes[0].dhcp_hosts);
  }

  // A floating-point number where an integer goes would be cast (undefined behaviour out of range):
  // refused first, named by its place (found by fuzz_snapshot).
  j = full_snapshot();
  ASSERT_TRUE(j["namespaces"][1]["net"]["addresses"].is_array() && !j["namespaces"][1]["net"]["addresses"].empty());
  j["namespaces"][1]["net"]["addresses"][0]["ifindex"] = 8.88889e95;
  EXPECT_EQ(error_of(j.dump()),
            "10.15.0.7: snapshot: namespaces[1].net.addresses[0].ifindex: expected an integer, got a number with a fraction or exponent");
  j = full_snapshot();
  j["taken_at_ms"] = 1.5;
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: taken_at_ms: expected an integer, got a number with a fraction or exponent");
  EXPECT_EQ(error_of(std::string(100000, '[') + std::string(100000, ']')), "10.15.0.7: snapshot: expected an object, got array");

  j = full_snapshot();
  j["root"].erase("nat");
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: root: missing \"nat\"");

  j = full_snapshot();
  j.erase("hostname");
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: missing \"hostname\"");

  j = full_snapshot();
  j["flows"][1]["dump"]["flows"] = 3;
  EXPECT_TRUE(error_of(j.dump()).starts_with("10.15.0.7: snapshot: flows[1].dump: ")) << error_of(j.dump());

  j = full_snapshot();
  j["namespaces"][1]["nat"]["tables"][0]["backend"] = "ipchains";
  EXPECT_TRUE(error_of(j.dump()).starts_with("10.15.0.7: snapshot: namespaces[1].nat: ")) << error_of(j.dump());
  EXPECT_NE(error_of(j.dump()).find("ipchains"), std::string::npos);

  EXPECT_TRUE(error_of("").starts_with("10.15.0.7: snapshot: parse error")) << error_of("");
  EXPECT_EQ(error_of("[1,2]"), "10.15.0.7: snapshot: expected an object, got array");
}

TEST(HostSnapshotJson, RefusesOtherVersions) {
  json j = full_snapshot();
  j["version"] = 2;
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: version 2 is not supported (this stackwire reads version 1)");
  j["version"] = "1";
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: version \"1\" is not supported (this stackwire reads version 1)");
  j["version"] = 1.5;
  EXPECT_NE(error_of(j.dump()), "");
  j["version"] = 18446744073709551615ull;
  EXPECT_NE(error_of(j.dump()), "");
  j.erase("version");
  EXPECT_EQ(error_of(j.dump()), "10.15.0.7: snapshot: no \"version\": not a stackwire host snapshot");
  EXPECT_NE(error_of(R"({"hosts": []})"), "");
}

TEST(HostSnapshotJson, OutOfRangeNumbers) {
  json j = full_snapshot();
  j["root"]["processes"][0]["pid"] = 4294967296ll;
  EXPECT_NE(error_of(j.dump()).find("out of range"), std::string::npos);
  j = full_snapshot();
  j["root"]["processes"][0]["pid"] = -3;
  EXPECT_NE(error_of(j.dump()).find("out of range"), std::string::npos);
  j = full_snapshot();
  j["taken_at_ms"] = 18446744073709551615ull;
  EXPECT_NE(error_of(j.dump()).find("out of range"), std::string::npos);
}

// One of everything (a namespace with links, addresses, a route, NAT rules and a process; one
// bridge; one flow dump, one flow error), to keep the mangling below quick.
HostSnapshot small_snapshot() {
  HostSnapshot s = full_snapshot();
  s.root = NamespaceView{};
  s.root.net.links.resize(1);
  s.namespaces.erase(s.namespaces.begin());
  s.namespaces.resize(1);
  s.namespaces[0].nat.tables[0].chains.resize(1);
  s.ovs->bridges.resize(1);
  s.flows[1].dump.flows.resize(1);
  return s;
}

// Every value of the document, replaced by every kind of wrong value, and every key removed: each
// parse either succeeds or is an input error — nothing throws, nothing crashes.
TEST(HostSnapshotJson, EveryFieldMangledNeverThrows) {
  const json good = small_snapshot();
  const json flat = good.flatten();
  const std::vector<json> hostile = {nullptr, -1, 4294967297ll, 18446744073709551615ull, 1.5, "x",
                                     json::array({1, "a", nullptr}), json::object({{"k", 1}})};
  int parsed = 0, refused = 0;
  auto check = [&](const json& doc) {
    std::optional<Result<HostSnapshot>> r;
    EXPECT_NO_THROW(r = parse_host_snapshot("h", doc.dump()));
    if (!r) return;
    if (*r) ++parsed;
    else {
      ++refused;
      EXPECT_EQ(r->error().kind(), ErrorKind::input);
    }
  };
  // Every leaf, and every object/array on the way to one.
  std::set<std::string> pointers;
  for (const auto& [pointer, value] : flat.items()) {
    std::string p = pointer;
    while (!p.empty()) {
      pointers.insert(p);
      p = p.substr(0, p.rfind('/'));
    }
  }
  for (const auto& pointer : pointers) {
    const json::json_pointer ptr(pointer);
    for (const auto& h : hostile) {
      json doc = good;
      doc[ptr] = h;
      check(doc);
    }
    json doc = good;
    const auto parent = ptr.parent_pointer();
    auto& container = doc[parent];
    if (container.is_object()) container.erase(ptr.back());
    else if (container.is_array()) container.erase(static_cast<std::size_t>(std::stoul(ptr.back())));
    check(doc);
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(parsed, 0) << "some values are free-form (names, counters)";
}

TEST(HostSnapshotJson, TruncatedTextIsAnError) {
  const std::string text = text_of(full_snapshot());
  for (std::size_t n = 0; n < text.size(); n += 7) {
    auto r = parse_host_snapshot("h", std::string_view(text).substr(0, n));
    ASSERT_FALSE(r) << "a prefix of " << n << " bytes parsed";
    EXPECT_EQ(r.error().kind(), ErrorKind::input);
  }
}

TEST(HostSnapshotJson, GarbageIsAnError) {
  for (std::string_view text : {"null", "1", "\"snapshot\"", "{", "{}", "{\"version\":1}", "\xff\xfe{}",
                                "{\"version\":1,\"hostname\":\"\xff\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}) {
    EXPECT_NE(error_of(text), "") << text;
  }
  // Deep nesting: nlohmann parses and frees it without recursion; we refuse it as not a snapshot.
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_NE(error_of(deep), "");
  std::string deep_obj = R"({"version":1,"hostname":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_NE(error_of(deep_obj), "");
}

}  // namespace
}  // namespace sw::checks
