#include "lab/faults/fault.h"

#include <algorithm>
#include <thread>

#include "common/strings.h"

namespace sw::lab::faults {
namespace {

// Where deploy installs the service tool on every host (installer/service_shell.h kServiceTool; lab
// does not depend on installer, and the path is the hosts' contract, not a build-time one).
constexpr std::string_view kServiceTool = "/var/lib/stackwire/bin/sw-service";
// Where the L3 agent logs on hosts without systemd (the installer's --log-file).
constexpr std::string_view kL3AgentLog = "/var/log/neutron/neutron-l3-agent.log";

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string first_line(std::string_view s) {
  s = trim(s);
  const auto nl = s.find('\n');
  return std::string(nl == std::string_view::npos ? s : s.substr(0, nl));
}

std::vector<std::string> in_ns_argv(std::string_view netns, std::vector<std::string> argv) {
  if (netns.empty()) return argv;
  std::vector<std::string> out = {"ip", "netns", "exec", std::string(netns)};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace

Result<LabFacts> make_lab_facts(const LabLayout& layout, std::string_view answers, std::string_view topology,
                                const std::string& topology_file) {
  LabFacts f;
  for (const auto& h : layout.hosts) {
    if (!h.tunnel_ip.empty()) f.tunnel_ips[h.name] = h.tunnel_ip;
    if (std::find(h.roles.begin(), h.roles.end(), "network") != h.roles.end() && f.network_host == "network")
      f.network_host = h.name;
  }
  if (const auto v = answer_value(answers, "CONFIG_NEUTRON_L3_EXT_BRIDGE"); v && !v->empty()) f.external_bridge = *v;
  if (const auto v = answer_value(answers, "CONFIG_NEUTRON_OVS_TUNNEL_IF"); v && !v->empty()) f.tunnel_if = *v;
  if (!trim(topology).empty()) {
    const auto t = SW_TRY(parse_topology_facts(topology, topology_file));
    if (!t.instance.empty()) {
      f.instance = t.instance;
      f.instance_host = t.instance_host;
      f.floating_ip = t.floating_ip;
    }
    if (!t.external_cidr.empty()) f.external_cidr = t.external_cidr;
    if (!t.external_gateway.empty()) f.external_gateway = t.external_gateway;
  }
  return f;
}

bool RouterView::holds(std::string_view ip) const {
  const std::string want = std::string(ip) + "/32";
  return std::any_of(addrs.begin(), addrs.end(), [&](const Ipv4Addr& a) { return a.cidr == want; });
}

FaultContext::FaultContext(LabLayout layout, LabFacts facts, HostRunner& hosts)
    : layout_(std::move(layout)), facts_(std::move(facts)), hosts_(hosts) {}

Result<RunResult> FaultContext::run(std::string_view host, const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) {
  auto r = hosts_.run(host, argv, timeout);
  if (!r) return fail(std::move(r).error().context(std::string(host) + ": " + joined(argv)));
  return r;
}

Result<std::string> FaultContext::run_ok(std::string_view host, const std::vector<std::string>& argv,
                                         std::chrono::milliseconds timeout) {
  auto r = SW_TRY(run(host, argv, timeout));
  if (r.timed_out)
    return fail(Error::timeout(std::string(host) + ": `" + joined(argv) + "` did not finish in " +
                               std::to_string(timeout.count() / 1000) + " s"));
  if (r.status != 0) {
    std::string why = first_line(r.err);
    if (why.empty()) why = first_line(r.out);
    return fail(Error::failed(std::string(host) + ": `" + joined(argv) + "` failed (exit " + std::to_string(r.status) +
                              ")" + (why.empty() ? "" : ": " + why)));
  }
  return std::move(r.out);
}

Result<std::vector<std::string>> FaultContext::lines_ok(std::string_view host, const std::vector<std::string>& argv) {
  const auto out = SW_TRY(run_ok(host, argv));
  std::vector<std::string> lines;
  for (auto l : split(out, '\n'))
    if (!trim(l).empty()) lines.emplace_back(trim(l));
  return lines;
}

Result<std::string> FaultContext::in_netns(std::string_view host, std::string_view netns,
                                           std::vector<std::string> argv) {
  return run_ok(host, in_ns_argv(netns, std::move(argv)));
}

Result<std::vector<std::string>> FaultContext::netns_list(std::string_view host) {
  return parse_netns_list(SW_TRY(run_ok(host, {"ip", "netns", "list"})));
}

Result<RouterView> FaultContext::find_router() {
  const auto& host = network_host();
  std::vector<RouterView> routers;
  for (const auto& ns : SW_TRY(netns_list(host))) {
    if (!starts_with(ns, "qrouter-")) continue;
    RouterView r;
    r.netns = ns;
    r.addrs = parse_ipv4_addrs(SW_TRY(in_netns(host, ns, {"ip", "-o", "-4", "addr", "show"})));
    r.links = parse_links(SW_TRY(in_netns(host, ns, {"ip", "-o", "link", "show"})));
    for (const auto& l : r.links)
      if (starts_with(l.name, "qg-")) r.qg = l.name;
    routers.push_back(std::move(r));
  }
  if (routers.empty())
    return fail(Error::failed(host + " has no qrouter- namespace: no cloud is deployed on lab '" + layout_.prefix +
                              "' (nothing to break); deploy one first: stackwire lab exec controller -- stackwire "
                              "deploy --answer-file " + layout_.answer_file().string() + " --topology " +
                              layout_.topology_file().string()));
  if (!facts_.floating_ip.empty())
    for (auto& r : routers)
      if (r.holds(facts_.floating_ip)) return std::move(r);
  if (routers.size() == 1) return std::move(routers.front());
  return fail(Error::failed(host + ": none of its " + std::to_string(routers.size()) +
                            " qrouter- namespaces holds the floating IP " + facts_.floating_ip));
}

Result<std::string> FaultContext::instance_fixed_ip(const RouterView& router) {
  const auto fip32 = facts_.floating_ip + "/32";
  for (const auto& r : SW_TRY(list_rules(*this, network_host(), router.netns, "nat"))) {
    if (r.option("-j") == "DNAT" && r.option("-d") == fip32)
      if (auto to = r.option("--to-destination")) return to->substr(0, to->find(':'));
    if (r.option("-j") == "SNAT" && r.option("--to-source") == facts_.floating_ip)
      if (auto from = r.option("-s")) return from->substr(0, from->find('/'));
  }
  return fail(Error::failed(network_host() + ": " + router.netns + " has neither a DNAT nor a SNAT rule for " +
                            facts_.floating_ip + ": cannot tell which instance it belongs to"));
}

Result<void> FaultContext::service(std::string_view host, std::string_view verb, std::string_view name) {
  auto r = run(host, {std::string(kServiceTool), std::string(verb), std::string(name)}, std::chrono::seconds(120));
  if (!r && r.error().kind() == ErrorKind::not_found)
    return fail(Error::failed(std::string(host) + " has no " + std::string(kServiceTool) +
                              ": no cloud is deployed there, or one by a stackwire without it (deploy again)"));
  if (!r) return fail(std::move(r).error());
  if (r->status != 0) {
    std::string why = first_line(r->err);
    if (why.empty()) why = first_line(r->out);
    return fail(Error::failed(std::string(host) + ": sw-service " + std::string(verb) + " " + std::string(name) +
                              " failed (exit " + std::to_string(r->status) + ")" + (why.empty() ? "" : ": " + why)));
  }
  return {};
}

Result<bool> FaultContext::service_running(std::string_view host, std::string_view name) {
  auto r = run(host, {std::string(kServiceTool), "status", std::string(name)});
  if (!r && r.error().kind() == ErrorKind::not_found)
    return fail(Error::failed(std::string(host) + " has no " + std::string(kServiceTool) +
                              ": no cloud is deployed there, or one by a stackwire without it (deploy again)"));
  if (!r) return fail(std::move(r).error());
  if (r->status == 0) return true;
  if (r->status == 3) return false;
  return fail(Error::failed(std::string(host) + ": sw-service status " + std::string(name) + " failed (exit " +
                            std::to_string(r->status) + "): " + first_line(r->err)));
}

Result<bool> FaultContext::wait_for(std::chrono::seconds limit, const std::function<Result<bool>()>& ready) {
  const auto end = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::milliseconds(500);
  for (;;) {
    if (SW_TRY(ready())) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

Result<void> FaultContext::kill_pids(std::string_view host, const std::vector<std::string>& pids) {
  if (pids.empty()) return {};
  auto alive = [&]() -> Result<std::vector<std::string>> {
    std::string list;
    for (const auto& p : pids) list += (list.empty() ? "" : ",") + p;
    const auto r = SW_TRY(run(host, {"ps", "-o", "pid=", "-p", list}));
    std::vector<std::string> out;
    for (auto l : split(r.out, '\n'))
      if (!trim(l).empty()) out.emplace_back(trim(l));
    return out;
  };
  std::vector<std::string> argv = {"kill", "-TERM"};
  argv.insert(argv.end(), pids.begin(), pids.end());
  SW_TRY(run(host, argv));  // a pid that is gone already is fine
  const bool gone = SW_TRY(wait_for(std::chrono::seconds(10), [&]() -> Result<bool> { return SW_TRY(alive()).empty(); }));
  if (gone) return {};
  auto left = SW_TRY(alive());
  argv = {"kill", "-KILL"};
  argv.insert(argv.end(), left.begin(), left.end());
  SW_TRY(run(host, argv));
  if (!SW_TRY(wait_for(std::chrono::seconds(5), [&]() -> Result<bool> { return SW_TRY(alive()).empty(); })))
    return fail(Error::failed(std::string(host) + ": processes survive SIGKILL"));
  return {};
}

Result<std::vector<IptRule>> list_rules(FaultContext& ctx, std::string_view host, std::string_view netns,
                                        std::string_view table) {
  return parse_iptables_rules(
      SW_TRY(ctx.in_netns(host, netns, {"iptables", "-w", "10", "-t", std::string(table), "-S"})));
}

Result<std::vector<SavedItem>> delete_rules(FaultContext& ctx, std::string_view host, std::string_view netns,
                                            std::string_view table, const std::vector<IptRule>& rules) {
  std::vector<SavedItem> saved;
  for (const auto& r : rules) {
    std::vector<std::string> argv = {"iptables", "-w", "10", "-t", std::string(table), "-D", r.chain};
    argv.insert(argv.end(), r.spec.begin(), r.spec.end());
    SW_TRY(ctx.in_netns(host, netns, argv));
    SavedItem item;
    item.text = r.text;
    item.position = r.position;
    saved.push_back(std::move(item));
  }
  return saved;
}

Result<std::string> restore_rules(FaultContext& ctx, std::string_view host, std::string_view netns,
                                  std::string_view table, const std::vector<SavedItem>& items) {
  // Back in ascending position per chain, so each lands where it was.
  struct Entry {
    std::string chain;
    std::vector<std::string> spec;
    int position;
  };
  std::vector<Entry> entries;
  for (const auto& i : items) {
    auto words = split_rule_words(i.text);
    if (words.size() < 3 || words[0] != "-A")
      return fail(Error::input("saved rule is not an iptables -S rule: " + i.text));
    entries.push_back({words[1], {words.begin() + 2, words.end()}, i.position});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.chain != b.chain ? a.chain < b.chain : a.position < b.position;
  });
  int restored = 0, present = 0;
  for (const auto& e : entries) {
    std::vector<std::string> check = {"iptables", "-w", "10", "-t", std::string(table), "-C", e.chain};
    check.insert(check.end(), e.spec.begin(), e.spec.end());
    const auto c = SW_TRY(ctx.run(host, in_ns_argv(netns, check)));
    if (c.status == 0) {
      ++present;
      continue;
    }
    int in_chain = 0;
    for (const auto& r : SW_TRY(list_rules(ctx, host, netns, table)))
      if (r.chain == e.chain) ++in_chain;
    const int pos = std::clamp(e.position, 1, in_chain + 1);
    std::vector<std::string> ins = {"iptables", "-w", "10", "-t", std::string(table), "-I", e.chain,
                                    std::to_string(pos)};
    ins.insert(ins.end(), e.spec.begin(), e.spec.end());
    SW_TRY(ctx.in_netns(host, netns, ins));
    ++restored;
  }
  std::string where = netns.empty() ? std::string(host) : std::string(host) + " " + std::string(netns);
  if (restored == 0) return "the rules are already back in " + where + " (" + std::string(table) + ")";
  return "restored " + std::to_string(restored) + " " + std::string(table) + " rule" + (restored == 1 ? "" : "s") +
         " in " + where + (present ? " (" + std::to_string(present) + " already there)" : "");
}

Result<std::string> heal_by_l3_restart(FaultContext& ctx, std::string_view what, std::string_view router_netns) {
  const auto& host = ctx.network_host();
  const auto& fip = ctx.facts().floating_ip;
  // Whole = the router namespace holds the floating IP on a qg- device that the OVS agent has
  // tagged (a live local VLAN, not 4095).
  auto whole = [&]() -> Result<bool> {
    auto r = ctx.find_router();
    if (!r) return r.error().kind() == ErrorKind::failed ? Result<bool>(false) : fail(std::move(r).error());
    if (r->qg.empty() || (!fip.empty() && !r->holds(fip))) return false;
    const auto tag = ctx.run(host, {"ovs-vsctl", "--timeout=10", "get", "Port", r->qg, "tag"});
    if (!tag) return fail(tag.error());
    const auto t = trim(tag->out);
    return tag->status == 0 && !t.empty() && t != "[]" && t != "4095";
  };
  if (SW_TRY(whole())) return std::string(what) + " is already back (" + fip + " on a qg- device)";
  const auto start = std::chrono::steady_clock::now();
  SW_TRY_VOID(ctx.service(host, "restart", "neutron-l3-agent"));
  const std::string router_id(starts_with(router_netns, "qrouter-") ? router_netns.substr(8) : router_netns);
  bool log_seen = false, log_readable = true;
  auto settled = [&]() -> Result<bool> {
    if (!SW_TRY(whole())) return false;
    if (!log_readable) return true;
    const auto tail = SW_TRY(ctx.run(host, {"tail", "-n", "3000", std::string(kL3AgentLog)}));
    if (tail.status != 0) {  // no log file (a systemd host logs to the journal): whole is all we can see
      log_readable = false;
      return true;
    }
    log_seen = l3_agent_finished_router(tail.out, "stackwire starts neutron-l3-agent", router_id);
    return log_seen;
  };
  if (!SW_TRY(ctx.wait_for(std::chrono::seconds(150), settled))) {
    if (!SW_TRY(whole()))
      return fail(Error::timeout(host + ": neutron-l3-agent was restarted but " + std::string(what) +
                                 " is not back after 150 s (see " + std::string(kL3AgentLog) + " on " + host + ")"));
  }
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  return "restarted neutron-l3-agent on " + host + ": " + std::string(what) + " is back after " + std::to_string(secs) +
         " s" + (log_seen ? ", router processed" : log_readable ? " (its log does not say it finished the router)" : "");
}

}  // namespace sw::lab::faults
