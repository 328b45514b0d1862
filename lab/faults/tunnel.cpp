// The tenant tunnel on the network host: the GRE port on br-tun to the instance's compute host
// (deleted, or pointing at the wrong remote_ip), the tunnel NIC's MTU, and br-tun's flow that takes
// the tenant network's tunnel id in (TUN_TO_LV: table 3 for GRE since Juno, 2 in Havana).
#include <cstdio>
#include <cstdlib>

#include "common/strings.h"
#include "lab/faults/fault.h"

namespace sw::lab::faults {
namespace {

constexpr const char* kTunnelBridge = "br-tun";

struct TunnelPort {
  std::string name, bridge, type, ofport;
  std::map<std::string, std::string> options;
};

Result<std::string> remote_of_instance_host(FaultContext& ctx) {
  const auto& f = ctx.facts();
  const auto it = f.tunnel_ips.find(f.instance_host);
  if (it == f.tunnel_ips.end())
    return fail(Error::failed("the instance's host '" + f.instance_host + "' has no tunnel address in lab '" +
                              ctx.layout().prefix + "'"));
  return it->second;
}

Result<TunnelPort> tunnel_port_to(FaultContext& ctx, const std::string& remote) {
  const auto& host = ctx.network_host();
  const auto rows = SW_TRY(parse_ovs_json(SW_TRY(ctx.run_ok(
      host, {"ovs-vsctl", "--timeout=10", "--format=json", "--columns=name,type,options,ofport", "list", "Interface"}))));
  for (const auto& r : rows) {
    const auto type = r.scalar("type");
    if ((type != "gre" && type != "vxlan" && type != "geneve") || r.map_value("options", "remote_ip") != remote) continue;
    TunnelPort p;
    p.name = r.scalar("name");
    p.type = type;
    p.ofport = r.scalar("ofport");
    if (auto it = r.maps.find("options"); it != r.maps.end()) p.options = it->second;
    p.bridge = std::string(trim(SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "port-to-br", p.name}))));
    return p;
  }
  return fail(Error::failed(host + " has no tunnel port to " + ctx.facts().instance_host + " (remote_ip " + remote +
                            "): no cloud deployed on lab '" + ctx.layout().prefix + "', or it is already gone "
                            "(nothing to break)"));
}

// An address in the tunnel subnet that no lab host has: where a mistyped remote_ip points.
std::string unused_tunnel_address(const std::string& remote, const std::map<std::string, std::string>& used) {
  const auto dot = remote.rfind('.');
  if (dot == std::string::npos) return "192.0.2.1";
  for (int last = 254; last > 1; --last) {
    const auto cand = remote.substr(0, dot + 1) + std::to_string(last);
    bool taken = false;
    for (const auto& [h, ip] : used) taken = taken || ip == cand;
    if (!taken) return cand;
  }
  return "192.0.2.1";
}

std::optional<unsigned long long> tun_id_value(std::string_view s) {
  const std::string str(s.substr(0, s.find('/')));
  if (str.empty()) return std::nullopt;
  char* end = nullptr;
  const auto v = std::strtoull(str.c_str(), &end, 0);
  if (end == str.c_str() || *end) return std::nullopt;
  return v;
}

}  // namespace

Fault gre_port_deleted_fault() {
  Fault f;
  f.name = "gre-port-missing";
  f.breaks = "br-tun's GRE port to the instance's compute host is deleted on the network host: the tenant network "
             "between them is cut (the floating IP stops answering)";
  f.heal = "re-adds the port with its saved options and OpenFlow port number";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto remote = SW_TRY(remote_of_instance_host(ctx));
    const auto p = SW_TRY(tunnel_port_to(ctx, remote));
    Applied a;
    a.values = {{"port", p.name}, {"bridge", p.bridge}, {"type", p.type}, {"ofport", p.ofport}};
    for (const auto& [k, v] : p.options) a.values["option:" + k] = v;
    SW_TRY(ctx.run_ok(ctx.network_host(), {"ovs-vsctl", "--timeout=10", "del-port", p.bridge, p.name}));
    a.message = p.name + " (remote_ip " + remote + ", to " + ctx.facts().instance_host + ") deleted from " + p.bridge +
                " on " + ctx.network_host();
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto& host = ctx.network_host();
    const auto name = s.value("port"), br = s.value("bridge"), ofport = s.value("ofport");
    for (const auto& p : SW_TRY(ctx.lines_ok(host, {"ovs-vsctl", "--timeout=10", "list-ports", br})))
      if (p == name) return name + " is already on " + br;
    // The agent's flows name the tunnel by OpenFlow port number: ask for the old one back.
    std::vector<std::string> argv = {"ovs-vsctl", "--timeout=10", "--may-exist", "add-port", br, name,
                                     "--", "set", "Interface", name, "type=" + s.value("type")};
    if (!ofport.empty()) argv.push_back("ofport_request=" + ofport);
    for (const auto& [k, v] : s.values)
      if (starts_with(k, "option:")) argv.push_back("options:" + k.substr(7) + "=" + ovs_quote(v));
    SW_TRY(ctx.run_ok(host, argv));
    SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "clear", "Interface", name, "ofport_request"}));
    const auto now = std::string(trim(SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "get", "Interface", name, "ofport"}))));
    if (!ofport.empty() && now != ofport) {
      // Another port took the number: only the agent can rewrite its flows for the new one.
      SW_TRY_VOID(ctx.service(host, "restart", "neutron-openvswitch-agent"));
      return name + " is back on " + br + " as OpenFlow port " + now + " (was " + ofport +
             "); restarted neutron-openvswitch-agent to rewrite its flows";
    }
    return name + " is back on " + br + " (OpenFlow port " + now + ")";
  };
  return f;
}

Fault gre_wrong_remote_fault() {
  Fault f;
  f.name = "gre-remote-wrong";
  f.breaks = "the remote_ip of br-tun's GRE port to the instance's compute host points at an address no host has: "
             "tunnel packets go nowhere";
  f.heal = "sets the saved remote_ip back";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto remote = SW_TRY(remote_of_instance_host(ctx));
    const auto p = SW_TRY(tunnel_port_to(ctx, remote));
    const auto wrong = unused_tunnel_address(remote, ctx.facts().tunnel_ips);
    SW_TRY(ctx.run_ok(ctx.network_host(),
                      {"ovs-vsctl", "--timeout=10", "set", "Interface", p.name, "options:remote_ip=" + ovs_quote(wrong)}));
    Applied a;
    a.values = {{"port", p.name}, {"remote_ip", remote}, {"wrong_remote_ip", wrong}};
    a.message = p.name + " on " + ctx.network_host() + ": remote_ip " + remote + " → " + wrong + " (no host has it)";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto name = s.value("port"), remote = s.value("remote_ip");
    const auto now = SW_TRY(ctx.run_ok(ctx.network_host(), {"ovs-vsctl", "--timeout=10", "get", "Interface", name,
                                                              "options:remote_ip"}));
    if (trim(now) == ovs_quote(remote) || trim(now) == remote) return name + " already has remote_ip " + remote;
    SW_TRY(ctx.run_ok(ctx.network_host(),
                      {"ovs-vsctl", "--timeout=10", "set", "Interface", name, "options:remote_ip=" + ovs_quote(remote)}));
    return name + " has remote_ip " + remote + " again";
  };
  return f;
}

Fault tunnel_mtu_fault() {
  Fault f;
  f.name = "tunnel-mtu-small";
  f.breaks = "the tunnel NIC (eth2) of the network host gets MTU 1400: a full-size tenant packet (Neutron's network "
             "MTU, 1458 for GRE) needs 1500 on the wire; large packets vanish, small pings pass";
  f.heal = "sets the saved MTU back";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto& nic = ctx.facts().tunnel_if;
    const auto router = SW_TRY(ctx.find_router());
    int tenant_mtu = 0;
    for (const auto& l : router.links)
      if (starts_with(l.name, "qr-")) tenant_mtu = l.mtu;
    if (tenant_mtu == 0)
      return fail(Error::failed(host + ": " + router.netns + " has no qr- device: cannot tell the tenant MTU"));
    const auto links = parse_links(SW_TRY(ctx.run_ok(host, {"ip", "-o", "link", "show", "dev", nic})));
    if (links.empty()) return fail(Error::failed(host + " has no tunnel interface " + nic));
    const int old_mtu = links.front().mtu;
    // GRE with a key over IPv4 adds 42 bytes to the tenant packet (inner Ethernet 14, GRE 8, IP 20).
    const int need = tenant_mtu + 42;
    int small = 1400;
    if (small >= need) small = need - 100;
    if (old_mtu < need)
      return fail(Error::failed(nic + " on " + host + " has MTU " + std::to_string(old_mtu) + ", already below the " +
                                std::to_string(need) + " that " + std::to_string(tenant_mtu) +
                                "-byte tenant packets need (not by `lab fault`): nothing to break"));
    SW_TRY(ctx.run_ok(host, {"ip", "link", "set", "dev", nic, "mtu", std::to_string(small)}));
    Applied a;
    a.values = {{"interface", nic}, {"mtu", std::to_string(old_mtu)}, {"small_mtu", std::to_string(small)},
                {"tenant_mtu", std::to_string(tenant_mtu)}};
    a.message = nic + " on " + host + ": MTU " + std::to_string(old_mtu) + " → " + std::to_string(small) + "; tenant MTU " +
                std::to_string(tenant_mtu) + " needs " + std::to_string(need) + " (+42: GRE with key, outer IPv4, inner "
                "Ethernet): tenant packets over " + std::to_string(small - 42) + " bytes now vanish";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto nic = s.value("interface"), mtu = s.value("mtu");
    const auto links = parse_links(SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "-o", "link", "show", "dev", nic})));
    if (!links.empty() && std::to_string(links.front().mtu) == mtu) return nic + " already has MTU " + mtu;
    SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "link", "set", "dev", nic, "mtu", mtu}));
    return nic + " has MTU " + mtu + " again";
  };
  return f;
}

Fault tun_flow_deleted_fault() {
  Fault f;
  f.name = "tunnel-flow-missing";
  f.breaks = "br-tun's flow for the tenant network's tunnel id (TUN_TO_LV, table 3 tun_id=<segmentation id>) is "
             "deleted on the network host: tunnel packets for it are dropped on arrival";
  f.heal = "adds the saved flows back (same cookie, priority, match and actions)";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto router = SW_TRY(ctx.find_router());
    // The tenant network = the router's qr- device on the instance's subnet.
    std::vector<std::string> qr;
    for (const auto& l : router.links)
      if (starts_with(l.name, "qr-")) qr.push_back(l.name);
    std::string port;
    if (qr.size() == 1) {
      port = qr.front();
    } else {
      const auto fixed = SW_TRY(ctx.instance_fixed_ip(router));
      for (const auto& a : router.addrs)
        if (starts_with(a.dev, "qr-") && in_subnet(a.cidr, fixed)) port = a.dev;
    }
    if (port.empty()) return fail(Error::failed(host + ": " + router.netns + " has no qr- device for the instance's network"));
    const auto rows = SW_TRY(parse_ovs_json(SW_TRY(ctx.run_ok(
        host, {"ovs-vsctl", "--timeout=10", "--format=json", "--columns=name,other_config", "list", "Port", port}))));
    const auto seg_text = rows.empty() ? std::string() : rows.front().map_value("other_config", "segmentation_id");
    const auto seg = parse_uint(seg_text, 1, 0xffffffffULL);
    if (!seg)
      return fail(Error::failed(host + ": Port " + port + " has no other_config:segmentation_id (an agent older than "
                                "Kilo?): cannot tell the tunnel id"));
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", *seg);
    std::vector<FlowLine> doomed;
    for (auto& fl : parse_flow_dump(SW_TRY(ctx.run_ok(host, {"ovs-ofctl", "-O", "OpenFlow13", "dump-flows", kTunnelBridge}))))
      if (const auto t = fl.match_field("tun_id"); t && tun_id_value(*t) == *seg) doomed.push_back(fl);
    if (doomed.empty())
      return fail(Error::failed(host + ": " + kTunnelBridge + " has no flow matching tun_id=" + hex +
                                " (not by `lab fault`?): nothing to break"));
    Applied a;
    a.values = {{"bridge", kTunnelBridge}, {"tun_id", hex}};
    std::vector<int> tables;
    for (const auto& fl : doomed) {
      SavedItem item;
      item.text = fl.add_flow;
      a.items.push_back(std::move(item));
      if (std::find(tables.begin(), tables.end(), fl.table) == tables.end()) tables.push_back(fl.table);
    }
    std::string where;
    for (int t : tables) {
      SW_TRY(ctx.run_ok(host, {"ovs-ofctl", "-O", "OpenFlow13", "del-flows", kTunnelBridge,
                               "table=" + std::to_string(t) + ",tun_id=" + hex}));
      where += (where.empty() ? "" : ", ") + std::to_string(t);
    }
    a.message = "deleted from " + std::string(kTunnelBridge) + " on " + host + " (table " + where + ", tun_id=" + hex +
                " = segmentation id " + seg_text + "):";
    for (const auto& fl : doomed) a.message += "\n    " + fl.add_flow;
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto& host = ctx.network_host();
    const auto br = s.value("bridge");
    const auto now = parse_flow_dump(SW_TRY(ctx.run_ok(host, {"ovs-ofctl", "-O", "OpenFlow13", "dump-flows", br})));
    int added = 0;
    for (const auto& item : s.items) {
      const auto want = parse_flow_line(item.text);
      if (!want) return fail(Error::input("saved flow is not add-flow text: " + item.text));
      bool present = false;
      for (const auto& fl : now) present = present || (fl.table == want->table && fl.match == want->match);
      if (present) continue;
      SW_TRY(ctx.run_ok(host, {"ovs-ofctl", "-O", "OpenFlow13", "add-flow", br, item.text}));
      ++added;
    }
    if (added == 0) return "the flows for tun_id=" + s.value("tun_id") + " are already on " + br;
    return "added " + std::to_string(added) + " flow" + (added == 1 ? "" : "s") + " back to " + br + " (tun_id=" +
           s.value("tun_id") + ")";
  };
  return f;
}

}  // namespace sw::lab::faults
