// The answer-file key catalogue: every key stackwire knows, from packstack stable/havana to master,
// plus stackwire's own (CONFIG_NEUTRON_OVS_DATAPATH_TYPE).
//
// Each KeySpec says which service reads the key, its packstack group, its usage text (packstack's
// wording where it exists), its default, how its value is checked, when it applies (tunnel keys
// only for gre/vxlan, VLAN ranges only for vlan, ...), whether it is a password, which packstack
// versions wrote it, and — for old names — what newer key it became. Keys of services stackwire
// does not deploy (glance, nova, swift, ...) are catalogued too, so that they are recognised, kept
// and reported once instead of being taken for typos.
//
// The catalogue is static data built once; the spans and pointers returned stay valid for the
// life of the program.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sw::installer {

/// How a key's value is checked (see validators.h for the grammars).
enum class Check : std::uint8_t {
  any,              ///< free text on one line
  nonempty,         ///< free text, not empty
  yes_no,           ///< y or n
  choice,           ///< one of KeySpec::options
  multi_choice,     ///< comma-separated, each one of KeySpec::options, at least one
  host,             ///< IPv4, IPv6 or host name
  host_list,        ///< comma-separated hosts
  ip_list,          ///< comma-separated IP addresses
  cidr,             ///< ADDRESS/PREFIX
  cidr_list,        ///< comma-separated CIDRs
  port,             ///< 1..65535
  iface,            ///< interface name (a CIDR when CONFIG_USE_SUBNETS=y)
  ext_bridge,       ///< an OVS bridge name, or "provider"
  bridge_list,      ///< comma-separated OVS bridge names
  bridge_ifaces,    ///< BRIDGE:IFACE,...
  bridge_mappings,  ///< PHYSNET:BRIDGE,...
  gre_ranges,       ///< MIN:MAX,... within 1..2^32-1
  vni_ranges,       ///< MIN:MAX,... within 1..2^24-1
  vlan_ranges,      ///< PHYSNET[:MIN:MAX],... with VLAN ids 1..4094
  tunnel_ranges,    ///< Havana's CONFIG_NEUTRON_OVS_TUNNEL_RANGES: GRE or VNI ranges by tenant type
  physnet,          ///< a physical network name
  physnet_list,     ///< "*" or comma-separated physical network names
  ssh_key,          ///< path of an ssh public key (the file is checked by check_local_files)
  password,         ///< a secret, not empty; PW_PLACEHOLDER stands for CONFIG_DEFAULT_PASSWORD
};

/// When a key applies. A key set to a non-default value while its precondition is false is
/// reported (a warning), not used.
enum class When : std::uint8_t {
  always,
  tunnels,            ///< a tenant network type is gre or vxlan
  gre,                ///< gre is a type driver
  vxlan,              ///< vxlan is a type driver
  vlan,               ///< vlan is a type driver
  flat,               ///< flat is a type driver
  amqp_ssl,           ///< CONFIG_AMQP_ENABLE_SSL=y
  provision_demo,     ///< CONFIG_PROVISION_DEMO=y
  provider_external,  ///< CONFIG_NEUTRON_L3_EXT_BRIDGE=provider
  ldap,               ///< CONFIG_KEYSTONE_IDENTITY_BACKEND=ldap
  legacy_ovs_plugin,  ///< Havana/Icehouse CONFIG_NEUTRON_L2_PLUGIN=openvswitch: OVS plugin keys rule
};

/// What became of an old key name.
enum class Deprecation : std::uint8_t {
  none,
  rename,     ///< same meaning, new name: read as replaced_by (CONFIG_MYSQL_HOST → CONFIG_MARIADB_HOST)
  host_role,  ///< Havana per-service host key: still places its own service; newer packstack folds
              ///< it into replaced_by (CONFIG_NEUTRON_SERVER_HOST → CONFIG_CONTROLLER_HOST)
  translate,  ///< its value maps onto newer keys (CONFIG_NEUTRON_L2_PLUGIN=openvswitch → ML2 + OVS)
  dropped,    ///< no successor; read only to be checked (CONFIG_NEUTRON_USE_NAMESPACES)
};

/// Packstack versions that wrote a key (bit set).
namespace version {
inline constexpr std::uint8_t havana = 1;     ///< 2013.2 (the RDO hangout, Feb 2014)
inline constexpr std::uint8_t icehouse = 2;   ///< 2014.1
inline constexpr std::uint8_t current = 4;    ///< Juno (2014.2) to master
inline constexpr std::uint8_t stackwire = 8;  ///< stackwire's own keys
inline constexpr std::uint8_t old = havana | icehouse;
inline constexpr std::uint8_t all = havana | icehouse | current;
}  // namespace version

struct KeySpec {
  std::string_view name = {};           ///< CONFIG_NEUTRON_OVS_TUNNEL_IF
  std::string_view service = {};        ///< who reads it: see is_deployed_service()
  std::string_view group = {};          ///< packstack's parameter group
  std::string_view usage = {};          ///< the comment written above the key
  std::string_view default_value = {};  ///< what gen-answer-file writes and a missing key reads as
  Check check = Check::any;
  std::string_view options = {};        ///< "y|n", "system|netdev": for choice and multi_choice
  When when = When::always;
  bool required = false;           ///< an empty value is an error
  bool password = false;           ///< generated: random 16 hex chars, or PW_PLACEHOLDER
  bool secret = false;             ///< never printed (passwords are secrets too)
  bool local_host = false;         ///< gen-answer-file's default is this machine's address
  bool generated = false;          ///< written by gen-answer-file
  bool installs = false;           ///< the y/n key that switches its service on
  std::uint8_t versions = version::current;
  std::string_view replaced_by = {};
  Deprecation deprecation = Deprecation::none;
  std::string_view option = {};        ///< packstack's own option when not the derived spelling
  std::string_view default_from = {};  ///< a missing key reads as this key's value

  bool deprecated() const { return deprecation != Deprecation::none; }
};

/// Every key, current keys in packstack's order first (the order gen-answer-file writes).
std::span<const KeySpec> answer_keys();

/// The key named name (case-insensitive, as packstack's ConfigParser reads them), or nullptr.
const KeySpec* find_key(std::string_view name);

/// The catalogued key nearest to name by edit distance when close enough to be a typo, else nullptr.
const KeySpec* nearest_key(std::string_view name);

/// True for the services stackwire deploys: global settings, ssh, mariadb, amqp, keystone,
/// neutron (server and OVS/L3/DHCP/metadata agents), client (keystonerc) and provision.
bool is_deployed_service(std::string_view service);

/// The command-line spellings of a key, packstack master's first:
/// CONFIG_NEUTRON_OVS_TUNNEL_IF → "--os-neutron-ovs-tunnel-if", "--neutron-ovs-tunnel-if" (Havana),
/// then packstack's own option name where it differs ("--os-neutron-ovs-bridge-interfaces").
std::vector<std::string> option_spellings(const KeySpec& key);

/// The key an option spelling sets ("--os-neutron-ovs-tunnel-if" or "neutron-ovs-tunnel-if"), or nullptr.
const KeySpec* key_for_option(std::string_view option);

/// The old names read as key (those whose replaced_by is key), in catalogue order.
const std::vector<const KeySpec*>& old_names_of(std::string_view key);

/// The y/n key that switches service on (CONFIG_GLANCE_INSTALL for "glance"), or nullptr.
const KeySpec* install_key_of(std::string_view service);

/// Words for a precondition, completing "applies only when ...".
std::string_view precondition_text(When when);

/// Options of a choice key, split: "y|n" → {"y", "n"}.
std::vector<std::string_view> key_options(const KeySpec& key);

}  // namespace sw::installer
