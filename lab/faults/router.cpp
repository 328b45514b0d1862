// The floating IP's router on the network host: its qrouter namespace deleted, its qg- gateway port
// unplugged from OVS, or IPv4 forwarding off inside it.
//
// Measured on the lab (Zed agents, 100 s after each fault): the L3 agent repairs neither a deleted
// namespace (it only fails to respawn haproxy there) nor a deleted qg- port, so no agent is stopped;
// a restart of the L3 agent rebuilds both (≈ 30 s), which is what heal does.
#include "common/strings.h"
#include "lab/faults/fault.h"

namespace sw::lab::faults {

Fault qrouter_deleted_fault() {
  Fault f;
  f.name = "qrouter-missing";
  f.breaks = "the floating IP's qrouter namespace is deleted (the processes in it killed first, as "
             "neutron-netns-cleanup does): router, NAT and floating IP are gone";
  f.heal = "restarts neutron-l3-agent, which rebuilds the router (~30 s)";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto router = SW_TRY(ctx.find_router());
    // A process inside (the metadata haproxy) would keep the namespace and its devices alive after
    // `ip netns delete`: the router would go on working, unnamed. Stop them first.
    const auto pids = SW_TRY(ctx.lines_ok(host, {"ip", "netns", "pids", router.netns}));
    SW_TRY_VOID(ctx.kill_pids(host, pids));
    SW_TRY(ctx.run_ok(host, {"ip", "netns", "delete", router.netns}));
    Applied a;
    a.values = {{"netns", router.netns}};
    a.message = router.netns + " deleted on " + host + " (" + std::to_string(pids.size()) +
                " process(es) in it stopped first)";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    return heal_by_l3_restart(ctx, s.value("netns"), s.value("netns"));
  };
  return f;
}

Fault qg_unplugged_fault() {
  Fault f;
  f.name = "qg-unplugged";
  f.breaks = "the router's qg- gateway port is deleted from br-int (ovs-vsctl del-port): an OVS internal port, so "
             "its device vanishes from the qrouter namespace with the gateway address, the floating IPs and the "
             "default route";
  f.heal = "restarts neutron-l3-agent, which plugs the port again (~30 s)";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto router = SW_TRY(ctx.find_router());
    if (router.qg.empty())
      return fail(Error::failed(host + ": " + router.netns + " has no qg- device (not by `lab fault`?): nothing to break"));
    const auto bridge = std::string(trim(SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "port-to-br", router.qg}))));
    SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "del-port", bridge, router.qg}));
    Applied a;
    a.values = {{"netns", router.netns}, {"port", router.qg}, {"bridge", bridge}};
    a.message = router.qg + " deleted from " + bridge + " on " + host + ": gone from " + router.netns;
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    return heal_by_l3_restart(ctx, s.value("port"), s.value("netns"));
  };
  return f;
}

Fault router_no_forward_fault() {
  Fault f;
  f.name = "router-forwarding-off";
  f.breaks = "net.ipv4.ip_forward=0 in the floating IP's qrouter namespace: the router stops routing between "
             "the tenant network and the external one";
  f.heal = "sets the saved ip_forward value back";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto router = SW_TRY(ctx.find_router());
    const auto old = std::string(trim(SW_TRY(ctx.in_netns(host, router.netns, {"sysctl", "-n", "net.ipv4.ip_forward"}))));
    if (old == "0")
      return fail(Error::failed(host + ": " + router.netns +
                                " already has ip_forward=0 (not by `lab fault`): nothing to break"));
    SW_TRY(ctx.in_netns(host, router.netns, {"sysctl", "-q", "-w", "net.ipv4.ip_forward=0"}));
    Applied a;
    a.values = {{"netns", router.netns}, {"ip_forward", old}};
    a.message = "net.ipv4.ip_forward " + old + " → 0 in " + router.netns + " on " + host;
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto& host = ctx.network_host();
    const auto netns = s.value("netns"), old = s.value("ip_forward");
    const auto names = SW_TRY(ctx.netns_list(host));
    if (std::find(names.begin(), names.end(), netns) == names.end())
      return netns + " is gone; a new one gets ip_forward from the L3 agent";
    const auto now = std::string(trim(SW_TRY(ctx.in_netns(host, netns, {"sysctl", "-n", "net.ipv4.ip_forward"}))));
    if (now == old) return netns + " already has ip_forward=" + old;
    SW_TRY(ctx.in_netns(host, netns, {"sysctl", "-q", "-w", "net.ipv4.ip_forward=" + old}));
    return "ip_forward=" + old + " again in " + netns;
  };
  return f;
}

}  // namespace sw::lab::faults
