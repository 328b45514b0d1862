// The checks of verify (checks/checks.h). Each block below compares one aspect of a host with what
// the answer file and the topology say, and says — in one line each — what was expected, what was
// seen, and the command that fixes it, run from the host verify runs on.
//
// Neutron facts these checks rely on (reference/neutron-layout.md, and the agents' source):
//  - namespaces are qrouter-<router id> (L3 agent) and qdhcp-<network id> (DHCP agent);
//  - device names are a prefix plus the port id's first 11 characters: qr-, qg-, tap;
//  - br-tun: tunnel traffic enters table 3 (GRE) / 4 (VXLAN) / 6 (Geneve) where tun_id=<segmentation
//    id> sets the local VLAN; table 22 floods dl_vlan=<local VLAN> to every tunnel port with
//    tun_id set (OpenFlow 1.0 `mod_vlan_vid`/`set_tunnel` and 1.3 `push_vlan`/`set_field` alike —
//    compared through ovs/flow_query.h, by meaning);
//  - a br-int port's other_config holds net_uuid, segmentation_id and the local VLAN as `tag`;
//  - the L3 agent's NAT: neutron-l3-agent-PREROUTING/OUTPUT DNAT -d FIP/32 → fixed IP,
//    neutron-l3-agent-float-snat SNAT -s fixed/32 → FIP, neutron-l3-agent-snat SNAT -o qg- → the
//    router's gateway IP; a rule counts only if its chain is reachable from a base chain.
#include "checks/checks.h"

#include <cctype>
#include <algorithm>
#include <functional>
#include <tuple>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "checks/inspect_util.h"
#include "netprobe/ip_address.h"
#include "ovs/flow_query.h"

namespace sw::checks {
namespace {

using installer::Topology;
using netprobe::NatRule;
using netprobe::NatTargetKind;
using netprobe::NetnsSnapshot;

using namespace inspect;  // device names, addresses, NAT and fix helpers shared with trace.cpp

/// One host as the checks see it.
struct Host {
  const ExpectedHost* expected = nullptr;
  const HostObservation* obs = nullptr;
  const HostSnapshot* snap = nullptr;
  std::string name;  ///< hostname, else address

  /// A command run on this host, from the host verify runs on.
  std::string on(const std::string& cmd) const { return on_host(*obs, cmd); }
  std::string restart(const std::string& service) const { return restart_on(*obs, service); }
};

class Checker {
 public:
  Checker(const Expected& e, const std::vector<HostObservation>& obs, const std::vector<ProbeResult>* probes)
      : e_(e), probes_(probes) {
    for (const auto& o : obs) {
      Host h;
      h.obs = &o;
      h.snap = o.snapshot ? &*o.snapshot : nullptr;
      h.expected = e.host(o.address);
      h.name = h.snap && !h.snap->hostname.empty() ? h.snap->hostname : o.address;
      hosts_.push_back(h);
    }
  }

  std::vector<CheckResult> run() {
    for (const auto& h : hosts_) {
      if (!h.snap) {
        add(h, "host.snapshot", h.obs->address, Status::error, "a snapshot of the host", h.obs->error,
            "");
        continue;
      }
      if (!h.expected) continue;
      if (h.expected->network && !e_.ext_bridge.empty()) check_brex(h);
      if (h.expected->tunnel) check_tunnel_iface(h);
      if (h.expected->tunnel || h.expected->network || h.expected->compute) check_ovs(h);
    }
    if (e_.have_topology) {
      check_routers();
      check_dhcp();
      check_stale();
      check_reachability();
    }
    return std::move(results_);
  }

 private:
  void add(const Host& h, std::string id, std::string object, Status st, std::string expected, std::string seen,
           std::string fix) {
    CheckResult r;
    r.id = std::move(id);
    r.host = h.name;
    r.object = std::move(object);
    r.status = st;
    r.expected = std::move(expected);
    r.seen = std::move(seen);
    if (st == Status::fail || st == Status::warn) r.fix = std::move(fix);
    results_.push_back(std::move(r));
  }
  void pass(const Host& h, std::string id, std::string object, std::string expected, std::string seen) {
    add(h, std::move(id), std::move(object), Status::pass, std::move(expected), std::move(seen), "");
  }

  static const netprobe::Link* link(const NetnsSnapshot& ns, std::string_view name) { return ns.link(name); }

  // ---------------------------------------------------------------- br-ex
  void check_brex(const Host& h) {
    const auto& root = h.snap->root.net;
    const std::string& br = e_.ext_bridge;
    const ovs::Bridge* obr = h.snap->ovs ? h.snap->ovs->bridge(br) : nullptr;
    if (!h.snap->ovs) {
      add(h, "brex.bridge", br, Status::error, "OVS bridge " + br, "OVSDB unreadable: " + h.snap->ovs_error, "");
      return;
    }
    if (!obr) {
      add(h, "brex.bridge", br, Status::fail, "OVS bridge " + br, "no such bridge",
          h.on("ovs-vsctl --may-exist add-br " + br + " -- set Bridge " + br + " datapath_type=" + e_.datapath_type));
      return;
    }
    pass(h, "brex.bridge", br, "OVS bridge " + br, "present (datapath " + (obr->datapath_type.empty() ? "system" : obr->datapath_type) + ")");
    const auto* l = link(root, br);
    if (l && l->up())
      pass(h, "brex.up", br, "up", "up");
    else
      add(h, "brex.up", br, Status::fail, "up", link_state(l), h.on("ip link set dev " + br + " up"));
    if (!e_.ext_gateway_cidr.empty()) {
      if (holds(root, br, e_.ext_gateway_cidr))
        pass(h, "brex.gateway", br, e_.ext_gateway_cidr, e_.ext_gateway_cidr);
      else {
        const auto v = v4_addrs(root, br);
        add(h, "brex.gateway", br, Status::fail, "holds " + e_.ext_gateway_cidr,
            v.empty() ? "no IPv4 address" : "holds " + join(v), h.on("ip addr replace " + e_.ext_gateway_cidr + " dev " + br));
      }
    }
    if (!e_.uplink.empty()) {
      const auto* port = obr->port(e_.uplink);
      const auto* ul = link(root, e_.uplink);
      if (!port)
        add(h, "brex.uplink", e_.uplink, Status::fail, e_.uplink + " plugged into " + br, "not a port of " + br,
            h.on("ovs-vsctl --may-exist add-port " + br + " " + e_.uplink + " && ip link set dev " + e_.uplink + " up"));
      else if (!ul || !ul->up())
        add(h, "brex.uplink", e_.uplink, Status::fail, e_.uplink + " up, in " + br, "in " + br + ", " + link_state(ul),
            h.on("ip link set dev " + e_.uplink + " up"));
      else
        pass(h, "brex.uplink", e_.uplink, e_.uplink + " up, in " + br, "up, in " + br);
    }
    if (!e_.ext_subnet.empty()) {
      bool found = false;
      for (const auto& t : h.snap->root.nat.tables)
        for (const auto& c : t.chains)
          for (const auto& r : c.rules)
            if (r.target.kind == NatTargetKind::masquerade && r.src && !r.src->negated &&
                r.src->addr + "/" + std::to_string(r.src->prefix) == e_.ext_subnet && netprobe::is_reachable(t, c.name))
              found = true;
      if (found)
        pass(h, "brex.masquerade", e_.ext_subnet, "MASQUERADE -s " + e_.ext_subnet, "present");
      else
        add(h, "brex.masquerade", e_.ext_subnet, Status::fail, "MASQUERADE -s " + e_.ext_subnet + " in POSTROUTING",
            "no such rule", h.on("iptables -t nat -I POSTROUTING 1 -s " + e_.ext_subnet + " -j MASQUERADE"));
    }
  }

  // ---------------------------------------------------------------- tunnel interface
  /// The host's tunnel endpoint: the tunnel interface's IPv4 address, or (netdev datapath) that of
  /// the OVS bridge holding the interface as a port.
  std::string tunnel_ip(const Host& h, std::string* holder = nullptr) const {
    return tunnel_endpoint(e_, *h.snap, h.obs->address, holder);
  }

  int tenant_mtu() const {
    int mtu = 0;
    for (const auto& n : e_.topology.networks)
      if (!n.external && n.mtu) mtu = std::max(mtu, *n.mtu);
    return mtu;
  }
  int overhead() const { return e_.tunnel_type == "vxlan" ? 50 : 42; }

  void check_tunnel_iface(const Host& h) {
    const auto& root = h.snap->root.net;
    const std::string iface = e_.tunnel_iface;
    if (iface.empty()) return;  // the management address carries the tunnels
    const auto* l = link(root, iface);
    if (!l) {
      add(h, "tunnel.iface", iface, Status::fail, iface + " present", "no such interface",
          "give " + h.name + " its tunnel interface " + iface + " (CONFIG_NEUTRON_OVS_TUNNEL_IF)");
      return;
    }
    std::string holder;
    const std::string ip = tunnel_ip(h, &holder);
    const std::string want_local = agent_local_ip(h);
    if (!l->up())
      add(h, "tunnel.iface", iface, Status::fail, "up", link_state(l), h.on("ip link set dev " + iface + " up"));
    else if (ip.empty() && !h.snap->ovs)
      // On netdev the address sits on the OVS bridge holding the iface, which only OVSDB tells.
      add(h, "tunnel.iface", iface, Status::error, "holds the tunnel endpoint" + (want_local.empty() ? "" : " " + want_local),
          "no IPv4 address on " + iface + ", and which bridge holds it is unknown: OVSDB unreadable: " +
              h.snap->ovs_error,
          "");
    else if (ip.empty())
      add(h, "tunnel.iface", iface, Status::fail, "holds the tunnel endpoint" + (want_local.empty() ? "" : " " + want_local),
          "no IPv4 address on " + iface + " or on a bridge holding it",
          want_local.empty() ? "" : h.on("ip addr replace " + want_local + "/24 dev " + iface));
    else if (!want_local.empty() && ip != want_local)
      add(h, "tunnel.iface", iface, Status::fail, "holds local_ip " + want_local, holder + " holds " + ip,
          h.on("ip addr replace " + want_local + "/24 dev " + holder));
    else
      pass(h, "tunnel.iface", iface, "up, holds the tunnel endpoint", "up, " + ip + (holder == iface ? "" : " on " + holder));

    const int tmtu = tenant_mtu();
    if (tmtu > 0) {
      const int need = tmtu + overhead();
      // On netdev the packets leave through the bridge holding the address and then the iface.
      int have = static_cast<int>(l->mtu);
      if (!holder.empty() && holder != iface)
        if (const auto* hl = link(root, holder)) have = std::min(have, static_cast<int>(hl->mtu));
      if (have >= need)
        pass(h, "tunnel.mtu", iface, "MTU >= " + std::to_string(need) + " (tenant " + std::to_string(tmtu) + " + " +
             e_.tunnel_type + " " + std::to_string(overhead()) + ")", "MTU " + std::to_string(have));
      else
        add(h, "tunnel.mtu", iface, Status::fail,
            "MTU >= " + std::to_string(need) + " (tenant " + std::to_string(tmtu) + " + " + e_.tunnel_type + " " +
                std::to_string(overhead()) + ")",
            "MTU " + std::to_string(have), h.on("ip link set dev " + iface + " mtu " + std::to_string(need < 1500 ? 1500 : need)));
    }
  }

  /// local_ip as the OVS agent uses it: the tunnel ports' local_ip option, or the endpoint address.
  std::string agent_local_ip(const Host& h) const {
    if (h.snap->ovs)
      if (const auto* tun = h.snap->ovs->bridge("br-tun"))
        for (const auto& p : tun->ports)
          for (const auto& i : p.interfaces)
            if (i.type == e_.tunnel_type)
              if (auto li = i.option("local_ip")) return *li;
    return {};
  }

  // ---------------------------------------------------------------- Open vSwitch
  /// A tenant network with ports on this host, as the OVS agent should have wired it.
  struct NetOnHost {
    const Topology::Network* net = nullptr;
    std::uint64_t seg = 0;
    std::string seg_hex;                 ///< "0xa3d"
    std::optional<int> vlan;             ///< the local VLAN the agent chose (see local_vlan())
    std::vector<std::string> devices;    ///< br-int ports of the network's ports bound here
  };

  std::vector<NetOnHost> tunnel_nets_on(const Host& h, const ovs::Bridge& brint, const ovs::FlowDump* tun_flows) const {
    std::vector<NetOnHost> out;
    for (const auto& n : e_.topology.networks) {
      if (n.external || !n.provider.segmentation_id) continue;
      if (!n.provider.network_type.empty() && n.provider.network_type != e_.tunnel_type) continue;
      NetOnHost x;
      x.net = &n;
      x.seg = static_cast<std::uint64_t>(*n.provider.segmentation_id);
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(x.seg));
      x.seg_hex = hex;
      for (const auto& p : e_.topology.ports)
        if (p.network == n.name && p.host == h.name && brint.port(device_of(p))) x.devices.push_back(device_of(p));
      if (x.devices.empty()) continue;
      x.vlan = local_vlan(x, brint, tun_flows);
      out.push_back(std::move(x));
    }
    return out;
  }

  /// The network's local VLAN: what br-tun's tun_id flow sets (the agent's own choice, in any
  /// OpenFlow dialect and table), else the agent's note in a port's other_config (current agents),
  /// else the tag the first of its ports carries.
  static std::optional<int> local_vlan(const NetOnHost& x, const ovs::Bridge& brint, const ovs::FlowDump* tun_flows) {
    return network_local_vlan(x.seg, x.devices, brint, tun_flows);
  }

  void check_ovs(const Host& h) {
    if (!h.snap->ovs) {
      add(h, "ovs.db", "ovsdb-server", Status::error, "OVSDB readable", h.snap->ovs_error,
          h.obs->systemd ? h.on("systemctl restart openvswitch-switch") : "");
      return;
    }
    const auto& o = *h.snap->ovs;
    const bool tunnels = !e_.tunnel_type.empty() && h.expected->tunnel;
    const ovs::Bridge* brint = o.bridge("br-int");
    const ovs::Bridge* brtun = o.bridge("br-tun");
    const std::tuple<const char*, const ovs::Bridge*, bool> wanted[] = {{"br-int", brint, true}, {"br-tun", brtun, tunnels}};
    for (const auto& [name, br, needed] : wanted) {
      if (!needed) continue;
      if (br)
        pass(h, "ovs.bridge", name, "present", "present");
      else
        add(h, "ovs.bridge", name, Status::fail, "present", "missing", h.restart("neutron-openvswitch-agent"));
    }
    if (!brint) return;
    if (tunnels && brtun) {
      check_patch(h, *brint, "patch-tun", "patch-int");
      check_patch(h, *brtun, "patch-int", "patch-tun");
      check_tunnel_ports(h, *brtun);
    }
    if (e_.have_topology) {
      const ovs::FlowDump* tun_flows = tunnels && brtun ? h.snap->bridge_flows("br-tun") : nullptr;
      const auto nets = tunnel_nets_on(h, *brint, tun_flows);
      if (tunnels && brtun) check_tunnel_flows(h, *brtun, nets);
      check_port_tags(h, *brint, nets);
    }
  }

  void check_patch(const Host& h, const ovs::Bridge& br, const std::string& port, const std::string& peer) {
    const auto* i = br.interface(port);
    if (!i)
      add(h, "ovs.patch", br.name + "/" + port, Status::fail, "patch port " + port + " peer " + peer, "missing",
          h.restart("neutron-openvswitch-agent"));
    else if (i->type != "patch" || i->option("peer").value_or("") != peer)
      add(h, "ovs.patch", br.name + "/" + port, Status::fail, "patch port " + port + " peer " + peer,
          "type " + i->type + " peer " + i->option("peer").value_or("none"), h.restart("neutron-openvswitch-agent"));
    else
      pass(h, "ovs.patch", br.name + "/" + port, "patch, peer " + peer, "patch, peer " + peer);
  }

  void check_tunnel_ports(const Host& h, const ovs::Bridge& brtun) {
    const std::string local = tunnel_ip(h);
    for (const auto& peer : hosts_) {
      if (&peer == &h || !peer.expected || !peer.expected->tunnel || !peer.snap) continue;
      const std::string remote = tunnel_ip(peer);
      if (remote.empty()) continue;  // the peer's own tunnel.iface check says why
      const std::string object = e_.tunnel_type + " to " + peer.name + " (" + remote + ")";
      const ovs::Interface* found = nullptr;
      std::vector<const ovs::Interface*> tunnel_ifaces;
      for (const auto& p : brtun.ports)
        for (const auto& i : p.interfaces)
          if (i.type == e_.tunnel_type) {
            tunnel_ifaces.push_back(&i);
            if (i.option("remote_ip").value_or("") == remote) found = &i;
          }
      const std::string want = "port type " + e_.tunnel_type + " remote_ip=" + remote + " local_ip=" + local +
                               " in_key=flow out_key=flow";
      if (!found) {
        std::vector<std::string> seen;
        for (const auto* i : tunnel_ifaces) seen.push_back(i->name + " remote_ip=" + i->option("remote_ip").value_or("?"));
        add(h, "ovs.tunnel_port", object, Status::fail, want,
            seen.empty() ? "no " + e_.tunnel_type + " ports on br-tun" : "only " + join(seen),
            h.restart("neutron-openvswitch-agent"));
        continue;
      }
      std::vector<std::string> wrong;
      if (auto li = found->option("local_ip"); li && !local.empty() && *li != local) wrong.push_back("local_ip=" + *li);
      for (const char* k : {"in_key", "out_key"})
        if (found->option(k).value_or("") != "flow") wrong.push_back(std::string(k) + "=" + found->option(k).value_or("unset"));
      if (!found->ofport || *found->ofport <= 0) wrong.push_back("ofport " + (found->ofport ? std::to_string(*found->ofport) : "unset"));
      if (found->error && !found->error->empty()) wrong.push_back("error: " + *found->error);
      if (!wrong.empty())
        add(h, "ovs.tunnel_port", object, Status::fail, want, found->name + ": " + join(wrong),
            h.restart("neutron-openvswitch-agent"));
      else
        pass(h, "ovs.tunnel_port", object, want, found->name + " ofport " + std::to_string(*found->ofport));
    }
  }

  void check_tunnel_flows(const Host& h, const ovs::Bridge& brtun, const std::vector<NetOnHost>& nets) {
    const auto* dump = h.snap->bridge_flows("br-tun");
    if (!dump) {
      std::string why = "not read";
      for (const auto& f : h.snap->flows)
        if (f.bridge == "br-tun") why = f.error;
      add(h, "ovs.tunnel_flows", "br-tun", Status::error, "br-tun's flows", why, "");
      return;
    }
    std::map<std::string, std::int64_t> tunnel_ofports;
    for (const auto& p : brtun.ports)
      for (const auto& i : p.interfaces)
        if (i.type == e_.tunnel_type && i.ofport && *i.ofport > 0) tunnel_ofports[i.name] = *i.ofport;
    for (const auto& x : nets) {
      const std::string object = "network " + x.net->name + " (tun_id " + x.seg_hex + ")";
      // Inbound: tun_id=seg → the local VLAN (table 3/4/6 today, 2/3 in Havana: matched by meaning).
      bool in_ok = false;
      for (const auto& f : dump->flows)
        if (const auto* m = f.match_field("tun_id"); m && m->mask.empty() && ovs::parse_ovs_number(m->value) == x.seg &&
                                                     ovs::vlan_set(f) && (!x.vlan || ovs::vlan_set(f) == x.vlan))
          in_ok = true;
      const std::string vlan_text = x.vlan ? std::to_string(*x.vlan) : std::string("?");
      const std::string want_in = "tun_id=" + x.seg_hex + " sets local VLAN " + vlan_text;
      if (in_ok)
        pass(h, "ovs.tunnel_flow_in", object, want_in, "present");
      else
        add(h, "ovs.tunnel_flow_in", object, Status::fail, want_in,
            "no such flow on br-tun: this network's tunnel traffic is dropped", h.restart("neutron-openvswitch-agent"));
      if (!x.vlan) continue;
      // Outbound flood: dl_vlan=L → tun_id=seg, out of every tunnel port.
      std::set<std::string> outs;
      bool sets_tun = false;
      for (const auto& f : dump->flows) {
        if (ovs::matched_vlan(f) != x.vlan || ovs::tunnel_set(f) != x.seg) continue;
        sets_tun = true;
        for (const auto& o : ovs::output_ports(f)) outs.insert(o);
      }
      std::vector<std::string> missing;
      for (const auto& [name, ofport] : tunnel_ofports)
        if (!outs.count(std::to_string(ofport)) && !outs.count(name)) missing.push_back(name);
      const std::string want_out = "dl_vlan=" + vlan_text + " sets tun_id " + x.seg_hex + " and floods to all " +
                                   std::to_string(tunnel_ofports.size()) + " tunnel ports";
      if (sets_tun && missing.empty())
        pass(h, "ovs.tunnel_flow_flood", object, want_out, "present");
      else
        add(h, "ovs.tunnel_flow_flood", object, Status::fail, want_out,
            !sets_tun ? "no flow sends VLAN " + vlan_text + " into the tunnels" : "does not reach " + join(missing),
            h.restart("neutron-openvswitch-agent"));
    }
  }

  void check_port_tags(const Host& h, const ovs::Bridge& brint, const std::vector<NetOnHost>& nets) {
    for (const auto& x : nets) {
      if (!x.vlan) continue;
      for (const auto& d : x.devices) {
        const auto* p = brint.port(d);
        if (!p) continue;
        const std::string want = "tag " + std::to_string(*x.vlan) + " (local VLAN of network " + x.net->name + ")";
        if (p->tag && *p->tag == *x.vlan)
          pass(h, "ovs.port_tag", d, want, "tag " + std::to_string(*p->tag));
        else
          add(h, "ovs.port_tag", d, Status::fail, want, p->tag ? "tag " + std::to_string(*p->tag) : "no tag",
              h.on("ovs-vsctl set Port " + d + " tag=" + std::to_string(*x.vlan)));
      }
    }
  }

  // ---------------------------------------------------------------- routers
  std::vector<const Host*> l3_hosts(const Topology::Router& r) const {
    std::vector<const Host*> out;
    for (const auto& h : hosts_) {
      if (!h.snap || !h.expected) continue;
      if (should_host_router(r, *h.expected, h.name)) out.push_back(&h);
    }
    return out;
  }

  std::string cidr_for(const Topology::FixedIp& f) const { return inspect::cidr_for(e_.topology, f); }

  void check_device(const Host& h, const NamespaceView& ns, const std::string& id, const std::string& dev,
                    const std::vector<std::string>& cidrs, const std::string& fix_plug) {
    const auto* l = ns.net.link(dev);
    const std::string object = ns.net.name + "/" + dev;
    if (!l) {
      add(h, id, object, Status::fail, dev + " present, up", "missing", fix_plug);
      return;
    }
    if (!l->up()) {
      add(h, id, object, Status::fail, dev + " up", link_state(l), h.on("ip netns exec " + ns.net.name + " ip link set dev " + dev + " up"));
      return;
    }
    for (const auto& c : cidrs)
      if (!holds(ns.net, dev, c)) {
        const auto v = v4_addrs(ns.net, dev);
        add(h, id, object, Status::fail, "holds " + c, v.empty() ? "no IPv4 address" : "holds " + join(v),
            h.on("ip netns exec " + ns.net.name + " ip addr replace " + c + " dev " + dev));
        return;
      }
    pass(h, id, object, "up, holds " + (cidrs.empty() ? std::string("-") : join(cidrs)), "up");
  }

  void check_nat_rule(const Host& h, const NamespaceView& ns, const std::string& id, const std::string& object,
                      const std::string& chain, const std::function<bool(const NatRule&)>& match,
                      const std::string& rule_text) {
    const std::string want = "-A " + chain + " " + rule_text + " (reachable from a base chain)";
    for (const auto& rr : rules_in(ns, chain)) {
      if (!match(*rr.rule)) continue;
      if (netprobe::is_reachable(*rr.table, chain)) {
        pass(h, id, object, want, "present, reached via " + join(netprobe::chain_path(*rr.table, chain), " → "));
        return;
      }
      add(h, id, object, Status::fail, want, "present, but " + chain + " is not reached from any base chain",
          h.restart("neutron-l3-agent"));
      return;
    }
    add(h, id, object, Status::fail, want, "no such rule",
        // -C first: the fix is safe to run twice (or after the agent has put the rule back).
        h.on("ip netns exec " + ns.net.name + " sh -c " +
             shq("iptables -t nat -C " + chain + " " + rule_text + " 2>/dev/null || iptables -t nat -A " + chain + " " +
                 rule_text)));
  }

  void check_routers() {
    const auto& topo = e_.topology;
    for (const auto& r : topo.routers) {
      if (r.id.empty()) continue;
      const std::string nsname = "qrouter-" + r.id;
      for (const Host* hp : l3_hosts(r)) {
        const Host& h = *hp;
        const NamespaceView* ns = h.snap->find_namespace(nsname);
        if (!ns) {
          add(h, "ns.qrouter", nsname, Status::fail, "namespace of router " + r.name, "missing", h.restart("neutron-l3-agent"));
          continue;
        }
        if (!ns->error.empty()) {
          add(h, "ns.qrouter", nsname, Status::error, "namespace of router " + r.name, ns->error, "");
          continue;
        }
        pass(h, "ns.qrouter", nsname, "namespace of router " + r.name, "present");
        std::string qg;
        for (const auto* p : topo.ports_of_device(r.id)) {
          const auto* f = first_v4(*p);
          if (p->device_owner == "network:router_interface") {
            check_device(h, *ns, "router.qr", "qr-" + p->id.substr(0, kDevNameIdLen), f ? std::vector{cidr_for(*f)} : std::vector<std::string>{},
                         h.restart("neutron-l3-agent"));
          } else if (p->device_owner == "network:router_gateway") {
            qg = "qg-" + p->id.substr(0, kDevNameIdLen);
            check_device(h, *ns, "router.qg", qg, f ? std::vector{cidr_for(*f)} : std::vector<std::string>{},
                         h.restart("neutron-l3-agent"));
          }
        }
        // Floating IPs as /32 on qg-.
        for (const auto& inst : topo.instances) {
          if (inst.floating_ip.empty() || inst.fixed_ip.empty() || !routes_instance(r, inst)) continue;
          if (!qg.empty()) {
            const auto* l = ns->net.link(qg);
            if (l && !holds(ns->net, qg, inst.floating_ip + "/32"))
              add(h, "router.fip_addr", inst.floating_ip, Status::fail, inst.floating_ip + "/32 on " + qg, "absent",
                  h.on("ip netns exec " + nsname + " ip addr replace " + inst.floating_ip + "/32 dev " + qg));
            else if (l)
              pass(h, "router.fip_addr", inst.floating_ip, inst.floating_ip + "/32 on " + qg, "present");
          }
          const std::string fip = inst.floating_ip, fixed = inst.fixed_ip;
          const auto is_dnat = [&](const NatRule& x) { return is_fip_dnat(x, fip, fixed); };
          check_nat_rule(h, *ns, "nat.fip_dnat", fip + " → " + fixed, "neutron-l3-agent-PREROUTING", is_dnat,
                         "-d " + fip + "/32 -j DNAT --to-destination " + fixed);
          check_nat_rule(h, *ns, "nat.fip_dnat", fip + " → " + fixed + " (local)", "neutron-l3-agent-OUTPUT", is_dnat,
                         "-d " + fip + "/32 -j DNAT --to-destination " + fixed);
          check_nat_rule(h, *ns, "nat.fip_snat", fixed + " → " + fip, "neutron-l3-agent-float-snat",
                         [&](const NatRule& x) {
                           return x.target.kind == NatTargetKind::snat && x.src && x.src->addr == fixed &&
                                  x.src->prefix == 32 && x.target.to_source.substr(0, x.target.to_source.find(':')) == fip;
                         },
                         "-s " + fixed + "/32 -j SNAT --to-source " + fip + " --random-fully");
        }
        // Default SNAT through the gateway.
        if (!r.external_gateway.empty() && !r.gateway_ip.empty() && !qg.empty()) {
          const std::string gw = r.gateway_ip;
          check_nat_rule(h, *ns, "nat.snat", r.name + " via " + gw, "neutron-l3-agent-snat",
                         [&](const NatRule& x) {
                           return x.target.kind == NatTargetKind::snat && x.out_iface && x.out_iface->name == qg &&
                                  !x.out_iface->negated && x.target.to_source.substr(0, x.target.to_source.find(':')) == gw;
                         },
                         "-o " + qg + " -j SNAT --to-source " + gw + " --random-fully");
          // Default route via the external subnet's gateway.
          std::string ext_gw;
          if (const auto* en = topo.network(r.external_gateway))
            for (const auto& s : en->subnets)
              if (s.gateway_ip && !s.gateway_ip->empty() && installer::cidr_contains(s.cidr, gw)) ext_gw = *s.gateway_ip;
          if (!ext_gw.empty()) {
            bool ok = false;
            std::string seen = "no default route";
            for (const auto& rt : ns->net.routes)
              if (rt.family == AF_INET && rt.dst_len == 0 && rt.table == 254) {
                seen = "default via " + (rt.gateway.valid() ? rt.gateway.to_string() : std::string("none")) + " dev " + rt.oif_name;
                if (rt.gateway.valid() && rt.gateway.to_string() == ext_gw) ok = true;
              }
            if (ok)
              pass(h, "router.default_route", nsname, "default via " + ext_gw, seen);
            else
              add(h, "router.default_route", nsname, Status::fail, "default via " + ext_gw + " dev " + qg, seen,
                  // Without its qg- device the route cannot be put back by hand: the agent replugs both.
                  ns->net.link(qg) ? h.on("ip netns exec " + nsname + " ip route replace default via " + ext_gw + " dev " + qg)
                                   : h.restart("neutron-l3-agent"));
          }
        }
        // Forwarding and rp_filter.
        const auto fwd = ns->net.sysctls.ip_forward();
        if (fwd == 1)
          pass(h, "router.ip_forward", nsname, "net.ipv4.ip_forward=1", "1");
        else
          add(h, "router.ip_forward", nsname, Status::fail, "net.ipv4.ip_forward=1", fwd ? std::to_string(*fwd) : "unknown",
              h.on("ip netns exec " + nsname + " sysctl -w net.ipv4.ip_forward=1"));
        for (const auto& l : ns->net.links) {
          if (l.name.rfind("qr-", 0) != 0 && l.name.rfind("qg-", 0) != 0) continue;
          const auto rp = ns->net.sysctls.effective_rp_filter(l.name);
          if (rp == 1)
            add(h, "router.rp_filter", nsname + "/" + l.name, Status::warn, "rp_filter 0 or 2 (not strict)", "1 (strict)",
                h.on("ip netns exec " + nsname + " sysctl -w net.ipv4.conf." + l.name + ".rp_filter=0"));
        }
      }
    }
  }

  /// Whether router r routes the instance's network (one of its interfaces is on it).
  bool routes_instance(const Topology::Router& r, const Topology::Instance& inst) const {
    return routes_network(e_.topology, r, inst.network);
  }

  // ---------------------------------------------------------------- DHCP
  std::vector<const Host*> dhcp_hosts(const Topology::Network& n) const {
    std::vector<const Host*> out;
    for (const auto& h : hosts_) {
      if (!h.snap || !h.expected) continue;
      if (should_serve_dhcp(n, *h.expected, h.name)) out.push_back(&h);
    }
    return out;
  }

  void check_dhcp() {
    const auto& topo = e_.topology;
    for (const auto& n : topo.networks) {
      if (n.external || n.id.empty()) continue;
      std::vector<const Topology::Subnet*> dhcp_subnets;
      for (const auto& s : n.subnets)
        if (s.enable_dhcp && s.cidr.find(':') == std::string::npos) dhcp_subnets.push_back(&s);
      if (dhcp_subnets.empty()) continue;
      const std::string nsname = "qdhcp-" + n.id;
      for (const Host* hp : dhcp_hosts(n)) {
        const Host& h = *hp;
        const NamespaceView* ns = h.snap->find_namespace(nsname);
        if (!ns) {
          add(h, "ns.qdhcp", nsname, Status::fail, "DHCP namespace of network " + n.name, "missing", h.restart("neutron-dhcp-agent"));
          continue;
        }
        pass(h, "ns.qdhcp", nsname, "DHCP namespace of network " + n.name, "present");
        // The DHCP port's tap.
        for (const auto& p : topo.ports)
          if (p.device_owner == "network:dhcp" && p.network == n.name && (p.host.empty() || p.host == h.name))
            if (const auto* f = first_v4(p))
              check_device(h, *ns, "dhcp.tap", "tap" + p.id.substr(0, kDevNameIdLen), {cidr_for(*f)}, h.restart("neutron-dhcp-agent"));
        // dnsmasq living in the namespace, serving every subnet.
        const ProcessInfo* dnsmasq = nullptr;
        for (const auto& pr : ns->processes)
          if (pr.comm == "dnsmasq") dnsmasq = &pr;
        if (!dnsmasq) {
          add(h, "dhcp.dnsmasq", nsname, Status::fail, "dnsmasq running in " + nsname, "no dnsmasq process",
              h.restart("neutron-dhcp-agent"));
          continue;
        }
        std::vector<std::string> missing;
        for (const auto* s : dhcp_subnets) {
          bool served = false;
          for (const auto& a : dnsmasq->cmdline)
            if (a.rfind("--dhcp-range=", 0) == 0 && (a.find("subnet-" + s->id) != std::string::npos ||
                                                     a.find("," + addr_of(s->cidr) + ",") != std::string::npos))
              served = true;
          if (!served) missing.push_back(s->name + " " + s->cidr);
        }
        if (missing.empty())
          pass(h, "dhcp.dnsmasq", nsname, "dnsmasq serving " + std::to_string(dhcp_subnets.size()) + " subnet(s)",
               "pid " + std::to_string(dnsmasq->pid));
        else
          add(h, "dhcp.dnsmasq", nsname, Status::fail, "dnsmasq serving every DHCP subnet", "not serving " + join(missing),
              h.restart("neutron-dhcp-agent"));
        check_dhcp_hosts(h, n, dhcp_subnets, nsname, *dnsmasq);
      }
    }
  }

  /// A port dnsmasq should hand a lease to: its MAC and its addresses on the DHCP subnets.
  struct LeaseWanted {
    std::string who;  ///< "port 7551cc20 (test0)"
    std::string mac;
    std::vector<std::string> ips;
  };

  /// The ports of network n with an address on one of its DHCP subnets (Neutron writes a hosts-file
  /// line for each but its own DHCP port): from the API's ports, or, with a topology file, from the
  /// instances whose port was observed.
  std::vector<LeaseWanted> leases_wanted(const Topology::Network& n, const std::vector<const Topology::Subnet*>& subnets) const {
    std::vector<LeaseWanted> out;
    auto lower = [](std::string v) {
      for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return v;
    };
    const auto& topo = e_.topology;
    for (const auto& p : topo.ports) {
      if (p.network != n.name || p.device_owner == "network:dhcp" || p.mac.empty()) continue;
      LeaseWanted w{"port " + p.id.substr(0, 8) + (p.name.empty() ? "" : " (" + p.name + ")"), lower(p.mac), {}};
      for (const auto& f : p.fixed_ips)
        if (std::any_of(subnets.begin(), subnets.end(), [&](const auto* s) { return s->name == f.subnet; }))
          w.ips.push_back(f.ip_address);
      if (!w.ips.empty()) out.push_back(std::move(w));
    }
    if (!topo.ports.empty()) return out;
    // A topology file has no ports: the instances' observed ones (IPv4: the subnets here are IPv4).
    for (const auto& i : topo.instances)
      if (i.network == n.name && !i.mac.empty() && !i.fixed_ip.empty() && i.fixed_ip.find(':') == std::string::npos)
        out.push_back({"instance " + i.name, lower(i.mac), {i.fixed_ip}});
    return out;
  }

  /// dnsmasq can read its hosts file (as the user it runs as) and holds a line for every port.
  void check_dhcp_hosts(const Host& h, const Topology::Network& n, const std::vector<const Topology::Subnet*>& subnets,
                        const std::string& nsname, const ProcessInfo& dnsmasq) {
    if (!dnsmasq.dhcp_hosts) return;  // a snapshot from a stackwire that did not read it, or no --dhcp-hostsfile
    const DhcpHostsFile& f = *dnsmasq.dhcp_hosts;
    const std::string pidfile = pidfile_arg(dnsmasq);
    const std::string reload =
        pidfile.empty() ? "kill -HUP " + std::to_string(dnsmasq.pid) : "kill -HUP $(cat " + shq(pidfile) + ")";
    if (!f.error.empty()) {
      // dnsmasq cannot serve a file that root cannot read either: a failure of the host, with a fix.
      add(h, "dhcp.hosts", nsname, Status::fail, "dnsmasq's hosts file " + f.path + " readable", f.error,
          h.restart("neutron-dhcp-agent"));
      return;
    }
    if (!f.denied.empty()) {
      // The directory or file that refuses: open it to others (as Debian's neutron-common leaves
      // /var/lib/neutron, 0755), then make dnsmasq re-read.
      const std::string where = f.denied.substr(0, f.denied.find(':'));
      const bool is_file = where == f.path;
      add(h, "dhcp.hosts", nsname, Status::fail,
          "dnsmasq (pid " + std::to_string(dnsmasq.pid) + ") can read " + f.path,
          f.denied + ": every DHCP request gets \"no address available\"",
          h.on("chmod o+" + std::string(is_file ? "r " : "rx ") + where + " && " + reload));
      return;
    }
    const auto wanted = leases_wanted(n, subnets);
    std::vector<std::string> missing;
    for (const auto& w : wanted) {
      for (const auto& ip : w.ips) {
        const DhcpHostEntry* hit = nullptr;
        const DhcpHostEntry* same_mac = nullptr;
        for (const auto& e : f.hosts) {
          if (std::find(e.macs.begin(), e.macs.end(), w.mac) == e.macs.end()) continue;
          same_mac = &e;
          if (std::find(e.addresses.begin(), e.addresses.end(), ip) != e.addresses.end()) hit = &e;
        }
        if (hit) continue;
        missing.push_back(same_mac ? w.who + ": " + w.mac + " gets " + join(same_mac->addresses) + " (line " +
                                         std::to_string(same_mac->line) + "), not " + ip
                                   : w.who + ": no line for " + w.mac + " " + ip);
      }
    }
    const std::string want = "a host entry for each of " + std::to_string(wanted.size()) + " port(s) in " + f.path;
    if (missing.empty())
      pass(h, "dhcp.hosts", nsname, want, std::to_string(f.hosts.size()) + " entries, every port's MAC and address");
    else
      add(h, "dhcp.hosts", nsname, Status::fail, want, join(missing, "; "), h.restart("neutron-dhcp-agent"));
  }

  static std::string pidfile_arg(const ProcessInfo& p) {
    for (const auto& a : p.cmdline)
      if (a.rfind("--pid-file=", 0) == 0) return a.substr(11);
    return "";
  }

  // ---------------------------------------------------------------- stale namespaces
  void check_stale() {
    std::set<std::string> routers, networks;
    for (const auto& r : e_.topology.routers) routers.insert(r.id);
    for (const auto& n : e_.topology.networks) networks.insert(n.id);
    for (const auto& h : hosts_) {
      if (!h.snap) continue;
      for (const auto& ns : h.snap->namespaces) {
        const std::string& name = ns.net.name;
        const bool qr = name.rfind("qrouter-", 0) == 0, qd = name.rfind("qdhcp-", 0) == 0;
        if (!qr && !qd) continue;
        const std::string id = name.substr(qr ? 8 : 6);
        if ((qr && routers.count(id)) || (qd && networks.count(id))) continue;
        add(h, "ns.stale", name, Status::warn, "no namespace of a " + std::string(qr ? "router" : "network") + " Neutron does not have",
            "present, " + std::string(qr ? "router " : "network ") + id + " is unknown to Neutron",
            h.on("ip netns delete " + name));
      }
    }
  }

  // ---------------------------------------------------------------- reachability
  void check_reachability() {
    if (!probes_) {
      CheckResult r;
      r.id = "reach";
      r.host = "-";
      r.object = "reachability";
      r.status = Status::skip;
      r.expected = "instances and floating IPs answer";
      r.seen = "not probed (--no-reachability)";
      results_.push_back(r);
      return;
    }
    for (const auto& p : *probes_) {
      const Host* h = nullptr;
      for (const auto& x : hosts_)
        if (x.obs->address == p.request.host) h = &x;
      if (!h) continue;
      std::string want = p.request.kind == "tcp" ? "TCP " + p.request.target + ":" + std::to_string(p.request.port) + " answers"
                                                 : "ICMP echo to " + p.request.target + " answered";
      if (p.request.dont_fragment) want += " with " + std::to_string(p.request.size + 28) + "-byte packets, don't-fragment";
      want += " from " + (p.request.netns.empty() ? h->name + "'s own namespace" : p.request.netns);
      if (!p.error.empty())
        add(*h, p.request.id, p.request.object, Status::error, want, p.error, "");
      else if (p.ok)
        pass(*h, p.request.id, p.request.object, want, p.seen);
      else
        add(*h, p.request.id, p.request.object, Status::fail, want, p.seen,
            "stackwire trace " + std::string(p.request.id.find("fip") != std::string::npos ? "floating-ip " + p.request.target
                                                                                           : "instance " + instance_name(p.request.target)));
    }
  }
  std::string instance_name(const std::string& ip) const {
    for (const auto& i : e_.topology.instances)
      if (i.fixed_ip == ip) return i.name;
    return ip;
  }

  const Expected& e_;
  const std::vector<ProbeResult>* probes_;
  std::vector<Host> hosts_;
  std::vector<CheckResult> results_;
};

bool pattern_matches(const std::string& pat, const CheckResult& r) {
  if (pat == r.id || pat == r.host) return true;
  return r.id.size() > pat.size() && r.id.compare(0, pat.size(), pat) == 0 && r.id[pat.size()] == '.';
}

}  // namespace

std::vector<CheckResult> run_checks(const Expected& expected, const std::vector<HostObservation>& hosts,
                                    const std::vector<ProbeResult>* probes) {
  auto results = Checker(expected, hosts, probes).run();
  for (auto& r : check_agents(expected, hosts)) results.push_back(std::move(r));
  return results;
}

std::vector<ProbeRequest> plan_probes(const Expected& e, const std::vector<HostObservation>& hosts, int tcp_port) {
  std::vector<ProbeRequest> out;
  if (!e.have_topology) return out;
  const auto& topo = e.topology;
  for (const auto& inst : topo.instances) {
    if (inst.fixed_ip.empty()) continue;
    const auto* net = topo.network(inst.network);
    if (!net || net->id.empty()) continue;
    const std::string nsname = "qdhcp-" + net->id;
    for (const auto& h : hosts) {
      if (!h.snapshot || !h.snapshot->find_namespace(nsname)) continue;
      ProbeRequest p;
      p.id = "reach.instance";
      p.object = inst.name + " " + inst.fixed_ip;
      p.host = h.address;
      p.netns = nsname;
      p.kind = "icmp";
      p.target = inst.fixed_ip;
      out.push_back(p);
      if (net->mtu && *net->mtu > 28) {
        p.id = "reach.mtu";
        p.object = inst.name + " " + inst.fixed_ip + " at MTU " + std::to_string(*net->mtu);
        p.size = *net->mtu - 28;
        p.dont_fragment = true;
        out.push_back(p);
      }
      break;
    }
  }
  for (const auto& inst : topo.instances) {
    if (inst.floating_ip.empty()) continue;
    for (const auto& h : hosts) {
      const auto* x = e.host(h.address);
      if (!x || !x->network || !h.snapshot) continue;
      ProbeRequest p;
      p.id = "reach.fip_icmp";
      p.object = inst.floating_ip + " (" + inst.name + ")";
      p.host = h.address;
      p.kind = "icmp";
      p.target = inst.floating_ip;
      out.push_back(p);
      p.id = "reach.fip_tcp";
      p.kind = "tcp";
      p.port = tcp_port;
      out.push_back(p);
      break;
    }
  }
  return out;
}

std::vector<CheckResult> filter_results(std::vector<CheckResult> results, const std::vector<std::string>& only,
                                        const std::vector<std::string>& skip) {
  std::vector<CheckResult> out;
  for (auto& r : results) {
    const bool in = only.empty() || std::any_of(only.begin(), only.end(), [&](const auto& p) { return pattern_matches(p, r); });
    const bool out_ = std::any_of(skip.begin(), skip.end(), [&](const auto& p) { return pattern_matches(p, r); });
    if (in && !out_) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sw::checks
