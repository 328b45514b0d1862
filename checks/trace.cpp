// The path trace (checks/trace.h). Each hop reads one piece of one host's snapshot — the same
// pieces verify's checks read, through checks/inspect_util.h — and says ok, broken (with what is
// wrong and the command that fixes it) or unknown (what it would need was not observed).
//
// Neutron facts the hops rely on, besides those listed in checks.cpp:
//  - from Stein on the router's qg- port sits on br-int, tagged with the external network's local
//    VLAN, and reaches br-ex through int-<br>/phy-<br> (patch ports; veths in Havana): br-int's
//    flow from int-br-ex gives untagged (flat) traffic that VLAN, br-ex's flow from phy-br-ex
//    strips it. In Havana qg- is a port of br-ex itself and that hop does not exist.
//  - br-tun sends a tenant VLAN into the tunnels by a flood flow (dl_vlan=L → tun_id, out of every
//    tunnel port) and by unicast flows learnt per MAC (dl_vlan=L,dl_dst=MAC → tun_id, one port);
//    traffic arriving on a tunnel port goes from table 0 (in_port=<ofport>) to the tun_id table.
//  - an instance's br-int port carries external_ids:iface-id=<port id> (nova/os-vif), named
//    tap<id[:11]> (or qvo<id[:11]> with the hybrid firewall).
#include "checks/trace.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "checks/inspect_util.h"
#include "installer/topology.h"
#include "ovs/flow_query.h"

namespace sw::checks {
namespace {

using namespace inspect;
using installer::Topology;

constexpr const char* kOvsAgent = "neutron-openvswitch-agent";
constexpr const char* kL3Agent = "neutron-l3-agent";
constexpr const char* kDhcpAgent = "neutron-dhcp-agent";
constexpr const char* kPreChain = "neutron-l3-agent-PREROUTING";

struct Host {
  const ExpectedHost* expected = nullptr;
  const HostObservation* obs = nullptr;
  const HostSnapshot* snap = nullptr;
  std::string name;  ///< hostname, else address
};

/// What a hop found: the hop is broken when something is wrong, else unknown when something could
/// not be looked at, else ok.
struct Verdict {
  std::vector<std::string> seen, wrong, missing;
  std::string fix;  ///< of the first wrong thing
  void good(std::string s) { seen.push_back(std::move(s)); }
  void bad(std::string s, std::string f) {
    wrong.push_back(std::move(s));
    if (fix.empty()) fix = std::move(f);
  }
  void cannot(std::string s) { missing.push_back(std::move(s)); }
};

std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool same_port(const ovs::MatchField* m, const ovs::Interface& i) {
  if (!m) return false;
  if (m->value == i.name) return true;
  return i.ofport && ovs::parse_ovs_number(m->value) == static_cast<std::uint64_t>(*i.ofport);
}
bool outputs_to(const ovs::Flow& f, const ovs::Interface& i) {
  for (const auto& o : ovs::output_ports(f))
    if (o == i.name || (i.ofport && ovs::parse_ovs_number(o) == static_cast<std::uint64_t>(*i.ofport))) return true;
  return false;
}
std::string ofport_text(const ovs::Interface& i) { return i.ofport ? std::to_string(*i.ofport) : std::string("unset"); }

/// Why a bridge's flows could not be read.
std::string flows_error(const HostSnapshot& s, std::string_view bridge) {
  for (const auto& f : s.flows)
    if (f.bridge == bridge) return f.error.empty() ? "not read" : f.error;
  return "not read (no such bridge when the snapshot was taken)";
}

/// The resolved path: which instance, network, router and hosts the hops are about.
struct Path {
  const Topology::Instance* inst = nullptr;
  const Topology::Network* net = nullptr;
  const Topology::Subnet* subnet = nullptr;
  const Topology::Port* port = nullptr;  ///< the instance's port, when the topology lists ports
  const Topology::Router* router = nullptr;
  const Topology::Port* qr = nullptr;
  const Topology::Port* qg = nullptr;
  const Topology::Port* dhcp_port = nullptr;
  const Host* l3 = nullptr;
  const Host* dhcp = nullptr;
  const Host* compute = nullptr;
  std::string compute_name;  ///< Neutron's name of the instance's host
  bool fip = false;          ///< the floating IP's hops belong to this trace
  bool with_dhcp = false;    ///< the qdhcp- hops belong to this trace (instance traces, DHCP on)
};

class Walker {
 public:
  Walker(const Expected& e, const std::vector<HostObservation>& obs, const std::vector<ProbeResult>* probes)
      : e_(e), topo_(e.topology), probes_(probes) {
    for (const auto& o : obs) {
      Host h;
      h.obs = &o;
      h.snap = o.snapshot ? &*o.snapshot : nullptr;
      h.expected = e.host(o.address);
      h.name = h.snap && !h.snap->hostname.empty() ? h.snap->hostname : o.address;
      hosts_.push_back(h);
    }
  }

  Path resolve(const Topology::Instance& inst, TraceTarget::Kind kind) const {
    Path p;
    p.inst = &inst;
    p.fip = !inst.floating_ip.empty();
    p.with_dhcp = false;
    p.net = topo_.network(inst.network);
    if (!inst.port_id.empty()) p.port = topo_.port(inst.port_id);
    if (p.port)
      for (const auto& f : p.port->fixed_ips)
        if (f.ip_address == inst.fixed_ip) p.subnet = topo_.subnet(f.subnet);
    if (!p.subnet && p.net)
      for (const auto& s : p.net->subnets)
        if (installer::cidr_contains(s.cidr, inst.fixed_ip)) p.subnet = &s;
    // The router: one with an interface on the instance's subnet (with a gateway when a floating
    // IP comes in through it), else one on its network.
    for (int pass = 0; pass < 2 && !p.router; ++pass)
      for (const auto& r : topo_.routers) {
        const bool on_subnet = p.subnet && std::find(r.interfaces.begin(), r.interfaces.end(), p.subnet->name) != r.interfaces.end();
        if (!(on_subnet || (pass == 1 && routes_network(topo_, r, inst.network)))) continue;
        if (p.fip && pass == 0 && r.external_gateway.empty()) continue;
        p.router = &r;
        break;
      }
    if (p.router) {
      for (const auto* port : topo_.ports_of_device(p.router->id)) {
        if (port->device_owner == "network:router_gateway") p.qg = port;
        if (port->device_owner != "network:router_gateway" && device_of(*port).starts_with("qr-") && port->network == inst.network &&
            (!p.qr || (p.subnet && std::any_of(port->fixed_ips.begin(), port->fixed_ips.end(),
                                               [&](const auto& f) { return f.subnet == p.subnet->name; }))))
          p.qr = port;
      }
      p.l3 = pick(
          [&](const Host& h) { return should_host_router(*p.router, *h.expected, h.name); },
          [&](const Host& h) { return h.snap && h.snap->find_namespace("qrouter-" + p.router->id); });
    }
    if (p.net && kind == TraceTarget::instance) {
      for (const auto& s : p.net->subnets) p.with_dhcp = p.with_dhcp || (s.enable_dhcp && !p.net->id.empty());
      if (p.with_dhcp) {
        p.dhcp = pick([&](const Host& h) { return should_serve_dhcp(*p.net, *h.expected, h.name); },
                      [&](const Host& h) { return h.snap && h.snap->find_namespace("qdhcp-" + p.net->id); });
        for (const auto& port : topo_.ports)
          if (port.device_owner == "network:dhcp" && port.network == p.net->name && (!p.dhcp || port.host.empty() || port.host == p.dhcp->name))
            p.dhcp_port = &port;
      }
    }
    p.compute_name = !inst.host.empty() ? inst.host : p.port ? p.port->host : "";
    if (!p.compute_name.empty()) {
      for (const auto& h : hosts_)
        if (h.name == p.compute_name || h.obs->address == p.compute_name) p.compute = &h;
      if (!p.compute) {  // not reached: its hostname is unknown; the one compute host without a snapshot
        std::vector<const Host*> unseen;
        for (const auto& h : hosts_)
          if (!h.snap && h.expected && h.expected->compute) unseen.push_back(&h);
        if (unseen.size() == 1) p.compute = unseen.front();
      }
    }
    return p;
  }

  std::vector<ProbeRequest> plan(const Path& p) const {
    std::vector<ProbeRequest> out;
    if (p.inst->fixed_ip.empty()) return out;
    ProbeRequest r;
    r.kind = "icmp";
    if (p.with_dhcp && p.dhcp && p.net) {
      r.id = "trace.dhcp";
      r.host = p.dhcp->obs->address;
      r.netns = "qdhcp-" + p.net->id;
      r.target = p.inst->fixed_ip;
      r.object = r.netns + " → " + r.target;
      out.push_back(r);
    }
    if (p.router && p.l3) {
      r.id = "trace.router";
      r.host = p.l3->obs->address;
      r.netns = "qrouter-" + p.router->id;
      r.target = p.inst->fixed_ip;
      r.object = r.netns + " → " + r.target;
      out.push_back(r);
    }
    if (p.fip && p.l3) {
      r.id = "trace.fip";
      r.host = p.l3->obs->address;
      r.netns = "";
      r.target = p.inst->floating_ip;
      r.object = p.l3->name + " → " + r.target;
      out.push_back(r);
    }
    return out;
  }

  std::vector<TraceHop> walk(const Path& p) {
    const std::string fixed = p.inst->fixed_ip;
    const NamespaceView* qrouter = nullptr;
    const std::string qrouter_name = p.router ? "qrouter-" + p.router->id : "";
    if (p.l3 && p.l3->snap && p.router) qrouter = p.l3->snap->find_namespace(qrouter_name);

    if (p.with_dhcp && p.net) hop_dhcp_port(p);
    if (p.fip) {
      hop_brex(p.l3);
      hop_qg(p, qrouter);
      hop_dnat(p, qrouter);
    }
    if (p.router) {
      hop_route(p, qrouter);
      hop_qr(p, qrouter);
    } else if (p.fip) {
      TraceHop& h = add(nullptr, "router", "network " + p.inst->network);
      h.state = TraceHop::broken;
      h.detail = "no router has an interface on " + p.inst->network;
      h.fix = "openstack router add subnet <router> " + (p.subnet ? p.subnet->name : p.inst->network);
    } else if (!p.with_dhcp) {
      add(nullptr, "network side", "network " + p.inst->network).detail =
          p.inst->network + " has neither a router nor DHCP: no namespace to trace from";
    }
    // Network side → compute host, from each host the path leaves from.
    std::vector<const Host*> sources;
    if (p.router) sources.push_back(p.l3);
    if (p.with_dhcp && p.dhcp && (!p.router || p.dhcp != p.l3)) sources.push_back(p.dhcp);
    for (const Host* src : sources) cross(p, src);
    hop_instance_port(p);
    if (!probes_) return std::move(hops_);  // not probed: the path as the snapshots show it
    if (p.with_dhcp && p.net && p.dhcp) hop_probe(p, "trace.dhcp", p.dhcp, "qdhcp-" + p.net->id + " → " + fixed);
    if (p.router) hop_probe(p, "trace.router", p.l3, qrouter_name + " → " + fixed);
    if (p.fip) hop_probe(p, "trace.fip", p.l3, (p.l3 ? p.l3->name : std::string("L3 host")) + " → " + p.inst->floating_ip);
    return std::move(hops_);
  }

 private:
  /// The host for a role: the first that the rule names and that has the namespace, else the first
  /// the rule names, else (a host without snapshot has no name to match) the first network host.
  template <typename Rule, typename Has>
  const Host* pick(Rule rule, Has has) const {
    const Host* first = nullptr;
    for (const auto& h : hosts_) {
      if (!h.expected || !rule(h)) continue;
      if (has(h)) return &h;
      if (!first) first = &h;
    }
    if (first) return first;
    for (const auto& h : hosts_)
      if (h.expected && h.expected->network) return &h;
    return nullptr;
  }

  TraceHop& add(const Host* h, std::string what, std::string object) {
    TraceHop hop;
    hop.host = h ? h->name : "?";
    hop.what = std::move(what);
    hop.object = std::move(object);
    hops_.push_back(std::move(hop));
    return hops_.back();
  }
  static void settle(TraceHop& h, const Verdict& v) {
    if (!v.wrong.empty()) {
      h.state = TraceHop::broken;
      h.detail = join(v.wrong, "; ");
      h.fix = v.fix;
    } else if (!v.missing.empty()) {
      h.state = TraceHop::unknown;
      h.detail = join(v.missing, "; ");
    } else {
      h.state = TraceHop::ok;
      h.detail = join(v.seen, ", ");
    }
  }
  /// False (and the hop unknown) when the host or its snapshot is missing; with `ovs`, its OVSDB too.
  static bool need(TraceHop& hop, const Host* h, bool ovs, std::string_view role = "") {
    std::string why;
    if (!h) why = "no host " + std::string(role.empty() ? "for this hop" : role) + " among the observed hosts";
    else if (!h->snap) why = "no snapshot of " + h->obs->address + (h->obs->error.empty() ? "" : ": " + h->obs->error);
    else if (ovs && !h->snap->ovs) why = "OVSDB of " + h->name + " unreadable: " + h->snap->ovs_error;
    if (why.empty()) return true;
    hop.state = TraceHop::unknown;
    hop.detail = why;
    return false;
  }
  static const ovs::Bridge* bridge(const Host& h, std::string_view name) { return h.snap->ovs ? h.snap->ovs->bridge(name) : nullptr; }

  // ---------------------------------------------------------------- facts shared by hops
  std::optional<std::uint64_t> segmentation_id(const Path& p, const Host* h) const {
    if (!p.net) return std::nullopt;
    if (p.net->provider.segmentation_id) return static_cast<std::uint64_t>(*p.net->provider.segmentation_id);
    if (h && h->snap && h->snap->ovs)
      if (const auto* brint = h->snap->ovs->bridge("br-int"))
        for (const auto& port : brint->ports) {
          auto n = port.other_config.find("net_uuid");
          auto s = port.other_config.find("segmentation_id");
          if (n != port.other_config.end() && s != port.other_config.end() && n->second == p.net->id)
            if (auto v = ovs::parse_ovs_number(s->second)) return v;
        }
    return std::nullopt;
  }

  /// The instance's port on the compute host's br-int: by iface-id, else by Neutron's names.
  const ovs::Port* instance_port(const Path& p, const ovs::Bridge& brint) const {
    if (!p.inst->port_id.empty())
      for (const auto& port : brint.ports)
        for (const auto& i : port.interfaces)
          if (i.external_id("iface-id") == p.inst->port_id) return &port;
    const std::string id = p.inst->port_id.substr(0, kDevNameIdLen);
    if (id.empty()) return nullptr;
    for (const char* prefix : {"tap", "qvo"})
      if (const auto* port = brint.port(prefix + id)) return port;
    return nullptr;
  }

  /// The tenant network's local VLAN on host h (see network_local_vlan), nullopt when unknown.
  std::optional<int> tenant_vlan(const Path& p, const Host* h) const {
    if (!p.net || !h || !h->snap || !h->snap->ovs) return std::nullopt;
    const auto* brint = h->snap->ovs->bridge("br-int");
    if (!brint) return std::nullopt;
    std::vector<std::string> devices;
    for (const auto& port : topo_.ports)
      if (port.network == p.net->name && port.host == h->name && brint->port(device_of(port))) devices.push_back(device_of(port));
    if (h == p.compute)
      if (const auto* ip = instance_port(p, *brint);
          ip && std::find(devices.begin(), devices.end(), ip->name) == devices.end())
        devices.push_back(ip->name);
    const auto seg = segmentation_id(p, h);
    const ovs::FlowDump* tun = h->snap->bridge_flows("br-tun");
    if (seg) return network_local_vlan(*seg, devices, *brint, tun);
    return network_local_vlan(~0ULL, devices, *brint, nullptr);
  }

  /// The tunnel interface on h's br-tun whose remote_ip is `remote`, or nullptr.
  const ovs::Interface* tunnel_to(const Host& h, const std::string& remote) const {
    const auto* brtun = bridge(h, "br-tun");
    if (!brtun || remote.empty()) return nullptr;
    for (const auto& port : brtun->ports)
      for (const auto& i : port.interfaces)
        if (i.type == e_.tunnel_type && i.option("remote_ip").value_or("") == remote) return &i;
    return nullptr;
  }
  std::string endpoint(const Host* h) const {
    if (!h || !h->snap) return {};
    return tunnel_endpoint(e_, *h->snap, h->obs->address);
  }

  /// Checks a device in a namespace: present, up, holding `cidrs`.
  static void device_in(Verdict& v, const Host& h, const NamespaceView& ns, const std::string& dev,
                        const std::vector<std::string>& cidrs, const std::string& plug_fix) {
    const auto* l = ns.net.link(dev);
    if (!l) {
      v.bad(dev + " missing in " + ns.net.name, plug_fix);
      return;
    }
    if (!l->up()) v.bad(dev + " " + link_state(l), on_host(*h.obs, "ip netns exec " + ns.net.name + " ip link set dev " + dev + " up"));
    else v.good("up");
    for (const auto& c : cidrs) {
      if (holds(ns.net, dev, c)) {
        v.good("holds " + c);
        continue;
      }
      const auto have = v4_addrs(ns.net, dev);
      v.bad(dev + " lacks " + c + (have.empty() ? " (no IPv4 address)" : " (holds " + join(have) + ")"),
            on_host(*h.obs, "ip netns exec " + ns.net.name + " ip addr replace " + c + " dev " + dev));
    }
  }

  /// Checks a device's br-int port carries `vlan`.
  static void tagged(Verdict& v, const Host& h, const std::string& dev, std::optional<int> vlan, const std::string& vlan_of) {
    const auto* brint = bridge(h, "br-int");
    if (!h.snap->ovs) {
      v.cannot("OVSDB unreadable: " + h.snap->ovs_error);
      return;
    }
    const ovs::Port* port = brint ? brint->port(dev) : nullptr;
    if (!port) {
      v.bad(dev + " is not a port of br-int", restart_on(*h.obs, kOvsAgent));
      return;
    }
    if (port->tag && *port->tag == 4095) {
      v.bad(dev + " is a dead port on br-int (tag 4095: the OVS agent could not bind it)", restart_on(*h.obs, kOvsAgent));
      return;
    }
    if (!vlan) {
      v.cannot("the local VLAN of " + vlan_of + " on " + h.name + " is unknown");
      return;
    }
    if (port->tag && *port->tag == *vlan) {
      v.good("tag " + std::to_string(*vlan) + " on br-int");
      return;
    }
    v.bad(dev + " has " + (port->tag ? "tag " + std::to_string(*port->tag) : std::string("no tag")) + " on br-int, " + vlan_of +
              " is VLAN " + std::to_string(*vlan),
          on_host(*h.obs, "ovs-vsctl set Port " + dev + " tag=" + std::to_string(*vlan)));
  }

  // ---------------------------------------------------------------- hops
  void hop_dhcp_port(const Path& p) {
    const std::string nsname = "qdhcp-" + p.net->id;
    const std::string dev = p.dhcp_port ? device_of(*p.dhcp_port) : "tap?";
    TraceHop& hop = add(p.dhcp, "DHCP port", nsname + "/" + dev);
    if (!need(hop, p.dhcp, false, "serving DHCP for " + p.net->name)) return;
    const Host& h = *p.dhcp;
    Verdict v;
    const auto* ns = h.snap->find_namespace(nsname);
    if (!ns) v.bad(nsname + " missing", restart_on(*h.obs, kDhcpAgent));
    else if (!ns->error.empty()) v.cannot(nsname + " unreadable: " + ns->error);
    else if (!p.dhcp_port) v.cannot("the topology lists no DHCP port of " + p.net->name);
    else {
      const auto* f = first_v4(*p.dhcp_port);
      device_in(v, h, *ns, dev, f ? std::vector{cidr_for(topo_, *f)} : std::vector<std::string>{}, restart_on(*h.obs, kDhcpAgent));
      tagged(v, h, dev, tenant_vlan(p, &h), p.net->name);
    }
    settle(hop, v);
  }

  void hop_brex(const Host* l3) {
    if (e_.ext_bridge.empty()) return;  // provider external network: no br-ex to trace
    const std::string& br = e_.ext_bridge;
    TraceHop& hop = add(l3, "external bridge", br);
    if (!need(hop, l3, true, "holding the router")) return;
    const Host& h = *l3;
    const auto& root = h.snap->root.net;
    Verdict v;
    const auto* obr = bridge(h, br);
    if (!obr) {
      v.bad("no OVS bridge " + br, on_host(*h.obs, "ovs-vsctl --may-exist add-br " + br + " -- set Bridge " + br + " datapath_type=" + e_.datapath_type));
      settle(hop, v);
      return;
    }
    const auto* l = root.link(br);
    if (l && l->up()) v.good("up");
    else v.bad(br + " " + link_state(l), on_host(*h.obs, "ip link set dev " + br + " up"));
    if (!e_.uplink.empty()) {
      const auto* ul = root.link(e_.uplink);
      if (!obr->port(e_.uplink))
        v.bad(e_.uplink + " is not a port of " + br,
              on_host(*h.obs, "ovs-vsctl --may-exist add-port " + br + " " + e_.uplink + " && ip link set dev " + e_.uplink + " up"));
      else if (!ul || !ul->up())
        v.bad("uplink " + e_.uplink + " " + link_state(ul), on_host(*h.obs, "ip link set dev " + e_.uplink + " up"));
      else
        v.good(e_.uplink + " plugged and up");
    }
    if (!e_.ext_gateway_cidr.empty()) {
      if (holds(root, br, e_.ext_gateway_cidr)) v.good("holds " + e_.ext_gateway_cidr);
      else {
        const auto have = v4_addrs(root, br);
        v.bad(br + " lacks " + e_.ext_gateway_cidr + (have.empty() ? " (no IPv4 address)" : " (holds " + join(have) + ")"),
              on_host(*h.obs, "ip addr replace " + e_.ext_gateway_cidr + " dev " + br));
      }
    }
    settle(hop, v);
  }

  /// The external network's local VLAN on the L3 host: what the agent noted on qg-'s port, its tag,
  /// else what br-int's flow from int-br-ex sets.
  std::optional<int> ext_vlan(const Host& h, const std::string& qg, const ovs::Interface* int_if) const {
    const auto* brint = bridge(h, "br-int");
    if (brint)
      if (const auto* port = brint->port(qg)) {
        if (auto t = port->other_config.find("tag"); t != port->other_config.end())
          if (auto n = ovs::parse_ovs_number(t->second)) return static_cast<int>(*n);
        if (port->tag && *port->tag != 4095) return static_cast<int>(*port->tag);
      }
    if (int_if)
      if (const auto* dump = h.snap->bridge_flows("br-int"))
        for (const auto& f : dump->flows)
          if (same_port(f.match_field("in_port"), *int_if))
            if (auto v = ovs::vlan_set(f)) return *v;
    return std::nullopt;
  }

  void hop_qg(const Path& p, const NamespaceView* ns) {
    const std::string nsname = p.router ? "qrouter-" + p.router->id : "qrouter-?";
    const std::string qg = p.qg ? device_of(*p.qg) : "qg-?";
    // br-ex ↔ br-int first, unless qg- is a port of br-ex (Havana's external_network_bridge).
    const bool on_brex = p.l3 && p.l3->snap && p.l3->snap->ovs && !e_.ext_bridge.empty() && bridge(*p.l3, e_.ext_bridge) &&
                         bridge(*p.l3, e_.ext_bridge)->port(qg);
    if (!on_brex && !e_.ext_bridge.empty()) hop_ext_patch(p, qg);

    TraceHop& hop = add(p.l3, "router gateway port", nsname + "/" + qg);
    if (!p.router) {
      hop.detail = "no router routes " + p.inst->network;
      return;
    }
    if (!need(hop, p.l3, false, "holding router " + p.router->name)) return;
    const Host& h = *p.l3;
    Verdict v;
    if (!p.qg) {
      v.bad("router " + p.router->name + " has no gateway port: no external network set",
            "openstack router set --external-gateway <external network> " + p.router->name);
      settle(hop, v);
      return;
    }
    if (!ns) {
      v.bad(nsname + " missing on " + h.name, restart_on(*h.obs, kL3Agent));
      settle(hop, v);
      return;
    }
    if (!ns->error.empty()) {
      v.cannot(nsname + " unreadable: " + ns->error);
      settle(hop, v);
      return;
    }
    std::vector<std::string> cidrs;
    if (const auto* f = first_v4(*p.qg)) cidrs.push_back(cidr_for(topo_, *f));
    if (p.fip) cidrs.push_back(p.inst->floating_ip + "/32");
    device_in(v, h, *ns, qg, cidrs, restart_on(*h.obs, kL3Agent));
    if (on_brex) v.good("port of " + e_.ext_bridge);
    else if (h.snap->ovs) {
      const std::string ext_name = p.qg->network.empty() ? "the external network" : p.qg->network;
      const auto* brint = bridge(h, "br-int");
      const ovs::Interface* int_if = brint ? brint->interface("int-" + e_.ext_bridge) : nullptr;
      tagged(v, h, qg, ext_vlan(h, qg, int_if), ext_name);
    } else {
      v.cannot("OVSDB unreadable: " + h.snap->ovs_error);
    }
    settle(hop, v);
  }

  void hop_ext_patch(const Path& p, const std::string& qg) {
    const std::string& br = e_.ext_bridge;
    const std::string int_name = "int-" + br, phy_name = "phy-" + br;
    TraceHop& hop = add(p.l3, "external bridge → br-int", int_name + " ↔ " + phy_name);
    if (!need(hop, p.l3, true, "holding the router")) return;
    const Host& h = *p.l3;
    Verdict v;
    const auto* brint = bridge(h, "br-int");
    const auto* brex = bridge(h, br);
    if (!brint || !brex) {
      v.cannot(std::string(!brint ? "br-int" : br) + " missing (see its hop)");
      settle(hop, v);
      return;
    }
    const auto* int_if = brint->interface(int_name);
    const auto* phy_if = brex->interface(phy_name);
    if (!int_if || !phy_if) {
      v.bad(std::string(!int_if ? int_name + " is not a port of br-int" : phy_name + " is not a port of " + br) +
                ": br-ex does not reach br-int (bridge_mappings)",
            restart_on(*h.obs, kOvsAgent));
      settle(hop, v);
      return;
    }
    if (int_if->type == "patch" && int_if->option("peer").value_or("") != phy_name)
      v.bad(int_name + " peer " + int_if->option("peer").value_or("none") + ", not " + phy_name, restart_on(*h.obs, kOvsAgent));
    if (phy_if->type == "patch" && phy_if->option("peer").value_or("") != int_name)
      v.bad(phy_name + " peer " + phy_if->option("peer").value_or("none") + ", not " + int_name, restart_on(*h.obs, kOvsAgent));
    for (const auto* i : {int_if, phy_if})
      if (!i->ofport || *i->ofport <= 0) v.bad(i->name + " has ofport " + ofport_text(*i), restart_on(*h.obs, kOvsAgent));
    if (!v.wrong.empty()) {
      settle(hop, v);
      return;
    }
    v.good(int_if->type == "patch" ? "patch ports" : "veth pair");
    const auto vlan = ext_vlan(h, qg, int_if);
    const auto* int_flows = h.snap->bridge_flows("br-int");
    const auto* ex_flows = h.snap->bridge_flows(br);
    if (!vlan) v.cannot("the external network's local VLAN on " + h.name + " is unknown (qg- not on br-int, no flow from " + int_name + ")");
    else if (!int_flows) v.cannot("br-int's flows: " + flows_error(*h.snap, "br-int"));
    else if (!ex_flows) v.cannot(br + "'s flows: " + flows_error(*h.snap, br));
    else {
      const std::string vt = std::to_string(*vlan);
      const bool in = std::any_of(int_flows->flows.begin(), int_flows->flows.end(), [&](const ovs::Flow& f) {
        return same_port(f.match_field("in_port"), *int_if) && ovs::vlan_set(f) == vlan;
      });
      const bool out = std::any_of(ex_flows->flows.begin(), ex_flows->flows.end(), [&](const ovs::Flow& f) {
        return same_port(f.match_field("in_port"), *phy_if) && ovs::matched_vlan(f) == vlan && !ovs::is_drop(f);
      });
      if (in) v.good("br-int gives traffic from " + int_name + " VLAN " + vt);
      else v.bad("no br-int flow gives traffic from " + int_name + " (ofport " + ofport_text(*int_if) + ") VLAN " + vt, restart_on(*h.obs, kOvsAgent));
      if (out) v.good(br + " takes VLAN " + vt + " from " + phy_name);
      else v.bad("no " + br + " flow forwards VLAN " + vt + " from " + phy_name + " (ofport " + ofport_text(*phy_if) + "): replies are dropped",
                 restart_on(*h.obs, kOvsAgent));
    }
    settle(hop, v);
  }

  void hop_dnat(const Path& p, const NamespaceView* ns) {
    const std::string fip = p.inst->floating_ip, fixed = p.inst->fixed_ip;
    TraceHop& hop = add(p.l3, "DNAT", fip + " → " + fixed);
    if (!p.router) {
      hop.detail = "no router routes " + p.inst->network;
      return;
    }
    if (!need(hop, p.l3, false, "holding router " + p.router->name)) return;
    const Host& h = *p.l3;
    const std::string nsname = "qrouter-" + p.router->id;
    Verdict v;
    if (!ns) v.cannot(nsname + " missing (see the gateway port's hop)");
    else if (!ns->error.empty()) v.cannot(nsname + " unreadable: " + ns->error);
    else {
      const std::string rule = "-d " + fip + "/32 -j DNAT --to-destination " + fixed;
      const NatRuleRef* found = nullptr;
      const auto rules = rules_in(*ns, kPreChain);
      for (const auto& rr : rules)
        if (is_fip_dnat(*rr.rule, fip, fixed)) {
          found = &rr;
          break;
        }
      if (!found) {
        std::string elsewhere;
        for (const auto& rr : rules)
          if (rr.rule->target.kind == netprobe::NatTargetKind::dnat && rr.rule->dst && rr.rule->dst->addr == fip)
            elsewhere = rr.rule->target.to_destination;
        v.bad(elsewhere.empty() ? "no rule " + rule + " in " + kPreChain
                                : kPreChain + std::string(" sends ") + fip + " to " + elsewhere + ", not " + fixed,
              on_host(*h.obs, "ip netns exec " + nsname + " sh -c " +
                                             shq("iptables -t nat -C " + std::string(kPreChain) + " " + rule +
                                                        " 2>/dev/null || iptables -t nat -A " + kPreChain + " " + rule)));
      } else {
        const auto path = netprobe::chain_path(*found->table, kPreChain);
        const auto* base = path.empty() ? nullptr : found->table->find_chain(path.front());
        if (base && (base->hook == "prerouting" || base->name == "PREROUTING"))
          v.good("-A " + std::string(kPreChain) + " " + rule + ", reached via " + join(path, " → "));
        else
          v.bad(std::string("the rule is in ") + kPreChain + ", but that chain is not reached from PREROUTING",
                restart_on(*h.obs, kL3Agent));
      }
    }
    settle(hop, v);
  }

  void hop_route(const Path& p, const NamespaceView* ns) {
    const std::string fixed = p.inst->fixed_ip;
    const std::string nsname = "qrouter-" + p.router->id;
    TraceHop& hop = add(p.l3, "router route", nsname + ": " + fixed);
    if (!need(hop, p.l3, false, "holding router " + p.router->name)) return;
    const Host& h = *p.l3;
    Verdict v;
    const std::string qr = p.qr ? device_of(*p.qr) : "";
    if (!ns) v.cannot(nsname + " missing (see the gateway port's hop)");
    else if (!ns->error.empty()) v.cannot(nsname + " unreadable: " + ns->error);
    else {
      const netprobe::Route* best = nullptr;
      for (const auto& rt : ns->net.routes) {
        if (rt.family != AF_INET || rt.table != RT_TABLE_MAIN || rt.type != RTN_UNICAST) continue;
        const std::string dst = rt.dst_len == 0 ? "0.0.0.0/0" : rt.dst.to_string() + "/" + std::to_string(rt.dst_len);
        if (!installer::cidr_contains(dst, fixed)) continue;
        if (!best || rt.dst_len > best->dst_len) best = &rt;
      }
      const std::string subnet = p.subnet ? p.subnet->cidr : fixed + "/32";
      const std::string add_route = on_host(*h.obs, "ip netns exec " + nsname + " ip route replace " + subnet + " dev " + (qr.empty() ? "qr-?" : qr));
      if (!best) v.bad("no route to " + fixed, add_route);
      else {
        const std::string text = best->dst_string() + (best->gateway.valid() ? " via " + best->gateway.to_string() : "") + " dev " + best->oif_name;
        if (!qr.empty() && best->oif_name != qr) v.bad(fixed + " is routed by " + text + ", not out of " + qr, add_route);
        else v.good(text);
      }
      const auto fwd = ns->net.sysctls.ip_forward();
      if (fwd == 1) v.good("forwarding on");
      else if (!fwd) v.cannot("net.ipv4.ip_forward not read");
      else v.bad("net.ipv4.ip_forward=" + std::to_string(*fwd), on_host(*h.obs, "ip netns exec " + nsname + " sysctl -w net.ipv4.ip_forward=1"));
    }
    settle(hop, v);
  }

  void hop_qr(const Path& p, const NamespaceView* ns) {
    const std::string nsname = "qrouter-" + p.router->id;
    const std::string qr = p.qr ? device_of(*p.qr) : "qr-?";
    TraceHop& hop = add(p.l3, "router interface port", nsname + "/" + qr);
    if (!need(hop, p.l3, false, "holding router " + p.router->name)) return;
    const Host& h = *p.l3;
    Verdict v;
    if (!p.qr) v.bad("router " + p.router->name + " has no port on " + p.inst->network, "openstack router add subnet " + p.router->name + " " +
                                                                                               (p.subnet ? p.subnet->name : p.inst->network));
    else if (!ns) v.cannot(nsname + " missing (see the gateway port's hop)");
    else if (!ns->error.empty()) v.cannot(nsname + " unreadable: " + ns->error);
    else {
      const auto* f = first_v4(*p.qr);
      device_in(v, h, *ns, qr, f ? std::vector{cidr_for(topo_, *f)} : std::vector<std::string>{}, restart_on(*h.obs, kL3Agent));
      tagged(v, h, qr, tenant_vlan(p, &h), p.inst->network);
    }
    settle(hop, v);
  }

  /// From a network-side host to the compute host: br-int's local VLAN, br-tun into the tunnel,
  /// the tunnel port; on the compute host the tunnel port back and br-tun out of it.
  void cross(const Path& p, const Host* src) {
    const auto seg = segmentation_id(p, src ? src : p.compute);
    const auto src_vlan = tenant_vlan(p, src);
    hop_brint(p, src, seg, src_vlan, !(src && src == p.compute));
    if (src && src == p.compute) return;  // the same host: br-int switches it
    const std::string net_type = p.net ? (p.net->provider.network_type.empty() ? e_.tunnel_type : p.net->provider.network_type) : "";
    if (e_.tunnel_type.empty() || net_type != e_.tunnel_type) {
      TraceHop& hop = add(src, "between hosts", (p.net ? p.net->name : p.inst->network) + " (" + (net_type.empty() ? "?" : net_type) + ")");
      hop.detail = "only tunnel (" + (e_.tunnel_type.empty() ? std::string("gre/vxlan") : e_.tunnel_type) +
                   ") networks are traced between hosts";
      return;
    }
    const std::string remote = endpoint(p.compute), local = endpoint(src);
    const std::string compute_label = p.compute ? p.compute->name : (p.compute_name.empty() ? "the compute host" : p.compute_name);
    const std::string src_label = src ? src->name : "the network host";
    const ovs::Interface* out_if = src && src->snap ? tunnel_to(*src, remote) : nullptr;
    const ovs::Interface* back_if = p.compute && p.compute->snap ? tunnel_to(*p.compute, local) : nullptr;
    hop_brtun_out(p, src, seg, src_vlan, out_if, compute_label);
    hop_tunnel_port(src, out_if, remote, compute_label, p.compute);
    hop_tunnel_port(p.compute, back_if, local, src_label, src);
    hop_brtun_in(p, seg, back_if);
  }

  void hop_brint(const Path& p, const Host* h, std::optional<std::uint64_t> seg, std::optional<int> vlan, bool to_tun) {
    const std::string net = p.net ? p.net->name : p.inst->network;
    TraceHop& hop = add(h, "br-int local VLAN", "br-int: " + net);
    if (!need(hop, h, true)) return;
    Verdict v;
    const auto* brint = bridge(*h, "br-int");
    if (!brint) v.bad("no br-int", restart_on(*h->obs, kOvsAgent));
    else if (!vlan)
      v.bad(net + " has no local VLAN on " + h->name + ": none of its ports is on br-int" +
                (seg ? " and br-tun has no tun_id=" + hex(*seg) + " flow" : ""),
            restart_on(*h->obs, kOvsAgent));
    else
      v.good("VLAN " + std::to_string(*vlan) + (seg ? " (tun_id " + hex(*seg) + ")" : ""));
    if (brint && to_tun && !e_.tunnel_type.empty()) {
      const auto* brtun = bridge(*h, "br-tun");
      const auto* pt = brint->interface("patch-tun");
      const auto* pi = brtun ? brtun->interface("patch-int") : nullptr;
      if (!brtun) v.bad("no br-tun", restart_on(*h->obs, kOvsAgent));
      else if (!pt || pt->type != "patch" || pt->option("peer").value_or("") != "patch-int")
        v.bad(pt ? "patch-tun peer " + pt->option("peer").value_or("none") + " (" + pt->type + ")" : "no patch-tun on br-int",
              restart_on(*h->obs, kOvsAgent));
      else if (!pi || pi->type != "patch" || pi->option("peer").value_or("") != "patch-tun")
        v.bad(pi ? "patch-int peer " + pi->option("peer").value_or("none") + " (" + pi->type + ")" : "no patch-int on br-tun",
              restart_on(*h->obs, kOvsAgent));
      else
        v.good("patch-tun ↔ patch-int");
    }
    settle(hop, v);
  }

  void hop_brtun_out(const Path& p, const Host* h, std::optional<std::uint64_t> seg, std::optional<int> vlan,
                     const ovs::Interface* out_if, const std::string& to) {
    const std::string object = "br-tun: VLAN " + (vlan ? std::to_string(*vlan) : std::string("?")) + " → tun_id " +
                               (seg ? hex(*seg) : std::string("?")) + " → " + (out_if ? out_if->name : e_.tunnel_type + " to " + to);
    TraceHop& hop = add(h, "into the tunnel", object);
    if (!need(hop, h, true)) return;
    Verdict v;
    const auto* dump = h->snap->bridge_flows("br-tun");
    if (!dump) v.cannot("br-tun's flows: " + flows_error(*h->snap, "br-tun"));
    else if (!seg) v.cannot("the segmentation id of " + p.inst->network + " is unknown (Neutron shows it to admins)");
    else if (!vlan) v.cannot("the local VLAN is unknown (see the br-int hop)");
    else {
      std::vector<const ovs::Flow*> flood, unicast;
      for (const auto& f : dump->flows) {
        if (ovs::matched_vlan(f) != vlan || ovs::tunnel_set(f) != seg) continue;
        const auto* mac = f.match_field("dl_dst");
        if (!mac) mac = f.match_field("eth_dst");
        if (!mac) flood.push_back(&f);
        else if (mac->mask.empty() && !p.inst->mac.empty() && std::equal(mac->value.begin(), mac->value.end(), p.inst->mac.begin(), p.inst->mac.end(),
                                                                  [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
          unicast.push_back(&f);
      }
      const std::string vt = std::to_string(*vlan);
      if (flood.empty()) v.bad("no flow sends VLAN " + vt + " into tun_id " + hex(*seg), restart_on(*h->obs, kOvsAgent));
      if (!out_if) {
        v.cannot("the " + e_.tunnel_type + " port towards " + to + " is missing (next hop)");
      } else {
        const auto reaches = [&](const std::vector<const ovs::Flow*>& fs) {
          return std::any_of(fs.begin(), fs.end(), [&](const ovs::Flow* f) { return outputs_to(*f, *out_if); });
        };
        if (!flood.empty()) {
          if (reaches(flood)) v.good("table " + std::to_string(flood.front()->table) + " floods VLAN " + vt + " to " + out_if->name);
          else v.bad("the flood flow of VLAN " + vt + " does not output to " + out_if->name + " (ofport " + ofport_text(*out_if) + ")",
                     restart_on(*h->obs, kOvsAgent));
        }
        if (!unicast.empty()) {
          if (reaches(unicast)) v.good("table " + std::to_string(unicast.front()->table) + " sends " + p.inst->mac + " to " + out_if->name);
          else {
            const auto outs = ovs::output_ports(*unicast.front());
            v.bad("the flow for " + p.inst->mac + " outputs to " + (outs.empty() ? std::string("nothing") : "port " + join(outs)) + ", not " +
                      out_if->name + " (ofport " + ofport_text(*out_if) + ")",
                  restart_on(*h->obs, kOvsAgent));
          }
        }
      }
    }
    settle(hop, v);
  }

  void hop_tunnel_port(const Host* h, const ovs::Interface* i, const std::string& remote, const std::string& to,
                       const Host* peer) {
    const std::string object = (i ? i->name : e_.tunnel_type + " port") + " → " + (remote.empty() ? std::string("?") : remote) + " (" + to + ")";
    TraceHop& hop = add(h, "tunnel port", object);
    if (!need(hop, h, true)) return;
    Verdict v;
    if (remote.empty()) {
      v.cannot(!peer || !peer->snap ? "the tunnel endpoint of " + to + " is unknown (not observed)"
                                    : to + " has no tunnel endpoint address" + (e_.tunnel_iface.empty() ? "" : " on " + e_.tunnel_iface));
      settle(hop, v);
      return;
    }
    const auto* brtun = bridge(*h, "br-tun");
    if (!brtun) v.bad("no br-tun", restart_on(*h->obs, kOvsAgent));
    else if (!i) {
      std::vector<std::string> seen;
      for (const auto& port : brtun->ports)
        for (const auto& x : port.interfaces)
          if (x.type == e_.tunnel_type) seen.push_back(x.name + " → " + x.option("remote_ip").value_or("?"));
      v.bad("no " + e_.tunnel_type + " port with remote_ip=" + remote + " on br-tun" + (seen.empty() ? "" : " (only " + join(seen) + ")"),
            restart_on(*h->obs, kOvsAgent));
    } else {
      if (!i->ofport || *i->ofport <= 0) v.bad(i->name + " has ofport " + ofport_text(*i), restart_on(*h->obs, kOvsAgent));
      if (i->error && !i->error->empty()) v.bad(i->name + ": " + *i->error, restart_on(*h->obs, kOvsAgent));
      for (const char* k : {"in_key", "out_key"})
        if (i->option(k).value_or("") != "flow") v.bad(std::string(k) + "=" + i->option(k).value_or("unset"), restart_on(*h->obs, kOvsAgent));
      const auto li = i->option("local_ip");
      const std::string mine = endpoint(h);
      if (mine.empty())
        v.bad(h->name + " has no tunnel endpoint address" + (e_.tunnel_iface.empty() ? "" : " on " + e_.tunnel_iface) +
                  (li ? " (local_ip " + *li + ")" : ""),
              li && !e_.tunnel_iface.empty() ? on_host(*h->obs, "ip addr replace " + *li + "/24 dev " + e_.tunnel_iface) : "");
      else if (li && *li != mine)
        v.bad("local_ip=" + *li + " but " + h->name + "'s endpoint is " + mine, restart_on(*h->obs, kOvsAgent));
      if (v.wrong.empty()) v.good("ofport " + ofport_text(*i) + ", local_ip " + (li ? *li : mine));
    }
    settle(hop, v);
  }

  void hop_brtun_in(const Path& p, std::optional<std::uint64_t> seg, const ovs::Interface* in_if) {
    const Host* h = p.compute;
    const auto vlan = tenant_vlan(p, h);
    const std::string object = "br-tun: " + (in_if ? in_if->name : e_.tunnel_type + " port") + " tun_id " + (seg ? hex(*seg) : std::string("?")) +
                               " → VLAN " + (vlan ? std::to_string(*vlan) : std::string("?"));
    TraceHop& hop = add(h, "out of the tunnel", object);
    if (!need(hop, h, true, "of the instance")) return;
    Verdict v;
    const auto* dump = h->snap->bridge_flows("br-tun");
    if (!dump) v.cannot("br-tun's flows: " + flows_error(*h->snap, "br-tun"));
    else if (!seg) v.cannot("the segmentation id of " + p.inst->network + " is unknown (Neutron shows it to admins)");
    else {
      std::set<int> next;
      if (!in_if) v.cannot("the tunnel port is missing (previous hop)");
      else {
        bool accepted = false;
        for (const auto& f : dump->flows)
          if (same_port(f.match_field("in_port"), *in_if) && !ovs::is_drop(f)) {
            accepted = true;
            for (int t : ovs::next_tables(f)) next.insert(t);
          }
        if (!accepted) v.bad("br-tun drops what arrives on " + in_if->name + " (no in_port=" + ofport_text(*in_if) + " flow)", restart_on(*h->obs, kOvsAgent));
      }
      const ovs::Flow* tun = nullptr;
      for (const auto& f : dump->flows)
        if (const auto* m = f.match_field("tun_id"); m && m->mask.empty() && ovs::parse_ovs_number(m->value) == seg && ovs::vlan_set(f))
          if (!tun || next.count(f.table)) tun = &f;
      if (!tun) v.bad("no flow gives tun_id " + hex(*seg) + " a local VLAN: this network's tunnel traffic is dropped", restart_on(*h->obs, kOvsAgent));
      else if (!next.empty() && !next.count(tun->table))
        v.bad("traffic from " + in_if->name + " continues in table " + std::to_string(*next.begin()) + ", but tun_id=" + hex(*seg) + " is in table " +
                  std::to_string(tun->table),
              restart_on(*h->obs, kOvsAgent));
      else if (vlan && ovs::vlan_set(*tun) != vlan)
        v.bad("tun_id " + hex(*seg) + " gets VLAN " + std::to_string(*ovs::vlan_set(*tun)) + ", the network's ports here use " + std::to_string(*vlan),
              restart_on(*h->obs, kOvsAgent));
      else
        v.good((in_if ? "in_port=" + ofport_text(*in_if) + " → " : std::string()) + "table " + std::to_string(tun->table) + " tun_id=" +
               hex(*seg) + " sets VLAN " + std::to_string(*ovs::vlan_set(*tun)));
      const auto* brint = bridge(*h, "br-int");
      const auto* brtun = bridge(*h, "br-tun");
      const auto* pi = brtun ? brtun->interface("patch-int") : nullptr;
      const auto* pt = brint ? brint->interface("patch-tun") : nullptr;
      if (!pi || pi->option("peer").value_or("") != "patch-tun" || !pt || pt->option("peer").value_or("") != "patch-int")
        v.bad("br-tun does not reach br-int (patch-int ↔ patch-tun)", restart_on(*h->obs, kOvsAgent));
    }
    settle(hop, v);
  }

  void hop_instance_port(const Path& p) {
    const Host* h = p.compute;
    const std::string dev_guess = p.inst->port_id.empty() ? "tap?" : "tap" + p.inst->port_id.substr(0, kDevNameIdLen);
    TraceHop& hop = add(h, "instance port", "br-int/" + dev_guess + " (" + p.inst->name + ")");
    if (!need(hop, h, true, p.compute_name.empty() ? "of the instance (Neutron binds its port to none)" : "'" + p.compute_name + "'")) return;
    Verdict v;
    const auto* brint = bridge(*h, "br-int");
    const ovs::Port* port = brint ? instance_port(p, *brint) : nullptr;
    if (!brint) v.bad("no br-int", restart_on(*h->obs, kOvsAgent));
    else if (!port) {
      const std::string id = p.inst->port_id;
      v.bad("no br-int port of " + p.inst->name + "'s port " + (id.empty() ? std::string("?") : id) + " on " + h->name,
            id.empty() ? "" : on_host(*h->obs, "ovs-vsctl --may-exist add-port br-int " + dev_guess + " -- set Interface " + dev_guess +
                                                   " external_ids:iface-id=" + id + " external_ids:attached-mac=" + p.inst->mac +
                                                   " external_ids:iface-status=active"));
    } else {
      hop.object = "br-int/" + port->name + " (" + p.inst->name + ")";
      tagged(v, *h, port->name, tenant_vlan(p, h), p.inst->network);
      for (const auto& i : port->interfaces) {
        if (!i.ofport || *i.ofport <= 0) v.bad(i.name + " has ofport " + ofport_text(i), restart_on(*h->obs, kOvsAgent));
        if (i.error && !i.error->empty()) v.bad(i.name + ": " + *i.error, "");
      }
      // The device: in the host's namespace (a VM's tap) or, in the lab, in the instance's own.
      const netprobe::Link* l = h->snap->root.net.link(port->name);
      std::string where;
      for (const auto& ns : h->snap->namespaces)
        if (!l && (l = ns.net.link(port->name))) where = ns.net.name;
      if (!l) {
        const ovs::Interface* i = port->interfaces.empty() ? nullptr : &port->interfaces.front();
        if (i && i->link_state == "up") v.good("link up (OVS)");
        else v.bad("no device " + port->name + " on " + h->name + ": the instance is not running", "");
      } else if (!l->up()) {
        v.bad(port->name + " is " + link_state(l) + (where.empty() ? "" : " in " + where),
              on_host(*h->obs, (where.empty() ? "" : "ip netns exec " + where + " ") + "ip link set dev " + port->name + " up"));
      } else {
        v.good("up" + (where.empty() ? "" : " in " + where));
      }
    }
    settle(hop, v);
  }

  void hop_probe(const Path& p, const std::string& id, const Host* h, const std::string& object) {
    TraceHop& hop = add(h, "probe", object + " (ICMP)");
    const ProbeResult* r = nullptr;
    if (probes_)
      for (const auto& x : *probes_)
        if (x.request.id == id) r = &x;
    if (!r) {
      hop.detail = "not probed: no host to probe from";
      return;
    }
    if (!r->error.empty()) {
      hop.detail = "could not probe: " + r->error;
      return;
    }
    if (r->ok) {
      hop.state = TraceHop::ok;
      hop.detail = r->seen;
      return;
    }
    hop.state = TraceHop::broken;
    hop.detail = r->seen;
    for (std::size_t k = 0; k + 1 < hops_.size(); ++k)
      if (hops_[k].state == TraceHop::broken && hops_[k].what != "probe") {
        hop.fix = "fix hop " + std::to_string(k + 1) + " (" + hops_[k].what + " on " + hops_[k].host + ") first";
        return;
      }
    bool icmp = false;
    for (const auto& rule : topo_.security_group_rules)
      if (rule.direction == "ingress" && (rule.protocol.empty() || rule.protocol == "icmp" || rule.protocol == "1")) icmp = true;
    if (!icmp && !topo_.security_group_rules.empty()) {
      hop.detail += "; the instance's security group has no ingress ICMP rule";
      hop.fix = "openstack security group rule create --ingress --protocol icmp <security group of " + p.inst->name + ">";
    } else {
      hop.detail += "; every hop before looks right: is " + p.inst->name + " up and answering?";
    }
  }

  const Expected& e_;
  const Topology& topo_;
  const std::vector<ProbeResult>* probes_;
  std::vector<Host> hosts_;
  std::vector<TraceHop> hops_;
};

std::string describe(const Path& p) {
  std::string s = p.inst->name + " " + (p.inst->fixed_ip.empty() ? "?" : p.inst->fixed_ip) + " on " + p.inst->network;
  if (!p.compute_name.empty()) s += " at " + p.compute_name;
  if (p.router) s += "; router " + p.router->name + (p.l3 ? " on " + p.l3->name : "");
  if (!p.inst->floating_ip.empty()) s += "; floating IP " + p.inst->floating_ip;
  return s;
}

std::string target_text(const TraceTarget& t) {
  return (t.kind == TraceTarget::floating_ip ? "floating-ip " : "instance ") + t.value;
}

}  // namespace

std::string_view state_name(TraceHop::State s) {
  switch (s) {
    case TraceHop::ok: return "ok";
    case TraceHop::broken: return "broken";
    case TraceHop::unknown: break;
  }
  return "unknown";
}

bool Trace::ok() const {
  return std::all_of(hops.begin(), hops.end(), [](const TraceHop& h) { return h.state == TraceHop::ok; });
}

Result<const Topology::Instance*> resolve_trace_target(const Expected& e, const TraceTarget& t) {
  if (!e.have_topology) return fail(Error::input("trace: no topology to trace " + target_text(t) + " in"));
  const auto& topo = e.topology;
  if (t.kind == TraceTarget::instance) {
    if (const auto* i = topo.instance(t.value)) return i;
    std::vector<std::string> names;
    for (const auto& i : topo.instances) names.push_back(i.name);
    return fail(Error::input("trace: no instance '" + t.value + "'; " +
                             (names.empty() ? std::string("the cloud has none") : "instances: " + join(names))));
  }
  for (const auto& i : topo.instances)
    if (i.floating_ip == t.value) return &i;
  for (const auto& p : topo.ports)
    if (p.device_owner == "network:floatingip")
      for (const auto& f : p.fixed_ips)
        if (f.ip_address == t.value)
          return fail(Error::input("trace: floating IP " + t.value + " is not associated with any instance"));
  std::vector<std::string> fips;
  for (const auto& i : topo.instances)
    if (!i.floating_ip.empty()) fips.push_back(i.floating_ip + " (" + i.name + ")");
  return fail(Error::input("trace: no floating IP " + t.value + "; " +
                           (fips.empty() ? std::string("no instance has one") : "floating IPs: " + join(fips))));
}

std::vector<ProbeRequest> plan_trace_probes(const Expected& e, const std::vector<HostObservation>& hosts, const TraceTarget& t) {
  auto inst = resolve_trace_target(e, t);
  if (!inst) return {};
  Walker w(e, hosts, nullptr);
  return w.plan(w.resolve(**inst, t.kind));
}

Result<Trace> trace_path(const Expected& e, const std::vector<HostObservation>& hosts, const TraceTarget& t,
                         const std::vector<ProbeResult>* probes) {
  const auto* inst = SW_TRY(resolve_trace_target(e, t));
  Walker w(e, hosts, probes);
  const Path p = w.resolve(*inst, t.kind);
  Trace out;
  out.target = target_text(t);
  out.summary = describe(p);
  out.hops = w.walk(p);
  return out;
}

std::string report_trace_text(const Trace& t, bool colour) {
  const auto paint = [&](TraceHop::State s) -> std::string {
    const char* word = s == TraceHop::ok ? "ok" : s == TraceHop::broken ? "BROKEN" : "unknown";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%-7s", word);
    if (!colour) return buf;
    const char* c = s == TraceHop::ok ? "\033[32m" : s == TraceHop::broken ? "\033[1;31m" : "\033[33m";
    return std::string(c) + buf + "\033[0m";
  };
  // Columns by characters, not bytes: hops say "→".
  const auto width = [](std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
  };
  std::size_t wh = 0, ww = 0;
  for (const auto& h : t.hops) {
    wh = std::max(wh, width(h.host));
    ww = std::max(ww, width(h.what));
  }
  const auto pad = [&](std::string s, std::size_t w) {
    if (const auto n = width(s); n < w) s.append(w - n, ' ');
    return s;
  };
  std::string out = "stackwire trace " + t.target + ": " + t.summary + "\n\n";
  const std::string num_w = std::to_string(t.hops.size());
  int broken = 0, unknown = 0;
  std::size_t first = 0;
  for (std::size_t k = 0; k < t.hops.size(); ++k) {
    const auto& h = t.hops[k];
    std::string n = std::to_string(k + 1);
    n.insert(0, num_w.size() - n.size(), ' ');
    out += " " + n + "  " + paint(h.state) + "  " + pad(h.host, wh) + "  " + pad(h.what, ww) + "  " + h.object;
    if (!h.detail.empty()) out += ": " + h.detail;
    out += "\n";
    if (h.state == TraceHop::broken) {
      if (!broken++) first = k + 1;
      if (!h.fix.empty()) out += std::string(num_w.size() + 3, ' ') + "fix: " + h.fix + "\n";
    }
    if (h.state == TraceHop::unknown) ++unknown;
  }
  out += "\n";
  const std::string counts = std::to_string(t.hops.size()) + " hops: " + std::to_string(t.hops.size() - broken - unknown) + " ok, " +
                             std::to_string(broken) + " broken, " + std::to_string(unknown) + " unknown";
  if (broken) {
    const auto& h = t.hops[first - 1];
    out += "BROKEN at hop " + std::to_string(first) + " (" + h.what + " on " + h.host + "); " + counts + "\n";
  } else if (unknown) {
    out += "INCOMPLETE: " + counts + "\n";
  } else {
    out += "OK: " + counts + "\n";
  }
  return out;
}

void to_json(nlohmann::json& j, const TraceHop& h) {
  j = nlohmann::json{{"host", h.host},   {"what", h.what},     {"object", h.object},
                     {"state", state_name(h.state)}, {"detail", h.detail}, {"fix", h.fix}};
}

void to_json(nlohmann::json& j, const Trace& t) {
  j = nlohmann::json{{"target", t.target}, {"summary", t.summary}, {"hops", t.hops}, {"ok", t.ok()}};
}

}  // namespace sw::checks
