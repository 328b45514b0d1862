#include "installer/answer_keys_other.h"

#include <memory>
#include <string>
#include <string_view>

namespace sw::installer::detail {
namespace {

namespace v = version;

struct Other {
  std::string_view name;
  std::string_view service;
  std::uint8_t versions;
  std::string_view default_value = {};
  std::string_view replaced_by = {};  // Havana per-service host keys: folded into this key
};

// Packstack's keys for services and features stackwire does not deploy, by service.
// clang-format off
constexpr Other kOther[] = {
  // global features packstack has and stackwire does not
  {"CONFIG_NTP_SERVERS", "ntp", v::all},
  {"CONFIG_VMWARE_BACKEND", "vmware", v::all, "n"},
  {"CONFIG_VCENTER_HOST", "vmware", v::all},
  {"CONFIG_VCENTER_USER", "vmware", v::all},
  {"CONFIG_VCENTER_PASSWORD", "vmware", v::all},
  {"CONFIG_VCENTER_CLUSTER_NAME", "vmware", v::old},
  {"CONFIG_VCENTER_CLUSTER_NAMES", "vmware", v::current},
  {"CONFIG_USE_EPEL", "serverprep", v::all, "n"},
  {"CONFIG_REPO", "serverprep", v::all},
  {"CONFIG_ENABLE_RDO_TESTING", "serverprep", v::current, "n"},
  {"CONFIG_RH_USER", "serverprep", v::all},
  {"CONFIG_RH_PW", "serverprep", v::all},
  {"CONFIG_RH_OPTIONAL", "serverprep", v::icehouse | v::current, "y"},
  {"CONFIG_RH_BETA_REPO", "serverprep", v::havana, "n"},
  {"CONFIG_RH_PROXY", "serverprep", v::icehouse | v::current},
  {"CONFIG_RH_PROXY_PORT", "serverprep", v::icehouse | v::current},
  {"CONFIG_RH_PROXY_USER", "serverprep", v::icehouse | v::current},
  {"CONFIG_RH_PROXY_PW", "serverprep", v::icehouse | v::current},
  {"CONFIG_RH_SAT6_SERVER", "serverprep", v::current},
  {"CONFIG_RH_SAT6_ORG", "serverprep", v::current},
  {"CONFIG_RH_SAT6_KEY", "serverprep", v::current},
  {"CONFIG_SATELLITE_URL", "serverprep", v::all},
  {"CONFIG_SATELLITE_USER", "serverprep", v::all},
  {"CONFIG_SATELLITE_PW", "serverprep", v::all},
  {"CONFIG_SATELLITE_AKEY", "serverprep", v::all},
  {"CONFIG_SATELLITE_CACERT", "serverprep", v::all},
  {"CONFIG_SATELLITE_PROFILE", "serverprep", v::all},
  {"CONFIG_SATELLITE_FLAGS", "serverprep", v::all},
  {"CONFIG_SATELLITE_PROXY", "serverprep", v::all},
  {"CONFIG_SATELLITE_PROXY_USER", "serverprep", v::all},
  {"CONFIG_SATELLITE_PROXY_PW", "serverprep", v::all},
  {"CONFIG_SSL_CERT_DIR", "ssl", v::current, "~/packstackca/"},
  {"CONFIG_SSL_CACERT_FILE", "ssl", v::current, "/etc/pki/tls/certs/selfcert.crt"},
  {"CONFIG_SSL_CACERT_KEY_FILE", "ssl", v::current, "/etc/pki/tls/private/selfkey.key"},
  {"CONFIG_SSL_CACERT_SELFSIGN", "ssl", v::current, "y"},
  {"CONFIG_SSL_CERT_SUBJECT_C", "ssl", v::current, "--"},
  {"CONFIG_SSL_CERT_SUBJECT_ST", "ssl", v::current, "State"},
  {"CONFIG_SSL_CERT_SUBJECT_L", "ssl", v::current, "City"},
  {"CONFIG_SSL_CERT_SUBJECT_O", "ssl", v::current, "openstack"},
  {"CONFIG_SSL_CERT_SUBJECT_OU", "ssl", v::current, "packstack"},
  {"CONFIG_SSL_CERT_SUBJECT_CN", "ssl", v::current},
  {"CONFIG_SSL_CERT_SUBJECT_MAIL", "ssl", v::current},
  {"CONFIG_STORAGE_HOST", "cinder", v::current},
  {"CONFIG_SAHARA_HOST", "sahara", v::current},

  // glance (and the demo image provision uploads to it)
  {"CONFIG_GLANCE_HOST", "glance", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_GLANCE_DB_PW", "glance", v::all},
  {"CONFIG_GLANCE_KS_PW", "glance", v::all},
  {"CONFIG_GLANCE_BACKEND", "glance", v::icehouse | v::current, "file"},
  {"CONFIG_PROVISION_IMAGE_NAME", "glance", v::current, "cirros"},
  {"CONFIG_PROVISION_IMAGE_URL", "glance", v::current},
  {"CONFIG_PROVISION_IMAGE_FORMAT", "glance", v::current, "qcow2"},
  {"CONFIG_PROVISION_IMAGE_PROPERTIES", "glance", v::current},
  {"CONFIG_PROVISION_IMAGE_SSH_USER", "glance", v::current, "cirros"},
  {"CONFIG_PROVISION_UEC_IMAGE_NAME", "glance", v::current, "cirros-uec"},
  {"CONFIG_PROVISION_UEC_IMAGE_KERNEL_URL", "glance", v::current},
  {"CONFIG_PROVISION_UEC_IMAGE_RAMDISK_URL", "glance", v::current},
  {"CONFIG_PROVISION_UEC_IMAGE_DISK_URL", "glance", v::current},

  // cinder
  {"CONFIG_CINDER_HOST", "cinder", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_CINDER_DB_PW", "cinder", v::all},
  {"CONFIG_CINDER_DB_PURGE_ENABLE", "cinder", v::current, "True"},
  {"CONFIG_CINDER_KS_PW", "cinder", v::all},
  {"CONFIG_CINDER_BACKEND", "cinder", v::all, "lvm"},
  {"CONFIG_CINDER_VOLUMES_CREATE", "cinder", v::all, "y"},
  {"CONFIG_CINDER_VOLUME_NAME", "cinder", v::current, "cinder-volumes"},
  {"CONFIG_CINDER_VOLUMES_SIZE", "cinder", v::all, "20G"},
  {"CONFIG_CINDER_GLUSTER_MOUNTS", "cinder", v::old},
  {"CONFIG_CINDER_NFS_MOUNTS", "cinder", v::all},
  {"CONFIG_CINDER_NETAPP_LOGIN", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_PASSWORD", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_HOSTNAME", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_SERVER_PORT", "cinder", v::icehouse | v::current, "80"},
  {"CONFIG_CINDER_NETAPP_STORAGE_FAMILY", "cinder", v::icehouse | v::current, "ontap_cluster"},
  {"CONFIG_CINDER_NETAPP_TRANSPORT_TYPE", "cinder", v::icehouse | v::current, "http"},
  {"CONFIG_CINDER_NETAPP_STORAGE_PROTOCOL", "cinder", v::icehouse | v::current, "nfs"},
  {"CONFIG_CINDER_NETAPP_SIZE_MULTIPLIER", "cinder", v::icehouse | v::current, "1.0"},
  {"CONFIG_CINDER_NETAPP_EXPIRY_THRES_MINUTES", "cinder", v::icehouse | v::current, "720"},
  {"CONFIG_CINDER_NETAPP_THRES_AVL_SIZE_PERC_START", "cinder", v::icehouse | v::current, "20"},
  {"CONFIG_CINDER_NETAPP_THRES_AVL_SIZE_PERC_STOP", "cinder", v::icehouse | v::current, "60"},
  {"CONFIG_CINDER_NETAPP_NFS_SHARES", "cinder", v::current},
  {"CONFIG_CINDER_NETAPP_NFS_SHARES_CONFIG", "cinder", v::icehouse | v::current, "/etc/cinder/shares.conf"},
  {"CONFIG_CINDER_NETAPP_VOLUME_LIST", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_VFILER", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_PARTNER_BACKEND_NAME", "cinder", v::current},
  {"CONFIG_CINDER_NETAPP_VSERVER", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_CONTROLLER_IPS", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_SA_PASSWORD", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_NETAPP_ESERIES_HOST_TYPE", "cinder", v::current, "linux_dm_mp"},
  {"CONFIG_CINDER_NETAPP_WEBSERVICE_PATH", "cinder", v::icehouse | v::current, "/devmgr/v2"},
  {"CONFIG_CINDER_NETAPP_STORAGE_POOLS", "cinder", v::icehouse | v::current},
  {"CONFIG_CINDER_SOLIDFIRE_LOGIN", "cinder", v::current},
  {"CONFIG_CINDER_SOLIDFIRE_PASSWORD", "cinder", v::current},
  {"CONFIG_CINDER_SOLIDFIRE_HOSTNAME", "cinder", v::current},

  // manila
  {"CONFIG_MANILA_DB_PW", "manila", v::current},
  {"CONFIG_MANILA_KS_PW", "manila", v::current},
  {"CONFIG_MANILA_BACKEND", "manila", v::current, "generic"},
  {"CONFIG_MANILA_NETAPP_DRV_HANDLES_SHARE_SERVERS", "manila", v::current, "false"},
  {"CONFIG_MANILA_NETAPP_TRANSPORT_TYPE", "manila", v::current, "https"},
  {"CONFIG_MANILA_NETAPP_LOGIN", "manila", v::current, "admin"},
  {"CONFIG_MANILA_NETAPP_PASSWORD", "manila", v::current},
  {"CONFIG_MANILA_NETAPP_SERVER_HOSTNAME", "manila", v::current},
  {"CONFIG_MANILA_NETAPP_STORAGE_FAMILY", "manila", v::current, "ontap_cluster"},
  {"CONFIG_MANILA_NETAPP_SERVER_PORT", "manila", v::current, "443"},
  {"CONFIG_MANILA_NETAPP_AGGREGATE_NAME_SEARCH_PATTERN", "manila", v::current, "(.*)"},
  {"CONFIG_MANILA_NETAPP_ROOT_VOLUME_AGGREGATE", "manila", v::current},
  {"CONFIG_MANILA_NETAPP_ROOT_VOLUME_NAME", "manila", v::current, "root"},
  {"CONFIG_MANILA_NETAPP_VSERVER", "manila", v::current},
  {"CONFIG_MANILA_GENERIC_DRV_HANDLES_SHARE_SERVERS", "manila", v::current, "true"},
  {"CONFIG_MANILA_GENERIC_VOLUME_NAME_TEMPLATE", "manila", v::current, "manila-share-%s"},
  {"CONFIG_MANILA_GENERIC_SHARE_MOUNT_PATH", "manila", v::current, "/shares"},
  {"CONFIG_MANILA_SERVICE_IMAGE_LOCATION", "manila", v::current},
  {"CONFIG_MANILA_SERVICE_INSTANCE_USER", "manila", v::current, "ubuntu"},
  {"CONFIG_MANILA_SERVICE_INSTANCE_PASSWORD", "manila", v::current},
  {"CONFIG_MANILA_NETWORK_TYPE", "manila", v::current, "neutron"},
  {"CONFIG_MANILA_NETWORK_STANDALONE_GATEWAY", "manila", v::current},
  {"CONFIG_MANILA_NETWORK_STANDALONE_NETMASK", "manila", v::current},
  {"CONFIG_MANILA_NETWORK_STANDALONE_SEG_ID", "manila", v::current},
  {"CONFIG_MANILA_NETWORK_STANDALONE_IP_RANGE", "manila", v::current},
  {"CONFIG_MANILA_NETWORK_STANDALONE_IP_VERSION", "manila", v::current, "4"},
  {"CONFIG_MANILA_GLUSTERFS_SERVERS", "manila", v::current},
  {"CONFIG_MANILA_GLUSTERFS_NATIVE_PATH_TO_PRIVATE_KEY", "manila", v::current},
  {"CONFIG_MANILA_GLUSTERFS_VOLUME_PATTERN", "manila", v::current},
  {"CONFIG_MANILA_GLUSTERFS_TARGET", "manila", v::current},
  {"CONFIG_MANILA_GLUSTERFS_MOUNT_POINT_BASE", "manila", v::current},
  {"CONFIG_MANILA_GLUSTERFS_NFS_SERVER_TYPE", "manila", v::current, "gluster"},
  {"CONFIG_MANILA_GLUSTERFS_PATH_TO_PRIVATE_KEY", "manila", v::current},
  {"CONFIG_MANILA_GLUSTERFS_GANESHA_SERVER_IP", "manila", v::current},

  // ironic
  {"CONFIG_IRONIC_DB_PW", "ironic", v::current},
  {"CONFIG_IRONIC_KS_PW", "ironic", v::current},

  // nova
  {"CONFIG_NOVA_API_HOST", "nova", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NOVA_CERT_HOST", "nova", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NOVA_VNCPROXY_HOST", "nova", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NOVA_CONDUCTOR_HOST", "nova", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NOVA_SCHED_HOST", "nova", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NOVA_NETWORK_HOSTS", "nova", v::old, {}, "CONFIG_NETWORK_HOSTS"},
  {"CONFIG_NOVA_DB_PW", "nova", v::all},
  {"CONFIG_NOVA_DB_PURGE_ENABLE", "nova", v::current, "True"},
  {"CONFIG_NOVA_KS_PW", "nova", v::all},
  {"CONFIG_NOVA_MANAGE_FLAVORS", "nova", v::current, "y"},
  {"CONFIG_NOVA_LIBVIRT_VIRT_TYPE", "nova", v::current},
  {"CONFIG_NOVA_SCHED_CPU_ALLOC_RATIO", "nova", v::all, "16.0"},
  {"CONFIG_NOVA_SCHED_RAM_ALLOC_RATIO", "nova", v::all, "1.5"},
  {"CONFIG_NOVA_COMPUTE_MIGRATE_PROTOCOL", "nova", v::icehouse | v::current, "ssh"},
  {"CONFIG_NOVA_COMPUTE_MANAGER", "nova", v::current, "nova.compute.manager.ComputeManager"},
  {"CONFIG_NOVA_PCI_ALIAS", "nova", v::current},
  {"CONFIG_NOVA_PCI_PASSTHROUGH_WHITELIST", "nova", v::current},
  {"CONFIG_NOVA_SSL_CERT", "nova", v::current},
  {"CONFIG_NOVA_SSL_KEY", "nova", v::current},
  {"CONFIG_VNC_SSL_CERT", "nova", v::current},
  {"CONFIG_VNC_SSL_KEY", "nova", v::current},
  {"CONFIG_NOVA_COMPUTE_PRIVIF", "nova", v::all},
  {"CONFIG_NOVA_NETWORK_MANAGER", "nova", v::all, "nova.network.manager.FlatDHCPManager"},
  {"CONFIG_NOVA_NETWORK_PUBIF", "nova", v::all},
  {"CONFIG_NOVA_NETWORK_PRIVIF", "nova", v::all},
  {"CONFIG_NOVA_NETWORK_FIXEDRANGE", "nova", v::all, "192.168.32.0/22"},
  {"CONFIG_NOVA_NETWORK_FLOATRANGE", "nova", v::all, "10.3.4.0/22"},
  {"CONFIG_NOVA_NETWORK_DEFAULTFLOATINGPOOL", "nova", v::all, "nova"},
  {"CONFIG_NOVA_NETWORK_AUTOASSIGNFLOATINGIP", "nova", v::all, "n"},
  {"CONFIG_NOVA_NETWORK_VLAN_START", "nova", v::all, "100"},
  {"CONFIG_NOVA_NETWORK_NUMBER", "nova", v::all, "1"},
  {"CONFIG_NOVA_NETWORK_SIZE", "nova", v::all, "255"},

  // horizon
  {"CONFIG_HORIZON_HOST", "horizon", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_HORIZON_SSL", "horizon", v::all, "n"},
  {"CONFIG_HORIZON_SECRET_KEY", "horizon", v::current},
  {"CONFIG_HORIZON_SSL_CERT", "horizon", v::current},
  {"CONFIG_HORIZON_SSL_KEY", "horizon", v::current},
  {"CONFIG_HORIZON_SSL_CACHAIN", "horizon", v::current},
  {"CONFIG_SSL_CERT", "horizon", v::old},
  {"CONFIG_SSL_KEY", "horizon", v::old},
  {"CONFIG_SSL_CACHAIN", "horizon", v::old},

  // swift
  {"CONFIG_SWIFT_PROXY_HOSTS", "swift", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_SWIFT_STORAGE_HOSTS", "swift", v::old},
  {"CONFIG_SWIFT_KS_PW", "swift", v::all},
  {"CONFIG_SWIFT_STORAGES", "swift", v::current},
  {"CONFIG_SWIFT_STORAGE_ZONES", "swift", v::all, "1"},
  {"CONFIG_SWIFT_STORAGE_REPLICAS", "swift", v::all, "1"},
  {"CONFIG_SWIFT_STORAGE_FSTYPE", "swift", v::all, "ext4"},
  {"CONFIG_SWIFT_HASH", "swift", v::all},
  {"CONFIG_SWIFT_STORAGE_SIZE", "swift", v::all, "2G"},

  // heat
  {"CONFIG_HEAT_HOST", "heat", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_HEAT_DB_PW", "heat", v::all},
  {"CONFIG_HEAT_AUTH_ENC_KEY", "heat", v::icehouse | v::current},
  {"CONFIG_HEAT_KS_PW", "heat", v::all},
  {"CONFIG_HEAT_CLOUDWATCH_INSTALL", "heat", v::all, "n"},
  {"CONFIG_HEAT_CFN_INSTALL", "heat", v::all, "n"},
  {"CONFIG_HEAT_CLOUDWATCH_HOST", "heat", v::old},
  {"CONFIG_HEAT_CFN_HOST", "heat", v::old},
  {"CONFIG_HEAT_USING_TRUSTS", "heat", v::icehouse | v::current, "y"},
  {"CONFIG_HEAT_DOMAIN", "heat", v::icehouse | v::current, "heat"},
  {"CONFIG_HEAT_DOMAIN_ADMIN", "heat", v::icehouse | v::current, "heat_admin"},
  {"CONFIG_HEAT_DOMAIN_PASSWORD", "heat", v::icehouse | v::current},

  // ceilometer and the stores it needs
  {"CONFIG_CEILOMETER_HOST", "ceilometer", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_CEILOMETER_SECRET", "ceilometer", v::all},
  {"CONFIG_CEILOMETER_KS_PW", "ceilometer", v::all},
  {"CONFIG_CEILOMETER_COORDINATION_BACKEND", "ceilometer", v::current, "redis"},
  {"CONFIG_CEILOMETER_SERVICE_NAME", "ceilometer", v::current, "httpd"},
  {"CONFIG_ENABLE_CEILOMETER_MIDDLEWARE", "ceilometer", v::current, "n"},
  {"CONFIG_MONGODB_HOST", "ceilometer", v::all},
  {"CONFIG_REDIS_HOST", "ceilometer", v::current},
  {"CONFIG_REDIS_PORT", "ceilometer", v::current, "6379"},
  {"CONFIG_REDIS_MASTER_HOST", "ceilometer", v::current},
  {"CONFIG_REDIS_HA", "ceilometer", v::current, "n"},
  {"CONFIG_REDIS_SLAVE_HOSTS", "ceilometer", v::current},
  {"CONFIG_REDIS_SENTINEL_HOSTS", "ceilometer", v::current},
  {"CONFIG_REDIS_SENTINEL_CONTACT_HOST", "ceilometer", v::current},
  {"CONFIG_REDIS_SENTINEL_PORT", "ceilometer", v::current, "26379"},
  {"CONFIG_REDIS_SENTINEL_QUORUM", "ceilometer", v::current, "2"},
  {"CONFIG_REDIS_MASTER_NAME", "ceilometer", v::current, "mymaster"},
  {"CONFIG_AODH_KS_PW", "aodh", v::current},
  {"CONFIG_AODH_DB_PW", "aodh", v::current},
  {"CONFIG_GNOCCHI_INSTALL", "gnocchi", v::current, "n"},
  {"CONFIG_GNOCCHI_DB_PW", "gnocchi", v::current},
  {"CONFIG_GNOCCHI_KS_PW", "gnocchi", v::current},
  {"CONFIG_PANKO_INSTALL", "panko", v::current, "n"},
  {"CONFIG_PANKO_DB_PW", "panko", v::current},
  {"CONFIG_PANKO_KS_PW", "panko", v::current},

  // trove, magnum, sahara, nagios
  {"CONFIG_TROVE_DB_PW", "trove", v::current},
  {"CONFIG_TROVE_KS_PW", "trove", v::current},
  {"CONFIG_TROVE_NOVA_USER", "trove", v::current, "trove"},
  {"CONFIG_TROVE_NOVA_TENANT", "trove", v::current, "services"},
  {"CONFIG_TROVE_NOVA_PW", "trove", v::current},
  {"CONFIG_MAGNUM_DB_PW", "magnum", v::current},
  {"CONFIG_MAGNUM_KS_PW", "magnum", v::current},
  {"CONFIG_SAHARA_INSTALL", "sahara", v::current, "n"},
  {"CONFIG_SAHARA_DB_PW", "sahara", v::current},
  {"CONFIG_SAHARA_KS_PW", "sahara", v::current},
  {"CONFIG_NAGIOS_HOST", "nagios", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NAGIOS_PW", "nagios", v::all},

  // tempest (switched by CONFIG_PROVISION_TEMPEST)
  {"CONFIG_PROVISION_TEMPEST_USER", "tempest", v::current},
  {"CONFIG_PROVISION_TEMPEST_USER_PW", "tempest", v::all},
  {"CONFIG_PROVISION_TEMPEST_FLOATRANGE", "tempest", v::current, "172.24.4.224/28"},
  {"CONFIG_PROVISION_TEMPEST_REPO_URI", "tempest", v::all, "https://github.com/openstack/tempest.git"},
  {"CONFIG_PROVISION_TEMPEST_REPO_REVISION", "tempest", v::all, "master"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_NAME", "tempest", v::current, "m1.nano"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_DISK", "tempest", v::current, "0"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_RAM", "tempest", v::current, "128"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_VCPUS", "tempest", v::current, "1"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_NAME", "tempest", v::current, "m1.micro"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_DISK", "tempest", v::current, "0"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_RAM", "tempest", v::current, "128"},
  {"CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_VCPUS", "tempest", v::current, "1"},
  {"CONFIG_RUN_TEMPEST", "tempest", v::current, "n"},
  {"CONFIG_RUN_TEMPEST_TESTS", "tempest", v::current, "smoke"},
  {"CONFIG_SKIP_TEMPEST_TESTS", "tempest", v::current},

  // neutron parts stackwire does not deploy
  {"CONFIG_NEUTRON_LBAAS_HOSTS", "neutron-lbaas", v::old, {}, "CONFIG_CONTROLLER_HOST"},
  {"CONFIG_NEUTRON_LB_INTERFACE_MAPPINGS", "neutron-linuxbridge", v::all},
  {"CONFIG_NEUTRON_LB_TENANT_NETWORK_TYPE", "neutron-linuxbridge", v::old, "local"},
  {"CONFIG_NEUTRON_LB_VLAN_RANGES", "neutron-linuxbridge", v::old},
  {"CONFIG_NEUTRON_ML2_SRIOV_INTERFACE_MAPPINGS", "neutron-sriov", v::current},
  {"CONFIG_NEUTRON_ML2_SUPPORTED_PCI_VENDOR_DEVS", "neutron-sriov", v::current, "['15b3:1004', '8086:10ca']"},
  {"CONFIG_NEUTRON_ML2_SRIOV_AGENT_REQUIRED", "neutron-sriov", v::current, "n"},
  {"CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS", "neutron-ovn", v::current, "extnet:br-ex"},
  {"CONFIG_NEUTRON_OVN_BRIDGE_IFACES", "neutron-ovn", v::current},
  {"CONFIG_NEUTRON_OVN_BRIDGES_COMPUTE", "neutron-ovn", v::current},
  {"CONFIG_NEUTRON_OVN_EXTERNAL_PHYSNET", "neutron-ovn", v::current, "extnet"},
  {"CONFIG_NEUTRON_OVN_TUNNEL_IF", "neutron-ovn", v::current},
  {"CONFIG_NEUTRON_OVN_TUNNEL_SUBNETS", "neutron-ovn", v::current},
};

// Keystone's LDAP identity backend: stackwire deploys the sql backend only.
constexpr std::string_view kLdap[] = {
  "URL", "USER_DN", "USER_PASSWORD", "SUFFIX", "QUERY_SCOPE", "PAGE_SIZE", "USER_SUBTREE",
  "USER_FILTER", "USER_OBJECTCLASS", "USER_ID_ATTRIBUTE", "USER_NAME_ATTRIBUTE",
  "USER_MAIL_ATTRIBUTE", "USER_ENABLED_ATTRIBUTE", "USER_ENABLED_MASK", "USER_ENABLED_DEFAULT",
  "USER_ENABLED_INVERT", "USER_ATTRIBUTE_IGNORE", "USER_DEFAULT_PROJECT_ID_ATTRIBUTE",
  "USER_ALLOW_CREATE", "USER_ALLOW_UPDATE", "USER_ALLOW_DELETE", "USER_PASS_ATTRIBUTE",
  "USER_ENABLED_EMULATION_DN", "USER_ADDITIONAL_ATTRIBUTE_MAPPING", "GROUP_SUBTREE",
  "GROUP_FILTER", "GROUP_OBJECTCLASS", "GROUP_ID_ATTRIBUTE", "GROUP_NAME_ATTRIBUTE",
  "GROUP_MEMBER_ATTRIBUTE", "GROUP_DESC_ATTRIBUTE", "GROUP_ATTRIBUTE_IGNORE",
  "GROUP_ALLOW_CREATE", "GROUP_ALLOW_UPDATE", "GROUP_ALLOW_DELETE",
  "GROUP_ADDITIONAL_ATTRIBUTE_MAPPING", "USE_TLS", "TLS_CACERTDIR", "TLS_CACERTFILE",
  "TLS_REQ_CERT",
};
// clang-format on

// The names live as long as the program (the catalogue is built once and never freed).
std::string_view keep(std::string s) {
  static std::vector<std::unique_ptr<std::string>> store;
  store.push_back(std::make_unique<std::string>(std::move(s)));
  return *store.back();
}

bool is_secret_name(std::string_view name) {
  return name.ends_with("_PW") || name.ends_with("_PASSWORD") || name.ends_with("_SECRET") ||
         name.ends_with("_SECRET_KEY") || name.ends_with("_AUTH_ENC_KEY") ||
         name == "CONFIG_SWIFT_HASH";
}

}  // namespace

std::vector<KeySpec> other_answer_keys() {
  std::vector<KeySpec> out;
  for (const auto& o : kOther) {
    KeySpec k;
    k.name = o.name;
    k.service = o.service;
    k.group = o.service;
    k.default_value = o.default_value;
    k.versions = o.versions;
    k.secret = is_secret_name(o.name);
    if (o.name.ends_with("_INSTALL")) {
      k.check = Check::yes_no;
      k.installs = o.name == "CONFIG_GNOCCHI_INSTALL" || o.name == "CONFIG_PANKO_INSTALL" ||
                   o.name == "CONFIG_SAHARA_INSTALL";
    }
    if (o.name == "CONFIG_VMWARE_BACKEND") {
      k.check = Check::yes_no;
      k.installs = true;
    }
    if (!o.replaced_by.empty()) {
      k.replaced_by = o.replaced_by;
      k.deprecation = Deprecation::host_role;
    }
    k.usage = keep("Packstack key of " + std::string(o.service) + ", which stackwire does not deploy.");
    out.push_back(k);
  }
  for (auto suffix : kLdap) {
    KeySpec k;
    k.name = keep("CONFIG_KEYSTONE_LDAP_" + std::string(suffix));
    k.service = "keystone-ldap";
    k.group = "LDAP";
    k.when = When::ldap;
    k.secret = suffix == "USER_PASSWORD";
    k.usage = "Identity service LDAP backend setting; stackwire deploys the sql backend only.";
    out.push_back(k);
  }
  return out;
}

}  // namespace sw::installer::detail
