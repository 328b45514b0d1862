// The prescript and network-fabric plugins: what packstack sets up around OpenStack's services.
//   prescript — base packages per role, Open vSwitch running.
//   fabric    — on L3 hosts br-ex with its uplink, its gateway address and MASQUERADE for the
//               external subnet, ip_forward=1; on tunnel hosts the tunnel endpoint (the NIC's own
//               address on the system datapath; on netdev the address moves to an OVS bridge that
//               holds the NIC) and firewall rules accepting GRE/VXLAN from every tunnel peer; on the
//               controller the services' ports open to the management network.
// Plans are pure: FabricParams (filled by the deploy pipeline from answer file, inventory and facts)
// in, Steps out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "installer/manifest.h"

namespace sw::installer {

struct FabricParams {
  std::string os_family = "debian";     ///< debian | redhat
  std::string service_manager = "none"; ///< systemd | none
  bool controller = false;
  bool network = false;  ///< runs the L3 agent (owns br-ex)
  bool compute = false;
  std::string datapath_type = "system";  ///< system | netdev

  // L3 hosts
  std::string ext_bridge = "br-ex";  ///< "" when CONFIG_NEUTRON_L3_EXT_BRIDGE=provider
  std::vector<std::pair<std::string, std::string>> bridge_ifaces;  ///< {"br-ex", "eth3"}
  std::string ext_gateway_cidr;  ///< "172.16.13.1/24": put on br-ex; "" = none
  std::string ext_subnet;        ///< "172.16.13.0/24": MASQUERADE source; "" = none

  // tunnel hosts (network, compute) when the tenant network type is gre or vxlan
  std::string tunnel_type;  ///< gre | vxlan | "" (no tunnels)
  std::string tunnel_if;    ///< the NIC named by CONFIG_NEUTRON_OVS_TUNNEL_IF
  std::string local_ip;     ///< its address ("10.19.0.7")
  int local_prefix = 24;
  std::vector<std::string> tunnel_peers;  ///< the other tunnel hosts' local_ips
  int vxlan_port = 4789;

  // controller
  std::string mgmt_cidr;  ///< "10.15.0.0/24": who may reach the services' ports
};

/// The OVS bridge that holds the tunnel NIC and its address on the netdev datapath.
inline constexpr const char* kTunnelBridge = "br-phy";

std::vector<Step> prescript_steps(const FabricParams& p);
std::vector<Step> fabric_steps(const FabricParams& p);

}  // namespace sw::installer
