// neutron plugin: neutron-server with ML2 + openvswitch on the controller; the OVS agent on network
// and compute hosts; L3 (legacy), DHCP (dnsmasq) and metadata agents on network hosts. Each host
// gets one neutron.conf holding the parts its roles need; agent hosts end by waiting until
// neutron-server reports their agents alive.
#include "installer/service_shell.h"
#include "installer/services.h"

namespace sw::installer {

const char* to_string(TenantNetworkType t) {
  switch (t) {
    case TenantNetworkType::local: return "local";
    case TenantNetworkType::vlan: return "vlan";
    case TenantNetworkType::gre: return "gre";
    case TenantNetworkType::vxlan: return "vxlan";
  }
  return "gre";
}

const char* to_string(DatapathType t) { return t == DatapathType::netdev ? "netdev" : "system"; }

namespace {

constexpr const char* kNeutronConf = "/etc/neutron/neutron.conf";
constexpr const char* kMl2Conf = "/etc/neutron/plugins/ml2/ml2_conf.ini";
constexpr const char* kOvsAgentConf = "/etc/neutron/plugins/ml2/openvswitch_agent.ini";
constexpr const char* kOvsdb = "tcp:127.0.0.1:6640";
constexpr const char* kOvsdbManager = "ptcp:6640:127.0.0.1";

struct Roles {
  bool server, ovs, l3, dhcp, metadata;
  bool agents() const { return ovs || l3 || dhcp || metadata; }
};

bool tunnelled(TenantNetworkType t) { return t == TenantNetworkType::gre || t == TenantNetworkType::vxlan; }

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string mappings(const NeutronParams& p) {
  std::vector<std::string> m;
  for (const auto& [physnet, bridge] : p.bridge_mappings) m.push_back(physnet + ":" + bridge);
  return joined(m, ",");
}

std::string physnets(const NeutronParams& p) {
  std::vector<std::string> n;
  for (const auto& kv : p.bridge_mappings) n.push_back(kv.first);
  return n.empty() ? "*" : joined(n, ",");
}

// An agent (or neutron-server) as a daemon: pidfile mode runs agents as root (their root_helper
// has no sudo), neutron-server as neutron.
Daemon neutron_daemon(const std::string& name, bool pidfile, const std::string& user,
                      const std::vector<std::string>& configs) {
  Daemon d{name, user, "/var/log/neutron/" + name + ".log", {}};
  if (!pidfile) return d;
  d.argv = {"/usr/bin/" + name};
  for (const auto& c : configs) d.argv.push_back("--config-file=" + c);
  d.argv.push_back("--log-file=/var/log/neutron/" + name + ".log");
  return d;
}

// Names of the daemons on this host, in start order.
struct Daemons {
  std::vector<Daemon> server;
  std::vector<Daemon> agents;
  std::vector<std::string> all_names() const {
    std::vector<std::string> n;
    for (const auto& d : server) n.push_back(d.name);
    for (const auto& d : agents) n.push_back(d.name);
    return n;
  }
};

Daemons daemons_for(const NeutronParams& p, const Roles& r) {
  const bool pidfile = p.host.service_manager == ServiceManager::none;
  const bool debian_units = !pidfile && p.host.os == OsFamily::debian;
  const std::string agent_user = pidfile ? "root" : "neutron";
  Daemons d;
  if (r.server) {
    if (debian_units) {
      // Debian splits neutron-server into the API (uwsgi) and the RPC server.
      d.server.push_back({"neutron-api", "neutron", "", {}});
      d.server.push_back({"neutron-rpc-server", "neutron", "", {}});
    } else {
      d.server.push_back(neutron_daemon("neutron-server", pidfile, "neutron", {kNeutronConf, kMl2Conf}));
    }
  }
  if (r.ovs)
    d.agents.push_back(
        neutron_daemon("neutron-openvswitch-agent", pidfile, agent_user, {kNeutronConf, kOvsAgentConf}));
  if (r.l3)
    d.agents.push_back(
        neutron_daemon("neutron-l3-agent", pidfile, agent_user, {kNeutronConf, "/etc/neutron/l3_agent.ini"}));
  if (r.dhcp)
    d.agents.push_back(neutron_daemon("neutron-dhcp-agent", pidfile, agent_user,
                                      {kNeutronConf, "/etc/neutron/dhcp_agent.ini"}));
  if (r.metadata)
    d.agents.push_back(neutron_daemon("neutron-metadata-agent", pidfile, agent_user,
                                      {kNeutronConf, "/etc/neutron/metadata_agent.ini"}));
  return d;
}

std::vector<std::string> packages(const NeutronParams& p, const Roles& r) {
  std::vector<std::string> v;
  if (p.host.os == OsFamily::redhat) {
    v = {"openstack-neutron"};
    if (r.server) v.insert(v.end(), {"openstack-neutron-ml2", "python3-PyMySQL"});
    if (r.ovs) v.push_back("openstack-neutron-openvswitch");
  } else {
    if (r.server) v.insert(v.end(), {"neutron-server", "python3-pymysql"});
    if (r.ovs) v.push_back("neutron-openvswitch-agent");
    if (r.l3) v.push_back("neutron-l3-agent");
    if (r.dhcp) v.push_back("neutron-dhcp-agent");
    if (r.metadata) v.push_back("neutron-metadata-agent");
  }
  v.push_back("curl");
  return v;
}

Step neutron_conf_step(const NeutronParams& p, const Roles& r, const std::vector<std::string>& restarts) {
  const bool pidfile = p.host.service_manager == ServiceManager::none;
  const std::string ctrl = p.host.controller_ip;
  const std::string socket = p.host.os == OsFamily::redhat ? "/var/lib/mysql/mysql.sock" : "/run/mysqld/mysqld.sock";
  // oslo.messaging re-quotes the password for kombu keeping '/' as is, which kombu then reads as
  // the end of the host part: refuse such a password with a reason instead of a dead agent.
  std::string prepare = "sw_require CONFIG_AMQP_AUTH_PASSWORD" +
                        std::string(r.server ? " CONFIG_NEUTRON_DB_PW CONFIG_NEUTRON_KS_PW" : "") +
                        " || exit 1\n"
                        "case $CONFIG_AMQP_AUTH_PASSWORD in */*)\n"
                        "  echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: "
                        "choose another' >&2\n"
                        "  exit 1 ;;\n"
                        "esac\n"
                        "sw_amqp_pw=$(sw_urlencode \"$CONFIG_AMQP_AUTH_PASSWORD\")\n";
  if (r.server)
    prepare += "sw_db_pw=$(sw_dburl_escape \"$CONFIG_NEUTRON_DB_PW\")\n"
               "sw_ks_pw=$(sw_oslo_escape \"$CONFIG_NEUTRON_KS_PW\")\n";

  ConfigText c;
  c.line("# stackwire: neutron.conf for host " + p.host.host_name)
      .section("DEFAULT")
      .set("host", p.host.host_name)
      .set("core_plugin", "ml2")
      .set("service_plugins", "router")
      .set("auth_strategy", "keystone")
      .set("state_path", "/var/lib/neutron")
      .set_expanded("transport_url", "rabbit://" + p.amqp_user + ":${sw_amqp_pw}@" + ctrl + ":" +
                                         std::to_string(p.amqp_port) + "/");
  if (r.server) {
    c.set("bind_host", p.host.mgmt_ip)
        .set("bind_port", "9696")
        .set("api_workers", std::to_string(p.api_workers))
        .set("rpc_workers", std::to_string(p.rpc_workers))
        .set("rpc_state_report_workers", "1")
        .set("allow_overlapping_ips", "True")
        .set("global_physnet_mtu", std::to_string(p.global_physnet_mtu))
        .set("dhcp_agents_per_network", "1")
        .set("notify_nova_on_port_status_changes", "False")
        .set("notify_nova_on_port_data_changes", "False");
  }
  c.section("agent").set("root_helper", std::string(pidfile ? "" : "sudo ") +
                                            "neutron-rootwrap /etc/neutron/rootwrap.conf");
  if (r.server) {
    c.section("database")
        .set_expanded("connection", "mysql+pymysql://neutron:${sw_db_pw}@localhost/neutron?unix_socket=" +
                                        socket + "&charset=utf8")
        .section("keystone_authtoken")
        .set("www_authenticate_uri", "http://" + ctrl + ":5000/")
        .set("auth_url", "http://" + ctrl + ":5000/")
        .set("auth_type", "password")
        .set("project_domain_name", "Default")
        .set("user_domain_name", "Default")
        .set("project_name", "service")
        .set("username", "neutron")
        .set_expanded("password", "${sw_ks_pw}")
        .set("region_name", p.region);
  }
  c.section("oslo_concurrency").set("lock_path", "/var/lib/neutron/lock");
  return config_file_step("neutron.conf is as rendered", {kNeutronConf, "0640", "root", "neutron"}, c, prepare,
                          restarts);
}

Step ml2_conf_step(const NeutronParams& p, const std::vector<std::string>& restarts) {
  const TenantNetworkType t = p.tenant_network_type;
  std::vector<std::string> types = {"flat", to_string(t)};
  ConfigText c;
  c.line("# stackwire: ML2 with the openvswitch mechanism driver")
      .section("ml2")
      .set("type_drivers", joined(types, ","))
      .set("tenant_network_types", to_string(t))
      .set("mechanism_drivers", "openvswitch")
      .set("extension_drivers", "port_security")
      .section("ml2_type_flat")
      .set("flat_networks", physnets(p));
  if (t == TenantNetworkType::gre) c.section("ml2_type_gre").set("tunnel_id_ranges", p.tunnel_id_ranges);
  if (t == TenantNetworkType::vxlan) c.section("ml2_type_vxlan").set("vni_ranges", p.vni_ranges);
  if (t == TenantNetworkType::vlan) c.section("ml2_type_vlan").set("network_vlan_ranges", p.vlan_ranges);
  c.section("securitygroup").set("enable_security_group", "True");
  return config_file_step("ml2_conf.ini is as rendered", {kMl2Conf, "0640", "root", "neutron"}, c, {}, restarts);
}

Step ovs_agent_conf_step(const NeutronParams& p, const Roles& r) {
  const TenantNetworkType t = p.tenant_network_type;
  ConfigText c;
  c.line("# stackwire: Open vSwitch agent for host " + p.host.host_name)
      .section("ovs")
      .set("integration_bridge", "br-int")
      .set("tunnel_bridge", "br-tun");
  if (tunnelled(t) && !p.tunnel_ip.empty()) c.set("local_ip", p.tunnel_ip);
  c.set("datapath_type", to_string(p.datapath_type))
      .set("ovsdb_connection", kOvsdb)
      .set("of_listen_address", "127.0.0.1");
  // The network host carries the external physnet; compute hosts need physnets only for vlan.
  if ((r.l3 || t == TenantNetworkType::vlan) && !p.bridge_mappings.empty())
    c.set("bridge_mappings", mappings(p));
  c.section("agent");
  if (tunnelled(t)) c.set("tunnel_types", to_string(t));
  if (t == TenantNetworkType::vxlan) c.set("vxlan_udp_port", std::to_string(p.vxlan_udp_port));
  c.set("l2_population", "False")
      .section("securitygroup")
      .set("firewall_driver", "openvswitch")
      .set("enable_security_group", "True");
  return config_file_step("openvswitch_agent.ini is as rendered", {kOvsAgentConf, "0640", "root", "neutron"}, c,
                          {}, {"neutron-openvswitch-agent"});
}

ConfigText& ovs_interface_section(ConfigText& c) {
  return c.section("ovs").set("integration_bridge", "br-int").set("ovsdb_connection", kOvsdb);
}

std::vector<Step> network_agent_conf_steps(const NeutronParams& p) {
  std::vector<Step> steps;
  ConfigText l3;
  l3.line("# stackwire: L3 agent (legacy routers in qrouter- namespaces)")
      .section("DEFAULT")
      .set("interface_driver", "openvswitch")
      .set("agent_mode", "legacy");
  ovs_interface_section(l3);
  steps.push_back(config_file_step("l3_agent.ini is as rendered",
                                   {"/etc/neutron/l3_agent.ini", "0640", "root", "neutron"}, l3, {},
                                   {"neutron-l3-agent"}));

  ConfigText dhcp;
  dhcp.line("# stackwire: DHCP agent (dnsmasq in qdhcp- namespaces; Neutron sets the MTU, option 26)")
      .section("DEFAULT")
      .set("interface_driver", "openvswitch")
      .set("dhcp_driver", "neutron.agent.linux.dhcp.Dnsmasq")
      .set("enable_isolated_metadata", "False");
  // Without a service manager (lab hosts) there is no syslog either: dnsmasq, which logs to
  // syslog by default, would say nothing at all about a DHCP request it refuses.
  if (p.host.service_manager == ServiceManager::none)
    dhcp.set("dnsmasq_base_log_dir", "/var/log/neutron/dnsmasq");
  ovs_interface_section(dhcp);
  steps.push_back(config_file_step("dhcp_agent.ini is as rendered",
                                   {"/etc/neutron/dhcp_agent.ini", "0640", "root", "neutron"}, dhcp, {},
                                   {"neutron-dhcp-agent"}));

  ConfigText md;
  md.line("# stackwire: metadata agent (proxies to nova's metadata API on the controller)")
      .section("DEFAULT")
      .set("nova_metadata_host", p.host.controller_ip)
      .set("nova_metadata_port", "8775")
      .set_expanded("metadata_proxy_shared_secret", "${sw_secret}")
      .set("metadata_workers", "1");
  steps.push_back(config_file_step("metadata_agent.ini is as rendered",
                                   {"/etc/neutron/metadata_agent.ini", "0640", "root", "neutron"}, md,
                                   "sw_require CONFIG_NEUTRON_METADATA_PW || exit 1\n"
                                   "sw_secret=$(sw_oslo_escape \"$CONFIG_NEUTRON_METADATA_PW\")\n",
                                   {"neutron-metadata-agent"}));
  return steps;
}

// dnsmasq runs as nobody: with /var/lib/neutron closed to others it cannot read its hosts file and
// answers every DHCP request with "no address available" (static ranges only). Deployments made
// before this step existed are repaired in place and their dnsmasq told to re-read (SIGHUP, by the
// pid Neutron recorded).
Step dnsmasq_state_dir_step() {
  return {"dnsmasq (user nobody) can reach its files under /var/lib/neutron/dhcp",
          "[ ! -d /var/lib/neutron ] || [ $((0$(stat -c %a /var/lib/neutron) & 05)) -eq 5 ]",
          "chmod o+rx /var/lib/neutron || exit 1\n"
          "for f in /var/lib/neutron/dhcp/*/pid; do\n"
          "  [ -f \"$f\" ] || continue\n"
          "  pid=$(cat \"$f\") && [ -n \"$pid\" ] && [ \"$(cat /proc/$pid/comm 2>/dev/null)\" = dnsmasq ] &&\n"
          "    kill -HUP \"$pid\" && echo \"dnsmasq $pid: re-reading $(dirname \"$f\")\"\n"
          "done\n"
          "exit 0"};
}

std::vector<Step> ovs_steps(const NeutronParams& p) {
  const bool rh = p.host.os == OsFamily::redhat;
  Step ovs;
  ovs.title = "Open vSwitch answers";
  ovs.check = "ovs-vsctl --timeout=5 show >/dev/null\n";
  ovs.apply = "if sw_systemd; then\n"
              "  systemctl enable --now " + std::string(rh ? "openvswitch" : "openvswitch-switch") + " || exit 1\n"
              "  sw_wait_cmd 30 'ovsdb-server answers' ovs-vsctl --timeout=2 show\n"
              "else\n"
              "  echo 'Open vSwitch does not run on this host and there is no systemd to start it' >&2\n"
              "  exit 1\n"
              "fi\n";
  // ovsdb-server honours Manager rows only when started with --remote=db:...,manager_options (as
  // ovs-ctl and the lab start it); add that remote at run time when it was started without.
  Step mgr;
  mgr.title = std::string("OVSDB listens on ") + kOvsdb + " for the agents (manager " + kOvsdbManager + ")";
  mgr.check = std::string("ovs-vsctl --timeout=5 get-manager | grep -qxF ") + kOvsdbManager +
              " && timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6640'\n";
  mgr.apply = std::string("if ! ovs-vsctl --timeout=5 get-manager | grep -qxF ") + kOvsdbManager + "; then\n" +
              "  ovs-vsctl --timeout=10 -- --id=@m create Manager 'target=\"" + kOvsdbManager +
              "\"' -- add Open_vSwitch . manager_options @m >/dev/null || exit 1\n"
              "fi\n"
              "ovs-appctl -t ovsdb-server ovsdb-server/add-remote db:Open_vSwitch,Open_vSwitch,manager_options\n"
              "sw_wait_tcp 127.0.0.1 6640 10\n";
  return {ovs, mgr};
}

Step agents_alive_step(const NeutronParams& p, const Daemons& d) {
  const std::string ks = "http://" + p.host.controller_ip + ":5000/v3";
  const std::string api = "http://" + p.host.controller_ip + ":9696";
  std::vector<std::string> bins;
  for (const auto& a : d.agents) bins.push_back(a.name);
  const std::string args = sh_word(p.host.host_name) + " " + joined(bins, " ");
  // One loop for both: an agent's "alive" may flip to false for a moment after neutron-server
  // restarted (a heartbeat from before the restart ages out before the agent's next report), so
  // the check after the apply waits too (45 s: more than the agents' 30 s report interval); on a
  // healthy cloud both pass at the first poll.
  const auto wait_alive = [&](int timeout_s, bool name_the_dead) {
    return "sw_require CONFIG_NEUTRON_KS_PW || exit 1\n"
           "sw_r=$(sw_tmp) || exit 1\n"
           "sw_end=$(( $(date +%s) + " + std::to_string(timeout_s) + " ))\n"
           "while :; do\n"
           "  sw_t=$(sw_ks_auth " + ks + " neutron \"$CONFIG_NEUTRON_KS_PW\" service \"$sw_r\" 2>/dev/null) &&\n"
           "    sw_down=$(sw_neutron_agents_down " + api + " \"$sw_t\" " + args + ") &&\n"
           "    [ -z \"$sw_down\" ] && exit 0\n"
           "  if [ \"$(date +%s)\" -ge \"$sw_end\" ]; then\n" +
           (name_the_dead ? "    for sw_a in ${sw_down:-" + joined(bins, " ") + "}; do\n"
                            "      echo \"$sw_a on " + p.host.host_name + " is not alive at " + api + " after " +
                                std::to_string(timeout_s) + " s; its log: /var/log/neutron/$sw_a.log\" >&2\n"
                            "    done\n"
                          : std::string()) +
           "    exit 1\n"
           "  fi\n"
           "  sleep 2\n"
           "done\n";
  };
  Step s;
  s.title = "neutron-server reports the agents of " + p.host.host_name + " alive: " + joined(bins, ", ");
  s.check = wait_alive(45, false);
  s.apply = wait_alive(p.agent_alive_timeout, true);
  s.slow = true;
  return s;
}

}  // namespace

Result<void> validate_neutron_params(const NeutronParams& p) {
  const bool agents = p.host.roles.network || p.host.roles.compute;
  if (p.host.controller_ip.empty()) return fail(Error::input("neutron: no controller address"));
  if (p.host.host_name.empty()) return fail(Error::input("neutron: host " + p.host.mgmt_ip + " has no name"));
  if (agents && tunnelled(p.tenant_network_type) && p.tunnel_ip.empty())
    return fail(Error::input("neutron: host " + p.host.host_name + " has no tunnel address for " +
                             to_string(p.tenant_network_type) + " (CONFIG_NEUTRON_OVS_TUNNEL_IF)"));
  if (p.host.roles.controller && p.tenant_network_type == TenantNetworkType::vlan && p.vlan_ranges.empty())
    return fail(Error::input("neutron: vlan tenant networks need CONFIG_NEUTRON_OVS_VLAN_RANGES"));
  return {};
}

std::vector<Step> plan_neutron(const NeutronParams& p) {
  const HostRoles& hr = p.host.roles;
  const Roles r{hr.controller, hr.network || hr.compute, hr.network, hr.network, hr.network};
  if (!r.server && !r.agents()) return {};
  const bool rh = p.host.os == OsFamily::redhat;
  const Daemons d = daemons_for(p, r);
  std::vector<Step> steps;

  steps.push_back(packages_step("Neutron", packages(p, r), rh));
  steps.push_back(service_tool_step());
  if (r.ovs) {
    auto o = ovs_steps(p);
    steps.insert(steps.end(), o.begin(), o.end());
  }
  steps.push_back(neutron_conf_step(p, r, d.all_names()));

  if (r.server) {
    std::vector<std::string> server_names;
    for (const auto& s : d.server) server_names.push_back(s.name);
    steps.push_back(ml2_conf_step(p, server_names));
    if (rh) {
      steps.push_back({"/etc/neutron/plugin.ini points at ml2_conf.ini",
                       std::string("test \"$(readlink /etc/neutron/plugin.ini)\" = ") + kMl2Conf + "\n",
                       std::string("ln -sfn ") + kMl2Conf + " /etc/neutron/plugin.ini\n"});
    }
    steps.push_back({"the neutron database schema is at the alembic heads of the installed package",
                     "sw_db_at_heads neutron \"$(sw_pydir neutron)/db/migration/alembic_migrations/versions\"\n",
                     std::string("runuser -u neutron -- neutron-db-manage --config-file ") + kNeutronConf +
                         " --config-file " + kMl2Conf + " upgrade heads\n",
                     true});
  }
  if (r.ovs) steps.push_back(ovs_agent_conf_step(p, r));
  if (r.l3) {
    auto n = network_agent_conf_steps(p);
    steps.insert(steps.end(), n.begin(), n.end());
  }

  // /var/lib/neutron is 0755 as neutron-common's postinst leaves it: dnsmasq drops to nobody and
  // reads its host, opts and addn_hosts files from /var/lib/neutron/dhcp/<network>/ as nobody.
  const std::string dirs =
      "install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron/lock\n"
      "install -d -o neutron -g neutron -m 0755 /var/lib/neutron\n";
  if (r.dhcp) steps.push_back(dnsmasq_state_dir_step());
  for (size_t i = 0; i < d.server.size(); ++i) {
    const bool last = i + 1 == d.server.size();
    steps.push_back(
        daemon_step(d.server[i], dirs, last ? wait_http_ready(d.server[i], "http://" + p.host.controller_ip + ":9696/", 120) : ""));
  }
  if (r.agents() && !r.server) {
    // Agents started before neutron-server's RPC is up sit out a 60 s RPC timeout and a back-off
    // before they first report; the hosts of this plugin run in parallel, so wait for the API.
    const std::string url = "http://" + p.host.controller_ip + ":9696/";
    steps.push_back({"neutron-server answers at " + url,
                     "sw_wait_http " + url + " 0\n",
                     "sw_wait_http " + url + " " + std::to_string(p.server_wait_timeout) + "\n", true});
  }
  for (const auto& a : d.agents) steps.push_back(daemon_step(a, dirs));
  if (r.agents()) steps.push_back(agents_alive_step(p, d));
  return steps;
}

}  // namespace sw::installer
