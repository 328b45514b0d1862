// The OpenStack service plugins, in packstack's order: mariadb, amqp (RabbitMQ), keystone, neutron.
//
// Each plan function takes one host's parameters and returns that host's steps for the plugin, in
// order (empty when the host has no part in it); the deploy pipeline wraps them into one Manifest
// per host and plugin and runs them: hosts of one plugin in parallel, plugins one after another.
// Every step is check-then-apply, so a re-run on a deployed cloud changes nothing and restarts
// nothing; checks are cheap (config comparisons, pid liveness, mysql over the socket, one AMQP
// login, Keystone/Neutron REST calls with curl), never the openstack CLI.
//
// Parameters are plain data the pipeline fills from the answer file, inventory and facts; no plan
// parses anything. Secrets are not parameters: steps refer to the answer file's variables in
// /var/lib/stackwire/answers.env (see manifest.h), which must define (Havana spellings in brackets
// are accepted for the first two):
//   CONFIG_MARIADB_PW [CONFIG_MYSQL_PW]            MariaDB root@localhost
//   CONFIG_AMQP_AUTH_PASSWORD [CONFIG_QPID_AUTH_PASSWORD]  RabbitMQ user (AmqpParams::user)
//   CONFIG_KEYSTONE_DB_PW, CONFIG_KEYSTONE_ADMIN_PW
//   CONFIG_NEUTRON_DB_PW, CONFIG_NEUTRON_KS_PW, CONFIG_NEUTRON_METADATA_PW
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "installer/manifest.h"

namespace sw::installer {

enum class OsFamily { debian, redhat };
/// systemd units, or (lab hosts, containers) no init: daemons kept by pidfile in /run/stackwire.
enum class ServiceManager { systemd, none };
enum class DatapathType { system, netdev };
enum class TenantNetworkType { local, vlan, gre, vxlan };

/// The inventory roles a host holds (packstack's controller / network / compute hosts).
struct HostRoles {
  bool controller = false;  ///< MariaDB, RabbitMQ, Keystone, neutron-server
  bool network = false;     ///< OVS, L3, DHCP and metadata agents
  bool compute = false;     ///< OVS agent
};

/// What every service plan needs to know about the host it is for.
struct ServiceHost {
  std::string host_name;      ///< the host's own name: Neutron's `host` for its agents
  std::string mgmt_ip;        ///< the host's own management address
  std::string controller_ip;  ///< the controller's management address (MariaDB, AMQP, Keystone, API)
  HostRoles roles;
  OsFamily os = OsFamily::debian;
  ServiceManager service_manager = ServiceManager::systemd;
};

/// One service database: created with its user on the controller, reached over the unix socket.
struct ServiceDatabase {
  std::string name;          ///< "keystone"
  std::string user;          ///< "keystone" (@localhost)
  std::string password_var;  ///< "CONFIG_KEYSTONE_DB_PW"
};

/// keystone and neutron, with packstack's password keys.
std::vector<ServiceDatabase> default_service_databases();

struct MariadbParams {
  ServiceHost host;
  std::vector<ServiceDatabase> databases = default_service_databases();
};

struct AmqpParams {
  ServiceHost host;
  std::string user = "openstack";  ///< its password: CONFIG_AMQP_AUTH_PASSWORD
  int port = 5672;
};

/// An OpenStack service registered in Keystone: its user (admin in project `service`), its
/// catalog entry and public/internal/admin endpoints (all at url).
struct KeystoneServiceUser {
  std::string user;          ///< "neutron"
  std::string password_var;  ///< "CONFIG_NEUTRON_KS_PW"
  std::string service_name;  ///< "neutron"
  std::string type;          ///< "network"
  std::string description;   ///< "OpenStack Networking"
  std::string url;           ///< "http://10.15.0.4:9696"
};

/// Neutron's Keystone entry for a controller at controller_ip.
KeystoneServiceUser neutron_service_user(const std::string& controller_ip);

struct KeystoneParams {
  ServiceHost host;
  std::string region = "RegionOne";
  std::vector<KeystoneServiceUser> services = {};  ///< e.g. {neutron_service_user(controller_ip)}
  std::string keystonerc_path = "/root/keystonerc_admin";
};

struct NeutronParams {
  ServiceHost host;
  std::string region = "RegionOne";
  std::string amqp_user = "openstack";  ///< as AmqpParams::user
  int amqp_port = 5672;
  std::string tunnel_ip;  ///< local_ip of the OVS agent (gre/vxlan); the tunnel interface's address
  TenantNetworkType tenant_network_type = TenantNetworkType::gre;
  std::string tunnel_id_ranges = "1000:3000";  ///< [ml2_type_gre]
  std::string vni_ranges = "1000:3000";        ///< [ml2_type_vxlan]
  std::string vlan_ranges;                     ///< [ml2_type_vlan] network_vlan_ranges ("physnet1:1:4094")
  int vxlan_udp_port = 4789;
  std::string external_bridge = "br-ex";
  /// physnet → bridge; applied by the OVS agent on network hosts (and on compute hosts for vlan
  /// tenant networks); the physnets are the server's flat networks.
  std::vector<std::pair<std::string, std::string>> bridge_mappings = {{"external", "br-ex"}};
  DatapathType datapath_type = DatapathType::system;
  /// MTU of the physical networks; Neutron gives GRE networks this less 42 (1458 at 1500), VXLAN
  /// less 50, and the DHCP agent hands that MTU to instances (option 26).
  int global_physnet_mtu = 1500;
  int api_workers = 1;
  int rpc_workers = 1;
  /// Seconds an agent host waits for neutron-server's API before it starts its agents (the
  /// controller's neutron manifest runs at the same time: db upgrade, server start).
  int server_wait_timeout = 300;
  /// Seconds each agent host waits for its agents to report alive to neutron-server.
  int agent_alive_timeout = 150;
};

/// MariaDB on the controller: packages, datadir, config, service, root password, one database
/// and user per ServiceDatabase.
std::vector<Step> plan_mariadb(const MariadbParams& p);
/// RabbitMQ on the controller, listening on its management address; user p.user on vhost /.
std::vector<Step> plan_amqp(const AmqpParams& p);
/// Keystone on the controller (fernet, db_sync, bootstrap, endpoints http://<controller>:5000/v3/),
/// project service, the service users and their catalog entries, keystonerc_admin.
std::vector<Step> plan_keystone(const KeystoneParams& p);
/// neutron-server (ML2/openvswitch) on the controller; OVS agent on network and compute hosts;
/// L3, DHCP and metadata agents on network hosts; agent hosts wait until their agents are alive.
std::vector<Step> plan_neutron(const NeutronParams& p);

/// Input errors a neutron plan cannot render around (no tunnel address on an agent host for
/// gre/vxlan, no vlan ranges for vlan, no host name): for the pipeline to report before planning.
Result<void> validate_neutron_params(const NeutronParams& p);

/// "gre", "vxlan", ... as in the answer file.
const char* to_string(TenantNetworkType t);
const char* to_string(DatapathType t);

}  // namespace sw::installer
