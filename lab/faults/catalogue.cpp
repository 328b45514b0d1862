#include "lab/faults/fault.h"

namespace sw::lab::faults {

const std::vector<Fault>& fault_catalogue() {
  static const std::vector<Fault> all = {
      br_ex_down_fault(),       br_ex_no_ip_fault(),     no_masquerade_fault(),  gre_port_deleted_fault(),
      gre_wrong_remote_fault(), tunnel_mtu_fault(),      qrouter_deleted_fault(), qg_unplugged_fault(),
      fip_dnat_missing_fault(), fip_snat_missing_fault(), router_no_forward_fault(), dnsmasq_dead_fault(), dhcp_files_unreadable_fault(),
      instance_wrong_vlan_fault(), tun_flow_deleted_fault(),
  };
  return all;
}

const Fault* find_fault(std::string_view name) {
  for (const auto& f : fault_catalogue())
    if (f.name == name) return &f;
  return nullptr;
}

std::string fault_names() {
  std::string out;
  for (const auto& f : fault_catalogue()) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

}  // namespace sw::lab::faults
