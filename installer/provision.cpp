#include "installer/provision.h"

#include <map>
#include <random>
#include <sstream>

#include "common/log.h"

namespace sw::installer {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string random_uuid() {
  std::random_device rd;
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(rd() & 0xff);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

template <class T>
Result<T> in(Result<T> r, std::string_view what) {
  if (!r) r.error().context(what);
  return r;
}

std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Namespace instances

std::string instance_netns_name(std::string_view instance) {
  std::string out = "swvm-";
  for (char c : instance)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '-';
  return out;
}

std::string instance_tap_name(std::string_view port_id) { return "tap" + std::string(port_id.substr(0, 11)); }

std::string instance_listener_pidfile(std::string_view instance, const NamespaceInstanceOptions& o) {
  return o.run_dir + "/" + instance_netns_name(instance) + ".listener.pid";
}

std::vector<Step> namespace_instance_steps(const InstancePort& p, const NamespaceInstanceOptions& o) {
  const std::string ns = sh_quote(instance_netns_name(p.instance));
  const std::string tap = sh_quote(instance_tap_name(p.port_id));
  const std::string br = sh_quote(o.integration_bridge);
  const std::string in_ns = "ip netns exec " + ns + " ";
  const std::string addr = p.fixed_ip + "/" + std::to_string(p.prefix_len);
  const std::string mtu = std::to_string(p.mtu);
  const std::string pidfile = sh_quote(instance_listener_pidfile(p.instance, o));
  // The udhcpc event script: configures what the DHCP server (Neutron's dnsmasq) offers.
  const std::string script = sh_quote(o.state_dir + "/udhcpc-instance.sh");
  const std::string who = "instance " + p.instance;
  std::vector<Step> steps;

  steps.push_back({who + ": namespace " + instance_netns_name(p.instance),
                   in_ns + "true",
                   // A name left in /run/netns but unusable (its mount gone) is replaced.
                   "ip netns delete " + ns + " 2>/dev/null\n"
                   "ip netns add " + ns + " || exit 1\n" +
                   in_ns + "ip link set dev lo up"});

  steps.push_back({who + ": OVS port " + instance_tap_name(p.port_id) + " on " + o.integration_bridge +
                       " for Neutron port " + p.port_id,
                   "[ \"$(ovs-vsctl --timeout=10 get Interface " + tap + " external_ids:iface-id 2>/dev/null)\" = " +
                       sh_quote("\"" + p.port_id + "\"") + " ] || exit 1\n"
                       "[ \"$(ovs-vsctl --timeout=10 get Interface " + tap + " type 2>/dev/null)\" = internal ]",
                   "ovs-vsctl --timeout=10 --may-exist add-port " + br + " " + tap + " -- set Interface " + tap +
                       " type=internal " + sh_quote("external_ids:iface-id=\"" + p.port_id + "\"") +
                       " external_ids:iface-status=active " +
                       sh_quote("external_ids:attached-mac=\"" + p.mac + "\"") + " " +
                       sh_quote("external_ids:vm-uuid=\"" + p.device_id + "\"")});

  // With OVS's userspace datapath nobody fills in checksums the kernel left to the NIC: TCP from
  // the namespace would carry bad ones. Hence tx checksum offload off.
  steps.push_back({who + ": " + instance_tap_name(p.port_id) + " in the namespace, MAC " + p.mac + ", MTU " + mtu +
                       ", up, tx checksum offload off",
                   "l=$(" + in_ns + "ip -o link show dev " + tap + " 2>/dev/null) || exit 1\n"
                   "case \"$l\" in *\" mtu " + mtu + " \"*) ;; *) exit 1 ;; esac\n"
                   "case \"$l\" in *\"link/ether " + p.mac + " \"*) ;; *) exit 1 ;; esac\n"
                   "echo \"$l\" | grep -Eq '[<,]UP[,>]' || exit 1\n" +
                   in_ns + "ethtool -k " + tap + " 2>/dev/null | grep -q '^tx-checksumming: off'",
                   "command -v ethtool >/dev/null || { echo 'ethtool is not installed (apt-get install ethtool)'; exit 1; }\n"
                   "n=0\n"
                   "while ! " + in_ns + "ip link show dev " + tap + " >/dev/null 2>&1; do\n"
                   "  if ip link show dev " + tap + " >/dev/null 2>&1; then ip link set dev " + tap + " netns " + ns +
                       "; fi\n"
                   "  n=$((n + 1)); [ \"$n\" -le 50 ] || { echo \"" + instance_tap_name(p.port_id) +
                       " did not appear\"; exit 1; }\n"
                   "  sleep 0.1\n"
                   "done\n" +
                   in_ns + "ip link set dev " + tap + " address " + p.mac + " mtu " + mtu + " || exit 1\n" +
                   in_ns + "ethtool -K " + tap + " tx off >/dev/null || exit 1\n" +
                   in_ns + "ip link set dev " + tap + " up"});

  std::string addr_check = in_ns + "ip -o addr show dev " + tap + " 2>/dev/null | grep -qF " + sh_quote(" " + addr + " ");
  std::string route = p.gateway_ip.empty()
                          ? std::string()
                          : in_ns + "ip route replace default via " + p.gateway_ip + " dev " + tap + "\n";
  if (!p.gateway_ip.empty())
    addr_check += " || exit 1\n" + in_ns + "ip route show default 2>/dev/null | grep -qF " +
                  sh_quote("via " + p.gateway_ip + " ");
  steps.push_back(
      {who + ": " + addr + " by DHCP (Neutron dnsmasq)" + (p.gateway_ip.empty() ? "" : ", default route via " + p.gateway_ip),
       addr_check,
       "mkdir -p " + sh_quote(o.state_dir) + "\n"
       "printf '%s\\n' '#!/bin/sh' '# stackwire: udhcpc events for namespace instances' 'case \"$1\" in' \\\n"
       "  '  deconfig) ip -4 addr flush dev \"$interface\"; ip link set dev \"$interface\" up ;;' \\\n"
       "  '  bound|renew) ip -4 addr flush dev \"$interface\"; ip addr add \"$ip/${mask:-24}\" dev \"$interface\"' \\\n"
       "  '    for gw in $router; do ip route replace default via \"$gw\" dev \"$interface\"; break; done ;;' \\\n"
       "  'esac' 'exit 0' > " + script + " && chmod 0755 " + script + " || exit 1\n"
       "# Until the OVS agent binds the port (a local VLAN tag, not 4095) DHCP cannot pass.\n"
       "n=0\n"
       "while [ \"$n\" -lt " + std::to_string(o.bind_wait_seconds) + " ]; do\n"
       "  tag=$(ovs-vsctl --timeout=5 get Port " + tap + " tag 2>/dev/null) || tag=\n"
       "  case \"$tag\" in ''|'[]'|4095) ;; *) break ;; esac\n"
       "  sleep 1; n=$((n + 1))\n"
       "done\n"
       "if " + in_ns + "busybox udhcpc -q -n -f -i " + tap + " -t " + std::to_string(o.dhcp_attempts) + " -T 2 -r " + p.fixed_ip + " -s " + script +
           " >/dev/null 2>&1 && " + in_ns + "ip -o addr show dev " + tap + " | grep -qF " + sh_quote(" " + addr + " ") +
           "; then\n"
       "  echo " + sh_quote(who + ": " + addr + " leased by DHCP") + "\n"
       "else\n"
       "  echo " + sh_quote(who + ": no DHCP lease for " + p.fixed_ip + " within " + std::to_string(2 * o.dhcp_attempts) +
                            " s, configured statically") + "\n"
       "  " + in_ns + "ip -4 addr flush dev " + tap + "\n"
       "  " + in_ns + "ip addr add " + addr + " dev " + tap + " || exit 1\n"
       "fi\n" + route});

  steps.push_back({who + ": TCP listener on port 22",
                   "pid=$(cat " + pidfile + " 2>/dev/null) && [ -n \"$pid\" ] || exit 1\n"
                   "ip netns pids " + ns + " 2>/dev/null | grep -qx \"$pid\"",
                   "command -v busybox >/dev/null || { echo 'busybox is not installed (apt-get install busybox)'; exit 1; }\n"
                   "mkdir -p " + sh_quote(o.run_dir) + " || exit 1\n"
                   "rm -f " + pidfile + "\n"
                   "# ip netns exec and setsid exec in place: $! is the listener's own pid.\n" +
                   in_ns + "setsid busybox nc -ll -p 22 -e /bin/cat </dev/null >/dev/null 2>&1 &\n"
                   "echo $! > " + pidfile + "\n"
                   "sleep 0.2"});
  return steps;
}

std::vector<Step> namespace_instance_removal_steps(const InstancePort& p, const NamespaceInstanceOptions& o) {
  const std::string ns = sh_quote(instance_netns_name(p.instance));
  const std::string tap = sh_quote(instance_tap_name(p.port_id));
  const std::string pidfile = sh_quote(instance_listener_pidfile(p.instance, o));
  const std::string who = "instance " + p.instance;
  return {
      {who + ": no listener",
       "! { pid=$(cat " + pidfile + " 2>/dev/null) && [ -n \"$pid\" ] && ip netns pids " + ns +
           " 2>/dev/null | grep -qx \"$pid\"; }",
       "pid=$(cat " + pidfile + ")\n"
       "kill \"$pid\"\n"
       "n=0; while kill -0 \"$pid\" 2>/dev/null && [ \"$n\" -lt 20 ]; do sleep 0.1; n=$((n + 1)); done\n"
       "kill -9 \"$pid\" 2>/dev/null\n"
       "rm -f " + pidfile},
      {who + ": no OVS port " + instance_tap_name(p.port_id),
       "! ovs-vsctl --timeout=10 port-to-br " + tap + " >/dev/null 2>&1",
       "ovs-vsctl --timeout=10 --if-exists del-port " + sh_quote(o.integration_bridge) + " " + tap},
      {who + ": no namespace " + instance_netns_name(p.instance),
       "[ ! -e /run/netns/" + instance_netns_name(p.instance) + " ]",
       "for pid in $(ip netns pids " + ns + " 2>/dev/null); do kill \"$pid\"; done\n"
       "ip netns delete " + ns},
  };
}

NamespaceInstancePlugger::NamespaceInstancePlugger(ManifestRunner run, NamespaceInstanceOptions options)
    : run_(std::move(run)), options_(std::move(options)) {}

Result<void> NamespaceInstancePlugger::plug(const InstancePort& port) {
  if (port.host.empty())
    return fail(Error::input("instance '" + port.instance +
                             "': no host given; namespace instances need \"host\" (a compute host's Neutron name)"));
  if (port.port_id.empty() || port.mac.empty() || port.fixed_ip.empty())
    return fail(Error::input("instance '" + port.instance + "': its port has no id, MAC or fixed IP"));
  Manifest m{port.host, "instance-" + port.instance, namespace_instance_steps(port, options_)};
  manifests_.push_back(m);
  return run_(m);
}

// ---------------------------------------------------------------------------------------------
// Clients

Clients::Clients(KeystoneClient keystone, NeutronClient neutron)
    : keystone_(std::move(keystone)), neutron_(std::move(neutron)) {}

Result<Clients> Clients::login(HttpClient& http, const Credentials& admin) {
  KeystoneClient ks = SW_TRY(KeystoneClient::login(http, admin));
  NeutronClient nc = SW_TRY(NeutronClient::from_keystone(ks));
  return Clients(std::move(ks), std::move(nc));
}

Result<NeutronClient> Clients::neutron_as(const Credentials& creds) const {
  KeystoneClient ks = SW_TRY(KeystoneClient::login(neutron_.session().http(), creds));
  return NeutronClient(neutron_.session().http(), neutron_.session().base_url(), ks.token().id);
}

// ---------------------------------------------------------------------------------------------
// Report

int ProvisionReport::count(Action a) const {
  return static_cast<int>(std::count_if(resources.begin(), resources.end(), [&](const auto& r) { return r.action == a; }));
}

std::string ProvisionReport::render() const {
  std::ostringstream out;
  for (const auto& r : resources)
    out << pad(std::string(to_string(r.action)), 8) << " " << pad(r.kind, 20) << " " << pad(r.name, 24) << " "
        << (r.detail.empty() ? (r.id.empty() ? "-" : r.id) : pad(r.id.empty() ? "-" : r.id, 36) + "  " + r.detail)
        << "\n";
  for (const auto& i : instances)
    out << "instance " << i.name << " on " << i.host << (i.netns.empty() ? "" : " (netns " + i.netns + ")") << ": "
        << i.fixed_ip << (i.floating_ip.empty() ? "" : ", floating " + i.floating_ip) << ", port " << i.port_id << " "
        << (i.status.empty() ? "?" : i.status) << "\n";
  out << count(Action::created) << " created, " << count(Action::updated) << " updated, " << count(Action::reused)
      << " reused\n";
  return out.str();
}

ojson ProvisionReport::to_json() const {
  ojson j;
  j["project_id"] = project_id;
  j["user_id"] = user_id;
  j["instance_backend"] = instance_backend;
  j["resources"] = ojson::array();
  for (const auto& r : resources)
    j["resources"].push_back({{"kind", r.kind}, {"name", r.name}, {"id", r.id},
                              {"action", std::string(to_string(r.action))}, {"detail", r.detail}});
  j["instances"] = ojson::array();
  for (const auto& i : instances)
    j["instances"].push_back({{"name", i.name}, {"host", i.host}, {"netns", i.netns}, {"port_id", i.port_id},
                              {"mac", i.mac}, {"fixed_ip", i.fixed_ip}, {"floating_ip", i.floating_ip},
                              {"status", i.status}});
  j["summary"] = {{"created", count(Action::created)}, {"updated", count(Action::updated)},
                  {"reused", count(Action::reused)}};
  return j;
}

// ---------------------------------------------------------------------------------------------
// provision

Result<ProvisionReport> provision(const Topology& wanted, const Clients& clients, InstancePlugger& plugger,
                                  FileWriter* files, const ProvisionOptions& opt) {
  SW_TRY_VOID(validate_topology(wanted, wanted.source.empty() ? "topology" : wanted.source));
  const std::string project_name = wanted.project.empty() ? "demo" : wanted.project;
  const std::string user_name = wanted.user.empty() ? project_name : wanted.user;
  if (opt.demo_password.empty())
    return fail(Error::input("provision: no password for user '" + user_name + "' (CONFIG_KEYSTONE_DEMO_PW)"));
  sw::log::add_secret(opt.demo_password);

  const KeystoneClient& ks = clients.keystone();
  const NeutronClient& neutron = clients.neutron();
  ProvisionReport rep;
  rep.instance_backend = std::string(plugger.kind());
  auto add = [&](std::string kind, std::string name, std::string id, Action action, std::string detail = {}) {
    sw::log::info("provision: " + std::string(to_string(action)) + " " + kind + " '" + name + "'" +
                  (id.empty() ? "" : " (" + id + ")") + (detail.empty() ? "" : ": " + detail));
    rep.resources.push_back({std::move(kind), std::move(name), std::move(id), action, std::move(detail)});
  };

  // --- Keystone: project, user, role, keystonerc_demo.
  const std::string domain_id = SW_TRY(in(ks.project_domain_id(), "provision"));
  const std::string domain_name =
      ks.token().project_domain_name.empty() ? ks.credentials().project_domain_name : ks.token().project_domain_name;
  auto project = SW_TRY(in(ks.ensure_project(project_name, domain_id, "stackwire demo project"),
                           "project '" + project_name + "'"));
  add("project", project_name, project.value.id, project.action);
  rep.project_id = project.value.id;
  auto user = SW_TRY(in(ks.ensure_user(user_name, domain_id, opt.demo_password, project.value.id),
                        "user '" + user_name + "'"));
  rep.user_id = user.value.id;
  const Role role = SW_TRY(in(ks.find_first_role(opt.member_roles), "user '" + user_name + "'"));
  const Action assigned = SW_TRY(in(ks.ensure_role_assignment(project.value.id, user.value.id, role.id),
                                    "role '" + role.name + "' for '" + user_name + "'"));

  Credentials demo = ks.credentials();
  demo.username = user_name;
  demo.password = opt.demo_password;
  demo.project_name = project_name;
  demo.user_domain_name = domain_name;
  demo.project_domain_name = domain_name;
  demo.user_domain_id.clear();
  demo.project_domain_id.clear();
  // Logging in as the user proves keystonerc_demo works; an existing user with another password
  // gets the answer file's (as packstack's keystone_user resource does).
  auto demo_neutron = clients.neutron_as(demo);
  if (!demo_neutron && user.action == Action::reused && demo_neutron.error().kind() == ErrorKind::permission) {
    SW_TRY_VOID(in(ks.set_user_password(user.value.id, opt.demo_password), "user '" + user_name + "'"));
    user.action = Action::updated;
    demo_neutron = clients.neutron_as(demo);
  }
  add("user", user_name, user.value.id, user.action);
  add("role assignment", user_name + "@" + project_name, role.id, assigned, "role " + role.name);
  if (!demo_neutron) return fail(std::move(demo_neutron.error().context("provision: login as '" + user_name + "'")));

  if (files) {
    const bool changed = SW_TRY(in(files->write_file(opt.keystonerc_demo_path,
                                                     render_keystonerc(demo, "keystone_" + user_name), 0600),
                                   "keystonerc_demo '" + opt.keystonerc_demo_path + "'"));
    add("file", "keystonerc_" + user_name, "", changed ? Action::created : Action::reused,
        opt.keystonerc_demo_path + " (0600)");
  }

  // --- Networks and subnets. The external network belongs to the admin project, as when the
  // hangout's operator made it with keystonerc_admin; tenant networks to the demo project.
  std::map<std::string, Network> nets;
  std::map<std::string, Subnet> subnets;  // by name
  for (const auto& n : wanted.networks) {
    NetworkSpec spec{n.name, n.external ? ks.token().project_id : project.value.id, n.external, n.shared,
                     n.provider.network_type, n.provider.physical_network, n.provider.segmentation_id};
    auto net = SW_TRY(in(neutron.ensure_network(spec), "provision"));
    std::string detail = n.external ? "router:external" : "project " + project_name;
    if (!net.value.network_type.empty())
      detail += ", " + net.value.network_type +
                (net.value.physical_network.empty() ? "" : " on physnet " + net.value.physical_network) +
                (net.value.segmentation_id ? " id " + std::to_string(*net.value.segmentation_id) : "");
    add("network", n.name, net.value.id, net.action, detail);
    for (const auto& s : n.subnets) {
      SubnetSpec ss{s.name, net.value.id, spec.project_id, s.cidr, s.cidr.find(':') == std::string::npos ? 4 : 6,
                    s.gateway_ip, s.enable_dhcp, {}, s.dns_nameservers};
      for (const auto& p : s.allocation_pools) ss.allocation_pools.push_back({p.start, p.end});
      auto sub = SW_TRY(in(neutron.ensure_subnet(ss), "provision: network '" + n.name + "'"));
      add("subnet", s.name, sub.value.id, sub.action,
          s.cidr + (sub.value.gateway_ip.empty() ? "" : " gw " + sub.value.gateway_ip) +
              (s.enable_dhcp ? ", dhcp" : ", no dhcp"));
      subnets[s.name] = sub.value;
    }
    nets[n.name] = net.value;
  }

  // --- Routers.
  for (const auto& r : wanted.routers) {
    RouterSpec spec{r.name, project.value.id, r.external_gateway.empty() ? "" : nets.at(r.external_gateway).id};
    auto router = SW_TRY(in(neutron.ensure_router(spec), "provision"));
    std::string gw;
    if (router.value.gateway)
      for (const auto& f : router.value.gateway->external_fixed_ips) gw += (gw.empty() ? "" : ", ") + f.ip_address;
    add("router", r.name, router.value.id, router.action,
        r.external_gateway.empty() ? "no gateway" : "gateway on " + r.external_gateway + (gw.empty() ? "" : " " + gw));
    for (const auto& iface : r.interfaces) {
      auto port = SW_TRY(in(neutron.ensure_router_interface(router.value.id, subnets.at(iface).id),
                            "provision: router '" + r.name + "' interface on '" + iface + "'"));
      add("router interface", r.name + ":" + iface, port.value, port.action, subnets.at(iface).cidr);
    }
  }

  // --- Security-group rules, as the project's user: listing the groups makes Neutron create the
  // project's default group if nothing has yet.
  if (!wanted.security_group_rules.empty()) {
    const SecurityGroup group = SW_TRY(in(demo_neutron->find_security_group("default", project.value.id),
                                          "provision: project '" + project_name + "'"));
    for (const auto& r : wanted.security_group_rules) {
      SecurityGroupRuleSpec spec{r.direction, r.ethertype, r.protocol, r.port, r.port_max ? r.port_max : r.port,
                                 r.remote_ip_prefix};
      std::string name = r.protocol.empty() ? "any" : r.protocol;
      if (r.port) name += "/" + std::to_string(*r.port) + (r.port_max && r.port_max != r.port ? "-" + std::to_string(*r.port_max) : "");
      auto rule = SW_TRY(in(demo_neutron->ensure_security_group_rule(group.id, spec),
                            "provision: security group rule " + name));
      add("security group rule", name, rule.value.id, rule.action,
          r.direction + " " + r.ethertype + (r.remote_ip_prefix.empty() ? "" : " from " + r.remote_ip_prefix) +
              " in 'default' (" + group.id + ")");
    }
  }

  // --- Instances and their floating IPs.
  struct Pending {
    std::string name;
    std::string port_id;
  };
  std::vector<Pending> pending;
  for (const auto& x : wanted.instances) {
    const Network& net = nets.at(x.network);
    PortSpec ps{x.name, net.id, project.value.id, "compute:nova", random_uuid(), x.host, x.fixed_ip};
    auto port = SW_TRY(in(neutron.ensure_port(ps), "provision: instance '" + x.name + "'"));
    const Port& p = port.value;
    if (p.fixed_ips.empty())
      return fail(Error::failed("provision: instance '" + x.name + "': port " + p.id + " has no fixed IP"));
    const FixedIp& fip = p.fixed_ips.front();
    const Subnet* sub = nullptr;
    for (const auto& [name, s] : subnets)
      if (s.id == fip.subnet_id) sub = &s;
    if (!sub) return fail(Error::failed("provision: instance '" + x.name + "': subnet " + fip.subnet_id + " is unknown"));
    add("port", x.name, p.id, port.action, fip.ip_address + " " + p.mac_address + " on host " + x.host);

    std::string floating;
    if (!x.floating_ip.empty()) {
      const auto* ext = wanted.external_network_for(x.floating_ip);
      FloatingIpSpec fs{nets.at(ext->name).id, x.floating_ip, p.id, project.value.id};
      auto f = SW_TRY(in(neutron.ensure_floating_ip(fs), "provision: instance '" + x.name + "'"));
      add("floating ip", x.floating_ip, f.value.id, f.action, x.floating_ip + " -> " + x.name + " (" + fip.ip_address + ")");
      floating = x.floating_ip;
    }

    InstancePort ip{x.name, x.host, p.id, p.device_id.empty() ? p.id : p.device_id, p.mac_address, fip.ip_address,
                    cidr_prefix_len(sub->cidr).value_or(24), sub->gateway_ip, net.mtu.value_or(1500), net.id};
    SW_TRY_VOID(in(plugger.plug(ip), "provision: instance '" + x.name + "' on host '" + x.host + "'"));
    rep.instances.push_back({x.name, x.host, plugger.kind() == "namespaces" ? instance_netns_name(x.name) : "", p.id,
                             p.mac_address, fip.ip_address, floating, p.status});
    pending.push_back({x.name, p.id});
  }

  if (opt.port_active.timeout.count() > 0) {
    for (size_t i = 0; i < pending.size(); ++i) {
      Port p = SW_TRY(in(neutron.wait_port_status(pending[i].port_id, "ACTIVE", opt.port_active),
                         "provision: instance '" + pending[i].name + "'"));
      rep.instances[i].status = p.status;
    }
  }
  return rep;
}

}  // namespace sw::installer
