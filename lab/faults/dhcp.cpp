// dnsmasq, the DHCP server the DHCP agent runs in each qdhcp- namespace of the network host.
//
// Measured on the lab: killed, it is back 40 s later (the agent's process monitor respawns it), so
// this fault stops neutron-dhcp-agent first and heal starts it again, which spawns dnsmasq at once.
#include <algorithm>

#include "common/strings.h"
#include "lab/faults/fault.h"

namespace sw::lab::faults {
namespace {

// pids of dnsmasq processes in netns on host.
Result<std::vector<std::string>> dnsmasq_pids(FaultContext& ctx, const std::string& host, const std::string& netns) {
  std::string list;
  for (const auto& pid : SW_TRY(ctx.lines_ok(host, {"ip", "netns", "pids", netns})))
    list += (list.empty() ? "" : ",") + pid;
  std::vector<std::string> out;
  if (list.empty()) return out;
  const auto ps = SW_TRY(ctx.run(host, {"ps", "-o", "pid=,comm=", "-p", list}));
  for (auto l : split(ps.out, '\n')) {
    const auto w = split_rule_words(l);
    if (w.size() == 2 && w[1] == "dnsmasq") out.push_back(w[0]);
  }
  return out;
}

// The qdhcp namespace of the instance's network (the only one, or the one on the instance's subnet).
Result<std::string> find_dhcp_netns(FaultContext& ctx) {
  const auto& host = ctx.network_host();
  std::vector<std::string> dhcp;
  for (const auto& n : SW_TRY(ctx.netns_list(host)))
    if (starts_with(n, "qdhcp-")) dhcp.push_back(n);
  if (dhcp.empty())
    return fail(Error::failed(host + " has no qdhcp- namespace: no cloud is deployed on lab '" + ctx.layout().prefix +
                              "' (nothing to break)"));
  if (dhcp.size() == 1) return dhcp.front();
  auto router = ctx.find_router();
  if (router)
    if (auto fixed = ctx.instance_fixed_ip(*router))
      for (const auto& n : dhcp)
        for (const auto& a : parse_ipv4_addrs(SW_TRY(ctx.in_netns(host, n, {"ip", "-o", "-4", "addr", "show"}))))
          if (in_subnet(a.cidr, *fixed)) return n;
  return dhcp.front();
}

}  // namespace

Fault dnsmasq_dead_fault() {
  Fault f;
  f.name = "dnsmasq-dead";
  f.breaks = "dnsmasq is killed in the instance network's qdhcp namespace: instances get no DHCP lease (nor DNS "
             "from it)";
  f.stops_agent = "neutron-dhcp-agent";
  f.agent_why = "its process monitor respawned a killed dnsmasq within 40 s";
  f.heal = "starts neutron-dhcp-agent, which spawns dnsmasq again";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto netns = SW_TRY(find_dhcp_netns(ctx));
    const auto pids = SW_TRY(dnsmasq_pids(ctx, host, netns));
    if (pids.empty())
      return fail(Error::failed(host + ": no dnsmasq runs in " + netns + " (not by `lab fault`): nothing to break"));
    SW_TRY_VOID(ctx.kill_pids(host, pids));
    Applied a;
    a.values = {{"netns", netns}};
    a.message = "dnsmasq (pid " + pids.front() + " on " + host + ") killed in " + netns;
    return a;
  };
  f.undo = [](FaultContext&, const ActiveFault&) -> Result<std::string> {
    return "dnsmasq comes back with the DHCP agent";
  };
  f.settle = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto& host = ctx.network_host();
    const auto netns = s.value("netns");
    const auto start = std::chrono::steady_clock::now();
    const bool back = SW_TRY(ctx.wait_for(std::chrono::seconds(90), [&]() -> Result<bool> {
      const auto names = SW_TRY(ctx.netns_list(host));
      if (std::find(names.begin(), names.end(), netns) == names.end()) return false;
      return !SW_TRY(dnsmasq_pids(ctx, host, netns)).empty();
    }));
    if (!back)
      return fail(Error::timeout(host + ": neutron-dhcp-agent runs but no dnsmasq in " + netns +
                                 " after 90 s (see /var/log/neutron/neutron-dhcp-agent.log)"));
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    return "dnsmasq runs in " + netns + " again after " + std::to_string(secs) + " s";
  };
  return f;
}

// The state directory above dnsmasq's files closed to others (0750, as stackwire itself once left
// it): dnsmasq, which runs as nobody, re-reads its hosts file on SIGHUP, cannot, and from then on
// answers every DHCP request "no address available". The DHCP agent notices nothing.
Fault dhcp_files_unreadable_fault() {
  Fault f;
  f.name = "dhcp-files-unreadable";
  f.breaks = "/var/lib/neutron closed to others (mode 0750) and dnsmasq told to re-read: dnsmasq (user nobody) "
             "loses its hosts file and refuses every DHCP request";
  f.heal = "sets the saved mode back and makes dnsmasq re-read (SIGHUP)";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.network_host();
    const auto netns = SW_TRY(find_dhcp_netns(ctx));
    const auto pids = SW_TRY(dnsmasq_pids(ctx, host, netns));
    if (pids.empty())
      return fail(Error::failed(host + ": no dnsmasq runs in " + netns + ": nothing to break"));
    const auto mode = std::string(trim(SW_TRY(ctx.run_ok(host, {"stat", "-c", "%a", "/var/lib/neutron"}))));
    if (mode == "750")
      return fail(Error::failed(host + ": /var/lib/neutron is already 0750 (not by `lab fault`): nothing to break"));
    SW_TRY(ctx.run_ok(host, {"chmod", "0750", "/var/lib/neutron"}));
    for (const auto& pid : pids) SW_TRY(ctx.run_ok(host, {"kill", "-HUP", pid}));
    Applied a;
    a.values = {{"netns", netns}, {"mode", mode}};
    a.message = "/var/lib/neutron " + mode + " → 0750 on " + host + ", dnsmasq (pid " + pids.front() + ") re-read its files";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto& host = ctx.network_host();
    const auto mode = s.value("mode").empty() ? std::string("755") : s.value("mode");
    SW_TRY(ctx.run_ok(host, {"chmod", mode, "/var/lib/neutron"}));
    const auto pids = SW_TRY(dnsmasq_pids(ctx, host, s.value("netns")));
    for (const auto& pid : pids) SW_TRY(ctx.run_ok(host, {"kill", "-HUP", pid}));
    return "/var/lib/neutron back to " + mode + ", " + std::to_string(pids.size()) + " dnsmasq re-read its files";
  };
  return f;
}

}  // namespace sw::lab::faults
