// inspect() against ground truth: a throwaway topology, then stackwire's view compared field by field
// with `ip -j -d link`, `ip -j addr`, `ip -j route show table all`, `ip -j neigh show nud all` and
// `sysctl -a`, all run inside the namespace.
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "netprobe/netlink.h"
#include "netprobe/rt_names.h"
#include "netprobe/snapshot.h"
#include "tests/netprobe/two_netns.h"

namespace sw::netprobe {
namespace {

using nlohmann::json;

class SnapshotIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::is_root()) return;
    t_ = new test::TwoNetns();
    auto& a = t_->a;
    // A bridge with two ports: one end of a same-namespace veth pair, and a tap device.
    a.exec_ok(
        "ip link add br0 type bridge && ip link set br0 up"
        " && ip link add vp0 type veth peer name vp1 && ip link set vp0 master br0 && ip link set vp0 up"
        " && ip link set vp1 up"
        " && ip tuntap add mode tap tp0 && ip link set tp0 master br0 && ip link set tp0 up"
        " && ip addr add 192.168.50.1/24 dev br0 && ip addr add 192.168.50.2/24 dev br0 label br0:sec"
        " && ip link set va mtu 1450"
        " && ip link add vx0 type vxlan id 42 local 10.77.0.1 remote 10.77.0.2 dstport 4789 dev va"
        " && ip link set vx0 up");
    // Routes: default (v4 and v6), a metric, a custom table, a blackhole, an unreachable.
    a.exec_ok(
        "ip route add default via 10.77.0.2"
        " && ip route add 10.55.0.0/16 via 10.77.0.2 metric 50"
        " && ip route add 10.99.0.0/16 via 10.77.0.2 table 100"
        " && ip route add 10.98.0.0/16 dev va table 1000 proto static scope link"
        " && ip route add blackhole 10.66.0.0/16"
        " && ip route add unreachable 10.67.0.0/16"
        " && ip -6 route add default via fd77::2"
        " && ip -6 route add fd99::/64 via fd77::2 table 100");
    a.exec_ok("ip neigh add 10.77.0.9 lladdr 02:00:00:00:00:09 dev va nud permanent"
              " && ip neigh add fd77::9 lladdr 02:00:00:00:00:19 dev va nud permanent");
    a.exec_ok("sysctl -qw net.ipv4.ip_forward=1 && sysctl -qw net.ipv4.conf.va.rp_filter=2"
              " && sysctl -qw net.ipv4.conf.all.rp_filter=0 && sysctl -qw net.ipv6.conf.all.forwarding=1");
    a.exec_ok("ping -c1 -W2 10.77.0.2 >/dev/null");  // a REACHABLE neighbour learnt the normal way
  }
  static void TearDownTestSuite() {
    delete t_;
    t_ = nullptr;
  }
  void SetUp() override {
    SW_REQUIRE_ROOT();
    auto fd = t_->fd_a();
    auto s = inspect(fd.get(), t_->a.name());
    ASSERT_TRUE(s) << s.error().message();
    snap_ = std::move(*s);
  }
  json ip_json(const std::string& args) { return json::parse(t_->a.exec_ok("ip -j " + args)); }

  static test::TwoNetns* t_;
  NetnsSnapshot snap_;
};
test::TwoNetns* SnapshotIntegration::t_ = nullptr;

std::set<std::string> without(std::vector<std::string> v, std::initializer_list<const char*> drop) {
  std::set<std::string> s(v.begin(), v.end());
  for (const char* d : drop) s.erase(d);
  return s;
}

TEST_F(SnapshotIntegration, LinksMatchIpDetailedLink) {
  const json links = ip_json("-d link show");
  ASSERT_EQ(links.size(), snap_.links.size());
  for (const auto& il : links) {
    const std::string name = il["ifname"];
    SCOPED_TRACE(name);
    const Link* l = snap_.link(name);
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->ifindex, il["ifindex"].get<int>());
    EXPECT_EQ(l->mtu, il["mtu"].get<unsigned>());
    EXPECT_EQ(operstate_name(l->operstate), il["operstate"].get<std::string>());
    EXPECT_EQ(link_type_name(l->link_type), il["link_type"].get<std::string>());
    // ip hides RUNNING and adds NO-CARRIER/M-DOWN, which are not flags.
    EXPECT_EQ(without(link_flag_names(l->flags), {"RUNNING"}),
              without(il["flags"].get<std::vector<std::string>>(), {"NO-CARRIER", "M-DOWN"}));
    EXPECT_EQ(l->mac, il.value("address", ""));
    EXPECT_EQ(l->broadcast, il.value("broadcast", ""));
    EXPECT_EQ(l->txqlen, il["txqlen"].get<unsigned>());
    EXPECT_EQ(l->master_name, il.value("master", ""));
    const json info = il.value("linkinfo", json::object());
    EXPECT_EQ(l->kind, info.value("info_kind", ""));
    EXPECT_EQ(l->slave_kind, info.value("info_slave_kind", ""));
    if (l->kind == "tun") {
      EXPECT_EQ(l->tun_type, info["info_data"]["type"].get<std::string>());
    }
    if (il.contains("link_netnsid")) {
      EXPECT_EQ(l->link_netnsid, il["link_netnsid"].get<int>());
      EXPECT_EQ(l->link, il["link_index"].get<int>());
    } else {
      EXPECT_FALSE(l->link_netnsid);
      EXPECT_EQ(l->link_name, il.value("link", ""));
    }
    if (l->kind == "vxlan") {
      ASSERT_TRUE(l->tunnel);
      const json d = info["info_data"];
      EXPECT_EQ(l->tunnel->id, d["id"].get<unsigned>());
      EXPECT_EQ(l->tunnel->local.to_string(), d["local"].get<std::string>());
      EXPECT_EQ(l->tunnel->remote.to_string(), d["remote"].get<std::string>());
      EXPECT_EQ(l->tunnel->port, d["port"].get<unsigned>());
      EXPECT_EQ(l->tunnel->underlay, static_cast<unsigned>(snap_.link("va")->ifindex));
    }
  }
  // The topology's own facts, so a kernel that changes its mind shows up here too.
  EXPECT_EQ(snap_.link("va")->kind, "veth");
  EXPECT_EQ(snap_.link("va")->mtu, 1450u);
  EXPECT_EQ(snap_.link("va")->link_netnsid.has_value(), true);
  EXPECT_EQ(snap_.link("vp0")->master_name, "br0");
  EXPECT_EQ(snap_.link("vp0")->slave_kind, "bridge");
  EXPECT_EQ(snap_.link("vp0")->link_name, "vp1");
  EXPECT_EQ(snap_.link("tp0")->tun_type, "tap");
  EXPECT_EQ(snap_.link("br0")->kind, "bridge");
  EXPECT_TRUE(snap_.link("br0")->up());
  EXPECT_TRUE(snap_.link("va")->lower_up());
}

TEST_F(SnapshotIntegration, AddressesMatchIpAddr) {
  using Key = std::tuple<std::string, std::string, int, std::string, std::string, std::string>;
  std::multiset<Key> ours, theirs;
  for (const auto& a : snap_.addresses)
    ours.emplace(a.ifname, a.local.to_string(), a.prefixlen, route_scope_name(a.scope), a.label,
                 a.broadcast.valid() ? a.broadcast.to_string() : "");
  for (const auto& link : ip_json("addr show"))
    for (const auto& ai : link["addr_info"])
      theirs.emplace(link["ifname"].get<std::string>(), ai["local"].get<std::string>(), ai["prefixlen"].get<int>(),
                     ai["scope"].get<std::string>(), ai.value("label", ""), ai.value("broadcast", ""));
  EXPECT_EQ(ours, theirs);

  auto find = [&](const std::string& local) -> const Address* {
    for (const auto& a : snap_.addresses)
      if (a.local.to_string() == local) return &a;
    return nullptr;
  };
  ASSERT_NE(find("192.168.50.2"), nullptr);
  EXPECT_EQ(find("192.168.50.2")->label, "br0:sec");
  EXPECT_TRUE(find("192.168.50.2")->flags & 0x01);  // secondary
  ASSERT_NE(find("fd77::1"), nullptr);
  EXPECT_TRUE(find("fd77::1")->flags & 0x02);        // nodad
  EXPECT_EQ(find("fd77::1")->family(), AF_INET6);
}

// iproute2's JSON route line, rebuilt from our Route with iproute2's omissions.
json as_ip_json(const Route& r) {
  json j;
  if (r.type != RTN_UNICAST) j["type"] = route_type_name(r.type);
  j["dst"] = r.dst_string();
  if (r.gateway.valid()) j["gateway"] = r.gateway.to_string();
  if (r.oif) j["dev"] = r.oif_name;
  if (r.table != RT_TABLE_MAIN) j["table"] = route_table_name(r.table);
  if (r.protocol != RTPROT_BOOT) j["protocol"] = route_protocol_name(r.protocol);
  if (r.scope != RT_SCOPE_UNIVERSE) j["scope"] = route_scope_name(r.scope);
  if (r.prefsrc.valid()) j["prefsrc"] = r.prefsrc.to_string();
  if (r.metric) j["metric"] = *r.metric;
  return j;
}

json strip(json j) {
  for (const char* k : {"flags", "pref", "expires", "mtu", "rtt", "hoplimit", "cache"}) j.erase(k);
  return j;
}

TEST_F(SnapshotIntegration, RoutesMatchIpRouteShowTableAll) {
  std::multiset<std::string> ours, theirs;
  for (const auto& r : snap_.routes) ours.insert(as_ip_json(r).dump());
  for (const char* fam : {"-4", "-6"})
    for (const auto& r : ip_json(std::string(fam) + " route show table all")) theirs.insert(strip(r).dump());
  EXPECT_EQ(ours, theirs);

  int defaults = 0;
  bool custom = false, table1000 = false, blackhole = false, unreachable = false, local = false;
  for (const auto& r : snap_.routes) {
    if (r.is_default()) {
      ++defaults;
      EXPECT_TRUE(r.gateway.to_string() == "10.77.0.2" || r.gateway.to_string() == "fd77::2");
      EXPECT_EQ(r.oif_name, "va");
    }
    if (r.table == 100 && r.dst_string() == "10.99.0.0/16") custom = true;
    if (r.table == 1000 && route_protocol_name(r.protocol) == "static" && route_scope_name(r.scope) == "link") table1000 = true;
    if (route_type_name(r.type) == "blackhole") blackhole = true;
    if (route_type_name(r.type) == "unreachable") unreachable = true;
    if (r.table == RT_TABLE_LOCAL && route_type_name(r.type) == "local" && r.dst_string() == "10.77.0.1") local = true;
  }
  EXPECT_EQ(defaults, 2);
  EXPECT_TRUE(custom && table1000 && blackhole && unreachable && local);
}

TEST_F(SnapshotIntegration, NeighboursMatchIpNeigh) {
  // States of learnt entries move with time (REACHABLE → STALE); compare them only for the static ones.
  auto key = [](const std::string& dst, const std::string& dev, const std::string& ll, const std::vector<std::string>& st) {
    const bool fixed = st.size() == 1 && (st[0] == "PERMANENT" || st[0] == "NOARP");
    return dst + " " + dev + " " + ll + (fixed ? " " + st[0] : "");
  };
  // The kernel adds multicast entries (ff02::16, 224.0.0.22) on its own as MLD/IGMP joins happen
  // after links come up, so the table can change between our read and ip's: read both again until
  // two consecutive reads agree (a real mismatch persists and fails).
  std::multiset<std::string> ours, theirs;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (attempt > 0) {
      ::usleep(200'000);
      auto fd = t_->fd_a();
      auto s = inspect(fd.get(), t_->a.name());
      ASSERT_TRUE(s) << s.error().message();
      snap_ = std::move(*s);
    }
    ours.clear();
    theirs.clear();
    for (const auto& n : snap_.neighbours) ours.insert(key(n.dst.to_string(), n.ifname, n.lladdr, neigh_state_names(n.state)));
    for (const auto& n : ip_json("neigh show nud all"))
      theirs.insert(key(n["dst"], n["dev"], n.value("lladdr", ""), n["state"].get<std::vector<std::string>>()));
    if (ours == theirs) break;
  }
  EXPECT_EQ(ours, theirs);
  bool permanent = false, learnt = false;
  for (const auto& n : snap_.neighbours) {
    if (n.dst.to_string() == "10.77.0.9" && n.state == NUD_PERMANENT && n.lladdr == "02:00:00:00:00:09") permanent = true;
    if (n.dst.to_string() == "10.77.0.2" && n.lladdr == t_->b.exec_ok("cat /sys/class/net/vb/address").substr(0, 17))
      learnt = true;
  }
  EXPECT_TRUE(permanent);
  EXPECT_TRUE(learnt);
}

TEST_F(SnapshotIntegration, SysctlsMatchSysctlInTheNamespace) {
  std::map<std::string, std::int64_t> truth;
  std::istringstream in(t_->a.exec_ok("sysctl -a 2>/dev/null | grep -E '^net\\.(ipv4\\.ip_forward|ipv4\\.conf\\.|ipv6\\.conf\\.)'"));
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    try {
      truth[line.substr(0, eq)] = std::stoll(line.substr(eq + 3));
    } catch (...) {
    }
  }
  ASSERT_FALSE(truth.empty());
  for (const auto& [k, v] : snap_.sysctls.values) {
    ASSERT_TRUE(truth.count(k)) << "sysctl has no " << k;
    EXPECT_EQ(v, truth[k]) << k;
  }
  // Every interface's forwarding and rp_filter is covered.
  for (const auto& l : snap_.links) {
    const std::string rp = conf_sysctl_name(AF_INET, l.name, "rp_filter");
    EXPECT_TRUE(snap_.sysctls.get(rp)) << rp;
    EXPECT_TRUE(snap_.sysctls.get(conf_sysctl_name(AF_INET6, l.name, "forwarding"))) << l.name;
  }
  EXPECT_EQ(snap_.sysctls.ip_forward(), 1);
  EXPECT_EQ(snap_.sysctls.get("net.ipv4.conf.va.rp_filter"), 2);
  EXPECT_EQ(snap_.sysctls.effective_rp_filter("va"), 2);
  EXPECT_EQ(snap_.sysctls.get("net.ipv6.conf.all.forwarding"), 1);
}

TEST_F(SnapshotIntegration, OtherNamespaceIsReallyOther) {
  auto fd = t_->fd_b();
  auto b = inspect(fd.get());
  ASSERT_TRUE(b);
  EXPECT_NE(b->inode, snap_.inode);
  EXPECT_EQ(b->link("va"), nullptr);
  ASSERT_NE(b->link("vb"), nullptr);
  EXPECT_EQ(b->sysctls.ip_forward(), 0);
  // The veth ends point at each other across the namespaces.
  EXPECT_EQ(b->link("vb")->link, snap_.link("va")->ifindex);
  EXPECT_EQ(snap_.link("va")->link, b->link("vb")->ifindex);
}

TEST_F(SnapshotIntegration, ByRefCarriesTheName) {
  auto s = inspect(*NetnsRef::parse(t_->a.name()));
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->name, t_->a.name());
  EXPECT_EQ(s->inode, snap_.inode);
  auto missing = inspect(*NetnsRef::parse("stackwire-no-such-ns"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().exit_code(), 2);
}

TEST_F(SnapshotIntegration, JsonRoundTripOfARealSnapshot) {
  const std::string text = json(snap_).dump();
  EXPECT_EQ(json::parse(text).get<NetnsSnapshot>(), snap_);
}

// The sweep promise: a small namespace is inspected in well under a millisecond of kernel time,
// so thousands of namespaces take about a second. Measured here on 50 namespaces.
TEST(SnapshotCost, FiftyNamespaces) {
  SW_REQUIRE_ROOT();
  std::vector<std::unique_ptr<test::TempNetns>> many;
  for (int i = 0; i < 50; ++i) many.push_back(std::make_unique<test::TempNetns>("c"));
  std::vector<UniqueFd> fds;
  for (const auto& n : many) fds.emplace_back(::open(n->path().c_str(), O_RDONLY | O_CLOEXEC));
  const auto start = std::chrono::steady_clock::now();
  for (const auto& fd : fds) {
    auto s = inspect(fd.get());
    ASSERT_TRUE(s) << s.error().message();
    ASSERT_EQ(s->links.size(), 1u);
  }
  const double per_ns_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / 50.0;
  RecordProperty("inspect_ms_per_namespace", std::to_string(per_ns_ms));
  EXPECT_LT(per_ns_ms, 5.0) << "inspect() is too slow for a 2,000-namespace sweep";
}

}  // namespace
}  // namespace sw::netprobe
