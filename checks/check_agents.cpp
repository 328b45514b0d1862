// agent.alive: every Neutron agent each host should run is registered with neutron-server and
// reports alive (its heartbeat over RabbitMQ arrives) — from the topology's observed agents.
#include <algorithm>
#include <map>
#include <set>

#include "checks/checks.h"

namespace sw::checks {

std::vector<CheckResult> check_agents(const Expected& e, const std::vector<HostObservation>& hosts) {
  std::vector<CheckResult> out;
  if (!e.have_topology || e.topology.agents.empty()) return out;  // a topology file without agents
  for (const auto& h : e.hosts) {
    if (h.name.empty()) continue;  // no snapshot: host.snapshot says why
    std::vector<std::string> want;
    if (h.tunnel || h.network || h.compute) want.push_back("neutron-openvswitch-agent");
    if (h.network) {
      want.push_back("neutron-l3-agent");
      want.push_back("neutron-dhcp-agent");
      want.push_back("neutron-metadata-agent");
    }
    const HostObservation* obs = nullptr;
    for (const auto& o : hosts)
      if (o.address == h.address) obs = &o;
    const auto restart = [&](const std::string& svc) {
      const std::string cmd = obs && obs->systemd ? "systemctl restart " + svc : "/var/lib/stackwire/bin/sw-service restart " + svc;
      if (obs && obs->local) return cmd;
      return "ssh root@" + h.address + " '" + cmd + "'";
    };
    for (const auto& bin : want) {
      CheckResult r;
      r.id = "agent.alive";
      r.host = h.name;
      r.object = bin;
      r.expected = bin + " registered and alive";
      const installer::Topology::Agent* a = nullptr;
      for (const auto& x : e.topology.agents)
        if (x.host == h.name && x.binary == bin) a = &x;
      if (!a) {
        r.status = Status::fail;
        r.seen = "not registered with neutron-server";
        r.fix = restart(bin);
      } else if (!a->alive) {
        r.status = Status::fail;
        r.seen = "registered, but no heartbeat (dead)";
        r.fix = restart(bin);
      } else if (!a->admin_state_up) {
        r.status = Status::warn;
        r.seen = "alive, administratively down";
        r.fix = "openstack network agent set --enable " + a->id;
      } else {
        r.status = Status::pass;
        r.seen = "alive";
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace sw::checks
