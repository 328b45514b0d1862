// br-ex on the network host: down, or without the external gateway address (172.16.13.1/24) that the
// fabric puts on it and the routers use as their default gateway.
#include "common/strings.h"
#include "lab/faults/fault.h"

namespace sw::lab::faults {
namespace {

Result<LinkInfo> bridge_link(FaultContext& ctx) {
  const auto& br = ctx.facts().external_bridge;
  auto r = SW_TRY(ctx.run(ctx.network_host(), {"ip", "-o", "link", "show", "dev", br}));
  const auto links = parse_links(r.out);
  if (r.status != 0 || links.empty())
    return fail(Error::failed(ctx.network_host() + " has no " + br + ": no cloud is deployed on lab '" +
                              ctx.layout().prefix + "' (nothing to break)"));
  return links.front();
}

// Routes through the bridge that the kernel does not re-create by itself (not "proto kernel"): they
// vanish with the link or the address and heal puts them back.
Result<std::string> extra_routes(FaultContext& ctx) {
  const auto out = SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "-4", "route", "show", "dev", ctx.facts().external_bridge}));
  std::string keep;
  for (auto l : split(out, '\n')) {
    l = trim(l);
    if (l.empty() || l.find("proto kernel") != std::string_view::npos) continue;
    keep += std::string(l) + "\n";
  }
  return keep;
}

Result<int> restore_routes(FaultContext& ctx, const std::string& routes) {
  int n = 0;
  for (auto l : split(routes, '\n')) {
    l = trim(l);
    if (l.empty()) continue;
    std::vector<std::string> argv = {"ip", "route", "replace"};
    for (const auto& w : split_rule_words(l)) argv.push_back(w);
    argv.push_back("dev");
    argv.push_back(ctx.facts().external_bridge);
    SW_TRY(ctx.run_ok(ctx.network_host(), argv));
    ++n;
  }
  return n;
}

std::string routes_note(int n) { return n ? " and " + std::to_string(n) + " route(s) through it" : ""; }

}  // namespace

Fault br_ex_down_fault() {
  Fault f;
  f.name = "br-ex-down";
  f.breaks = "br-ex is set down: the network host loses the external gateway 172.16.13.1 that routers use "
             "(and its MASQUERADE path); forwarding through the OVS bridge itself goes on";
  f.heal = "ip link set br-ex up (and re-adds routes through it)";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto link = SW_TRY(bridge_link(ctx));
    const auto& br = ctx.facts().external_bridge;
    if (!link.up)
      return fail(Error::failed(br + " on " + ctx.network_host() +
                                " is already down (not by `lab fault`): nothing to break"));
    Applied a;
    a.values["bridge"] = br;
    a.values["routes"] = SW_TRY(extra_routes(ctx));
    SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "link", "set", "dev", br, "down"}));
    a.message = br + " is down on " + ctx.network_host() + " (ip link set " + br +
                " down): the routers' default gateway " + ctx.facts().external_gateway + " stops answering";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto link = SW_TRY(bridge_link(ctx));
    const auto br = s.value("bridge");
    std::string msg;
    if (link.up) {
      msg = br + " is already up";
    } else {
      SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "link", "set", "dev", br, "up"}));
      msg = br + " is up again";
    }
    return msg + routes_note(SW_TRY(restore_routes(ctx, s.value("routes"))));
  };
  return f;
}

Fault br_ex_no_ip_fault() {
  Fault f;
  f.name = "br-ex-no-address";
  f.breaks = "the external gateway address 172.16.13.1/24 is removed from br-ex: routers lose their default "
             "gateway, instances reach nothing beyond the external subnet";
  f.heal = "ip addr replace 172.16.13.1/24 dev br-ex (and re-adds routes through it)";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    SW_TRY(bridge_link(ctx));
    const auto& br = ctx.facts().external_bridge;
    const auto cidr = with_prefix_of(ctx.facts().external_gateway, ctx.facts().external_cidr);
    if (cidr.empty())
      return fail(Error::failed("the lab's topology names no external gateway address: nothing to remove"));
    const auto addrs = parse_ipv4_addrs(SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "-o", "-4", "addr", "show", "dev", br})));
    bool held = false;
    for (const auto& a : addrs) held = held || a.cidr == cidr;
    if (!held)
      return fail(Error::failed(br + " on " + ctx.network_host() + " does not hold " + cidr +
                                " (not by `lab fault`): nothing to break"));
    Applied a;
    a.values["bridge"] = br;
    a.values["address"] = cidr;
    a.values["routes"] = SW_TRY(extra_routes(ctx));
    SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "addr", "del", cidr, "dev", br}));
    a.message = cidr + " removed from " + br + " on " + ctx.network_host() + " (ip addr del " + cidr + " dev " + br + ")";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto br = s.value("bridge"), cidr = s.value("address");
    const auto addrs = parse_ipv4_addrs(SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "-o", "-4", "addr", "show", "dev", br})));
    bool held = false;
    for (const auto& a : addrs) held = held || a.cidr == cidr;
    std::string msg;
    if (held) {
      msg = br + " already holds " + cidr;
    } else {
      SW_TRY(ctx.run_ok(ctx.network_host(), {"ip", "addr", "replace", cidr, "dev", br}));
      msg = br + " holds " + cidr + " again";
    }
    return msg + routes_note(SW_TRY(restore_routes(ctx, s.value("routes"))));
  };
  return f;
}

}  // namespace sw::lab::faults
