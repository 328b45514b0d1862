#include "netprobe/json_text.h"

#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "netprobe/rt_names.h"

namespace sw::netprobe {
namespace {

// Every object below lists its keys in nlohmann's order (std::map: sorted bytewise), so the text
// is the one dump() gives.

template <class N>
void num(std::string& out, N n) {
  out += std::to_string(n);
}

void boolean(std::string& out, bool b) { out += b ? "true" : "false"; }

template <class N>
void opt(std::string& out, const std::optional<N>& v) {
  if (v) num(out, *v);
  else out += "null";
}

void ip(std::string& out, const IpAddress& a) {
  if (a.valid()) append_json_string(out, a.to_string());
  else out += "null";
}

void strings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, v[i]);
  }
  out += ']';
}

// `"key":` — keys are ours, plain ASCII.
void key(std::string& out, std::string_view k, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += k;
  out += "\":";
}

template <class T, class F>
void array(std::string& out, const std::vector<T>& v, F&& each) {
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    each(out, v[i]);
  }
  out += ']';
}

void tunnel(std::string& out, const TunnelInfo& t) {
  key(out, "id", true), opt(out, t.id);
  key(out, "ikey"), opt(out, t.ikey);
  key(out, "local"), ip(out, t.local);
  key(out, "okey"), opt(out, t.okey);
  key(out, "port"), opt(out, t.port);
  key(out, "remote"), ip(out, t.remote);
  key(out, "ttl"), opt(out, t.ttl);
  key(out, "underlay"), opt(out, t.underlay);
}

void link(std::string& out, const Link& l) {
  out += '{';
  key(out, "alias", true), append_json_string(out, l.alias);
  key(out, "broadcast"), append_json_string(out, l.broadcast);
  key(out, "flags"), strings(out, link_flag_names(l.flags));
  key(out, "ifindex"), num(out, l.ifindex);
  key(out, "kind"), append_json_string(out, l.kind);
  key(out, "link"), opt(out, l.link);
  key(out, "link_name"), append_json_string(out, l.link_name);
  key(out, "link_netnsid"), opt(out, l.link_netnsid);
  key(out, "link_type"), append_json_string(out, link_type_name(l.link_type));
  key(out, "mac"), append_json_string(out, l.mac);
  key(out, "master"), opt(out, l.master);
  key(out, "master_name"), append_json_string(out, l.master_name);
  key(out, "mtu"), num(out, l.mtu);
  key(out, "name"), append_json_string(out, l.name);
  key(out, "operstate"), append_json_string(out, operstate_name(l.operstate));
  key(out, "slave_kind"), append_json_string(out, l.slave_kind);
  key(out, "tun_type"), append_json_string(out, l.tun_type);
  key(out, "tunnel");
  if (l.tunnel) {
    out += '{';
    tunnel(out, *l.tunnel);
    out += '}';
  } else {
    out += "null";
  }
  key(out, "txqlen"), opt(out, l.txqlen);
  out += '}';
}

void address(std::string& out, const Address& a) {
  out += '{';
  key(out, "broadcast", true), ip(out, a.broadcast);
  key(out, "family"), out += a.family() == AF_INET6 ? "\"inet6\"" : "\"inet\"";
  key(out, "flags"), strings(out, addr_flag_names(a.flags));
  key(out, "ifindex"), num(out, a.ifindex);
  key(out, "ifname"), append_json_string(out, a.ifname);
  key(out, "label"), append_json_string(out, a.label);
  key(out, "local"), ip(out, a.local);
  key(out, "peer"), ip(out, a.peer);
  key(out, "preferred_lft"), opt(out, a.preferred_lft);
  key(out, "prefixlen"), num(out, a.prefixlen);
  key(out, "scope"), append_json_string(out, route_scope_name(a.scope));
  key(out, "valid_lft"), opt(out, a.valid_lft);
  out += '}';
}

void nexthop(std::string& out, const Nexthop& n) {
  out += '{';
  key(out, "flags", true), strings(out, route_flag_names(n.flags));
  key(out, "gateway"), ip(out, n.gateway);
  key(out, "oif"), num(out, n.oif);
  key(out, "oif_name"), append_json_string(out, n.oif_name);
  key(out, "weight"), num(out, n.weight);
  out += '}';
}

void route(std::string& out, const Route& r) {
  out += '{';
  key(out, "dst", true), ip(out, r.dst);
  key(out, "dst_len"), num(out, r.dst_len);
  key(out, "family"), out += r.family == AF_INET6 ? "\"inet6\"" : "\"inet\"";
  key(out, "flags"), strings(out, route_flag_names(r.flags));
  key(out, "gateway"), ip(out, r.gateway);
  key(out, "metric"), opt(out, r.metric);
  key(out, "mtu"), opt(out, r.mtu);
  key(out, "nexthops"), array(out, r.nexthops, nexthop);
  key(out, "oif"), opt(out, r.oif);
  key(out, "oif_name"), append_json_string(out, r.oif_name);
  key(out, "pref");
  if (r.pref) append_json_string(out, route_pref_name(*r.pref));
  else out += "null";
  key(out, "prefsrc"), ip(out, r.prefsrc);
  key(out, "protocol"), append_json_string(out, route_protocol_name(r.protocol));
  key(out, "scope"), append_json_string(out, route_scope_name(r.scope));
  key(out, "src"), ip(out, r.src);
  key(out, "src_len"), num(out, r.src_len);
  key(out, "table"), num(out, r.table);
  key(out, "type"), append_json_string(out, route_type_name(r.type));
  out += '}';
}

void neighbour(std::string& out, const Neighbour& n) {
  out += '{';
  key(out, "dst", true), ip(out, n.dst);
  key(out, "flags"), strings(out, neigh_flag_names(n.flags));
  key(out, "ifindex"), num(out, n.ifindex);
  key(out, "ifname"), append_json_string(out, n.ifname);
  key(out, "lladdr"), append_json_string(out, n.lladdr);
  key(out, "state"), strings(out, neigh_state_names(n.state));
  out += '}';
}

void sysctls(std::string& out, const Sysctls& s) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : s.values) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    num(out, value);
  }
  out += '}';
}

// ---- NAT ----------------------------------------------------------------------------------------

void addr_match(std::string& out, const NatAddrMatch& a) {
  out += '{';
  key(out, "addr", true), append_json_string(out, a.addr);
  if (!a.mask.empty()) key(out, "mask"), append_json_string(out, a.mask);
  key(out, "negated"), boolean(out, a.negated);
  key(out, "prefix"), num(out, a.prefix);
  out += '}';
}

void iface_match(std::string& out, const NatIfaceMatch& i) {
  out += '{';
  key(out, "name", true), append_json_string(out, i.name);
  key(out, "negated"), boolean(out, i.negated);
  key(out, "wildcard"), boolean(out, i.wildcard);
  out += '}';
}

void port_match(std::string& out, const NatPortMatch& p) {
  out += '{';
  key(out, "max", true), num(out, p.max);
  key(out, "min"), num(out, p.min);
  key(out, "negated"), boolean(out, p.negated);
  out += '}';
}

void target(std::string& out, const NatTarget& t) {
  out += '{';
  if (!t.chain.empty()) key(out, "chain", true), append_json_string(out, t.chain);
  key(out, "kind", t.chain.empty()), append_json_string(out, to_string(t.kind));
  if (!t.name.empty()) key(out, "name"), append_json_string(out, t.name);
  if (t.persistent) key(out, "persistent"), out += "true";
  if (t.random) key(out, "random"), out += "true";
  if (t.random_fully) key(out, "random_fully"), out += "true";
  if (!t.text.empty()) key(out, "text"), append_json_string(out, t.text);
  if (!t.to_destination.empty()) key(out, "to_destination"), append_json_string(out, t.to_destination);
  if (!t.to_ports.empty()) key(out, "to_ports"), append_json_string(out, t.to_ports);
  if (!t.to_source.empty()) key(out, "to_source"), append_json_string(out, t.to_source);
  out += '}';
}

void rule(std::string& out, const NatRule& r) {
  out += '{';
  key(out, "bytes", true), num(out, r.bytes);
  key(out, "chain"), append_json_string(out, r.chain);
  if (r.comment) key(out, "comment"), append_json_string(out, *r.comment);
  if (r.ctstate) {
    key(out, "ctstate"), out += '{';
    key(out, "negated", true), boolean(out, r.ctstate->negated);
    key(out, "states"), strings(out, r.ctstate->states);
    out += '}';
  }
  if (r.dport) key(out, "dport"), port_match(out, *r.dport);
  if (r.dst) key(out, "dst"), addr_match(out, *r.dst);
  key(out, "family"), append_json_string(out, r.family);
  if (r.handle) key(out, "handle"), num(out, r.handle);
  if (r.in_iface) key(out, "in_iface"), iface_match(out, *r.in_iface);
  if (r.mark) {
    key(out, "mark"), out += '{';
    key(out, "mask", true), num(out, r.mark->mask);
    key(out, "negated"), boolean(out, r.mark->negated);
    key(out, "value"), num(out, r.mark->value);
    out += '}';
  }
  key(out, "modules"), strings(out, r.modules);
  if (!r.other_matches.empty()) {
    key(out, "other_matches");
    array(out, r.other_matches, [](std::string& o, const NatOtherMatch& m) {
      o += '{';
      key(o, "name", true), append_json_string(o, m.name);
      key(o, "text"), append_json_string(o, m.text);
      o += '}';
    });
  }
  if (r.out_iface) key(out, "out_iface"), iface_match(out, *r.out_iface);
  key(out, "packets"), num(out, r.packets);
  if (r.protocol) {
    key(out, "protocol"), out += '{';
    key(out, "name", true), append_json_string(out, protocol_name(r.protocol->number));
    key(out, "negated"), boolean(out, r.protocol->negated);
    key(out, "number"), num(out, r.protocol->number);
    out += '}';
  }
  if (r.sport) key(out, "sport"), port_match(out, *r.sport);
  if (r.src) key(out, "src"), addr_match(out, *r.src);
  key(out, "table"), append_json_string(out, r.table);
  key(out, "target"), target(out, r.target);
  if (r.tcp_flags) {
    key(out, "tcp_flags"), out += '{';
    key(out, "cmp", true), num(out, r.tcp_flags->cmp);
    key(out, "mask"), num(out, r.tcp_flags->mask);
    key(out, "negated"), boolean(out, r.tcp_flags->negated);
    out += '}';
  }
  if (!r.unparsed.empty()) key(out, "unparsed"), append_json_string(out, r.unparsed);
  out += '}';
}

void chain(std::string& out, const NatChain& c) {
  out += '{';
  key(out, "builtin", true), boolean(out, c.builtin);
  if (c.builtin) key(out, "bytes"), num(out, c.bytes);
  if (c.builtin) key(out, "hook"), append_json_string(out, c.hook);
  key(out, "name"), append_json_string(out, c.name);
  if (c.builtin) {
    key(out, "packets"), num(out, c.packets);
    key(out, "policy"), append_json_string(out, c.policy);
    key(out, "priority"), num(out, c.priority);
  }
  key(out, "rules"), array(out, c.rules, rule);
  if (c.builtin) key(out, "type"), append_json_string(out, c.type);
  out += '}';
}

void table(std::string& out, const NatTable& t) {
  out += '{';
  key(out, "backend", true), append_json_string(out, to_string(t.backend));
  key(out, "chains"), array(out, t.chains, chain);
  key(out, "family"), append_json_string(out, t.family);
  key(out, "name"), append_json_string(out, t.name);
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      // Escapes and UTF-8 (valid or not) as nlohmann has them.
      out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void append_json(std::string& out, const NetnsSnapshot& s) {
  out += '{';
  key(out, "addresses", true), array(out, s.addresses, address);
  key(out, "inode"), num(out, s.inode);
  key(out, "links"), array(out, s.links, link);
  key(out, "name"), append_json_string(out, s.name);
  key(out, "neighbours"), array(out, s.neighbours, neighbour);
  key(out, "routes"), array(out, s.routes, route);
  key(out, "sysctls"), sysctls(out, s.sysctls);
  out += '}';
}

void append_json(std::string& out, const NatView& v) {
  out += "{\"tables\":";
  array(out, v.tables, table);
  out += '}';
}

}  // namespace sw::netprobe
