#include "checks/expected.h"

#include "installer/deploy.h"

namespace sw::checks {

std::string ExpectedHost::label() const { return name.empty() ? address : name + " (" + address + ")"; }

ExpectedHost* Expected::host_by_name(std::string_view n) {
  for (auto& h : hosts)
    if (h.name == n) return &h;
  return nullptr;
}
const ExpectedHost* Expected::host_by_name(std::string_view n) const {
  for (const auto& h : hosts)
    if (h.name == n) return &h;
  return nullptr;
}
const ExpectedHost* Expected::host(std::string_view s) const {
  for (const auto& h : hosts)
    if (h.name == s || h.address == s) return &h;
  return nullptr;
}

Result<Expected> make_expected(const installer::AnswerFile& answers, const installer::Topology* topology) {
  using installer::HostRole;
  const installer::Inventory inv = SW_TRY(installer::make_inventory(answers));
  Expected e;
  const auto& n = inv.neutron;
  if (auto t = n.tunnel_type()) e.tunnel_type = std::string(installer::network_type_name(*t));
  e.tunnel_iface = n.tunnel_iface_is_subnet ? "" : n.tunnel_iface;
  e.ext_bridge = n.provider_external() ? "" : n.ext_bridge;
  if (!e.ext_bridge.empty()) e.uplink = n.uplink_of(e.ext_bridge);
  e.datapath_type = std::string(installer::datapath_name(n.datapath_type));
  const auto gw = installer::brex_gateway(inv, topology);
  e.ext_gateway_cidr = gw.cidr;
  e.ext_subnet = gw.subnet;
  for (const auto& h : inv.hosts) {
    if (h.excluded) continue;
    ExpectedHost x;
    x.address = h.address;
    x.controller = h.has(HostRole::controller);
    x.network = h.has(HostRole::network) || h.has(HostRole::neutron_l3_agent);
    x.compute = h.has(HostRole::compute);
    x.tunnel = !e.tunnel_type.empty() && h.has(HostRole::neutron_ovs_agent);
    e.hosts.push_back(std::move(x));
  }
  if (topology) {
    e.topology = *topology;
    e.have_topology = true;
  }
  return e;
}

}  // namespace sw::checks
