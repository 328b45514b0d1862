// The topology: what a cloud's tenant network plane should be (a topology file, the input of
// provision) or is (read from Neutron's API, the expected state of verify) — networks and their
// subnets, routers with gateway and interfaces, security-group rules, instances with their host and
// floating IP; and, when observed, every id, segmentation id, port (host, MAC, fixed IPs, owner,
// status), router gateway IP, and which agent hosts each router and network.
//
// One model serves both: fields that only an observation knows (ids, ports, agents...) are empty
// in a wanted topology. The JSON form is documented in the README ("Topology file"); the writer
// emits ids when known and the reader accepts what the writer emits, so `verify --topology FILE`
// takes a file written by `read_topology_from_api` + `write_topology`.
//
// parse_topology() takes text and reports `file:line: what is wrong`: wrong types and references
// to unknown things are errors, unknown keys are warnings. Names are unique per kind (subnets across
// all networks); references are by name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace sw::installer {

class NeutronClient;

struct Topology {
  struct AllocationPool {
    std::string start;
    std::string end;
    bool operator==(const AllocationPool&) const = default;
  };
  struct Subnet {
    std::string name;
    std::string cidr;  ///< "10.0.0.0/24"
    /// nullopt = Neutron's default (the first host address); "" = no gateway (JSON null).
    std::optional<std::string> gateway_ip;
    bool enable_dhcp = true;
    std::vector<AllocationPool> allocation_pools;  ///< empty = Neutron's default
    std::vector<std::string> dns_nameservers;
    std::string id;  ///< observed
    int line = 0;    ///< where the file defined it (0: not from a file)
  };
  struct Provider {
    std::string network_type;      ///< "flat", "gre", "vxlan", "vlan"; "" = the cloud's default
    std::string physical_network;  ///< "external"
    std::optional<long long> segmentation_id;  ///< GRE key / VLAN id (observed; admin only)
  };
  struct Network {
    std::string name;
    bool external = false;  ///< router:external
    bool shared = false;
    Provider provider;
    std::vector<Subnet> subnets;
    std::string id;                          ///< observed
    std::optional<int> mtu;                  ///< observed
    std::vector<std::string> dhcp_agent_hosts;  ///< observed: hosts of the DHCP agents serving it
    int line = 0;
  };
  struct Router {
    std::string name;
    std::string external_gateway;         ///< network name; "" = no gateway
    std::vector<std::string> interfaces;  ///< subnet names
    std::string id;                       ///< observed
    std::string gateway_ip;               ///< observed: the router's address on the external network
    std::vector<std::string> l3_agent_hosts;  ///< observed: hosts of the L3 agents hosting it
    int line = 0;
  };
  struct Rule {
    std::string protocol;  ///< "icmp", "tcp", "udp", a number, or "" = any
    std::optional<int> port;      ///< tcp/udp: first port
    std::optional<int> port_max;  ///< tcp/udp: last port (default: = port)
    std::string direction = "ingress";
    std::string ethertype = "IPv4";
    std::string remote_ip_prefix;  ///< "" = any source
    int line = 0;
  };
  struct Instance {
    std::string name;
    std::string network;      ///< network name
    std::string host;         ///< compute host (Neutron agent host name), "" = any
    std::string fixed_ip;     ///< "" = Neutron chooses (observed: the port's first address)
    std::string floating_ip;  ///< "" = none
    std::string port_id;      ///< observed
    std::string mac;          ///< observed
    std::string status;       ///< observed: the port's status
    std::string floating_ip_id;  ///< observed
    int line = 0;
  };
  struct FixedIp {
    std::string subnet;  ///< subnet name
    std::string ip_address;
  };
  struct Port {  ///< observed: every port of the cloud
    std::string id;
    std::string name;
    std::string network;       ///< network name
    std::string device_owner;  ///< "network:router_interface", "network:router_gateway", "network:dhcp", "compute:nova"
    std::string device_id;     ///< router id, "dhcp<host uuid>-<net id>", instance uuid
    std::string host;          ///< binding:host_id
    std::string mac;
    std::string status;
    std::vector<FixedIp> fixed_ips;
    int line = 0;
  };
  struct Agent {  ///< observed
    std::string id;
    std::string agent_type;
    std::string binary;
    std::string host;
    bool alive = false;
    bool admin_state_up = true;
    int line = 0;
  };

  std::string project;  ///< the project provision creates for tenant resources ("" = "demo")
  std::string user;     ///< its user ("" = same as the project)
  std::vector<Network> networks;
  std::vector<Router> routers;
  std::vector<Rule> security_group_rules;
  std::vector<Instance> instances;
  std::vector<Port> ports;    ///< observed
  std::vector<Agent> agents;  ///< observed
  std::string source;  ///< the file it was read from, for messages ("" = not from a file)

  const Network* network(std::string_view name) const;
  const Network* network_by_id(std::string_view id) const;
  const Subnet* subnet(std::string_view name) const;
  /// The network that holds the subnet named `subnet_name`.
  const Network* network_of_subnet(std::string_view subnet_name) const;
  const Router* router(std::string_view name) const;
  const Instance* instance(std::string_view name) const;
  const Port* port(std::string_view id) const;
  /// Ports whose device_id is `device_id` (a router's qr-/qg- ports, say).
  std::vector<const Port*> ports_of_device(std::string_view device_id) const;
  /// The external network whose subnets contain `ip`, or nullptr.
  const Network* external_network_for(std::string_view ip) const;
};

/// Parses a topology file's text. `name` prefixes every message ("lab/topology.json:12: ...").
/// Unknown keys are warned about (into `warnings` when given, else through sw::log::warn).
Result<Topology> parse_topology(std::string_view name, std::string_view text,
                                std::vector<std::string>* warnings = nullptr);
/// Reads and parses a topology file.
Result<Topology> read_topology_file(const std::string& path, std::vector<std::string>* warnings = nullptr);

/// How strict validate_topology() is.
struct TopologyRules {
  /// The topology was observed (read from a cloud's API, or a file written from one): what Neutron
  /// already accepted is not second-guessed — tenant CIDRs of different projects may overlap, router
  /// interfaces may sit on subnets without a gateway, any protocol name goes. References to unknown
  /// networks or subnets and floating IPs outside every external subnet are errors either way.
  bool observed = false;
};
/// Checks references and addresses: unique names; valid CIDRs, gateways and pools inside their
/// subnet; no overlapping tenant CIDRs; routers' gateways name external networks and interfaces
/// known subnets; instances name known networks, and their floating IPs lie in an external subnet
/// reachable through a router. Messages: "name:line: ...".
Result<void> validate_topology(const Topology& topology, std::string_view name, TopologyRules rules = {});

/// The JSON form (keys in schema order; observed fields only when known).
nlohmann::ordered_json topology_to_json(const Topology& topology);
/// topology_to_json, indented, with a trailing newline.
std::string write_topology(const Topology& topology);

/// Reads the whole cloud through Neutron (admin credentials see every project and the provider and
/// binding attributes): networks, subnets, routers (+ their L3 agents), ports, floating IPs, the
/// ingress rules of the security groups instance ports use, DHCP agents per network, all agents.
/// Instances are the ports owned by compute:* (named by the port's name, else its device_id).
/// Unnamed or duplicate names are made unique ("<name>@<id prefix>") so references stay by name.
Result<Topology> read_topology_from_api(const NeutronClient& neutron);

/// Whether `ip` lies inside `cidr` (IPv4 or IPv6); false when either does not parse.
bool cidr_contains(std::string_view cidr, std::string_view ip);
/// The prefix length of a CIDR ("10.0.0.0/24" → 24), nullopt when it does not parse.
std::optional<int> cidr_prefix_len(std::string_view cidr);

}  // namespace sw::installer
