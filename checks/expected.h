// The expected state of a cloud's network plane: the answer file's hosts and roles, tunnel type,
// tunnel interface and external bridge, plus the topology (networks, subnets, routers, ports with
// their hosts, floating IPs) read from Neutron's API or from a topology file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "installer/answer_file.h"
#include "installer/inventory.h"
#include "installer/topology.h"

namespace sw::checks {

struct ExpectedHost {
  std::string address;   ///< as the answer file writes it
  std::string name;      ///< the host's name (its snapshot's hostname; Neutron's agent host), "" until known
  bool network = false;  ///< L3/DHCP/metadata agents, br-ex
  bool compute = false;
  bool controller = false;
  bool tunnel = false;   ///< runs the OVS agent with a tunnel endpoint
  /// Where this host's answer-file label comes from for messages: "network (10.15.0.7)".
  std::string label() const;
};

struct Expected {
  std::vector<ExpectedHost> hosts;
  std::string tunnel_type;   ///< "gre", "vxlan", or "" (no tunnels)
  std::string tunnel_iface;  ///< CONFIG_NEUTRON_OVS_TUNNEL_IF, "" = the management address
  std::string ext_bridge = "br-ex";
  std::string uplink;        ///< br-ex's uplink from CONFIG_NEUTRON_OVS_BRIDGE_IFACES, "" = none
  std::string datapath_type = "system";
  std::string ext_gateway_cidr;  ///< what deploy put on br-ex ("172.16.13.1/24"), "" = none
  std::string ext_subnet;        ///< "172.16.13.0/24": MASQUERADE'd by the fabric, "" = none
  installer::Topology topology;
  bool have_topology = false;

  ExpectedHost* host_by_name(std::string_view name);
  const ExpectedHost* host_by_name(std::string_view name) const;
  /// The host whose name or address is `s`.
  const ExpectedHost* host(std::string_view s) const;
};

/// From a checked answer file and (optionally) a topology. Hosts excluded from deployment are left out.
Result<Expected> make_expected(const installer::AnswerFile& answers, const installer::Topology* topology);

}  // namespace sw::checks
