// NAT rules: the fabric's MASQUERADE for the external subnet (network host, its own namespace) and a
// floating IP's DNAT and SNAT rules in its qrouter namespace (written by the L3 agent).
//
// iptables here is the machine's default, as for the agents (iptables-nft on Debian 12: rules live in
// nf_tables, where the agents wrote them). Rules are deleted by their exact spec and saved with their
// position, so heal re-inserts each one where it was.
#include <algorithm>
#include <functional>

#include "lab/faults/fault.h"

namespace sw::lab::faults {

Fault no_masquerade_fault() {
  Fault f;
  f.name = "masquerade-missing";
  f.breaks = "the fabric's MASQUERADE for the external subnet (nat POSTROUTING, network host) is deleted: traffic "
             "from 172.16.13.0/24 routed on through the host keeps a source nobody routes back to";
  f.heal = "re-inserts the saved rule at its position";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto& cidr = ctx.facts().external_cidr;
    std::vector<IptRule> doomed;
    for (const auto& r : SW_TRY(list_rules(ctx, host, "", "nat")))
      if (r.chain == "POSTROUTING" && r.option("-j") == "MASQUERADE" && r.option("-s") == cidr) doomed.push_back(r);
    if (doomed.empty())
      return fail(Error::failed(host + " has no MASQUERADE rule for " + cidr +
                                " in nat POSTROUTING: is a cloud deployed on lab '" + ctx.layout().prefix +
                                "'? (nothing to break)"));
    Applied a;
    a.items = SW_TRY(delete_rules(ctx, host, "", "nat", doomed));
    a.message = "deleted on " + host + ": " + doomed.front().text;
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    return restore_rules(ctx, ctx.network_host(), "", "nat", s.items);
  };
  return f;
}

namespace {

// The floating IP's rules in its router's nat table that match pick.
Result<Applied> delete_fip_rules(FaultContext& ctx, std::string_view what,
                                 const std::function<bool(const IptRule&, const std::string& fip)>& pick) {
  const auto& host = ctx.network_host();
  const auto& fip = ctx.facts().floating_ip;
  if (fip.empty()) return fail(Error::failed("the lab's topology has no floating IP: nothing to break"));
  const auto router = SW_TRY(ctx.find_router());
  std::vector<IptRule> doomed;
  for (const auto& r : SW_TRY(list_rules(ctx, host, router.netns, "nat")))
    if (pick(r, fip)) doomed.push_back(r);
  if (doomed.empty())
    return fail(Error::failed(host + ": " + router.netns + " has no " + std::string(what) + " rule for " + fip +
                              " (not by `lab fault`?): nothing to break"));
  Applied a;
  a.values["netns"] = router.netns;
  a.items = SW_TRY(delete_rules(ctx, host, router.netns, "nat", doomed));
  a.message = "deleted in " + router.netns + " on " + host + ":";
  for (const auto& r : doomed) a.message += "\n    " + r.text;
  return a;
}

Result<std::string> restore_fip_rules(FaultContext& ctx, const ActiveFault& s) {
  const auto netns = s.value("netns");
  const auto names = SW_TRY(ctx.netns_list(ctx.network_host()));
  if (std::find(names.begin(), names.end(), netns) == names.end())
    return fail(Error::failed(ctx.network_host() + ": " + netns +
                              " is gone, so its rules cannot go back (heal the fault that removed it first)"));
  return restore_rules(ctx, ctx.network_host(), netns, "nat", s.items);
}

}  // namespace

Fault fip_dnat_missing_fault() {
  Fault f;
  f.name = "fip-dnat-missing";
  f.breaks = "the floating IP's DNAT rules (neutron-l3-agent-PREROUTING and -OUTPUT) are deleted in its qrouter "
             "namespace: inbound traffic to 172.16.13.3 no longer reaches the instance (the router answers "
             "pings itself)";
  f.heal = "re-inserts the saved rules at their positions";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    return delete_fip_rules(ctx, "DNAT", [](const IptRule& r, const std::string& fip) {
      return (r.chain == "neutron-l3-agent-PREROUTING" || r.chain == "neutron-l3-agent-OUTPUT") &&
             r.option("-j") == "DNAT" && r.option("-d") == fip + "/32";
    });
  };
  f.undo = restore_fip_rules;
  return f;
}

Fault fip_snat_missing_fault() {
  Fault f;
  f.name = "fip-snat-missing";
  f.breaks = "the floating IP's SNAT rule (neutron-l3-agent-float-snat) is deleted: the instance's own outbound "
             "traffic leaves with the router's gateway address instead of 172.16.13.3";
  f.heal = "re-inserts the saved rule at its position";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    return delete_fip_rules(ctx, "float-snat", [](const IptRule& r, const std::string& fip) {
      return r.chain == "neutron-l3-agent-float-snat" && r.option("-j") == "SNAT" && r.option("--to-source") == fip;
    });
  };
  f.undo = restore_fip_rules;
  return f;
}

}  // namespace sw::lab::faults
