#include "installer/answer_keys.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/strings.h"
#include "installer/answer_keys_other.h"
#include "installer/validators.h"

namespace sw::installer {
namespace {

namespace v = version;

// Keys stackwire reads (and packstack's *_INSTALL switches), in packstack's order. Usage texts are
// packstack master's wording (docs/packstack.rst), adjusted where stackwire behaves differently.
// clang-format off
const KeySpec kKeys[] = {
  // ---- GLOBAL
  {.name = "CONFIG_SSH_KEY", .service = "ssh", .group = "GLOBAL",
   .usage = "Path to a public key to install on servers. stackwire appends it to root's "
            "authorized_keys on every host and connects with the matching private key.",
   .check = Check::ssh_key, .generated = true, .versions = v::all, .option = "ssh-public-key"},
  {.name = "CONFIG_DEFAULT_PASSWORD", .service = "global", .group = "GLOBAL",
   .usage = "Default password to be used everywhere (overridden by passwords set for individual "
            "services or users). A password key set to PW_PLACEHOLDER takes this value.",
   .secret = true, .generated = true},
  {.name = "CONFIG_SERVICE_WORKERS", .service = "global", .group = "GLOBAL",
   .usage = "The amount of service workers/threads to use for each service. Useful to tweak when "
            "you have memory constraints. Defaults to the amount of cores on the system.",
   .default_value = "%{::processorcount}"},
  {.name = "CONFIG_MARIADB_INSTALL", .service = "mariadb", .group = "GLOBAL",
   .usage = "Specify 'y' to install MariaDB. With 'n', CONFIG_MARIADB_HOST names an existing "
            "database server.",
   .default_value = "y", .check = Check::yes_no, .generated = true, .installs = true,
   .option = "mariadb-install"},
  {.name = "CONFIG_GLANCE_INSTALL", .service = "glance", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Image Service (glance). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_CINDER_INSTALL", .service = "cinder", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Block Storage (cinder). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_MANILA_INSTALL", .service = "manila", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Shared File System (manila). Not deployed by "
            "stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true},
  {.name = "CONFIG_NOVA_INSTALL", .service = "nova", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Compute (nova). Not deployed by stackwire: compute "
            "hosts get Open vSwitch and the neutron OVS agent only.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_NEUTRON_INSTALL", .service = "neutron", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Networking (neutron).",
   .default_value = "y", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_HORIZON_INSTALL", .service = "horizon", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Dashboard (horizon). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_SWIFT_INSTALL", .service = "swift", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Object Storage (swift). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_CEILOMETER_INSTALL", .service = "ceilometer", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Metering (ceilometer). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_AODH_INSTALL", .service = "aodh", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Telemetry Alarming (Aodh). Not deployed by "
            "stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true},
  {.name = "CONFIG_HEAT_INSTALL", .service = "heat", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Orchestration (heat). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_MAGNUM_INSTALL", .service = "magnum", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Container Infrastructure Management Service "
            "(magnum). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true},
  {.name = "CONFIG_TROVE_INSTALL", .service = "trove", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Database (trove). Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true},
  {.name = "CONFIG_IRONIC_INSTALL", .service = "ironic", .group = "GLOBAL",
   .usage = "Specify 'y' to install OpenStack Bare Metal Provisioning (ironic). Not deployed by "
            "stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true},
  {.name = "CONFIG_CLIENT_INSTALL", .service = "client", .group = "GLOBAL",
   .usage = "Specify 'y' to install the OpenStack Client packages (command-line tools). An admin "
            "\"rc\" file will also be installed.",
   .default_value = "y", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "CONFIG_NAGIOS_INSTALL", .service = "nagios", .group = "GLOBAL",
   .usage = "Specify 'y' to install Nagios to monitor OpenStack hosts. Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true, .versions = v::all},
  {.name = "EXCLUDE_SERVERS", .service = "global", .group = "GLOBAL",
   .usage = "Comma-separated list of servers to be excluded from the installation. This is "
            "helpful if you are running stackwire a second time with the same answer file and do "
            "not want it to change these servers' configurations. Leave empty if you do not need "
            "to exclude any servers.",
   .check = Check::host_list, .generated = true, .versions = v::all},
  {.name = "CONFIG_DEBUG_MODE", .service = "global", .group = "GLOBAL",
   .usage = "Specify 'y' if you want to run OpenStack services in debug mode; otherwise, specify "
            "'n'.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .versions = v::all},
  {.name = "CONFIG_CONTROLLER_HOST", .service = "global", .group = "GLOBAL",
   .usage = "Server on which to install OpenStack services specific to the controller role: "
            "MariaDB, RabbitMQ, Keystone and neutron-server (unless CONFIG_MARIADB_HOST or "
            "CONFIG_AMQP_HOST say otherwise).",
   .check = Check::host, .required = true, .local_host = true, .generated = true},
  {.name = "CONFIG_COMPUTE_HOSTS", .service = "global", .group = "GLOBAL",
   .usage = "List the servers on which to install the Compute service. stackwire sets up Open "
            "vSwitch and the neutron OVS agent on them.",
   .check = Check::host_list, .required = true, .local_host = true, .generated = true,
   .default_from = "CONFIG_CONTROLLER_HOST"},
  {.name = "CONFIG_NETWORK_HOSTS", .service = "global", .group = "GLOBAL",
   .usage = "List of servers on which to install the network service: the neutron L3, DHCP, "
            "metadata and OVS agents, the external bridge and the tunnel endpoint.",
   .check = Check::host_list, .required = true, .local_host = true, .generated = true,
   .default_from = "CONFIG_CONTROLLER_HOST"},
  {.name = "CONFIG_USE_SUBNETS", .service = "global", .group = "GLOBAL",
   .usage = "Specify 'y' if you want to use subnet addresses (in CIDR format) instead of "
            "interface names in following options: CONFIG_NEUTRON_OVS_BRIDGE_IFACES, "
            "CONFIG_NEUTRON_OVS_TUNNEL_IF. This is useful for cases when interface names are not "
            "same on all installation hosts.",
   .default_value = "n", .check = Check::yes_no, .generated = true},
  {.name = "CONFIG_UNSUPPORTED", .service = "global", .group = "GLOBAL",
   .usage = "Specify 'y' if you want to use unsupported parameters.",
   .default_value = "n", .check = Check::yes_no},

  // ---- AMQP
  {.name = "CONFIG_AMQP_BACKEND", .service = "amqp", .group = "AMQP",
   .usage = "Service to be used as the AMQP broker. Allowed values are: rabbitmq",
   .default_value = "rabbitmq", .check = Check::choice, .options = "rabbitmq", .generated = true},
  {.name = "CONFIG_AMQP_HOST", .service = "amqp", .group = "AMQP",
   .usage = "IP address of the server on which to install the AMQP service.",
   .check = Check::host, .required = true, .local_host = true, .generated = true,
   .versions = v::icehouse | v::current, .default_from = "CONFIG_CONTROLLER_HOST"},
  {.name = "CONFIG_AMQP_ENABLE_SSL", .service = "amqp", .group = "AMQP",
   .usage = "Specify 'y' to enable SSL for the AMQP service. stackwire does not set up AMQP over "
            "SSL.",
   .default_value = "n", .check = Check::choice, .options = "n", .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_ENABLE_AUTH", .service = "amqp", .group = "AMQP",
   .usage = "Specify 'y' to enable authentication for the AMQP service.",
   .default_value = "n", .check = Check::yes_no, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_NSS_CERTDB_PW", .service = "amqp", .group = "AMQPSSL",
   .usage = "Password for the NSS certificate database of the AMQP service.",
   .default_value = "PW_PLACEHOLDER", .when = When::amqp_ssl, .secret = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_SSL_PORT", .service = "amqp", .group = "AMQPSSL",
   .usage = "Port on which the AMQP service listens for SSL connections.",
   .default_value = "5671", .check = Check::port, .when = When::amqp_ssl,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_SSL_CACERT_FILE", .service = "amqp", .group = "AMQPSSL",
   .usage = "Path of the CA certificate file for the AMQP service's SSL.",
   .when = When::amqp_ssl},
  {.name = "CONFIG_AMQP_SSL_CERT_FILE", .service = "amqp", .group = "AMQPSSL",
   .usage = "Path of the certificate file for the AMQP service's SSL.",
   .when = When::amqp_ssl, .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_SSL_KEY_FILE", .service = "amqp", .group = "AMQPSSL",
   .usage = "Path of the private key file for the AMQP service's SSL.",
   .when = When::amqp_ssl, .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_SSL_SELF_SIGNED", .service = "amqp", .group = "AMQPSSL",
   .usage = "Specify 'y' to generate a self-signed certificate for the AMQP service.",
   .default_value = "y", .check = Check::yes_no, .when = When::amqp_ssl,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_AUTH_USER", .service = "amqp", .group = "AMQPAUTH",
   .usage = "User for AMQP authentication. stackwire creates this RabbitMQ user in any case: "
            "RabbitMQ's guest account only works from localhost.",
   .default_value = "amqp_user", .check = Check::nonempty, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_AMQP_AUTH_PASSWORD", .service = "amqp", .group = "AMQPAUTH",
   .usage = "Password for AMQP authentication.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::icehouse | v::current},

  // ---- MARIADB
  {.name = "CONFIG_MARIADB_HOST", .service = "mariadb", .group = "MARIADB",
   .usage = "IP address of the server on which to install MariaDB. If a MariaDB installation was "
            "not specified in CONFIG_MARIADB_INSTALL, specify the IP address of an existing "
            "database server.",
   .check = Check::host, .required = true, .local_host = true, .generated = true,
   .default_from = "CONFIG_CONTROLLER_HOST"},
  {.name = "CONFIG_MARIADB_USER", .service = "mariadb", .group = "MARIADB",
   .usage = "User name for the MariaDB administrative user.",
   .default_value = "root", .check = Check::nonempty, .generated = true},
  {.name = "CONFIG_MARIADB_PW", .service = "mariadb", .group = "MARIADB",
   .usage = "Password for the MariaDB administrative user.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true},

  // ---- KEYSTONE
  {.name = "CONFIG_KEYSTONE_DB_PW", .service = "keystone", .group = "KEYSTONE",
   .usage = "Password to use for the Identity service (keystone) to access the database.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::all, .option = "keystone-db-passwd"},
  {.name = "CONFIG_KEYSTONE_DB_PURGE_ENABLE", .service = "keystone", .group = "KEYSTONE",
   .usage = "Enter y if cron job for removing soft deleted DB rows should be created.",
   .default_value = "y", .check = Check::yes_no},
  {.name = "CONFIG_KEYSTONE_REGION", .service = "keystone", .group = "KEYSTONE",
   .usage = "Default region name to use when creating tenants in the Identity service.",
   .default_value = "RegionOne", .check = Check::nonempty, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_KEYSTONE_ADMIN_TOKEN", .service = "keystone", .group = "KEYSTONE",
   .usage = "Token to use for the Identity service API.",
   .secret = true, .versions = v::all},
  {.name = "CONFIG_KEYSTONE_ADMIN_EMAIL", .service = "keystone", .group = "KEYSTONE",
   .usage = "Email address for the Identity service 'admin' user.  Defaults to 'root@localhost'.",
   .default_value = "root@localhost", .check = Check::nonempty, .generated = true},
  {.name = "CONFIG_KEYSTONE_ADMIN_USERNAME", .service = "keystone", .group = "KEYSTONE",
   .usage = "User name for the Identity service 'admin' user.  Defaults to 'admin'.",
   .default_value = "admin", .check = Check::nonempty, .generated = true},
  {.name = "CONFIG_KEYSTONE_ADMIN_PW", .service = "keystone", .group = "KEYSTONE",
   .usage = "Password to use for the Identity service 'admin' user.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::all, .option = "keystone-admin-passwd"},
  {.name = "CONFIG_KEYSTONE_DEMO_PW", .service = "keystone", .group = "KEYSTONE",
   .usage = "Password to use for the Identity service 'demo' user.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::all, .option = "keystone-demo-passwd"},
  {.name = "CONFIG_KEYSTONE_API_VERSION", .service = "keystone", .group = "KEYSTONE",
   .usage = "Identity service API version string.",
   .default_value = "v3", .check = Check::choice, .options = "v2.0|v3", .generated = true},
  {.name = "CONFIG_KEYSTONE_TOKEN_FORMAT", .service = "keystone", .group = "KEYSTONE",
   .usage = "Identity service token format.",
   .default_value = "FERNET", .check = Check::choice, .options = "UUID|PKI|PKIZ|FERNET",
   .generated = true, .versions = v::all},
  {.name = "CONFIG_KEYSTONE_SERVICE_NAME", .service = "keystone", .group = "KEYSTONE",
   .usage = "Name of service to use to run the Identity service (keystone or httpd).",
   .default_value = "httpd", .check = Check::choice, .options = "keystone|httpd"},
  {.name = "CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE", .service = "keystone", .group = "KEYSTONE",
   .usage = "Enter y if cron job to rotate Fernet tokens should be created.",
   .default_value = "y", .check = Check::yes_no},
  {.name = "CONFIG_KEYSTONE_IDENTITY_BACKEND", .service = "keystone", .group = "KEYSTONE",
   .usage = "Type of Identity service backend. stackwire deploys the sql backend only.",
   .default_value = "sql", .check = Check::choice, .options = "sql", .generated = true},

  // ---- NEUTRON
  {.name = "CONFIG_NEUTRON_KS_PW", .service = "neutron", .group = "NEUTRON",
   .usage = "Password to use for OpenStack Networking (neutron) to authenticate with the Identity "
            "service.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::all, .option = "os-neutron-ks-password"},
  {.name = "CONFIG_NEUTRON_DB_PW", .service = "neutron", .group = "NEUTRON",
   .usage = "The password to use for OpenStack Networking to access the database.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::all, .option = "os-neutron-db-password"},
  {.name = "CONFIG_NEUTRON_L3_EXT_BRIDGE", .service = "neutron", .group = "NEUTRON",
   .usage = "The name of the Open vSwitch bridge for the OpenStack Networking L3 agent to use for "
            "external traffic. Specify 'provider' if you intend to use a provider network to "
            "handle external traffic.",
   .default_value = "br-ex", .check = Check::ext_bridge, .required = true, .generated = true,
   .versions = v::all},
  {.name = "CONFIG_NEUTRON_METADATA_PW", .service = "neutron", .group = "NEUTRON",
   .usage = "Password for the OpenStack Networking metadata agent.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .generated = true, .versions = v::all},
  {.name = "CONFIG_LBAAS_INSTALL", .service = "neutron-lbaas", .group = "NEUTRON",
   .usage = "Specify 'y' to install OpenStack Networking's Load-Balancing-as-a-Service (LBaaS). "
            "Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true,
   .versions = v::icehouse | v::current, .option = "os-neutron-lbaas-install"},
  {.name = "CONFIG_NEUTRON_METERING_AGENT_INSTALL", .service = "neutron-metering", .group = "NEUTRON",
   .usage = "Specify 'y' to install OpenStack Networking's L3 Metering agent. Not deployed by "
            "stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_FWAAS", .service = "neutron-fwaas", .group = "NEUTRON",
   .usage = "Specify 'y' to configure OpenStack Networking's Firewall-as-a-Service (FWaaS). Not "
            "deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true,
   .versions = v::icehouse | v::current, .option = "neutron-fwaas"},
  {.name = "CONFIG_NEUTRON_VPNAAS", .service = "neutron-vpnaas", .group = "NEUTRON",
   .usage = "Specify 'y' to configure OpenStack Networking's VPN-as-a-Service (VPNaaS). Not "
            "deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true,
   .option = "os-neutron-vpnaas-install"},

  // ---- NEUTRON_ML2_PLUGIN
  {.name = "CONFIG_NEUTRON_ML2_TYPE_DRIVERS", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated list of network-type driver entry points to be loaded from the "
            "neutron.ml2.type_drivers namespace.",
   .default_value = "gre", .check = Check::multi_choice, .options = "local|flat|vlan|gre|vxlan",
   .generated = true, .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated, ordered list of network types to allocate as tenant networks. The "
            "'local' value is only useful for single-box testing and provides no connectivity "
            "between hosts. The first one is the type of the tenant networks stackwire checks.",
   .default_value = "gre", .check = Check::multi_choice, .options = "local|vlan|gre|vxlan",
   .generated = true, .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated ordered list of networking mechanism driver entry points to be "
            "loaded from the neutron.ml2.mechanism_drivers namespace. stackwire deploys the "
            "openvswitch agent: the list must contain openvswitch.",
   .default_value = "openvswitch", .check = Check::multi_choice,
   .options = "logger|test|linuxbridge|openvswitch|hyperv|ncs|arista|cisco_nexus|mlnx|"
              "l2population|sriovnicswitch|ovn",
   .generated = true, .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_FLAT_NETWORKS", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated list of physical_network names with which flat networks can be "
            "created. Use * to allow flat networks with arbitrary physical_network names.",
   .default_value = "*", .check = Check::physnet_list, .when = When::flat, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_VLAN_RANGES", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated list of <physical_network>:<vlan_min>:<vlan_max> or "
            "<physical_network> specifying physical_network names usable for VLAN provider and "
            "tenant networks, as well as ranges of VLAN tags on each available for allocation to "
            "tenant networks.",
   .check = Check::vlan_ranges, .when = When::vlan, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated list of <tun_min>:<tun_max> tuples enumerating ranges of GRE tunnel "
            "IDs that are available for tenant-network allocation (within 1..4294967295).",
   .default_value = "1000:3000", .check = Check::gre_ranges, .when = When::gre, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_VXLAN_GROUP", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated list of addresses for VXLAN multicast group. If left empty, disables "
            "VXLAN from sending allocate broadcast traffic (disables multicast VXLAN mode). "
            "Should be a Multicast IP (v4 or v6) address.",
   .check = Check::ip_list, .when = When::vxlan, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_ML2_VNI_RANGES", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Comma-separated list of <vni_min>:<vni_max> tuples enumerating ranges of VXLAN VNI "
            "IDs that are available for tenant network allocation (within 1..16777215).",
   .default_value = "10:100", .check = Check::vni_ranges, .when = When::vxlan, .generated = true,
   .versions = v::icehouse | v::current},
  {.name = "CONFIG_NEUTRON_L2_AGENT", .service = "neutron", .group = "NEUTRON_ML2_PLUGIN",
   .usage = "Name of the L2 agent to be used with OpenStack Networking. stackwire deploys the "
            "openvswitch agent.",
   .default_value = "openvswitch", .check = Check::choice, .options = "openvswitch",
   .generated = true},

  // ---- NEUTRON_OVS_AGENT
  {.name = "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS", .service = "neutron", .group = "NEUTRON_OVS_AGENT",
   .usage = "Comma-separated list of bridge mappings for the OpenStack Networking Open vSwitch "
            "plugin. Each tuple in the list must be in the format <physical_network>:<ovs_bridge>. "
            "Example: physnet1:br-eth1,physnet2:br-eth2,physnet3:br-eth3",
   .check = Check::bridge_mappings, .generated = true, .versions = v::all},
  {.name = "CONFIG_NEUTRON_OVS_BRIDGE_IFACES", .service = "neutron", .group = "NEUTRON_OVS_AGENT",
   .usage = "Comma-separated list of colon-separated Open vSwitch <bridge>:<interface> pairs. The "
            "interface will be added to the associated bridge (on the network hosts: "
            "br-ex:eth3 makes eth3 the external bridge's uplink).",
   .check = Check::bridge_ifaces, .generated = true, .versions = v::all,
   .option = "os-neutron-ovs-bridge-interfaces"},
  {.name = "CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE", .service = "neutron", .group = "NEUTRON_OVS_AGENT",
   .usage = "Comma-separated list of Open vSwitch bridges that must be created and connected to "
            "interfaces in compute nodes when flat or vlan type drivers are enabled. These bridges "
            "must exist in CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS and CONFIG_NEUTRON_OVS_BRIDGE_IFACES.",
   .check = Check::bridge_list, .generated = true},
  {.name = "CONFIG_NEUTRON_OVS_EXTERNAL_PHYSNET", .service = "neutron", .group = "NEUTRON_OVS_AGENT",
   .usage = "Name of physical network used for external network when enabling "
            "CONFIG_PROVISION_DEMO. Name must be one of the included in "
            "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS.",
   .default_value = "extnet", .check = Check::physnet, .when = When::provider_external,
   .generated = true},
  {.name = "CONFIG_NEUTRON_OVS_DATAPATH_TYPE", .service = "neutron", .group = "NEUTRON_OVS_AGENT",
   .usage = "Open vSwitch datapath of the bridges (br-int, br-tun, br-ex and the bridges of "
            "CONFIG_NEUTRON_OVS_BRIDGE_IFACES): 'system' is the kernel datapath; 'netdev' is the "
            "userspace datapath, as OVS-DPDK deployments and hosts without the openvswitch kernel "
            "module use. With netdev the tunnel interface's address moves to an OVS bridge holding "
            "that interface.",
   .default_value = "system", .check = Check::choice, .options = "system|netdev", .generated = true,
   .versions = v::stackwire},

  // ---- NEUTRON_OVS_AGENT_TUNNEL
  {.name = "CONFIG_NEUTRON_OVS_TUNNEL_IF", .service = "neutron", .group = "NEUTRON_OVS_AGENT_TUNNEL",
   .usage = "Interface for the Open vSwitch tunnel. stackwire uses the IP address found on the "
            "specified interface (for example, eth1) as each host's tunnel endpoint; empty means "
            "the host's management address.",
   .check = Check::iface, .when = When::tunnels, .generated = true, .versions = v::all},
  {.name = "CONFIG_NEUTRON_OVS_TUNNEL_SUBNETS", .service = "neutron", .group = "NEUTRON_OVS_AGENT_TUNNEL",
   .usage = "Comma-separated list of subnets (for example, 192.168.10.0/24,192.168.11.0/24) used "
            "for sending tunneling packets. This is used to configure IP filtering to accept "
            "tunneling packets from these subnets instead of specific IP addresses of peer nodes. "
            "This is useful when you add existing nodes to EXCLUDE_SERVERS.",
   .check = Check::cidr_list, .when = When::tunnels, .generated = true},
  {.name = "CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT", .service = "neutron", .group = "NEUTRON_OVS_AGENT_VXLAN",
   .usage = "VXLAN UDP port.",
   .default_value = "4789", .check = Check::port, .when = When::vxlan, .required = true,
   .generated = true, .versions = v::all},

  // ---- PROVISION
  {.name = "CONFIG_PROVISION_DEMO", .service = "provision", .group = "PROVISION_INIT",
   .usage = "Specify 'y' to provision for demo usage and testing: a demo tenant and user, a "
            "public network with the floating range and a private network behind a router.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .versions = v::all,
   .option = "provision-demo"},
  {.name = "CONFIG_PROVISION_TEMPEST", .service = "tempest", .group = "PROVISION_INIT",
   .usage = "Specify 'y' to configure the OpenStack Integration Test Suite (tempest) for testing. "
            "Not deployed by stackwire.",
   .default_value = "n", .check = Check::yes_no, .generated = true, .installs = true,
   .versions = v::all, .option = "provision-tempest"},
  {.name = "CONFIG_PROVISION_DEMO_FLOATRANGE", .service = "provision", .group = "PROVISION_DEMO",
   .usage = "CIDR network address for the floating IP subnet.",
   .default_value = "172.24.4.224/28", .check = Check::cidr,
   .when = When::provision_demo, .required = true, .generated = true, .versions = v::all,
   .option = "provision-demo-floatrange"},
  {.name = "CONFIG_PROVISION_DEMO_ALLOCATION_POOLS", .service = "provision", .group = "PROVISION_DEMO",
   .usage = "Allocation pools in the floating IP subnet.",
   .default_value = "[]", .when = When::provision_demo},
  {.name = "CONFIG_PROVISION_OVS_BRIDGE", .service = "provision", .group = "PROVISION_OVS_BRIDGE",
   .usage = "Specify 'y' to configure the Open vSwitch external bridge for an all-in-one "
            "deployment (the L3 external bridge acts as the gateway for virtual machines).",
   .default_value = "n", .check = Check::yes_no, .generated = true, .option = "provision-ovs-bridge"},

  // ---- Old names (Havana 2013.2, Icehouse 2014.1), read as the keys above.
  {.name = "CONFIG_MYSQL_INSTALL", .service = "mariadb", .group = "GLOBAL",
   .usage = "Set to 'y' if you would like Packstack to install MySQL.",
   .default_value = "y", .check = Check::yes_no, .versions = v::old,
   .replaced_by = "CONFIG_MARIADB_INSTALL", .deprecation = Deprecation::rename},
  {.name = "CONFIG_MYSQL_HOST", .service = "mariadb", .group = "MYSQL",
   .usage = "The IP address of the server on which to install MySQL.",
   .check = Check::host, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_MARIADB_HOST", .deprecation = Deprecation::rename},
  {.name = "CONFIG_MYSQL_USER", .service = "mariadb", .group = "MYSQL",
   .usage = "Username for the MySQL admin user.",
   .default_value = "root", .check = Check::nonempty, .versions = v::old,
   .replaced_by = "CONFIG_MARIADB_USER", .deprecation = Deprecation::rename},
  {.name = "CONFIG_MYSQL_PW", .service = "mariadb", .group = "MYSQL",
   .usage = "Password for the MySQL admin user.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .versions = v::old, .replaced_by = "CONFIG_MARIADB_PW", .deprecation = Deprecation::rename},
  {.name = "CONFIG_AMQP_SERVER", .service = "amqp", .group = "AMQP",
   .usage = "Set the AMQP service backend. Allowed values are: qpid, rabbitmq",
   .default_value = "rabbitmq", .check = Check::choice, .options = "rabbitmq",
   .versions = v::icehouse, .replaced_by = "CONFIG_AMQP_BACKEND", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_HOST", .service = "amqp", .group = "QPIDLANCE",
   .usage = "The IP address of the server on which to install the QPID service.",
   .check = Check::host, .required = true, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_HOST", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_ENABLE_SSL", .service = "amqp", .group = "QPIDLANCE",
   .usage = "Enable SSL for the QPID service.",
   .default_value = "n", .check = Check::choice, .options = "n", .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_ENABLE_SSL", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_ENABLE_AUTH", .service = "amqp", .group = "QPIDLANCE",
   .usage = "Enable Authentication for the QPID service.",
   .default_value = "n", .check = Check::yes_no, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_ENABLE_AUTH", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_NSS_CERTDB_PW", .service = "amqp", .group = "QPIDSSL",
   .usage = "The password for the NSS certificate database of the QPID service.",
   .when = When::amqp_ssl, .secret = true, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_NSS_CERTDB_PW", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_SSL_PORT", .service = "amqp", .group = "QPIDSSL",
   .usage = "The port in which the QPID service listens to SSL connections.",
   .default_value = "5671", .check = Check::port, .when = When::amqp_ssl, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_SSL_PORT", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_SSL_CERT_FILE", .service = "amqp", .group = "QPIDSSL",
   .usage = "The filename of the certificate that the QPID service is going to use.",
   .when = When::amqp_ssl, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_SSL_CERT_FILE", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_SSL_KEY_FILE", .service = "amqp", .group = "QPIDSSL",
   .usage = "The filename of the private key that the QPID service is going to use.",
   .when = When::amqp_ssl, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_SSL_KEY_FILE", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_SSL_SELF_SIGNED", .service = "amqp", .group = "QPIDSSL",
   .usage = "Auto Generates self signed SSL certificate and key.",
   .default_value = "y", .check = Check::yes_no, .when = When::amqp_ssl, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_SSL_SELF_SIGNED", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_AUTH_USER", .service = "amqp", .group = "QPIDAUTH",
   .usage = "User for qpid authentication.",
   .default_value = "qpid_user", .check = Check::nonempty, .versions = v::havana,
   .replaced_by = "CONFIG_AMQP_AUTH_USER", .deprecation = Deprecation::rename},
  {.name = "CONFIG_QPID_AUTH_PASSWORD", .service = "amqp", .group = "QPIDAUTH",
   .usage = "Password for user authentication.",
   .default_value = "PW_PLACEHOLDER", .check = Check::password, .password = true, .secret = true,
   .versions = v::havana, .replaced_by = "CONFIG_AMQP_AUTH_PASSWORD",
   .deprecation = Deprecation::rename},
  {.name = "CONFIG_NOVA_COMPUTE_HOSTS", .service = "global", .group = "NOVA",
   .usage = "A comma separated list of IP addresses on which to install the Nova Compute services.",
   .check = Check::host_list, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_COMPUTE_HOSTS", .deprecation = Deprecation::rename,
   .option = "novacompute-hosts"},
  {.name = "CONFIG_KEYSTONE_HOST", .service = "keystone", .group = "KEYSTONE",
   .usage = "The IP address of the server on which to install Keystone.",
   .check = Check::host, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_CONTROLLER_HOST", .deprecation = Deprecation::host_role},
  {.name = "CONFIG_OSCLIENT_HOST", .service = "client", .group = "NOVACLIENT",
   .usage = "The IP address of the server on which to install the OpenStack client packages. An "
            "admin \"rc\" file will also be installed.",
   .check = Check::host, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_CONTROLLER_HOST", .deprecation = Deprecation::host_role},
  {.name = "CONFIG_NEUTRON_SERVER_HOST", .service = "neutron", .group = "NEUTRON",
   .usage = "The IP addresses of the server on which to install the Neutron server.",
   .check = Check::host, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_CONTROLLER_HOST", .deprecation = Deprecation::host_role},
  {.name = "CONFIG_NEUTRON_L3_HOSTS", .service = "neutron", .group = "NEUTRON",
   .usage = "A comma separated list of IP addresses on which to install Neutron L3 agent.",
   .check = Check::host_list, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_NETWORK_HOSTS", .deprecation = Deprecation::host_role},
  {.name = "CONFIG_NEUTRON_DHCP_HOSTS", .service = "neutron", .group = "NEUTRON",
   .usage = "A comma separated list of IP addresses on which to install Neutron DHCP agent.",
   .check = Check::host_list, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_NETWORK_HOSTS", .deprecation = Deprecation::host_role},
  {.name = "CONFIG_NEUTRON_METADATA_HOSTS", .service = "neutron", .group = "NEUTRON",
   .usage = "A comma separated list of IP addresses on which to install Neutron metadata agent.",
   .check = Check::host_list, .required = true, .versions = v::old,
   .replaced_by = "CONFIG_NETWORK_HOSTS", .deprecation = Deprecation::host_role},
  {.name = "CONFIG_NEUTRON_L2_PLUGIN", .service = "neutron", .group = "NEUTRON",
   .usage = "The name of the L2 plugin to be used with Neutron.",
   .default_value = "ml2", .check = Check::choice, .options = "openvswitch|ml2",
   .versions = v::old, .replaced_by = "CONFIG_NEUTRON_L2_AGENT",
   .deprecation = Deprecation::translate},
  {.name = "CONFIG_NEUTRON_OVS_TENANT_NETWORK_TYPE", .service = "neutron", .group = "NEUTRON_OVS_PLUGIN",
   .usage = "Type of network to allocate for tenant networks (eg. vlan, local, gre, vxlan).",
   .default_value = "local", .check = Check::choice, .options = "local|vlan|gre|vxlan",
   .when = When::legacy_ovs_plugin, .versions = v::old,
   .replaced_by = "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES", .deprecation = Deprecation::translate},
  {.name = "CONFIG_NEUTRON_OVS_VLAN_RANGES", .service = "neutron", .group = "NEUTRON_OVS_PLUGIN",
   .usage = "A comma separated list of VLAN ranges for the Neutron openvswitch plugin (eg. "
            "physnet1:1:4094,physnet2,physnet3:3000:3999).",
   .check = Check::vlan_ranges, .when = When::legacy_ovs_plugin, .versions = v::old,
   .replaced_by = "CONFIG_NEUTRON_ML2_VLAN_RANGES", .deprecation = Deprecation::translate},
  {.name = "CONFIG_NEUTRON_OVS_TUNNEL_RANGES", .service = "neutron", .group = "NEUTRON_OVS_PLUGIN_TUNNEL",
   .usage = "A comma separated list of tunnel ranges for the Neutron openvswitch plugin (eg. "
            "1:1000).",
   .check = Check::tunnel_ranges, .when = When::legacy_ovs_plugin, .versions = v::old,
   .replaced_by = "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES", .deprecation = Deprecation::translate},
  {.name = "CONFIG_NEUTRON_USE_NAMESPACES", .service = "neutron", .group = "NEUTRON",
   .usage = "Enable network namespaces for Neutron. stackwire's agents always use them.",
   .default_value = "y", .check = Check::choice, .options = "y", .versions = v::havana,
   .deprecation = Deprecation::dropped},
  {.name = "CONFIG_PROVISION_ALL_IN_ONE_OVS_BRIDGE", .service = "provision", .group = "PROVISION_INIT",
   .usage = "Whether to configure the ovs external bridge in an all-in-one deployment.",
   .default_value = "n", .check = Check::yes_no, .versions = v::old,
   .replaced_by = "CONFIG_PROVISION_OVS_BRIDGE", .deprecation = Deprecation::rename},
};
// clang-format on

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string derived_option(std::string_view name) {
  std::string_view base = name;
  if (base.starts_with("CONFIG_")) base.remove_prefix(7);
  std::string out;
  for (char c : base) out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Catalogue {
  std::vector<KeySpec> keys;
  std::map<std::string, size_t, std::less<>> by_name;
  std::map<std::string, size_t, std::less<>> by_option;  // without the leading "--"
  std::map<std::string_view, std::vector<const KeySpec*>, std::less<>> old_names;
  std::map<std::string_view, const KeySpec*, std::less<>> install_keys;

  Catalogue() {
    keys.assign(std::begin(kKeys), std::end(kKeys));
    for (auto& k : detail::other_answer_keys()) keys.push_back(k);
    for (size_t i = 0; i < keys.size(); ++i) {
      by_name.emplace(std::string(keys[i].name), i);
      for (const auto& spelling : option_spellings(keys[i])) by_option.emplace(spelling.substr(2), i);
    }
    for (const auto& k : keys) {
      if (!k.replaced_by.empty()) old_names[k.replaced_by].push_back(&k);
      if (k.installs) install_keys.emplace(k.service, &k);
    }
  }
};

const Catalogue& catalogue() {
  static const Catalogue c;
  return c;
}

}  // namespace

std::span<const KeySpec> answer_keys() { return catalogue().keys; }

const KeySpec* find_key(std::string_view name) {
  const auto& c = catalogue();
  const auto it = c.by_name.find(upper(name));
  return it == c.by_name.end() ? nullptr : &c.keys[it->second];
}

const KeySpec* nearest_key(std::string_view name) {
  const std::string wanted = upper(name);
  // A typo changes a few letters; beyond that a suggestion would be noise.
  const size_t limit = std::max<size_t>(2, wanted.size() / 5);
  const KeySpec* best = nullptr;
  size_t best_distance = ~size_t{0};
  for (const auto& k : answer_keys()) {
    // The distance is at least the difference in length: skip keys that cannot be within the
    // limit, so that a 16 KiB "key" costs no quadratic comparison against every catalogue key.
    const size_t gap = wanted.size() > k.name.size() ? wanted.size() - k.name.size() : k.name.size() - wanted.size();
    if (gap > limit) continue;
    const size_t d = edit_distance(wanted, k.name, std::min(limit, best_distance));
    if (d < best_distance) {
      best_distance = d;
      best = &k;
    }
  }
  return best_distance <= limit ? best : nullptr;
}

bool is_deployed_service(std::string_view service) {
  static constexpr std::string_view deployed[] = {"global", "ssh", "mariadb", "amqp", "keystone",
                                                  "neutron", "client", "provision"};
  return std::find(std::begin(deployed), std::end(deployed), service) != std::end(deployed);
}

std::vector<std::string> option_spellings(const KeySpec& key) {
  const std::string base = derived_option(key.name);
  std::vector<std::string> out = {"--os-" + base, "--" + base};
  if (!key.option.empty()) {
    std::string own = "--" + std::string(key.option);
    if (std::find(out.begin(), out.end(), own) == out.end()) out.push_back(std::move(own));
  }
  return out;
}

const KeySpec* key_for_option(std::string_view option) {
  while (option.starts_with('-')) option.remove_prefix(1);
  const auto& c = catalogue();
  const auto it = c.by_option.find(option);
  return it == c.by_option.end() ? nullptr : &c.keys[it->second];
}

std::string_view precondition_text(When when) {
  switch (when) {
    case When::always: return "always";
    case When::tunnels:
      return "a tenant network type (CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES) is gre or vxlan";
    case When::gre: return "CONFIG_NEUTRON_ML2_TYPE_DRIVERS contains gre";
    case When::vxlan: return "CONFIG_NEUTRON_ML2_TYPE_DRIVERS contains vxlan";
    case When::vlan: return "CONFIG_NEUTRON_ML2_TYPE_DRIVERS contains vlan";
    case When::flat: return "CONFIG_NEUTRON_ML2_TYPE_DRIVERS contains flat";
    case When::amqp_ssl: return "CONFIG_AMQP_ENABLE_SSL=y";
    case When::provision_demo: return "CONFIG_PROVISION_DEMO=y";
    case When::provider_external: return "CONFIG_NEUTRON_L3_EXT_BRIDGE=provider";
    case When::ldap: return "CONFIG_KEYSTONE_IDENTITY_BACKEND=ldap";
    case When::legacy_ovs_plugin: return "CONFIG_NEUTRON_L2_PLUGIN=openvswitch";
  }
  return "?";
}

const std::vector<const KeySpec*>& old_names_of(std::string_view key) {
  static const std::vector<const KeySpec*> none;
  const auto& c = catalogue();
  const auto it = c.old_names.find(key);
  return it == c.old_names.end() ? none : it->second;
}

const KeySpec* install_key_of(std::string_view service) {
  const auto& c = catalogue();
  const auto it = c.install_keys.find(service);
  return it == c.install_keys.end() ? nullptr : it->second;
}

std::vector<std::string_view> key_options(const KeySpec& key) {
  if (key.options.empty()) return {};
  return split(key.options, '|');
}

}  // namespace sw::installer
