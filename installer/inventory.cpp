#include "installer/inventory.h"

#include <algorithm>
#include <array>

#include "common/strings.h"

namespace sw::installer {
namespace {

constexpr std::array<std::string_view, kHostRoleCount> kRoleNames = {
    "controller",         "network",           "compute",
    "mariadb",            "amqp",              "keystone",
    "client",             "neutron-server",    "neutron-l3-agent",
    "neutron-dhcp-agent", "neutron-metadata-agent", "neutron-ovs-agent",
};

Result<NetworkType> network_type(std::string_view s) {
  if (s == "local") return NetworkType::local;
  if (s == "flat") return NetworkType::flat;
  if (s == "vlan") return NetworkType::vlan;
  if (s == "gre") return NetworkType::gre;
  if (s == "vxlan") return NetworkType::vxlan;
  return fail(Error::input("unknown network type " + quoted_value(s)));
}

Result<std::vector<NetworkType>> network_types(const std::vector<std::string>& items) {
  std::vector<NetworkType> out;
  for (const auto& i : items) out.push_back(SW_TRY(network_type(i)));
  return out;
}

// A key's value through a parser; a failure names the key (the file was checked, so this only
// guards against callers that skipped the check).
template <class F>
auto typed(const AnswerFile& f, std::string_view key, F parse) -> decltype(parse(std::string_view{})) {
  auto r = parse(f.value(key));
  if (!r) return fail(std::move(r.error()).context(key));
  return r;
}

class Builder {
 public:
  void add(std::string_view address, HostRole role) {
    if (address.empty()) return;
    auto it = std::find_if(hosts_.begin(), hosts_.end(),
                           [&](const InventoryHost& h) { return h.address == address; });
    if (it == hosts_.end()) {
      hosts_.push_back(InventoryHost{std::string(address), {}, false});
      it = hosts_.end() - 1;
    }
    if (!it->has(role)) {
      it->roles.push_back(role);
      std::sort(it->roles.begin(), it->roles.end());
    }
  }
  void add(const std::vector<std::string>& addresses, HostRole role) {
    for (const auto& a : addresses) add(a, role);
  }
  std::vector<InventoryHost> take() { return std::move(hosts_); }

 private:
  std::vector<InventoryHost> hosts_;
};

// A Havana per-service host key when the file has it, else the newer key's hosts.
std::vector<std::string> service_hosts(const AnswerFile& f, std::string_view havana_key,
                                       const std::vector<std::string>& otherwise) {
  if (const auto* e = f.entry(havana_key)) return split_list(e->value);
  return otherwise;
}

std::string service_host(const AnswerFile& f, std::string_view havana_key, const std::string& otherwise) {
  const auto hosts = service_hosts(f, havana_key, {otherwise});
  return hosts.empty() ? otherwise : hosts.front();
}

}  // namespace

std::string_view role_name(HostRole role) { return kRoleNames[static_cast<std::size_t>(role)]; }

std::optional<HostRole> role_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (kRoleNames[i] == name) return static_cast<HostRole>(i);
  return std::nullopt;
}

bool InventoryHost::has(HostRole role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string InventoryHost::roles_text() const {
  std::string out;
  for (auto r : roles) {
    if (!out.empty()) out += ' ';
    out += role_name(r);
  }
  return out;
}

std::string_view network_type_name(NetworkType type) {
  static constexpr std::string_view names[] = {"local", "flat", "vlan", "gre", "vxlan"};
  return names[static_cast<std::size_t>(type)];
}

std::string_view datapath_name(OvsDatapath type) {
  return type == OvsDatapath::netdev ? "netdev" : "system";
}

NetworkType NeutronSettings::tenant_network_type() const {
  return tenant_network_types.empty() ? NetworkType::local : tenant_network_types.front();
}

std::optional<NetworkType> NeutronSettings::tunnel_type() const {
  for (auto t : tenant_network_types)
    if (t == NetworkType::gre || t == NetworkType::vxlan) return t;
  return std::nullopt;
}

std::string NeutronSettings::uplink_of(std::string_view bridge) const {
  for (const auto& p : bridge_ifaces)
    if (p.bridge == bridge) return p.iface;
  return {};
}

const InventoryHost* Inventory::find(std::string_view address) const {
  for (const auto& h : hosts)
    if (h.address == address) return &h;
  return nullptr;
}

std::vector<std::string> Inventory::hosts_with(HostRole role, bool include_excluded) const {
  std::vector<std::string> out;
  for (const auto& h : hosts)
    if (h.has(role) && (include_excluded || !h.excluded)) out.push_back(h.address);
  return out;
}

std::vector<std::string> Inventory::deploy_hosts() const {
  std::vector<std::string> out;
  for (const auto& h : hosts)
    if (!h.excluded) out.push_back(h.address);
  return out;
}

std::string Inventory::describe() const {
  std::size_t width = 0;
  for (const auto& h : hosts) width = std::max(width, h.address.size());
  std::string out;
  for (const auto& h : hosts) {
    out += h.address + std::string(width - h.address.size() + 2, ' ') + h.roles_text();
    if (h.excluded) out += " (excluded)";
    out += '\n';
  }
  return out;
}

Result<Inventory> make_inventory(const AnswerFile& f) {
  if (f.has_errors()) return fail(Error::input(f.error_text()));
  Inventory inv;
  inv.controller = f.value("CONFIG_CONTROLLER_HOST");
  inv.mariadb_host = f.value("CONFIG_MARIADB_HOST");
  inv.mariadb_install = f.yes("CONFIG_MARIADB_INSTALL");
  inv.amqp_host = f.value("CONFIG_AMQP_HOST");
  inv.amqp_backend = f.value("CONFIG_AMQP_BACKEND");
  inv.keystone_region = f.value("CONFIG_KEYSTONE_REGION");
  inv.keystone_api_version = f.value("CONFIG_KEYSTONE_API_VERSION");
  inv.ssh_key = f.value("CONFIG_SSH_KEY");
  const auto network = f.list("CONFIG_NETWORK_HOSTS");
  const auto compute = f.list("CONFIG_COMPUTE_HOSTS");
  const std::vector<std::string> controller = {inv.controller};
  inv.keystone_host = service_host(f, "CONFIG_KEYSTONE_HOST", inv.controller);

  Builder b;
  b.add(inv.controller, HostRole::controller);
  if (inv.mariadb_install) b.add(inv.mariadb_host, HostRole::mariadb);
  b.add(inv.amqp_host, HostRole::amqp);
  b.add(inv.keystone_host, HostRole::keystone);
  if (f.yes("CONFIG_CLIENT_INSTALL")) b.add(service_hosts(f, "CONFIG_OSCLIENT_HOST", controller), HostRole::client);
  if (f.yes("CONFIG_NEUTRON_INSTALL")) {
    inv.neutron_server_host = service_host(f, "CONFIG_NEUTRON_SERVER_HOST", inv.controller);
    b.add(inv.neutron_server_host, HostRole::neutron_server);
  }
  b.add(network, HostRole::network);
  b.add(compute, HostRole::compute);
  if (f.yes("CONFIG_NEUTRON_INSTALL")) {
    const auto l3 = service_hosts(f, "CONFIG_NEUTRON_L3_HOSTS", network);
    const auto dhcp = service_hosts(f, "CONFIG_NEUTRON_DHCP_HOSTS", network);
    b.add(l3, HostRole::neutron_l3_agent);
    b.add(dhcp, HostRole::neutron_dhcp_agent);
    b.add(service_hosts(f, "CONFIG_NEUTRON_METADATA_HOSTS", network), HostRole::neutron_metadata_agent);
    // Open vSwitch and its agent wherever instances' traffic is switched or routed.
    b.add(l3, HostRole::neutron_ovs_agent);
    b.add(dhcp, HostRole::neutron_ovs_agent);
    b.add(compute, HostRole::neutron_ovs_agent);
  }
  inv.hosts = b.take();
  for (const auto& x : f.list("EXCLUDE_SERVERS"))
    for (auto& h : inv.hosts)
      if (h.address == x) h.excluded = true;

  auto& n = inv.neutron;
  n.type_drivers = SW_TRY(network_types(f.list("CONFIG_NEUTRON_ML2_TYPE_DRIVERS")));
  n.tenant_network_types = SW_TRY(network_types(f.list("CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES")));
  n.mechanism_drivers = f.list("CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS");
  n.flat_networks = f.list("CONFIG_NEUTRON_ML2_FLAT_NETWORKS");
  n.vlan_ranges = SW_TRY(typed(f, "CONFIG_NEUTRON_ML2_VLAN_RANGES", parse_vlan_ranges));
  n.tunnel_id_ranges = SW_TRY(typed(f, "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES", parse_gre_ranges));
  n.vni_ranges = SW_TRY(typed(f, "CONFIG_NEUTRON_ML2_VNI_RANGES", parse_vni_ranges));
  n.vxlan_groups = f.list("CONFIG_NEUTRON_ML2_VXLAN_GROUP");
  if (const auto& port = f.value("CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT"); !port.empty())
    n.vxlan_udp_port = SW_TRY(typed(f, "CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT", parse_port));
  n.tunnel_iface_is_subnet = f.yes("CONFIG_USE_SUBNETS");
  n.tunnel_iface = f.value("CONFIG_NEUTRON_OVS_TUNNEL_IF");
  n.tunnel_subnets = SW_TRY(typed(f, "CONFIG_NEUTRON_OVS_TUNNEL_SUBNETS",
                                  [](std::string_view s) { return parse_cidr_list(s, true); }));
  n.ext_bridge = f.value("CONFIG_NEUTRON_L3_EXT_BRIDGE");
  n.bridge_ifaces = SW_TRY(typed(f, "CONFIG_NEUTRON_OVS_BRIDGE_IFACES", [&](std::string_view s) {
    return parse_bridge_ifaces(s, n.tunnel_iface_is_subnet);
  }));
  n.bridge_mappings = SW_TRY(typed(f, "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS", parse_bridge_mappings));
  n.bridges_compute = f.list("CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE");
  n.external_physnet = f.value("CONFIG_NEUTRON_OVS_EXTERNAL_PHYSNET");
  n.datapath_type = f.value("CONFIG_NEUTRON_OVS_DATAPATH_TYPE") == "netdev" ? OvsDatapath::netdev
                                                                           : OvsDatapath::system;
  n.debug = f.yes("CONFIG_DEBUG_MODE");

  inv.provision.demo = f.yes("CONFIG_PROVISION_DEMO");
  inv.provision.ovs_bridge = f.yes("CONFIG_PROVISION_OVS_BRIDGE");
  if (inv.provision.demo)
    inv.provision.float_range = SW_TRY(typed(f, "CONFIG_PROVISION_DEMO_FLOATRANGE", parse_cidr));
  return inv;
}

Result<ServiceCredentials> credentials(const AnswerFile& f) {
  if (f.has_errors()) return fail(Error::input(f.error_text()));
  if (const auto open = f.placeholder_passwords(); !open.empty()) {
    std::string keys;
    for (const auto& k : open) {
      if (!keys.empty()) keys += ", ";
      keys += k;
    }
    return fail(Error::input(f.name() + ": passwords still read PW_PLACEHOLDER and " +
                             "CONFIG_DEFAULT_PASSWORD is empty: " + keys));
  }
  ServiceCredentials c;
  c.mariadb_user = f.value("CONFIG_MARIADB_USER");
  c.mariadb_password = f.value("CONFIG_MARIADB_PW");
  c.amqp_auth = f.yes("CONFIG_AMQP_ENABLE_AUTH");
  c.amqp_user = f.value("CONFIG_AMQP_AUTH_USER");
  c.amqp_password = f.value("CONFIG_AMQP_AUTH_PASSWORD");
  c.keystone_admin_user = f.value("CONFIG_KEYSTONE_ADMIN_USERNAME");
  c.keystone_admin_password = f.value("CONFIG_KEYSTONE_ADMIN_PW");
  c.keystone_admin_email = f.value("CONFIG_KEYSTONE_ADMIN_EMAIL");
  c.keystone_db_password = f.value("CONFIG_KEYSTONE_DB_PW");
  c.keystone_demo_password = f.value("CONFIG_KEYSTONE_DEMO_PW");
  c.neutron_ks_password = f.value("CONFIG_NEUTRON_KS_PW");
  c.neutron_db_password = f.value("CONFIG_NEUTRON_DB_PW");
  c.neutron_metadata_password = f.value("CONFIG_NEUTRON_METADATA_PW");
  return c;
}

}  // namespace sw::installer
