// Snapshots and probe results travel between hosts as JSON: the round trip must be lossless,
// including numbers without names and flag bits nobody named.
#include <netinet/in.h>

#include <gtest/gtest.h>
#include <linux/icmpv6.h>
#include <linux/rtnetlink.h>

#include <nlohmann/json.hpp>

#include "netprobe/arp_probe.h"
#include "netprobe/icmp_probe.h"
#include "netprobe/json_text.h"
#include "netprobe/snapshot.h"
#include "netprobe/tcp_probe.h"

namespace sw::netprobe {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

template <class T>
T round_trip(const T& v) {
  const std::string text = nlohmann::json(v).dump();
  return nlohmann::json::parse(text).get<T>();
}

NetnsSnapshot full_snapshot() {
  NetnsSnapshot s;
  s.name = "qrouter-5a1b";
  s.inode = 4026532301;

  Link lo;
  lo.ifindex = 1;
  lo.name = "lo";
  lo.link_type = 772;
  lo.flags = 0x49 | 0x10000;
  lo.operstate = 0;
  lo.mtu = 65536;
  lo.mac = "00:00:00:00:00:00";
  Link qg;
  qg.ifindex = 14;
  qg.name = "qg-1a2b3c4d-5e";
  qg.kind = "veth";
  qg.slave_kind = "openvswitch";
  qg.link_type = 1;
  qg.flags = 0x1003 | 0x10000 | 0x800000;  // with a bit that has no name
  qg.operstate = 6;
  qg.mtu = 1500;
  qg.txqlen = 1000;
  qg.mac = "fa:16:3e:00:00:01";
  qg.broadcast = "ff:ff:ff:ff:ff:ff";
  qg.master = 3;
  qg.master_name = "ovs-system";
  qg.link = 15;
  qg.link_netnsid = 2;
  qg.alias = "gateway port";
  Link vx;
  vx.ifindex = 20;
  vx.name = "vxlan-1";
  vx.kind = "vxlan";
  vx.link_type = 1;
  vx.tunnel = TunnelInfo{1001, ip("10.19.0.7"), ip("10.19.0.8"), 4789, std::nullopt, 77, 64, 3};
  Link tap;
  tap.ifindex = 21;
  tap.name = "tap0";
  tap.kind = "tun";
  tap.tun_type = "tap";
  tap.link = 20;
  tap.link_name = "vxlan-1";
  s.links = {lo, qg, vx, tap};

  Address a4;
  a4.ifindex = 14;
  a4.ifname = "qg-1a2b3c4d-5e";
  a4.local = ip("172.16.13.2");
  a4.prefixlen = 24;
  a4.scope = 0;
  a4.label = "qg-1a2b3c4d-5e";
  a4.flags = 0x80 | 0x1000000;
  a4.broadcast = ip("172.16.13.255");
  a4.valid_lft = 0xffffffff;
  a4.preferred_lft = 0xffffffff;
  Address a6;
  a6.ifindex = 14;
  a6.local = ip("fe80::f816:3eff:fe00:1");
  a6.peer = ip("fe80::1");
  a6.prefixlen = 64;
  a6.scope = 253;
  s.addresses = {a4, a6};

  Route def;
  def.family = AF_INET;
  def.table = RT_TABLE_MAIN;
  def.gateway = ip("172.16.13.1");
  def.oif = 14;
  def.oif_name = "qg-1a2b3c4d-5e";
  def.protocol = RTPROT_BOOT;
  def.type = RTN_UNICAST;
  Route custom;
  custom.family = AF_INET;
  custom.table = 1000;
  custom.dst = ip("10.99.0.0");
  custom.dst_len = 16;
  custom.protocol = 77;  // no name
  custom.type = RTN_BLACKHOLE;
  custom.metric = 5;
  custom.flags = RTNH_F_ONLINK | 0x40000000;
  custom.mtu = 1400;
  Route v6;
  v6.family = AF_INET6;
  v6.table = RT_TABLE_LOCAL;
  v6.dst = ip("fd00::1");
  v6.dst_len = 128;
  v6.src = ip("fd00:1::");
  v6.src_len = 64;
  v6.prefsrc = ip("fd00::1");
  v6.protocol = RTPROT_KERNEL;
  v6.scope = RT_SCOPE_HOST;
  v6.type = RTN_LOCAL;
  v6.pref = ICMPV6_ROUTER_PREF_HIGH;
  v6.nexthops = {Nexthop{ip("fe80::1"), 14, "qg-1a2b3c4d-5e", 3, RTNH_F_ONLINK}, Nexthop{IpAddress{}, 2, "", 1, 0}};
  s.routes = {def, custom, v6};

  Neighbour n1;
  n1.ifindex = 14;
  n1.ifname = "qg-1a2b3c4d-5e";
  n1.dst = ip("172.16.13.1");
  n1.lladdr = "fa:16:3e:00:00:02";
  n1.state = 0x02;
  n1.flags = 0x80;
  Neighbour n2;
  n2.ifindex = 14;
  n2.dst = ip("fd00::5");
  n2.state = 0;
  s.neighbours = {n1, n2};

  s.sysctls.values = {{"net.ipv4.ip_forward", 1}, {"net.ipv4.conf.qg-1a2b3c4d-5e.rp_filter", 2},
                      {"net.ipv4.conf.eth0/5.forwarding", 0}};
  return s;
}

TEST(SnapshotJson, RoundTripIsLossless) {
  const NetnsSnapshot s = full_snapshot();
  const NetnsSnapshot back = round_trip(s);
  EXPECT_EQ(back.links, s.links);
  EXPECT_EQ(back.addresses, s.addresses);
  EXPECT_EQ(back.routes, s.routes);
  EXPECT_EQ(back.neighbours, s.neighbours);
  EXPECT_EQ(back.sysctls, s.sysctls);
  EXPECT_EQ(back, s);
  // And the text is stable: encoding the decoded snapshot gives the same document.
  EXPECT_EQ(nlohmann::json(back).dump(), nlohmann::json(s).dump());
}

// snapshot --json writes namespaces with append_json: byte for byte what dump() of the tree gives.
TEST(SnapshotJson, DirectTextIsTheTreesDump) {
  NetnsSnapshot s = full_snapshot();
  std::string direct;
  append_json(direct, s);
  EXPECT_EQ(direct, nlohmann::json(s).dump());

  NetnsSnapshot empty;
  direct.clear();
  append_json(direct, empty);
  EXPECT_EQ(direct, nlohmann::json(empty).dump());
}

TEST(SnapshotJson, DirectStringsEscapeAsNlohmannDoes) {
  for (const std::string& s : {std::string(""), std::string("plain ascii ~"), std::string("quote \" back \\ slash"),
                              std::string("tab\tnl\nnul") + '\0' + "\x1f\x7f", std::string("caf\xc3\xa9 \xe2\x82\xac"),
                              std::string("bad \xff\xfe utf-8 \xc3")}) {
    std::string direct;
    append_json_string(direct, s);
    EXPECT_EQ(direct, nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << s;
  }
}

TEST(SnapshotJson, ReadableNamesInTheDocument) {
  const nlohmann::json j = full_snapshot();
  EXPECT_EQ(j["links"][1]["flags"], nlohmann::json({"BROADCAST", "MULTICAST", "UP", "LOWER_UP", "0x800000"}));
  EXPECT_EQ(j["links"][1]["operstate"], "UP");
  EXPECT_EQ(j["links"][1]["link_type"], "ether");
  EXPECT_EQ(j["links"][0]["master"], nullptr);
  EXPECT_EQ(j["routes"][0]["dst"], nullptr);
  EXPECT_EQ(j["routes"][0]["table"], 254);
  EXPECT_EQ(j["routes"][1]["protocol"], "77");
  EXPECT_EQ(j["routes"][1]["type"], "blackhole");
  EXPECT_EQ(j["routes"][2]["pref"], "high");
  EXPECT_EQ(j["addresses"][0]["family"], "inet");
  EXPECT_EQ(j["addresses"][1]["scope"], "link");
  EXPECT_EQ(j["neighbours"][0]["state"], nlohmann::json({"REACHABLE"}));
  EXPECT_EQ(j["neighbours"][1]["state"], nlohmann::json({"NONE"}));
  EXPECT_EQ(j["sysctls"]["net.ipv4.ip_forward"], 1);
}

TEST(SnapshotJson, UnknownNamesAreErrorsNotSilentZeros) {
  nlohmann::json j = full_snapshot();
  j["routes"][0]["type"] = "teleport";
  EXPECT_THROW(j.get<NetnsSnapshot>(), nlohmann::json::exception);
  j = full_snapshot();
  j["links"][0]["flags"] = {"UP", "SPARKLY"};
  EXPECT_THROW(j.get<NetnsSnapshot>(), nlohmann::json::exception);
  j = full_snapshot();
  j["addresses"][0]["local"] = "not-an-ip";
  EXPECT_THROW(j.get<NetnsSnapshot>(), nlohmann::json::exception);
}

TEST(ProbeJson, PingReportRoundTrip) {
  PingReport rep;
  rep.options.count = 2;
  rep.options.interval = std::chrono::milliseconds(250);
  rep.options.timeout = std::chrono::milliseconds(1500);
  rep.options.size = 1400;
  rep.options.dont_fragment = true;
  rep.elapsed_ms = 1750.25;
  PingTargetResult ok;
  ok.target = ip("10.0.0.3");
  ok.scheduled = 2;
  ok.transmitted = 2;
  ok.received = 2;
  ok.rtt_min_ms = 0.041;
  ok.rtt_avg_ms = 0.05;
  ok.rtt_max_ms = 0.059;
  ok.rtt_mdev_ms = 0.009;
  ok.status = PingStatus::answered;
  ok.ttl = 64;
  PingTargetResult big;
  big.target = ip("fd00::9");
  big.scheduled = 2;
  big.transmitted = 1;
  big.status = PingStatus::too_big;
  big.detail = "packet too big, mtu 1280 from fd00::1";
  big.mtu = 1280;
  rep.targets = {ok, big};
  const PingReport back = round_trip(rep);
  EXPECT_EQ(back.targets, rep.targets);
  EXPECT_EQ(back.elapsed_ms, rep.elapsed_ms);
  EXPECT_EQ(back.options.interval, rep.options.interval);
  EXPECT_EQ(back.options.timeout, rep.options.timeout);
  EXPECT_EQ(back.options.size, 1400u);
  EXPECT_TRUE(back.options.dont_fragment);
  const nlohmann::json j = rep;
  EXPECT_EQ(j["summary"]["answered"], 1);
  EXPECT_EQ(j["summary"]["failed"], 1);
  EXPECT_EQ(j["targets"][1]["loss_percent"], 100.0);
  EXPECT_EQ(j["targets"][1]["status"], "too_big");
}

TEST(ProbeJson, TcpAndArpRoundTrip) {
  TcpProbeResult t{Endpoint{ip("10.0.0.3"), 22}, TcpStatus::refused, 0.5, "Connection refused"};
  EXPECT_EQ(round_trip(t), t);
  ArpProbeResult a;
  a.ifname = "qr-1";
  a.target = ip("10.0.0.3");
  a.source = ip("10.0.0.1");
  a.answered = true;
  a.mac = "fa:16:3e:00:00:03";
  a.elapsed_ms = 0.2;
  a.requests = 1;
  EXPECT_EQ(round_trip(a), a);
}

}  // namespace
}  // namespace sw::netprobe
