#include "checks/inspect_util.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "ovs/flow_query.h"

namespace sw::checks::inspect {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string shq(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./:=,@+%").find(c) != std::string_view::npos))
      plain = false;
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string prefix_of(std::string_view cidr) {
  const auto slash = cidr.find('/');
  return slash == std::string_view::npos ? "" : std::string(cidr.substr(slash + 1));
}
std::string addr_of(std::string_view cidr) { return std::string(cidr.substr(0, cidr.find('/'))); }

std::string device_of(const installer::Topology::Port& p) {
  const std::string id = p.id.substr(0, kDevNameIdLen);
  if (p.device_owner == "network:router_interface" || p.device_owner == "network:router_interface_distributed" ||
      p.device_owner == "network:ha_router_replicated_interface")
    return "qr-" + id;
  if (p.device_owner == "network:router_gateway") return "qg-" + id;
  return "tap" + id;
}

const installer::Topology::FixedIp* first_v4(const installer::Topology::Port& p) {
  for (const auto& f : p.fixed_ips)
    if (f.ip_address.find(':') == std::string::npos) return &f;
  return nullptr;
}

std::string cidr_for(const installer::Topology& topology, const installer::Topology::FixedIp& f) {
  if (const auto* s = topology.subnet(f.subnet)) return f.ip_address + "/" + prefix_of(s->cidr);
  return f.ip_address + "/32";
}

std::vector<std::string> v4_addrs(const netprobe::NetnsSnapshot& ns, std::string_view ifname) {
  std::vector<std::string> out;
  for (const auto& a : ns.addresses)
    if (a.ifname == ifname && a.family() == AF_INET) out.push_back(a.local.to_string() + "/" + std::to_string(a.prefixlen));
  return out;
}

bool holds(const netprobe::NetnsSnapshot& ns, std::string_view ifname, std::string_view cidr) {
  const auto v = v4_addrs(ns, ifname);
  return std::find(v.begin(), v.end(), cidr) != v.end();
}

std::string link_state(const netprobe::Link* l) {
  if (!l) return "missing";
  std::string s = l->up() ? "up" : "down";
  if (l->up() && !l->lower_up()) s += " (no carrier)";
  return s;
}

std::string tunnel_endpoint(const Expected& e, const HostSnapshot& snap, std::string_view address, std::string* holder) {
  const auto& root = snap.root.net;
  const std::string& iface = e.tunnel_iface;
  if (iface.empty()) {
    for (const auto& a : root.addresses)
      if (a.local.to_string() == address) return a.local.to_string();
    return {};
  }
  auto v = v4_addrs(root, iface);
  if (!v.empty()) {
    if (holder) *holder = iface;
    return addr_of(v.front());
  }
  if (snap.ovs)
    for (const auto& b : snap.ovs->bridges)
      if (b.port(iface)) {
        auto bv = v4_addrs(root, b.name);
        if (!bv.empty()) {
          if (holder) *holder = b.name;
          return addr_of(bv.front());
        }
      }
  return {};
}

std::optional<int> network_local_vlan(std::uint64_t seg, const std::vector<std::string>& devices,
                                      const ovs::Bridge& brint, const ovs::FlowDump* tun_flows) {
  if (tun_flows)
    for (const auto& f : tun_flows->flows)
      if (const auto* m = f.match_field("tun_id"); m && m->mask.empty() && ovs::parse_ovs_number(m->value) == seg)
        if (auto v = ovs::vlan_set(f)) return *v;
  for (const auto& d : devices)
    if (const auto* p = brint.port(d)) {
      auto t = p->other_config.find("tag");
      if (t != p->other_config.end()) {
        try {
          return std::stoi(t->second);
        } catch (...) {
        }
      }
    }
  for (const auto& d : devices)
    if (const auto* p = brint.port(d); p && p->tag) return static_cast<int>(*p->tag);
  return std::nullopt;
}

std::vector<NatRuleRef> rules_in(const NamespaceView& ns, std::string_view chain) {
  std::vector<NatRuleRef> out;
  for (const auto& t : ns.nat.tables)
    for (const auto& c : t.chains)
      if (c.name == chain)
        for (const auto& r : c.rules) out.push_back({&t, &c, &r});
  return out;
}

bool is_fip_dnat(const netprobe::NatRule& x, std::string_view fip, std::string_view fixed) {
  return x.target.kind == netprobe::NatTargetKind::dnat && x.dst && x.dst->addr == fip && x.dst->prefix == 32 &&
         addr_of(x.target.to_destination.substr(0, x.target.to_destination.find(':'))) == fixed;
}

bool should_host_router(const installer::Topology::Router& r, const ExpectedHost& h, std::string_view host_name) {
  const bool listed = std::find(r.l3_agent_hosts.begin(), r.l3_agent_hosts.end(), host_name) != r.l3_agent_hosts.end();
  return listed || (r.l3_agent_hosts.empty() && h.network);
}

bool should_serve_dhcp(const installer::Topology::Network& n, const ExpectedHost& h, std::string_view host_name) {
  const bool listed =
      std::find(n.dhcp_agent_hosts.begin(), n.dhcp_agent_hosts.end(), host_name) != n.dhcp_agent_hosts.end();
  return listed || (n.dhcp_agent_hosts.empty() && h.network);
}

bool routes_network(const installer::Topology& topology, const installer::Topology::Router& r, std::string_view network) {
  for (const auto& sub : r.interfaces)
    if (const auto* n = topology.network_of_subnet(sub); n && n->name == network) return true;
  return false;
}

std::string on_host(const HostObservation& h, const std::string& cmd) {
  if (h.local) return cmd;
  return "ssh root@" + h.address + " " + shq(cmd);
}

std::string restart_on(const HostObservation& h, const std::string& service) {
  return on_host(h, h.systemd ? "systemctl restart " + service : "/var/lib/stackwire/bin/sw-service restart " + service);
}

}  // namespace sw::checks::inspect
