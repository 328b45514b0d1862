// Neutron v2.0: the resources a deployment provisions and verify reads — networks, subnets, routers,
// ports, floating IPs, security groups and rules, agents (and which agent hosts which router or
// network) — as plain structs decoded from the API's JSON, plus idempotent ensure_* operations.
//
// ensure_* finds a resource by name in its project (subnets: in their network; ports: in their
// network and project), reuses it when it exists, creates it when not, and never makes a duplicate:
// two resources with the wanted name are an error naming both ids. A reused resource that differs in
// an attribute Neutron cannot change (a subnet's CIDR, a network's provider type) is an error; one
// that can change (a router's gateway, DHCP on a subnet, a port's host) is updated. A security-group
// rule that already exists, whether found in the list or refused with 409 SecurityGroupRuleExists,
// counts as present.
//
// A NeutronClient is an ApiSession on the catalog's network endpoint (".../v2.0"); it borrows the
// HttpClient. Admin credentials see every project's resources and the provider:* and binding:*
// attributes; a project member sees its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "installer/openstack_client.h"

namespace sw::installer {

class KeystoneClient;

struct Network {
  std::string id;
  std::string name;
  std::string project_id;
  std::string status;  ///< "ACTIVE", "DOWN", "BUILD", "ERROR"
  bool admin_state_up = true;
  bool shared = false;
  bool external = false;            ///< router:external
  std::string network_type;         ///< provider:network_type ("flat", "gre", "vxlan", "vlan"); admin only
  std::string physical_network;     ///< provider:physical_network; admin only
  std::optional<long long> segmentation_id;  ///< provider:segmentation_id (GRE key / VLAN id); admin only
  std::optional<int> mtu;
  std::vector<std::string> subnet_ids;
};

struct AllocationPool {
  std::string start;
  std::string end;
  bool operator==(const AllocationPool&) const = default;
};

struct Subnet {
  std::string id;
  std::string name;
  std::string network_id;
  std::string project_id;
  std::string cidr;
  int ip_version = 4;
  std::string gateway_ip;  ///< "" = none
  bool enable_dhcp = true;
  std::vector<AllocationPool> allocation_pools;
  std::vector<std::string> dns_nameservers;
};

struct FixedIp {
  std::string subnet_id;
  std::string ip_address;
};

struct ExternalGateway {
  std::string network_id;
  bool enable_snat = true;
  std::vector<FixedIp> external_fixed_ips;
};

struct Router {
  std::string id;
  std::string name;
  std::string project_id;
  std::string status;
  bool admin_state_up = true;
  std::optional<ExternalGateway> gateway;  ///< external_gateway_info; nullopt = no gateway
  bool distributed = false;
  bool ha = false;
};

struct Port {
  std::string id;
  std::string name;
  std::string network_id;
  std::string project_id;
  std::string device_owner;  ///< "network:router_interface", "network:dhcp", "compute:nova", ...
  std::string device_id;
  std::string host_id;       ///< binding:host_id (admin only)
  std::string vif_type;      ///< binding:vif_type ("ovs", "unbound", "binding_failed")
  std::string mac_address;
  std::string status;        ///< "ACTIVE", "DOWN", "BUILD"
  bool admin_state_up = true;
  std::vector<FixedIp> fixed_ips;
  std::vector<std::string> security_groups;
};

struct FloatingIp {
  std::string id;
  std::string floating_network_id;
  std::string floating_ip_address;
  std::string fixed_ip_address;
  std::string port_id;    ///< "" = not associated
  std::string router_id;
  std::string status;
  std::string project_id;
};

struct SecurityGroupRule {
  std::string id;
  std::string security_group_id;
  std::string direction = "ingress";
  std::string ethertype = "IPv4";
  std::string protocol;  ///< "" = any; "icmp", "tcp", "udp" or a number
  std::optional<int> port_range_min;
  std::optional<int> port_range_max;
  std::string remote_ip_prefix;  ///< "" = any
  std::string remote_group_id;
};

struct SecurityGroup {
  std::string id;
  std::string name;
  std::string project_id;
  std::vector<SecurityGroupRule> rules;
};

struct Agent {
  std::string id;
  std::string agent_type;  ///< "Open vSwitch agent", "L3 agent", "DHCP agent", "Metadata agent"
  std::string binary;      ///< "neutron-openvswitch-agent", ...
  std::string host;        ///< the agent's `host` (lab: controller/network/compute1…)
  bool alive = false;
  bool admin_state_up = true;
  std::string heartbeat_timestamp;
};

// Decoders: one API object (the value inside {"network": …} or one element of {"networks": […]}).
Network decode_network(const nlohmann::json& j);
Subnet decode_subnet(const nlohmann::json& j);
Router decode_router(const nlohmann::json& j);
Port decode_port(const nlohmann::json& j);
FloatingIp decode_floating_ip(const nlohmann::json& j);
SecurityGroupRule decode_security_group_rule(const nlohmann::json& j);
SecurityGroup decode_security_group(const nlohmann::json& j);
Agent decode_agent(const nlohmann::json& j);

// What to create. Empty strings are left out of the request (Neutron's defaults apply).
struct NetworkSpec {
  std::string name;
  std::string project_id;
  bool external = false;
  bool shared = false;
  std::string network_type;
  std::string physical_network;
  std::optional<long long> segmentation_id;
};

struct SubnetSpec {
  std::string name;
  std::string network_id;
  std::string project_id;
  std::string cidr;
  int ip_version = 4;
  /// nullopt = Neutron's default (the first address); "" = no gateway.
  std::optional<std::string> gateway_ip;
  bool enable_dhcp = true;
  std::vector<AllocationPool> allocation_pools;  ///< empty = Neutron's default
  std::vector<std::string> dns_nameservers;
};

struct RouterSpec {
  std::string name;
  std::string project_id;
  std::string gateway_network_id;  ///< "" = no gateway
};

struct PortSpec {
  std::string name;
  std::string network_id;
  std::string project_id;
  std::string device_owner;
  std::string device_id;
  std::string host_id;     ///< binding:host_id
  std::string ip_address;  ///< "" = let Neutron choose
};

struct FloatingIpSpec {
  std::string floating_network_id;
  std::string floating_ip_address;  ///< "" = any free address
  std::string port_id;              ///< "" = not associated
  std::string project_id;
};

struct SecurityGroupRuleSpec {
  std::string direction = "ingress";
  std::string ethertype = "IPv4";
  std::string protocol;  ///< "" = any
  std::optional<int> port_range_min;
  std::optional<int> port_range_max;
  std::string remote_ip_prefix;  ///< "" = any
};

/// True when an existing rule grants what `spec` asks (same direction, ethertype, protocol, port
/// range; any-source written as "" or 0.0.0.0/0; rules scoped to a remote group do not count).
bool rule_matches(const SecurityGroupRule& rule, const SecurityGroupRuleSpec& spec);

/// An agent a deployment expects: its binary on a host.
struct AgentKey {
  std::string binary;  ///< "neutron-openvswitch-agent"
  std::string host;    ///< "compute1"
};

class NeutronClient {
 public:
  using Query = std::vector<std::pair<std::string, std::string>>;

  /// `endpoint_url` from the catalog ("http://10.15.0.4:9696"); "/v2.0" is appended when missing.
  NeutronClient(HttpClient& http, std::string endpoint_url, std::string token);
  /// The catalog's network endpoint for the session's interface and region, with its token.
  static Result<NeutronClient> from_keystone(const KeystoneClient& keystone);

  const ApiSession& session() const { return session_; }

  // Lists. `query` filters, e.g. {{"name", "net0"}, {"project_id", id}} (values are URL-encoded).
  Result<std::vector<Network>> list_networks(const Query& query = {}) const;
  Result<std::vector<Subnet>> list_subnets(const Query& query = {}) const;
  Result<std::vector<Router>> list_routers(const Query& query = {}) const;
  Result<std::vector<Port>> list_ports(const Query& query = {}) const;
  Result<std::vector<FloatingIp>> list_floating_ips(const Query& query = {}) const;
  Result<std::vector<SecurityGroup>> list_security_groups(const Query& query = {}) const;
  Result<std::vector<SecurityGroupRule>> list_security_group_rules(const Query& query = {}) const;
  Result<std::vector<Agent>> list_agents(const Query& query = {}) const;
  /// GET /v2.0/routers/{id}/l3-agents: the L3 agents hosting the router.
  Result<std::vector<Agent>> router_l3_agents(std::string_view router_id) const;
  /// GET /v2.0/networks/{id}/dhcp-agents: the DHCP agents serving the network.
  Result<std::vector<Agent>> network_dhcp_agents(std::string_view network_id) const;
  Result<Port> get_port(std::string_view port_id) const;

  // Creates and updates.
  Result<Network> create_network(const NetworkSpec& spec) const;
  Result<Subnet> create_subnet(const SubnetSpec& spec) const;
  Result<Router> create_router(const RouterSpec& spec) const;
  /// PUT external_gateway_info {network_id}.
  Result<Router> set_router_gateway(std::string_view router_id, std::string_view network_id) const;
  /// PUT add_router_interface {subnet_id}; returns the new port's id.
  Result<std::string> add_router_interface(std::string_view router_id, std::string_view subnet_id) const;
  Result<Port> create_port(const PortSpec& spec) const;
  Result<Port> set_port_host(std::string_view port_id, std::string_view host) const;
  Result<FloatingIp> create_floating_ip(const FloatingIpSpec& spec) const;
  Result<FloatingIp> associate_floating_ip(std::string_view floating_ip_id, std::string_view port_id) const;
  /// POST a rule; 409 SecurityGroupRuleExists returns the existing rule's id with Action::reused.
  Result<Ensured<SecurityGroupRule>> create_security_group_rule(std::string_view group_id,
                                                                const SecurityGroupRuleSpec& spec) const;

  // Idempotent: reuse by name, create what is missing, update what may change.
  Result<Ensured<Network>> ensure_network(const NetworkSpec& spec) const;
  Result<Ensured<Subnet>> ensure_subnet(const SubnetSpec& spec) const;
  Result<Ensured<Router>> ensure_router(const RouterSpec& spec) const;
  /// The router's port on the subnet (its id), added when missing.
  Result<Ensured<std::string>> ensure_router_interface(std::string_view router_id, std::string_view subnet_id) const;
  Result<Ensured<Port>> ensure_port(const PortSpec& spec) const;
  /// By address when given (else by port): reused when associated to spec.port_id, associated when
  /// free, an error when held by another port.
  Result<Ensured<FloatingIp>> ensure_floating_ip(const FloatingIpSpec& spec) const;
  /// The project's security group named `name` ("default"); not_found when absent. Listing as
  /// the project's own user makes Neutron create the default group if it was not yet.
  Result<SecurityGroup> find_security_group(std::string_view name, std::string_view project_id) const;
  Result<Ensured<SecurityGroupRule>> ensure_security_group_rule(std::string_view group_id,
                                                                const SecurityGroupRuleSpec& spec) const;

  // Bounded waits.
  /// Polls the port until its status is `status`; timeout names the port, its host and last status.
  Result<Port> wait_port_status(std::string_view port_id, std::string_view status, const WaitOptions& wait) const;
  /// Polls the agent list until every expected agent is registered and alive; timeout names each
  /// that is not ("neutron-l3-agent on network: not registered").
  Result<std::vector<Agent>> wait_agents_alive(const std::vector<AgentKey>& expected, const WaitOptions& wait) const;

 private:
  template <class T>
  Result<std::vector<T>> list(std::string_view collection, const Query& query, T (*decode)(const nlohmann::json&)) const;
  ApiSession session_;
};

/// "?k=v&k2=v2" (URL-encoded), "" for no filters.
std::string encode_query(const NeutronClient::Query& query);

}  // namespace sw::installer
