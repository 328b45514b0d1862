// The inventory: which host runs what (hosts × roles), and the typed settings the plugins read,
// made from a checked AnswerFile.
//
// Roles come from the resolved keys — CONFIG_CONTROLLER_HOST, CONFIG_NETWORK_HOSTS,
// CONFIG_COMPUTE_HOSTS, CONFIG_MARIADB_HOST, CONFIG_AMQP_HOST — and, for Havana files, from the
// per-service host keys, which keep placing their own service (the RDO hangout's file runs
// neutron-server on the network host: CONFIG_NEUTRON_SERVER_HOST=10.15.0.7). Hosts named in
// EXCLUDE_SERVERS stay in the inventory, marked excluded: nothing is applied to them, but they are
// still tunnel peers and firewall sources, as in packstack.
//
// An Inventory is a plain value with no secrets in it (passwords come from credentials()), so it
// can be printed and logged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "installer/answer_file.h"
#include "installer/validators.h"

namespace sw::installer {

/// What a host does. Printed in this order, with role_name().
enum class HostRole : std::uint8_t {
  controller,              ///< CONFIG_CONTROLLER_HOST
  network,                 ///< CONFIG_NETWORK_HOSTS
  compute,                 ///< CONFIG_COMPUTE_HOSTS
  mariadb,                 ///< MariaDB server (CONFIG_MARIADB_INSTALL=y)
  amqp,                    ///< RabbitMQ
  keystone,                ///< Keystone
  client,                  ///< keystonerc files and clients (CONFIG_CLIENT_INSTALL=y)
  neutron_server,          ///< neutron-server with ML2
  neutron_l3_agent,        ///< L3 agent: qrouter- namespaces, br-ex
  neutron_dhcp_agent,      ///< DHCP agent: qdhcp- namespaces
  neutron_metadata_agent,  ///< metadata agent
  neutron_ovs_agent,       ///< Open vSwitch and the OVS agent: br-int, br-tun, tunnels
};
inline constexpr std::size_t kHostRoleCount = 12;

/// "controller", "neutron-l3-agent", ...
std::string_view role_name(HostRole role);
/// The role called name, or nullopt.
std::optional<HostRole> role_from_name(std::string_view name);

struct InventoryHost {
  std::string address;      ///< as the answer file writes it (IP or host name)
  std::vector<HostRole> roles;  ///< unique, in HostRole order
  bool excluded = false;    ///< named in EXCLUDE_SERVERS: nothing is applied to it

  bool has(HostRole role) const;
  /// "controller mariadb amqp keystone client".
  std::string roles_text() const;
};

enum class NetworkType : std::uint8_t { local, flat, vlan, gre, vxlan };
std::string_view network_type_name(NetworkType type);

enum class OvsDatapath : std::uint8_t { system, netdev };
std::string_view datapath_name(OvsDatapath type);

/// Neutron and the network fabric, as the answer file says (after Havana names are translated).
struct NeutronSettings {
  std::vector<NetworkType> type_drivers;          ///< CONFIG_NEUTRON_ML2_TYPE_DRIVERS
  std::vector<NetworkType> tenant_network_types;  ///< CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES, ordered
  std::vector<std::string> mechanism_drivers;     ///< CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS
  std::vector<std::string> flat_networks;         ///< "*" or names
  std::vector<VlanRange> vlan_ranges;
  std::vector<IdRange> tunnel_id_ranges;          ///< GRE ids
  std::vector<IdRange> vni_ranges;                ///< VXLAN VNIs
  std::vector<std::string> vxlan_groups;
  std::uint16_t vxlan_udp_port = 4789;
  /// CONFIG_NEUTRON_OVS_TUNNEL_IF: the interface whose address is each host's tunnel endpoint;
  /// empty means the host's management address. A CIDR when tunnel_iface_is_subnet.
  std::string tunnel_iface;
  bool tunnel_iface_is_subnet = false;            ///< CONFIG_USE_SUBNETS=y
  std::vector<Cidr> tunnel_subnets;               ///< CONFIG_NEUTRON_OVS_TUNNEL_SUBNETS
  std::string ext_bridge = "br-ex";               ///< CONFIG_NEUTRON_L3_EXT_BRIDGE, or "provider"
  std::vector<BridgeIface> bridge_ifaces;         ///< br-ex:eth3 — uplinks of bridges
  std::vector<BridgeMapping> bridge_mappings;     ///< extnet:br-ex
  std::vector<std::string> bridges_compute;
  std::string external_physnet;                   ///< used when ext_bridge == "provider"
  OvsDatapath datapath_type = OvsDatapath::system;
  bool debug = false;                             ///< CONFIG_DEBUG_MODE

  /// The tenant networks' type stackwire sets up and checks: the first tenant network type.
  NetworkType tenant_network_type() const;
  /// gre or vxlan when tenant networks are tunnelled, else nullopt.
  std::optional<NetworkType> tunnel_type() const;
  bool provider_external() const { return ext_bridge == "provider"; }
  /// The uplink interface of bridge in bridge_ifaces, or "" ("br-ex" → "eth3").
  std::string uplink_of(std::string_view bridge) const;
};

/// CONFIG_PROVISION_*.
struct ProvisionSettings {
  bool demo = false;
  std::optional<Cidr> float_range;  ///< set when demo
  bool ovs_bridge = false;          ///< CONFIG_PROVISION_OVS_BRIDGE (all-in-one external bridge)
};

/// Secrets, separate from the Inventory so that an Inventory can be printed.
struct ServiceCredentials {
  std::string mariadb_user;
  std::string mariadb_password;
  bool amqp_auth = false;  ///< CONFIG_AMQP_ENABLE_AUTH
  std::string amqp_user;
  std::string amqp_password;
  std::string keystone_admin_user;
  std::string keystone_admin_password;
  std::string keystone_admin_email;
  std::string keystone_db_password;
  std::string keystone_demo_password;
  std::string neutron_ks_password;
  std::string neutron_db_password;
  std::string neutron_metadata_password;
};

struct Inventory {
  /// Every host once: the controller first, then as the keys name them.
  std::vector<InventoryHost> hosts;
  std::string controller;           ///< CONFIG_CONTROLLER_HOST
  std::string mariadb_host;         ///< the database server, installed or existing
  bool mariadb_install = true;      ///< CONFIG_MARIADB_INSTALL
  std::string amqp_host;
  std::string amqp_backend = "rabbitmq";
  std::string keystone_host;
  std::string keystone_region = "RegionOne";
  std::string keystone_api_version = "v3";
  std::string neutron_server_host;  ///< empty when CONFIG_NEUTRON_INSTALL=n
  std::string ssh_key;              ///< CONFIG_SSH_KEY: the public key's path
  NeutronSettings neutron;
  ProvisionSettings provision;

  const InventoryHost* find(std::string_view address) const;
  /// Addresses of the hosts with role, in inventory order; excluded hosts only when asked.
  std::vector<std::string> hosts_with(HostRole role, bool include_excluded = false) const;
  /// Addresses of the hosts something is applied to (not excluded), in inventory order.
  std::vector<std::string> deploy_hosts() const;
  /// One line per host: "10.15.0.4  controller mariadb amqp keystone client" (+ " (excluded)").
  std::string describe() const;
};

/// The inventory of a checked file. Fails (Error::input with the file's error lines) when the
/// file has errors.
Result<Inventory> make_inventory(const AnswerFile& file);

/// The passwords and users of a checked file. Fails when the file has errors or a password still
/// reads PW_PLACEHOLDER (call fill_placeholder_passwords() first).
Result<ServiceCredentials> credentials(const AnswerFile& file);

}  // namespace sw::installer
