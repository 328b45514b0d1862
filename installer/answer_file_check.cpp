// AnswerFile::check(): resolves old key names into current ones and validates every value and
// the keys against each other. Pure: nothing here touches the disk or the network.
#include <algorithm>
#include <climits>
#include <set>

#include "common/strings.h"
#include "installer/answer_file.h"
#include "installer/answer_keys.h"
#include "installer/validators.h"

namespace sw::installer {
namespace {

constexpr std::string_view kController = "CONFIG_CONTROLLER_HOST";
constexpr std::string_view kNetwork = "CONFIG_NETWORK_HOSTS";
constexpr std::string_view kCompute = "CONFIG_COMPUTE_HOSTS";
constexpr std::string_view kL2Plugin = "CONFIG_NEUTRON_L2_PLUGIN";
constexpr std::string_view kL2Agent = "CONFIG_NEUTRON_L2_AGENT";
constexpr std::string_view kTypeDrivers = "CONFIG_NEUTRON_ML2_TYPE_DRIVERS";
constexpr std::string_view kTenantTypes = "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES";
constexpr std::string_view kMechanism = "CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS";
constexpr std::string_view kFlatNetworks = "CONFIG_NEUTRON_ML2_FLAT_NETWORKS";
constexpr std::string_view kVlanRanges = "CONFIG_NEUTRON_ML2_VLAN_RANGES";
constexpr std::string_view kTunnelIds = "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES";
constexpr std::string_view kVniRanges = "CONFIG_NEUTRON_ML2_VNI_RANGES";
constexpr std::string_view kVxlanGroup = "CONFIG_NEUTRON_ML2_VXLAN_GROUP";
constexpr std::string_view kOvsTenantType = "CONFIG_NEUTRON_OVS_TENANT_NETWORK_TYPE";
constexpr std::string_view kOvsVlanRanges = "CONFIG_NEUTRON_OVS_VLAN_RANGES";
constexpr std::string_view kOvsTunnelRanges = "CONFIG_NEUTRON_OVS_TUNNEL_RANGES";
constexpr std::string_view kExtBridge = "CONFIG_NEUTRON_L3_EXT_BRIDGE";
constexpr std::string_view kBridgeIfaces = "CONFIG_NEUTRON_OVS_BRIDGE_IFACES";
constexpr std::string_view kBridgeMappings = "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS";
constexpr std::string_view kBridgesCompute = "CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE";
constexpr std::string_view kExternalPhysnet = "CONFIG_NEUTRON_OVS_EXTERNAL_PHYSNET";
constexpr std::string_view kTunnelIf = "CONFIG_NEUTRON_OVS_TUNNEL_IF";
constexpr std::string_view kUseSubnets = "CONFIG_USE_SUBNETS";
constexpr std::string_view kDefaultPassword = "CONFIG_DEFAULT_PASSWORD";

// The Havana per-service host keys stackwire still honours, and the role each one places.
struct ServiceHostKey {
  std::string_view key;
  std::string_view role;
};
constexpr ServiceHostKey kControllerRoles[] = {{"CONFIG_KEYSTONE_HOST", "keystone"},
                                         {"CONFIG_OSCLIENT_HOST", "client (keystonerc)"},
                                         {"CONFIG_NEUTRON_SERVER_HOST", "neutron-server"}};
constexpr ServiceHostKey kNetworkRoles[] = {{"CONFIG_NEUTRON_L3_HOSTS", "neutron-l3-agent"},
                                      {"CONFIG_NEUTRON_DHCP_HOSTS", "neutron-dhcp-agent"},
                                      {"CONFIG_NEUTRON_METADATA_HOSTS", "neutron-metadata-agent"}};

// Why a value packstack accepts is refused here.
struct Refusal {
  std::string_view key;
  std::string_view value;
  std::string_view why;
};
constexpr Refusal kRefusals[] = {
    {"CONFIG_NEUTRON_L2_AGENT", "", "stackwire deploys the openvswitch agent"},
    {"CONFIG_NEUTRON_L2_PLUGIN", "", "stackwire deploys ML2 with the openvswitch agent"},
    {"CONFIG_AMQP_BACKEND", "", "stackwire deploys RabbitMQ"},
    {"CONFIG_AMQP_SERVER", "", "stackwire deploys RabbitMQ"},
    {"CONFIG_AMQP_ENABLE_SSL", "", "stackwire does not set up AMQP over SSL"},
    {"CONFIG_QPID_ENABLE_SSL", "", "stackwire does not set up AMQP over SSL"},
    {"CONFIG_KEYSTONE_IDENTITY_BACKEND", "", "stackwire deploys keystone's sql backend"},
    {"CONFIG_NEUTRON_USE_NAMESPACES", "", "stackwire's L3 and DHCP agents always use namespaces"},
    {"", "geneve", "geneve needs OVN, which stackwire does not deploy"},
    {"", "ovn", "OVN is not deployed by stackwire"},
    {"CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES", "flat",
     "a flat network is a physical network: neutron cannot allocate one to a tenant"},
};

std::string join(const std::vector<std::string>& items, std::string_view sep = ",") {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool is_list_check(Check c) {
  return c == Check::host_list || c == Check::ip_list || c == Check::cidr_list ||
         c == Check::multi_choice || c == Check::bridge_list || c == Check::physnet_list;
}

// Two spellings of one value: lists compare as sets ("a, b" equals "b,a").
bool same_value(const KeySpec& spec, std::string_view a, std::string_view b) {
  if (is_list_check(spec.check)) {
    auto x = split_list(a), y = split_list(b);
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    return x == y;
  }
  return trim(a) == trim(b);
}

// Packstack takes IPv6 host addresses; stackwire writes the hosts it deploys into URLs
// (http://HOST:5000/v3), bind addresses and connection strings without brackets, and its lab is
// IPv4. Such an address is refused on its line rather than deployed into configs that cannot work.
template <class Bad>
void refuse_ipv6_host(const KeySpec& spec, const std::string& value, Bad&& bad) {
  static constexpr std::string_view kDeployedHostKeys[] = {
      "CONFIG_CONTROLLER_HOST",    "CONFIG_NETWORK_HOSTS",       "CONFIG_COMPUTE_HOSTS",
      "CONFIG_MARIADB_HOST",       "CONFIG_AMQP_HOST",           "CONFIG_KEYSTONE_HOST",
      "CONFIG_OSCLIENT_HOST",      "CONFIG_NEUTRON_SERVER_HOST", "CONFIG_NEUTRON_L3_HOSTS",
      "CONFIG_NEUTRON_DHCP_HOSTS", "CONFIG_NEUTRON_METADATA_HOSTS"};
  if (std::find(std::begin(kDeployedHostKeys), std::end(kDeployedHostKeys), spec.name) == std::end(kDeployedHostKeys))
    return;
  for (const auto& h : split_list(value))
    if (is_ipv6(h)) {
      bad(quoted_value(h) + " is an IPv6 address; stackwire deploys over IPv4 only (its service configs and "
          "URLs would need bracketed IPv6 addresses): give the host's IPv4 address");
      return;
    }
}

std::string_view allowed_text(Check c) {
  switch (c) {
    case Check::host: return "an IPv4 or IPv6 address or a host name";
    case Check::host_list: return "hosts separated by commas";
    case Check::cidr: return "ADDRESS/PREFIX, e.g. 172.24.4.224/28";
    case Check::port: return "1..65535";
    case Check::ext_bridge: return "an OVS bridge name such as br-ex, or 'provider'";
    case Check::password: return "a password, or PW_PLACEHOLDER for CONFIG_DEFAULT_PASSWORD";
    case Check::physnet: return "a physical network name";
    default: return "a value";
  }
}

}  // namespace

class AnswerChecker {
 public:
  explicit AnswerChecker(AnswerFile& f) : f_(f) {}

  void run() {
    f_.resolved_.clear();
    f_.not_deployed_.clear();
    if (f_.unreadable_) {
      f_.diagnostics_ = f_.syntax_;
      return;
    }
    unknown_keys();
    resolve_hosts();
    resolve_neutron();
    resolve_generic();
    resolve_placeholders();
    context();
    old_names();
    for (const auto& e : f_.entries_)
      if (const auto* spec = find_key(e.key)) validate_entry(e, *spec);
    missing_keys();
    cross_checks();
    summaries();

    std::stable_sort(found_.begin(), found_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      return rank(a) < rank(b);
    });
    f_.diagnostics_ = f_.syntax_;
    f_.diagnostics_.insert(f_.diagnostics_.end(), found_.begin(), found_.end());
  }

 private:
  // Lines of the file in order, then options, then findings about the whole file.
  long rank(const Diagnostic& d) const {
    if (d.origin.line > 0) return d.origin.line;
    if (d.origin.source != f_.name_) return INT_MAX - 1;
    return INT_MAX;
  }

  void add(Severity s, Origin origin, std::string_view key, std::string message) {
    Diagnostic d;
    d.severity = s;
    d.origin = std::move(origin);
    d.key = std::string(key);
    d.message = std::move(message);
    found_.push_back(std::move(d));
  }
  void error(const Origin& o, std::string_view key, std::string m) { add(Severity::error, o, key, std::move(m)); }
  void warning(const Origin& o, std::string_view key, std::string m) { add(Severity::warning, o, key, std::move(m)); }
  Origin whole_file() const { return Origin{f_.name_, 0}; }

  const AnswerEntry* entry(std::string_view key) const { return f_.entry(key); }
  bool resolved(std::string_view key) const { return f_.resolved_.contains(key); }
  const std::string& value(std::string_view key) const { return f_.value(key); }
  std::vector<std::string> list(std::string_view key) const { return split_list(value(key)); }

  void put(std::string_view key, std::string value, std::string_view from, Origin origin) {
    f_.resolved_[std::string(key)] = ResolvedValue{std::move(value), std::string(from), std::move(origin)};
  }
  void put_entry(std::string_view key, const AnswerEntry& e) { put(key, e.value, e.key, e.origin); }

  // Where a resolved key's value came from, for findings about it.
  Origin origin_of(std::string_view key) const {
    const auto* r = f_.resolved(key);
    if (r && !r->is_default()) return r->origin;
    return whole_file();
  }

  std::string shown(const KeySpec& spec, std::string_view v) const {
    return spec.secret ? std::string(spec.name) : std::string(spec.name) + "=" + std::string(v);
  }

  void unknown_keys() {
    for (const auto& e : f_.entries_) {
      if (find_key(e.key)) continue;
      if (const auto* near = nearest_key(e.key))
        warning(e.origin, e.key,
                "unknown key " + e.written + " (did you mean " + std::string(near->name) + "?)");
      else
        warning(e.origin, e.key,
                "unknown key " + e.written + ": not a key of packstack or stackwire; kept, not used");
    }
  }

  // CONFIG_CONTROLLER_HOST and CONFIG_NETWORK_HOSTS, from themselves or from Havana's
  // per-service host keys; each per-service key keeps placing its own service.
  void resolve_hosts() {
    const auto* controller = entry(kController);
    if (controller) {
      put_entry(kController, *controller);
    } else {
      for (const auto& r : kControllerRoles)
        if (const auto* e = entry(r.key)) {
          put_entry(kController, *e);
          break;
        }
      if (!resolved(kController)) {  // a Havana file may name the controller only through services
        for (const auto* old : old_names_of(kController))
          if (old->deprecation == Deprecation::host_role)
            if (const auto* e = entry(old->name); e && !e->value.empty()) {
              put_entry(kController, *e);
              break;
            }
      }
    }
    if (!resolved(kController)) put(kController, "", "", {});
    const std::string& host = value(kController);
    for (const auto& r : kControllerRoles) {
      const auto* e = entry(r.key);
      if (!e) continue;
      if (trim(e->value) == trim(host)) {
        warning(e->origin, e->key, e->key + " is deprecated, read as " + std::string(kController));
      } else if (controller) {
        error(e->origin, e->key,
              e->key + "=" + e->value + " conflicts with " + std::string(kController) + "=" +
                  host + " (" + controller->origin.where() +
                  "): newer packstack runs every controller service on " +
                  std::string(kController) + "; keep one");
      } else {
        warning(e->origin, e->key,
                e->key + " is deprecated (newer packstack: " + std::string(kController) +
                    "); kept: it places " + std::string(r.role) + " on " + e->value);
      }
    }

    const auto* network = entry(kNetwork);
    std::vector<std::string> union_hosts;
    const AnswerEntry* first = nullptr;
    for (const auto& r : kNetworkRoles)
      if (const auto* e = entry(r.key)) {
        if (!first) first = e;
        for (auto& h : split_list(e->value))
          if (!contains(union_hosts, h)) union_hosts.push_back(h);
      }
    if (network) put_entry(kNetwork, *network);
    else if (first) put(kNetwork, join(union_hosts), first->key, first->origin);
    else if (!value(kController).empty())  // packstack's default: the installing (controller) host
      put(kNetwork, value(kController), kController, origin_of(kController));
    else put(kNetwork, "", "", {});
    const auto* network_spec = find_key(kNetwork);
    for (const auto& r : kNetworkRoles) {
      const auto* e = entry(r.key);
      if (!e) continue;
      if (same_value(*network_spec, e->value, value(kNetwork))) {
        warning(e->origin, e->key, e->key + " is deprecated, read as " + std::string(kNetwork));
      } else if (network) {
        error(e->origin, e->key,
              e->key + "=" + e->value + " conflicts with " + std::string(kNetwork) + "=" +
                  network->value + " (" + network->origin.where() + "); keep one");
      } else {
        warning(e->origin, e->key,
                e->key + " is deprecated (newer packstack: " + std::string(kNetwork) +
                    "); kept: it places " + std::string(r.role) + " on " + e->value);
      }
    }
  }

  // Havana/Icehouse neutron: CONFIG_NEUTRON_L2_PLUGIN and the OVS plugin's keys, read as ML2.
  void resolve_neutron() {
    const auto* l2p = entry(kL2Plugin);
    const std::string plugin = l2p ? l2p->value : "";
    legacy_ = plugin == "openvswitch" ||
              (!l2p && !entry(kTypeDrivers) && !entry(kTenantTypes) && !entry(kMechanism) &&
               (entry(kOvsTenantType) || entry(kOvsTunnelRanges) || entry(kOvsVlanRanges)));
    const auto* agent = entry(kL2Agent);
    if (l2p && plugin == "openvswitch") {
      if (agent && agent->value != "openvswitch") {
        error(l2p->origin, l2p->key,
              std::string(kL2Plugin) + "=openvswitch conflicts with " + std::string(kL2Agent) +
                  "=" + agent->value + " (" + agent->origin.where() + "); keep one");
      } else {
        warning(l2p->origin, l2p->key,
                std::string(kL2Plugin) + "=openvswitch is deprecated, read as ML2 with " +
                    std::string(kL2Agent) + "=openvswitch and " + std::string(kMechanism) +
                    "=openvswitch");
      }
      if (!agent) put(kL2Agent, "openvswitch", kL2Plugin, l2p->origin);
    } else if (l2p && plugin == "ml2") {
      warning(l2p->origin, l2p->key,
              std::string(kL2Plugin) +
                  " is deprecated: ML2 is neutron's only plugin since packstack Kilo; ignored");
    }
    if (!legacy_) return;

    if (l2p) put(kMechanism, "openvswitch", kL2Plugin, l2p->origin);
    const auto* ovs_type = entry(kOvsTenantType);
    const std::string tenant =
        ovs_type ? ovs_type->value : std::string(find_key(kOvsTenantType)->default_value);
    if (ovs_type) {
      put(kTenantTypes, tenant, ovs_type->key, ovs_type->origin);
      warning(ovs_type->origin, ovs_type->key,
              ovs_type->key + " is deprecated, read as " + std::string(kTenantTypes));
    } else {
      put(kTenantTypes, tenant, "", {});
    }
    const auto* ovs_vlan = entry(kOvsVlanRanges);
    std::vector<std::string> drivers = {tenant};
    if (ovs_vlan && !trim(ovs_vlan->value).empty() && tenant != "vlan") drivers.emplace_back("vlan");
    if (const auto* m = entry(kBridgeMappings); m && !trim(m->value).empty()) drivers.emplace_back("flat");
    put(kTypeDrivers, join(drivers), ovs_type ? ovs_type->key : "",
        ovs_type ? ovs_type->origin : Origin{});
    if (ovs_vlan) {
      put(kVlanRanges, ovs_vlan->value, ovs_vlan->key, ovs_vlan->origin);
      warning(ovs_vlan->origin, ovs_vlan->key,
              ovs_vlan->key + " is deprecated, read as " + std::string(kVlanRanges));
    }
    if (const auto* ovs_tun = entry(kOvsTunnelRanges)) {
      if (tenant == "gre" || tenant == "vxlan") {
        const auto target = tenant == "gre" ? kTunnelIds : kVniRanges;
        put(target, ovs_tun->value, ovs_tun->key, ovs_tun->origin);
        warning(ovs_tun->origin, ovs_tun->key,
                ovs_tun->key + " is deprecated, read as " + std::string(target));
      } else {
        if (!trim(ovs_tun->value).empty())
          warning(ovs_tun->origin, ovs_tun->key,
                  ovs_tun->key + " is set but does not apply: " + std::string(kOvsTenantType) +
                      "=" + tenant + " has no tunnels");
        unused_.insert(ovs_tun->key);
      }
    }
    // ML2 keys of an Icehouse file whose plugin is openvswitch are not what it deploys.
    for (auto key : {kTypeDrivers, kTenantTypes, kMechanism, kFlatNetworks, kVlanRanges, kTunnelIds,
                     kVniRanges, kVxlanGroup}) {
      const auto* e = entry(key);
      if (!e) continue;
      unused_.insert(e->key);
      const auto* spec = find_key(key);
      if (!trim(e->value).empty() && e->value != spec->default_value)
        warning(e->origin, e->key,
                e->key + " is not used: " + std::string(kL2Plugin) +
                    "=openvswitch configures neutron with the CONFIG_NEUTRON_OVS_* keys");
    }
  }

  void resolve_generic() {
    for (const auto& spec : answer_keys()) {
      if (spec.deprecated() || resolved(spec.name)) continue;
      if (const auto* own = entry(spec.name)) {
        // An unused ML2 key of a legacy file reads as its default, as the OVS plugin would.
        if (unused_.contains(own->key)) put(spec.name, std::string(spec.default_value), "", {});
        else put_entry(spec.name, *own);
        continue;
      }
      const AnswerEntry* taken = nullptr;
      for (const auto* old : old_names_of(spec.name)) {
        if (old->deprecation != Deprecation::rename) continue;
        const auto* e = entry(old->name);
        if (!e) continue;
        if (!taken) {
          taken = e;
          put_entry(spec.name, *e);
        } else if (!same_value(spec, e->value, taken->value)) {
          error(e->origin, e->key,
                shown(*old, e->value) + " conflicts with " + shown(*find_key(taken->key), taken->value) +
                    " (" + taken->origin.where() + "); both are read as " + std::string(spec.name));
        }
      }
      if (taken) continue;
      if (!spec.default_from.empty()) {
        const auto* r = f_.resolved(spec.default_from);
        if (r && !r->value.empty()) {
          put(spec.name, r->value, spec.default_from, r->origin);
          continue;
        }
      }
      put(spec.name, std::string(spec.default_value), "", {});
    }
  }

  // Old names given next to their new one, or alone. An old name whose key does not apply here
  // is reported by validate_entry() instead, once.
  void old_names() {
    for (const auto& old : answer_keys()) {
      if (old.deprecation != Deprecation::rename) continue;
      const auto* e = entry(old.name);
      if (!e) continue;
      const auto* spec = find_key(old.replaced_by);
      const auto* current = entry(old.replaced_by);
      if (current && !same_value(*spec, e->value, current->value)) {
        error(e->origin, e->key,
              shown(old, e->value) + " conflicts with " + shown(*spec, current->value) + " (" +
                  current->origin.where() + "); keep one");
      } else if (is_deployed_service(old.service) && holds(old.when)) {
        warning(e->origin, e->key, e->key + " is deprecated, read as " + std::string(old.replaced_by));
      }
    }
  }

  void resolve_placeholders() {
    const auto& fallback = value(kDefaultPassword);
    if (fallback.empty()) return;
    const auto origin = origin_of(kDefaultPassword);
    for (auto& [key, r] : f_.resolved_) {
      const auto* spec = find_key(key);
      if (spec && spec->password && r.value == "PW_PLACEHOLDER")
        r = ResolvedValue{fallback, std::string(kDefaultPassword), origin};
    }
  }

  void context() {
    type_drivers_ = list(kTypeDrivers);
    tenant_types_ = list(kTenantTypes);
    use_subnets_ = value(kUseSubnets) == "y";
  }

  bool holds(When when) const {
    switch (when) {
      case When::always: return true;
      case When::tunnels: return contains(tenant_types_, "gre") || contains(tenant_types_, "vxlan");
      case When::gre: return contains(type_drivers_, "gre");
      case When::vxlan: return contains(type_drivers_, "vxlan");
      case When::vlan: return contains(type_drivers_, "vlan");
      case When::flat: return contains(type_drivers_, "flat");
      case When::amqp_ssl: return value("CONFIG_AMQP_ENABLE_SSL") == "y";
      case When::provision_demo: return value("CONFIG_PROVISION_DEMO") == "y";
      case When::provider_external: return value(kExtBridge) == "provider";
      case When::ldap: return value("CONFIG_KEYSTONE_IDENTITY_BACKEND") == "ldap";
      case When::legacy_ovs_plugin: return legacy_;
    }
    return true;
  }

  void validate_entry(const AnswerEntry& e, const KeySpec& spec) {
    if (unused_.contains(e.key)) return;
    if (!is_deployed_service(spec.service)) {
      if (spec.check == Check::yes_no && e.value != "y" && e.value != "n")
        error(e.origin, e.key, e.key + ": " + quoted_value(e.value) + " is not allowed (allowed: y, n)");
      return;
    }
    if (!holds(spec.when)) {
      if (!trim(e.value).empty() && e.value != spec.default_value) {
        std::string m = e.key;
        if (spec.deprecation == Deprecation::rename) m += " (now " + std::string(spec.replaced_by) + ")";
        m += " is set but does not apply: it applies only when " + std::string(precondition_text(spec.when));
        if (spec.when == When::legacy_ovs_plugin)
          m += " (this file configures neutron with " + std::string(spec.replaced_by) + ")";
        warning(e.origin, e.key, std::move(m));
      }
      return;
    }
    check_value(e, spec);
  }

  std::string refusal(const KeySpec& spec, std::string_view v) const {
    for (const auto& r : kRefusals)
      if ((r.key.empty() || r.key == spec.name) && (r.value.empty() || r.value == v))
        return "; " + std::string(r.why);
    return "";
  }

  void check_value(const AnswerEntry& e, const KeySpec& spec) {
    const std::string& v = e.value;
    const std::string k = e.key;
    auto bad = [&](const std::string& message) { error(e.origin, k, k + ": " + message); };
    if (v.empty()) {
      const bool needs_value = spec.required || spec.check == Check::yes_no ||
                               spec.check == Check::choice || spec.check == Check::multi_choice ||
                               spec.check == Check::nonempty || spec.check == Check::password ||
                               spec.check == Check::port || spec.check == Check::physnet;
      if (spec.check == Check::ssh_key)
        warning(e.origin, k,
                k + " is empty: deploy needs the public key to install on the hosts "
                    "(e.g. ~/.ssh/id_ed25519.pub)");
      else if (needs_value) {
        std::string allowed;
        if (spec.check == Check::yes_no) allowed = "y, n";
        else if (spec.check == Check::choice || spec.check == Check::multi_choice) allowed = join_options(spec);
        else allowed = std::string(allowed_text(spec.check));
        error(e.origin, k, k + " is empty (allowed: " + allowed + ")");
      }
      return;
    }
    auto report = [&](const auto& result) {
      if (!result) bad(result.error().message());
      return static_cast<bool>(result);
    };
    switch (spec.check) {
      case Check::any:
      case Check::nonempty:
      case Check::password:
      case Check::ssh_key:
        return;
      case Check::yes_no:
        if (v != "y" && v != "n") bad(quoted_value(v) + " is not allowed (allowed: y, n)" + refusal(spec, v));
        return;
      case Check::choice: {
        const auto options = key_options(spec);
        if (std::find(options.begin(), options.end(), v) == options.end())
          bad(quoted_value(v) + " is not allowed (allowed: " + join_options(spec) + ")" + refusal(spec, v));
        return;
      }
      case Check::multi_choice: {
        const auto options = key_options(spec);
        const auto items = split_list(v);
        if (items.empty()) bad("no value given (allowed: " + join_options(spec) + ")");
        for (const auto& item : items)
          if (std::find(options.begin(), options.end(), item) == options.end()) {
            bad(quoted_value(item) + " is not allowed (allowed: " + join_options(spec) + ")" +
                refusal(spec, item));
            return;
          }
        return;
      }
      case Check::host:
        if (v.find(',') != std::string::npos) {
          bad(quoted_value(v) + ": takes one host, not a list");
          return;
        }
        if (report(parse_host(v))) refuse_ipv6_host(spec, v, bad);
        return;
      case Check::host_list:
        if (report(parse_host_list(v, !spec.required))) refuse_ipv6_host(spec, v, bad);
        return;
      case Check::ip_list:
        for (const auto& item : split_list(v)) {
          if (!is_ipv4(item) && !is_ipv6(item)) {
            bad(quoted_value(item) + " is not an IP address");
            return;
          }
          if (spec.name == kVxlanGroup && !is_multicast(item)) {
            bad(quoted_value(item) + " is not a multicast address (allowed: 224.0.0.0/4 or ff00::/8)");
            return;
          }
        }
        return;
      case Check::cidr: {
        const auto c = parse_cidr(v);
        if (report(c) && !c->host_bits_zero)
          warning(e.origin, k,
                  k + ": " + quoted_value(v) + " has host bits set (the network is " + c->network() + ")");
        return;
      }
      case Check::cidr_list: {
        const auto cs = parse_cidr_list(v, true);
        if (!report(cs)) return;
        for (const auto& c : *cs)
          if (!c.host_bits_zero)
            warning(e.origin, k,
                    k + ": " + quoted_value(c.address + "/" + std::to_string(c.prefix)) +
                        " has host bits set (the network is " + c.network() + ")");
        return;
      }
      case Check::port:
        report(parse_port(v));
        return;
      case Check::iface:
        if (use_subnets_) {
          const auto c = parse_cidr(v);
          if (!c) bad("with CONFIG_USE_SUBNETS=y, " + c.error().message());
        } else {
          report(parse_iface_name(v));
        }
        return;
      case Check::ext_bridge:
        if (v == "provider") return;
        if (report(parse_iface_name(v))) reserved_bridge(e, v);
        return;
      case Check::bridge_list:
        for (const auto& item : split_list(v))
          if (!report(parse_iface_name(item)) || !reserved_bridge(e, item)) return;
        return;
      case Check::bridge_ifaces: {
        const auto pairs = parse_bridge_ifaces(v, use_subnets_);
        if (!report(pairs)) return;
        for (const auto& p : *pairs)
          if (!reserved_bridge(e, p.bridge)) return;
        return;
      }
      case Check::bridge_mappings: {
        const auto maps = parse_bridge_mappings(v);
        if (!report(maps)) return;
        for (const auto& m : *maps)
          if (!reserved_bridge(e, m.bridge)) return;
        return;
      }
      case Check::gre_ranges: {
        const auto r = parse_gre_ranges(v);
        if (report(r) && ranges_overlap(*r)) warning(e.origin, k, k + ": ranges overlap");
        return;
      }
      case Check::vni_ranges: {
        const auto r = parse_vni_ranges(v);
        if (report(r) && ranges_overlap(*r)) warning(e.origin, k, k + ": ranges overlap");
        return;
      }
      case Check::tunnel_ranges:
        if (list(kTenantTypes) == std::vector<std::string>{"vxlan"}) report(parse_vni_ranges(v));
        else report(parse_gre_ranges(v));
        return;
      case Check::vlan_ranges:
        report(parse_vlan_ranges(v));
        return;
      case Check::physnet:
        report(parse_physnet(v));
        return;
      case Check::physnet_list:
        if (trim(v) == "*") return;
        for (const auto& item : split_list(v))
          if (!report(parse_physnet(item))) return;
        return;
    }
  }

  static bool is_multicast(std::string_view ip) {
    if (is_ipv4(ip)) {
      const auto first = parse_uint(split(ip, '.')[0], 0, 255);
      return first && *first >= 224 && *first <= 239;
    }
    return ip.size() >= 2 && (ip[0] == 'f' || ip[0] == 'F') && (ip[1] == 'f' || ip[1] == 'F');
  }

  static std::string join_options(const KeySpec& spec) {
    std::string out;
    for (auto o : key_options(spec)) {
      if (!out.empty()) out += ", ";
      out += o;
    }
    return out;
  }

  bool reserved_bridge(const AnswerEntry& e, std::string_view bridge) {
    if (bridge != "br-int" && bridge != "br-tun") return true;
    error(e.origin, e.key,
          e.key + ": " + std::string(bridge) + " is the OVS agent's " +
              (bridge == "br-int" ? "integration" : "tunnel") + " bridge and cannot be used here");
    return false;
  }

  void missing_keys() {
    for (const auto& spec : answer_keys()) {
      if (!spec.required || spec.deprecated() || !is_deployed_service(spec.service) || !holds(spec.when))
        continue;
      const auto* r = f_.resolved(spec.name);
      if (!r || !r->value.empty() || !r->is_default()) continue;
      if (entry(spec.name)) continue;  // present but empty: reported at its line
      if (!spec.default_from.empty()) continue;  // the key it defaults from is the one missing
      std::string older;
      for (const auto* old : old_names_of(spec.name))
        if (is_deployed_service(old->service) && old->deprecation != Deprecation::translate)
          older += std::string(older.empty() ? "" : ", ") + std::string(old->name);
      error(whole_file(), spec.name,
            std::string(spec.name) + " is missing" +
                (older.empty() ? std::string() : " (older files: " + older + ")"));
    }
  }

  void cross_checks() {
    neutron_checks();
    host_checks();
    bridge_checks();
    if (value("CONFIG_NEUTRON_INSTALL") == "n")
      warning(origin_of("CONFIG_NEUTRON_INSTALL"), "CONFIG_NEUTRON_INSTALL",
              "CONFIG_NEUTRON_INSTALL=n: stackwire then deploys MariaDB, RabbitMQ and Keystone "
              "only, and no network fabric");
  }

  void neutron_checks() {
    if (tenant_types_.empty() || type_drivers_.empty()) return;  // reported as empty values
    for (const auto& t : tenant_types_)
      if (!contains(type_drivers_, t))
        error(origin_of(kTenantTypes), kTenantTypes,
              "tenant network type " + t + " is not in " + std::string(kTypeDrivers) + "=" +
                  join(type_drivers_) + " (neutron-server would not start)");
    const auto mechanisms = list(kMechanism);
    if (!mechanisms.empty() && !contains(mechanisms, "openvswitch"))
      error(origin_of(kMechanism), kMechanism,
            std::string(kMechanism) + "=" + join(mechanisms) +
                ": stackwire deploys the openvswitch agent; the list must contain openvswitch");
    if (contains(mechanisms, "ovn"))
      error(origin_of(kMechanism), kMechanism,
            std::string(kMechanism) + " contains ovn: OVN is not deployed by stackwire");
    auto need = [&](std::string_view type, std::string_view key, std::string_view example) {
      if (!contains(tenant_types_, type) || !split_list(value(key)).empty()) return;
      error(origin_of(key), key,
            "tenant networks of type " + std::string(type) + " need ids to allocate: set " +
                std::string(key) + " (e.g. " + std::string(example) + ")");
    };
    need("gre", kTunnelIds, "1000:3000");
    need("vxlan", kVniRanges, "10:100");
    if (contains(tenant_types_, "vlan")) {
      const auto ranges = parse_vlan_ranges(value(kVlanRanges));
      const bool any_ids = ranges && std::any_of(ranges->begin(), ranges->end(),
                                                 [](const VlanRange& r) { return r.range.has_value(); });
      if (ranges && !any_ids)
        error(origin_of(kVlanRanges), kVlanRanges,
              "tenant networks of type vlan need VLAN ids to allocate: set " +
                  std::string(kVlanRanges) + " (e.g. physnet1:1000:2999)");
    }
  }

  void host_checks() {
    // Hosts that run services every other host must reach.
    std::vector<std::pair<std::string, std::string>> service_hosts;  // key, host
    service_hosts.emplace_back(kController, value(kController));
    if (value("CONFIG_MARIADB_INSTALL") == "y")
      service_hosts.emplace_back("CONFIG_MARIADB_HOST", value("CONFIG_MARIADB_HOST"));
    service_hosts.emplace_back("CONFIG_AMQP_HOST", value("CONFIG_AMQP_HOST"));
    for (const auto& r : kControllerRoles)
      if (const auto* e = entry(r.key)) service_hosts.emplace_back(e->key, e->value);

    std::vector<std::pair<std::string, std::string>> all = service_hosts;  // key, host
    for (auto key : {kNetwork, kCompute})
      for (auto& h : list(key)) all.emplace_back(key, h);
    for (const auto& r : kNetworkRoles)
      if (const auto* e = entry(r.key))
        for (auto& h : split_list(e->value)) all.emplace_back(e->key, h);

    const auto remote = std::find_if(all.begin(), all.end(), [](const auto& kh) {
      return !kh.second.empty() && !is_loopback_host(kh.second);
    });
    if (remote != all.end()) {
      std::set<std::string> reported;
      for (const auto& [key, host] : service_hosts)
        if (is_loopback_host(host) && reported.insert(key).second)
          error(origin_of(key), key,
                key + "=" + host + " is a loopback address, but " + remote->second + " (" +
                    remote->first + ") must reach it; use an address the other hosts can reach");
    }

    const auto excluded = list("EXCLUDE_SERVERS");
    std::size_t excluded_hosts = 0;
    std::set<std::string> distinct;
    for (const auto& kh : all)
      if (!kh.second.empty()) distinct.insert(kh.second);
    for (const auto& x : excluded) {
      if (distinct.contains(x)) ++excluded_hosts;
      else
        warning(origin_of("EXCLUDE_SERVERS"), "EXCLUDE_SERVERS",
                "EXCLUDE_SERVERS names " + x + ", which is no host of this file");
    }
    if (!distinct.empty() && excluded_hosts == distinct.size())
      warning(origin_of("EXCLUDE_SERVERS"), "EXCLUDE_SERVERS",
              "EXCLUDE_SERVERS excludes every host: deploy would change nothing");
    if (!tenant_types_.empty() && tenant_types_.front() == "local" && distinct.size() > 1)
      warning(origin_of(kTenantTypes), kTenantTypes,
              "tenant networks of type local give no connectivity between hosts");
  }

  void bridge_checks() {
    const auto ext = value(kExtBridge);
    const auto ifaces = parse_bridge_ifaces(value(kBridgeIfaces), use_subnets_);
    const auto mappings = parse_bridge_mappings(value(kBridgeMappings));
    if (!ifaces || !mappings) return;  // reported at their lines
    auto mapped = [&](std::string_view bridge) {
      return std::any_of(mappings->begin(), mappings->end(),
                         [&](const BridgeMapping& m) { return m.bridge == bridge; });
    };
    for (const auto& p : *ifaces)
      if (p.bridge != ext && !mapped(p.bridge))
        warning(origin_of(kBridgeIfaces), kBridgeIfaces,
                std::string(kBridgeIfaces) + ": bridge " + p.bridge + " gets " + p.iface +
                    " but is neither " + std::string(kExtBridge) + " nor in " +
                    std::string(kBridgeMappings) + "; no network will use it");
    if (ext == "provider") {
      const auto physnet = value(kExternalPhysnet);
      if (mappings->empty())
        error(origin_of(kExtBridge), kExtBridge,
              std::string(kExtBridge) + "=provider needs " + std::string(kBridgeMappings) +
                  " (e.g. extnet:br-ex)");
      else if (std::none_of(mappings->begin(), mappings->end(),
                            [&](const BridgeMapping& m) { return m.physnet == physnet; }))
        error(origin_of(kExternalPhysnet), kExternalPhysnet,
              std::string(kExternalPhysnet) + "=" + physnet + " is not a physical network of " +
                  std::string(kBridgeMappings) + "=" + value(kBridgeMappings));
      if (!contains(type_drivers_, "flat") && !contains(type_drivers_, "vlan"))
        error(origin_of(kTypeDrivers), kTypeDrivers,
              std::string(kExtBridge) + "=provider needs flat or vlan in " +
                  std::string(kTypeDrivers) + " for the external network");
    }
    for (const auto& b : list(kBridgesCompute)) {
      const bool has_iface = std::any_of(ifaces->begin(), ifaces->end(),
                                         [&](const BridgeIface& p) { return p.bridge == b; });
      if (!mapped(b) || !has_iface)
        error(origin_of(kBridgesCompute), kBridgesCompute,
              std::string(kBridgesCompute) + ": " + b + " must be in both " +
                  std::string(kBridgeMappings) + " and " + std::string(kBridgeIfaces));
    }
    const auto tunnel_if = value(kTunnelIf);
    if (holds(When::tunnels) && !tunnel_if.empty() && !use_subnets_)
      for (const auto& p : *ifaces)
        if (p.iface == tunnel_if)
          warning(origin_of(kTunnelIf), kTunnelIf,
                  std::string(kTunnelIf) + "=" + tunnel_if + " is also " + p.bridge +
                      "'s uplink in " + std::string(kBridgeIfaces) +
                      "; the tunnel endpoint and the external network would share one NIC");
  }

  void summaries() {
    // Services stackwire does not deploy, once, in the order the file names them.
    std::size_t keys = 0;
    for (const auto& e : f_.entries_) {
      const auto* spec = find_key(e.key);
      if (!spec || is_deployed_service(spec->service) || trim(e.value).empty() ||
          e.value == spec->default_value || !holds(spec->when))
        continue;
      // Switched off in the file; a Havana file without the switch (LBaaS) asks for the service.
      const auto* install = install_key_of(spec->service);
      const auto* switched = install ? entry(install->name) : nullptr;
      if (switched && switched->value == "n") continue;
      if (spec->installs && e.value == "n") continue;
      ++keys;
      if (!contains(f_.not_deployed_, spec->service)) f_.not_deployed_.emplace_back(spec->service);
    }
    if (!f_.not_deployed_.empty())
      warning(whole_file(), "",
              "not deployed by stackwire (" + std::to_string(keys) +
                  " keys kept, not used): " + join(f_.not_deployed_, ", "));

    const auto placeholders = f_.placeholder_passwords();
    if (!placeholders.empty())
      warning(whole_file(), "",
              std::to_string(placeholders.size()) + " passwords are PW_PLACEHOLDER and " +
                  std::string(kDefaultPassword) +
                  " is empty: deploy generates random ones and writes them back to the file (" +
                  join(placeholders, ", ") + ")");
  }

  AnswerFile& f_;
  std::vector<Diagnostic> found_;
  std::set<std::string> unused_;
  bool legacy_ = false;
  bool use_subnets_ = false;
  std::vector<std::string> type_drivers_;
  std::vector<std::string> tenant_types_;
};

void AnswerFile::check() { AnswerChecker(*this).run(); }

}  // namespace sw::installer
